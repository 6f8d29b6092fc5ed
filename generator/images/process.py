"""One photo in, clean copies out: upright, in sRGB, without a byte of metadata, in every size and
format the site shows. Runs in the worker processes; Pillow (and pillow-heif for HEIC) does the work.

What is published never carries EXIF (GPS position, camera, software, dates), XMP, IPTC, PNG text
chunks, comments or the embedded colour profile (which can name the camera): every file is encoded
afresh from the pixels, with nothing but the pixels and, for palette images, their transparency."""
from __future__ import annotations

import hashlib
import io
import os
import posixpath
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, ImageSequence, UnidentifiedImageError

from generator.config.images import ImagesConfig

PREVIEW_SIZE = (1200, 630)  # what Facebook, LinkedIn, KakaoTalk and X show as a large link preview
SUPPORTED = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "AVIF": "avif",
             "HEIF": "heif"}
EXTENSIONS = {"jpeg": ".jpg", "png": ".png", "webp": ".webp", "gif": ".gif", "avif": ".avif"}
MIME_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif", "avif": "image/avif"}
# Formats that not every browser shows: published as JPEG (or PNG when transparent) under a new name.
CONVERTED = {"heif", "avif"}
# Time and size against quality, measured on 12-megapixel phone photos (README, "Images").
AVIF_SPEED = 8
WEBP_METHOD = 2  # of 0-6: half the time of the default 4, files about 2% larger
_SRGB = ImageCms.createProfile("sRGB")
_READ_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, KeyError,
                ZeroDivisionError, MemoryError, Image.DecompressionBombError)

try:  # HEIC/HEIF from iPhones; the opener registers with Pillow
    from pillow_heif import register_heif_opener
except ImportError:  # pragma: no cover - a dependency of the package
    register_heif_opener = None
else:
    register_heif_opener()


@dataclass(frozen=True, slots=True)
class Variant:
    """One file of a processed image."""

    format: str  # jpeg | png | webp | avif | gif
    width: int
    height: int
    path: str  # site path, e.g. "images/room-480w.webp"
    file: str  # its name in the image cache
    digest: str

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]


@dataclass(frozen=True, slots=True)
class ImageRecord:
    """What processing made of one source image (its key names the source's content and the settings)."""

    key: str
    kind: str  # "variants": every size and format; "preview": the 1200x630 link-preview crop
    source: str  # site path of the source file
    path: str  # site path of the full-size published file
    format: str  # the format every browser shows ("original" in [images] formats)
    width: int  # of the published file, upright
    height: int
    source_width: int  # of the source, upright
    source_height: int
    animated: bool
    variants: tuple[Variant, ...]  # narrowest first; the published file is one of them


@dataclass(frozen=True, slots=True)
class ImageProblem:
    """A source image that cannot be published, said for the person who added it."""

    source: str
    message: str
    hint: str


@dataclass(frozen=True, slots=True)
class ImageTask:
    key: str
    kind: str  # "variants" | "preview"
    source: str  # site path
    file: Path


def published_path(source: str, fallback: str) -> str:
    """Where the full-size copy goes: the source's own path, or a new extension for HEIC and AVIF."""
    stem, suffix = posixpath.splitext(source)
    if suffix.lower() in (".heic", ".heif", ".avif", ".hif"):
        return stem + EXTENSIONS[fallback]
    return source


def variant_widths(width: int, settings: ImagesConfig) -> list[int]:
    """The configured widths narrower than the image, and the image's own width (never wider than the
    widest configured one): nothing is ever enlarged."""
    top = min(width, settings.widest)
    return sorted({w for w in settings.widths if w < top} | {top})


