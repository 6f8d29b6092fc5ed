"""Locate templates and static files: the site's own files override the default theme file by file."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

from generator.errors import BuildError, Diagnostic, display_path, error
from generator.content.models import OutputFile

ASSETS = ("assets/clinicpress.css", "assets/clinicpress.js")


def default_theme_dir() -> Path:
    """Installed packages carry the theme as generator/theme; a source checkout uses templates/."""
    packaged = Path(__file__).resolve().parents[1] / "theme"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def theme_dirs(site_dir: Path) -> list[Path]:
    """Template search path, most specific first."""
    dirs = []
    own = site_dir / "templates"
    default = default_theme_dir()
    if own.is_dir() and own.resolve() != default.resolve():
        dirs.append(own)
    dirs.append(default)
    return dirs


def load_static_files(site_dir: Path, dirs: list[Path],
                      skip: Callable[[str], bool] = lambda name: False) -> list[OutputFile]:
    """Theme static/ first, then the site's templates/static/ and static/, later ones replacing earlier.
    Files whose name `skip` accepts (images, which the image stage publishes) are only checked, not read."""
    files: dict[str, bytes] = {}
    outside: list[Diagnostic] = []
    for folder in [d / "static" for d in reversed(dirs)] + [site_dir / "static"]:
        if not folder.is_dir():
            continue
        own = folder.resolve().is_relative_to(site_dir.resolve())
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if not path.is_file() or any(part.startswith(".") for part in relative.parts):
                continue
            if own and not path.resolve().is_relative_to(site_dir.resolve()):
                outside.append(error(display_path(path, site_dir), None,
                                     "static file is a link to a file outside the site folder",
                                     "copy the file into static/ instead of linking to it"))
                continue
            if not skip(path.name):
                files[relative.as_posix()] = path.read_bytes()
    if outside:
        raise BuildError(outside)
    return [OutputFile(path, data) for path, data in sorted(files.items())]


def fingerprinted_assets(static: list[OutputFile]) -> dict[str, str]:
    """'assets/clinicpress.css' -> 'assets/clinicpress.css?v=1a2b3c4d' so browsers refetch after a change."""
    by_path = {f.path: f.data for f in static}
    return {name.split("/")[-1].replace(".", "_"): f"{name}?v={hashlib.sha256(by_path[name]).hexdigest()[:10]}"
            for name in ASSETS if name in by_path}


def theme_digest(dirs: list[Path]) -> str:
    """Digest of every template and string file in the search path: a change re-renders every page."""
    h = hashlib.blake2b(digest_size=16)
    for directory in dirs:
        for path in sorted(directory.rglob("*")):
            relative = path.relative_to(directory)
            if path.is_file() and relative.parts[0] != "static":
                h.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def load_template_source(dirs: list[Path], name: str) -> str:
    """The text of the template the search path finds first for name ('comments/isso.html'), or ''."""
    for directory in dirs:
        path = directory / name
        if path.is_file():
            return path.read_text(encoding="utf-8", errors="replace")
    return ""
