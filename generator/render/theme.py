"""Locate the theme: the site's own templates and strings override the default theme's file by file."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from generator.config.loader import Language
from generator.config.site_files import input_folder, walk_input
from generator.errors import BuildError, Diagnostic
from generator.site.strings import Strings, load_strings


@dataclass(frozen=True, slots=True)
class Theme:
    dirs: tuple[Path, ...]  # template search path, most specific first
    strings: Mapping[str, Strings]  # UI strings per language
    digest: str  # of every template and string file in the search path


def load_theme(site_dir: Path, languages: Sequence[Language]) -> Theme:
    files = _theme_files(site_dir)
    dirs = list(files)
    return Theme(tuple(dirs), load_strings(dirs, languages, site_dir), _theme_digest(files))


def default_theme_dir() -> Path:
    """Installed packages carry the theme as generator/theme; a source checkout uses templates/."""
    packaged = Path(__file__).resolve().parents[1] / "theme"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def theme_dirs(site_dir: Path) -> list[Path]:
    """Template search path, most specific first. BuildError when a link in the site's templates/
    leads out of it, so that no command reads a template, string or static file from elsewhere."""
    return list(_theme_files(site_dir))


def _theme_files(site_dir: Path) -> dict[Path, dict[str, Path]]:
    """Each folder of the template search path with its files but static/ (the static files' walk)."""
    dirs = []
    own = site_dir / "templates"
    default = default_theme_dir()
    if os.path.lexists(own) and os.path.realpath(own) != os.path.realpath(default):
        dirs.append(own)  # even a link that leads nowhere good: the walk reports it
    dirs.append(default)
    files: dict[Path, dict[str, Path]] = {}
    problems: list[Diagnostic] = []
    for directory in dirs:
        files[directory], refused = walk_input(input_folder(site_dir, directory), leave_out=frozenset({"static"}))
        problems += refused
    if problems:
        raise BuildError(problems)
    return files


def _theme_digest(files: dict[Path, dict[str, Path]]) -> str:
    """Digest of every template and string file in the search path: a change re-renders every page."""
    h = hashlib.blake2b(digest_size=16)
    for found in files.values():
        for relative, path in found.items():
            h.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def load_template_source(dirs: list[Path], name: str) -> str:
    """The text of the template the search path finds first for name ('comments/isso.html'), or ''."""
    for directory in dirs:
        path = directory / name
        if path.is_file():
            return path.read_text(encoding="utf-8", errors="replace")
    return ""