def process_image(settings: ImagesConfig, folder: Path, task: ImageTask) -> ImageRecord | ImageProblem:
    """Make the task's files in folder (the image cache); a problem instead when the source cannot be used."""
    try:
        with _open(task) as image:
            problem = _unusable(task, image)
            if problem:
                return problem
            source_format = SUPPORTED[image.format]
            if getattr(image, "is_animated", False) and image.format != "MPO":
                return _animated(settings, folder, task, image, source_format)
            return _still(settings, folder, task, image, source_format)
    except UnidentifiedImageError:
        return ImageProblem(task.source, "is not an image ClinicPress can read, or it is damaged",
                            "save it again as JPEG (photos) or PNG (charts, drawings)")
    except _TooLarge as large:
        return ImageProblem(task.source, f"is {large.width:,}×{large.height:,} pixels "
                            f"({large.width * large.height / 1e6:.0f} megapixels), more than the "
                            f"{Image.MAX_IMAGE_PIXELS / 1e6:.0f} megapixels an image may have",
                            "an image this large is refused as a possible decompression bomb: resize it "
                            f"to at most {settings.widest} pixels wide")
    except _READ_ERRORS:
        return ImageProblem(task.source, "cannot be read: the file is damaged or incomplete (truncated)",
                            "copy or export the photo again from the camera or phone")


class _TooLarge(Exception):
    def __init__(self, width: int, height: int):
        super().__init__(f"{width}x{height}")
        self.width, self.height = width, height


class _open:
    """Image.open with the decompression-bomb limit checked here, by the image's own size,
    instead of by Pillow's warning or its exception text."""

    def __init__(self, task: ImageTask):
        self.task, self.image = task, None

    def __enter__(self) -> Image.Image:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
            try:
                self.image = Image.open(self.task.file)
            finally:
                Image.MAX_IMAGE_PIXELS = limit
        width, height = self.image.size
        if limit and width * height > limit:
            self.image.close()
            raise _TooLarge(width, height)
        return self.image

    def __exit__(self, *exc_info) -> None:
        if self.image is not None:
            self.image.close()


def _unusable(task: ImageTask, image: Image.Image) -> ImageProblem | None:
    if image.format not in SUPPORTED:
        name = image.format or "this"
        return ImageProblem(task.source, f"is a {name} image, which browsers do not show and ClinicPress does not publish",
                            "save it as JPEG (photos) or PNG (charts, drawings)")
    if min(image.size) < 1:
        return ImageProblem(task.source, "has no pixels", "export the image again")
    return None


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(0x0112, 1) or 1)
    except _READ_ERRORS:  # damaged EXIF: nothing to go by, and it is dropped anyway
        return 1


def _still(settings: ImagesConfig, folder: Path, task: ImageTask, image: Image.Image,
           source_format: str) -> ImageRecord:
    orientation = _orientation(image)
    turned = orientation in (5, 6, 7, 8)
    upright = (image.height, image.width) if turned else image.size
    palette = image.mode == "P" and source_format in ("png", "gif")
    if task.kind == "preview":
        scale = max(PREVIEW_SIZE[0] / upright[0], PREVIEW_SIZE[1] / upright[1])
    else:
        scale = min(1.0, settings.widest / upright[0])
    if image.format in ("JPEG", "MPO") and scale < 1:
        # The JPEG decoder scales down by 1/2, 1/4 or 1/8 as it decodes: a fraction of the time and memory.
        image.draft("RGB", (max(1, int(image.width * scale) + 1), max(1, int(image.height * scale) + 1)))
    image.load()
    pixels = _upright(image, orientation)
    pixels = _to_srgb(pixels, image.info.get("icc_profile"))
    fallback = source_format if source_format in ("png", "gif", "webp") \
        else "png" if source_format in CONVERTED and _has_alpha(pixels) else "jpeg"
    if task.kind == "preview":
        return _preview(settings, folder, task, pixels, upright)
    path = published_path(task.source, fallback)
    stem = posixpath.splitext(path)[0]
    formats = []
    for name in settings.formats:
        chosen = fallback if name == "original" else name
        if chosen not in formats:
            formats.append(chosen)
    if fallback not in formats:  # the <img> needs a format every browser shows
        formats.append(fallback)
    variants = []
    widths = variant_widths(upright[0], settings)
    for width in reversed(widths):  # widest first: each smaller size is made from the one before
        height = max(1, round(width * upright[1] / upright[0]))
        if pixels.size != (width, height):
            pixels = pixels.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        for name in formats:
            target = path if (name == fallback and width == widths[-1]) else f"{stem}-{width}w{EXTENSIONS[name]}"
            data = _encode(pixels, name, settings.quality, palette)
            variants.append(_store(folder, task.key, len(variants), name, width, height, target, data))
    variants.sort(key=lambda v: (v.width, v.format))
    return ImageRecord(task.key, task.kind, task.source, path, fallback, widths[-1],
                       max(1, round(widths[-1] * upright[1] / upright[0])), upright[0], upright[1], False,
                       tuple(variants))


