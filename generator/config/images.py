"""The [images] table of site.toml: the sizes and formats every published photo is made in (the
image stage, generator/images/, does the work)."""
from __future__ import annotations

from dataclasses import dataclass, field

FORMATS = ("avif", "webp", "original")
MIN_WIDTH, MAX_WIDTH = 16, 8192
# The theme's post column: 40rem at most, the screen less its margins on phones (see clinicpress.css).
DEFAULT_SIZES = "(min-width: 42rem) 40rem, calc(100vw - 4rem)"


@dataclass(frozen=True, slots=True)
class ImagesConfig:
    widths: tuple[int, ...] = field(default=(480, 960, 1440, 2000),
                                    metadata={"doc": "Widths in pixels of the resized copies; never wider than the photo"})
    formats: tuple[str, ...] = field(default=("webp", "original"),
                                     metadata={"doc": "avif, webp and original, in the order browsers are offered them"})
    quality: int = field(default=80, metadata={"doc": "Lossy encoding quality, 1-100"})
    sizes: str = field(default=DEFAULT_SIZES, metadata={"doc": "The <img sizes> value: how wide the theme shows a photo"})

    @property
    def widest(self) -> int:
        return max(self.widths)


def images_problems(images: ImagesConfig) -> list[tuple[str, str, str | None]]:
    """What is wrong with an [images] table whose types are right: (key, message, hint)."""
    problems: list[tuple[str, str, str | None]] = []
    if not images.widths:
        problems.append(("widths", "'images.widths' must list at least one width", "widths = [480, 960, 1440, 2000]"))
    for width in images.widths:
        if not MIN_WIDTH <= width <= MAX_WIDTH:
            problems.append(("widths", f"'images.widths' has {width}; widths go from {MIN_WIDTH} to {MAX_WIDTH} pixels",
                             "widths = [480, 960, 1440, 2000]"))
    if len(set(images.widths)) != len(images.widths):
        problems.append(("widths", "'images.widths' lists a width twice", None))
    if not images.formats:
        problems.append(("formats", "'images.formats' must list at least one format", 'formats = ["webp", "original"]'))
    for name in images.formats:
        if name not in FORMATS:
            problems.append(("formats", f"'images.formats' has '{name}', which is not one of {', '.join(FORMATS)}",
                             'formats = ["webp", "original"]'))
    if "avif" in images.formats and not _can_write_avif():
        problems.append(("formats", "'images.formats' has 'avif', but the installed Pillow cannot write AVIF",
                         "install Pillow 11.3 or later (pip install -U Pillow), or leave out \"avif\""))
    if len(set(images.formats)) != len(images.formats):
        problems.append(("formats", "'images.formats' lists a format twice", None))
    if not 1 <= images.quality <= 100:
        problems.append(("quality", f"'images.quality' must be from 1 to 100, got {images.quality}", "quality = 80"))
    if not images.sizes.strip():
        problems.append(("sizes", "'images.sizes' is empty", f'sizes = "{DEFAULT_SIZES}"'))
    return problems


def _can_write_avif() -> bool:
    from PIL import features  # only when AVIF is asked for: Pillow is not needed to read site.toml

    return bool(features.check("avif"))
