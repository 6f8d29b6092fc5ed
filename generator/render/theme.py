"""Locate the theme: the site's own templates and strings override the default theme's file by file."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from generator.config.loader import Language
from generator.site.strings import Strings, load_strings


@dataclass(frozen=True, slots=True)
class Theme:
    dirs: tuple[Path, ...]  # template search path, most specific first
    strings: Mapping[str, Strings]  # UI strings per language
    digest: str  # of every template and string file in the search path


def load_theme(site_dir: Path, languages: Sequence[Language]) -> Theme:
    dirs = theme_dirs(site_dir)
    return Theme(tuple(dirs), load_strings(dirs, languages, site_dir), theme_digest(dirs))


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