def _preview(settings: ImagesConfig, folder: Path, task: ImageTask, pixels: Image.Image,
             upright: tuple[int, int]) -> ImageRecord:
    """The cover cut to the 1.91:1 of link previews, 1200x630 unless the photo is smaller (never enlarged)."""
    width = min(PREVIEW_SIZE[0], pixels.width, pixels.height * PREVIEW_SIZE[0] // PREVIEW_SIZE[1])
    height = max(1, round(width * PREVIEW_SIZE[1] / PREVIEW_SIZE[0]))
    cut = ImageOps.fit(_flatten(pixels), (max(1, width), height), Image.Resampling.LANCZOS)
    path = f"{posixpath.splitext(task.source)[0]}-{width}x{height}.jpg"
    data = _encode(cut, "jpeg", max(settings.quality, 85), False)
    variant = _store(folder, task.key, 0, "jpeg", width, height, path, data)
    return ImageRecord(task.key, task.kind, task.source, path, "jpeg", width, height, upright[0], upright[1], False,
                       (variant,))


def _animated(settings: ImagesConfig, folder: Path, task: ImageTask, image: Image.Image,
              source_format: str) -> ImageRecord:
    """Animated GIF, PNG or WebP: every frame copied into a fresh file, at its own size."""
    frames, durations = [], []
    for frame in ImageSequence.Iterator(image):
        durations.append(int(frame.info.get("duration", 100) or 100))
        frames.append(_bare(frame.convert("RGBA")))
    if task.kind == "preview":  # a moving cover previews as its first frame
        return _preview(settings, folder, task, frames[0], image.size)
    fallback = source_format if source_format in ("gif", "png", "webp") else "gif"
    options: dict = {"save_all": True, "append_images": frames[1:], "duration": durations,
                     "loop": int(image.info.get("loop", 0) or 0)}
    if fallback == "gif":
        options["disposal"] = 2
    elif fallback == "webp":
        options.update(quality=settings.quality, method=WEBP_METHOD)
    out = io.BytesIO()
    frames[0].save(out, format=fallback.upper(), **options)
    path = published_path(task.source, fallback)
    variant = _store(folder, task.key, 0, fallback, image.width, image.height, path, out.getvalue())
    return ImageRecord(task.key, task.kind, task.source, path, fallback, image.width, image.height,
                       image.width, image.height, True, (variant,))


_TRANSPOSE = {2: [Image.Transpose.FLIP_LEFT_RIGHT], 3: [Image.Transpose.ROTATE_180],
              4: [Image.Transpose.FLIP_TOP_BOTTOM], 5: [Image.Transpose.TRANSPOSE],
              6: [Image.Transpose.ROTATE_270], 7: [Image.Transpose.TRANSVERSE], 8: [Image.Transpose.ROTATE_90]}


def _upright(image: Image.Image, orientation: int) -> Image.Image:
    """The pixels in RGB, RGBA, L or CMYK, turned as the EXIF orientation says (what
    ImageOps.exif_transpose does, without reading EXIF again: it is about to be dropped)."""
    if image.mode in ("RGB", "RGBA", "L", "CMYK"):
        pixels = image
    elif _has_alpha(image):
        pixels = image.convert("RGBA")
    elif image.mode.startswith("I;16"):
        pixels = image.convert("I").point(lambda value: value / 256).convert("L")
    elif image.mode in ("1", "I", "F"):
        pixels = image.convert("L")
    else:
        pixels = image.convert("RGB")
    for method in _TRANSPOSE.get(orientation, []):
        pixels = pixels.transpose(method)
    return pixels if pixels is not image else image.copy()


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (image.mode == "P" and "transparency" in image.info) \
        or (image.mode in ("RGB", "L") and "transparency" in image.info)


def _to_srgb(pixels: Image.Image, icc: bytes | None) -> Image.Image:
    """Colours converted from the embedded profile to sRGB, which browsers assume; the profile itself
    (it may name the camera) is not published."""
    if icc and pixels.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if pixels.mode == "L":
                return pixels  # a grey profile: grey stays grey
            mode = "RGBA" if pixels.mode == "RGBA" else "RGB"
            return ImageCms.profileToProfile(pixels, profile, _SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a damaged profile: the colours as they are
    if pixels.mode == "CMYK":
        return pixels.convert("RGB")
    return pixels


def _flatten(pixels: Image.Image) -> Image.Image:
    """On white, for JPEG, which has no transparency."""
    if pixels.mode == "RGBA":
        background = Image.new("RGB", pixels.size, (255, 255, 255))
        background.paste(pixels, mask=pixels.getchannel("A"))
        return background
    return pixels.convert("RGB") if pixels.mode != "RGB" else pixels


def _bare(image: Image.Image) -> Image.Image:
    """The same pixels with no metadata attached (Pillow writes some of .info back when saving)."""
    kept = {key: image.info[key] for key in ("transparency",) if key in image.info}
    image.info = kept
    return image


def _encode(pixels: Image.Image, name: str, quality: int, palette: bool) -> bytes:
    out = io.BytesIO()
    if name == "jpeg":
        _bare(_flatten(pixels) if pixels.mode != "L" else pixels).save(
            out, "JPEG", quality=quality, optimize=True, progressive=True)
    elif name == "png":
        image = pixels.quantize(256, method=Image.Quantize.FASTOCTREE) if palette else pixels
        _bare(image).save(out, "PNG", optimize=False, compress_level=9 if palette else 6)
    elif name == "webp":
        if palette:  # a drawing or chart: its few colours, losslessly
            image = pixels.quantize(256, method=Image.Quantize.FASTOCTREE)
            image = image.convert("RGBA" if "transparency" in image.info or image.palette.mode == "RGBA" else "RGB")
            _bare(image).save(out, "WEBP", lossless=True, quality=60, method=WEBP_METHOD)
        else:
            _bare(pixels.convert("RGBA" if _has_alpha(pixels) else "RGB")).save(
                out, "WEBP", quality=quality, method=WEBP_METHOD)
    elif name == "avif":
        _bare(pixels.convert("RGBA" if _has_alpha(pixels) else "RGB")).save(
            out, "AVIF", quality=max(1, quality - 20), speed=AVIF_SPEED)
    elif name == "gif":
        _bare(pixels.convert("P", palette=Image.Palette.ADAPTIVE) if pixels.mode != "P" else pixels).save(out, "GIF")
    else:  # pragma: no cover - formats come from EXTENSIONS
        raise ValueError(name)
    return out.getvalue()


def _store(folder: Path, key: str, index: int, name: str, width: int, height: int, path: str,
           data: bytes) -> Variant:
    """Write one file into the cache (complete or not at all: a temporary name, then renamed)."""
    file = f"{key}.{index}{EXTENSIONS[name]}"
    target = folder / file[:2] / file
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{file}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)
    return Variant(name, width, height, path, f"{file[:2]}/{file}", hashlib.blake2b(data, digest_size=16).hexdigest())
