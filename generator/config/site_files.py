"""Which files of the site may be read. Every input path is resolved before it is read: a file must
really be inside the folder it is read from (static/ publishes only what is in static/, so a link
there cannot publish a post's source or site.toml), that folder must really be inside the site, and
a link to a folder that holds the link is reported as a loop instead of being followed."""
from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from generator.errors import BuildError, Diagnostic, error


@dataclass(frozen=True, slots=True)
class InputFolder:
    """A folder files are read from: path as the site names it, home where they must really be."""

    path: Path
    shown: str  # as messages name it: "static", "templates"
    home: Path  # real path
    site: Path  # the site folder's real path, to say where a link leads


def find_site_dir(start: Path) -> Path:
    """The nearest folder from start upwards with a site.toml (as git looks for .git), relative to start;
    start itself when there is none."""
    for folder in (start, *start.parents):
        if (folder / "site.toml").is_file():
            return Path(os.path.relpath(folder, start))
    return Path(".")


def input_folder(site_dir: Path, folder: Path, anywhere_in_site: bool = False) -> InputFolder:
    """folder (site_dir/static, ...) whose files must really be in it, or anywhere in the site when
    anywhere_in_site (posts may be links to drafts kept elsewhere in the site). A folder outside the
    site, such as the default theme, is its own home."""
    site = Path(os.path.realpath(site_dir))
    try:
        relative = folder.relative_to(site_dir)
    except ValueError:
        return InputFolder(folder, str(folder), Path(os.path.realpath(folder)), site)
    return InputFolder(folder, relative.as_posix(), site if anywhere_in_site else site / relative, site)


def resolve_input(folder: InputFolder, path: Path, shown: str,
                  walked: tuple[Path, ...] = ()) -> tuple[Path | None, Diagnostic | None]:
    """(real path, None) when path really is inside the folder's home; (None, error) when it leads out
    of it, through a loop of links, or to a folder holding one of the folders walked to reach it;
    (None, None) when it leads to nothing (a dangling link)."""
    try:
        real = Path(os.path.realpath(path, strict=True))
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            return None, None
        return None, error(shown, None, "the link leads round in a loop of links", "remove the link")
    inside = real.is_relative_to(folder.home)
    if not inside and not real.is_relative_to(folder.site):
        where = "the site" if folder.home == folder.site else f"{folder.shown}/"
        return None, error(shown, None, f"links to {real}, which is outside the site",
                           f"copy what you need into {where} instead of linking to it")
    if any(place.is_relative_to(real) for place in walked):  # following it would lead here again, endlessly
        return None, error(shown, None, f"links to {_shown_real(real, folder)}, a folder that holds the link: "
                                        "a loop", "remove the link")
    if not inside:
        return None, error(shown, None, f"links to {_shown_real(real, folder)}, which is outside {folder.shown}/",
                           f"{folder.shown}/ may only use what is really in it: move or copy the file there "
                           "instead of linking to it")
    return real, None


def read_in_site(site_dir: Path, path: Path, shown: str) -> bytes:
    """The bytes of a file of the site (site.toml); BuildError when it really is outside the site."""
    _, outside = resolve_input(input_folder(site_dir, site_dir, anywhere_in_site=True), path, shown)
    if outside:
        raise BuildError([outside])
    return path.read_bytes()


def walk_input(folder: InputFolder,
               leave_out: frozenset[str] = frozenset()) -> tuple[dict[str, Path], list[Diagnostic]]:
    """Every file below the folder by relative path, sorted, leaving out names that start with '.' and
    the top-level names in leave_out; and an error for each link that leads out of the folder's home
    (the folder itself too) or into a folder holding it. Such a link is not followed."""
    top, problem = resolve_input(folder, folder.path, folder.shown)
    if top is None or not top.is_dir():
        return {}, [problem] if problem else []
    files: dict[str, Path] = {}
    problems: list[Diagnostic] = []
    pending = [(folder.path, "", (top,))]  # folder, its relative path, the real folders walked to reach it
    while pending:
        directory, prefix, chain = pending.pop()
        try:
            with os.scandir(directory) as scanned:
                entries = [e for e in scanned if not e.name.startswith(".") and (prefix or e.name not in leave_out)]
        except OSError:
            continue  # unreadable: nothing from it is published
        for entry in entries:
            relative, path = prefix + entry.name, Path(entry.path)
            if not entry.is_symlink():
                if entry.is_dir(follow_symlinks=False):
                    pending.append((path, relative + "/", chain + (chain[-1] / entry.name,)))
                elif entry.is_file(follow_symlinks=False):
                    files[relative] = path
                continue
            shown = f"{folder.shown}/{relative}"
            real, problem = resolve_input(folder, path, shown, chain)
            if problem:
                problems.append(problem)
            elif real is not None and real.is_dir():
                pending.append((path, relative + "/", chain + (real,)))
            elif real is not None and real.is_file():
                files[relative] = path
    return dict(sorted(files.items())), problems


def _shown_real(real: Path, folder: InputFolder) -> str:
    if real == folder.site:
        return "the site folder"
    if real.is_relative_to(folder.site):
        return real.relative_to(folder.site).as_posix() + ("/" if real.is_dir() else "")
    return str(real)


def static_sources(site_dir: Path, theme_dirs: Sequence[Path]) -> tuple[dict[str, Path], list[Diagnostic]]:
    """Every file the static folders publish, by output path: the theme's static/, then the site's
    templates/static/ and static/, later ones replacing earlier; and the errors of links that lead out."""
    found: dict[str, Path] = {}
    problems: list[Diagnostic] = []
    for folder in [d / "static" for d in reversed(theme_dirs)] + [site_dir / "static"]:
        files, refused = walk_input(input_folder(site_dir, folder))
        found.update(files)
        problems += refused
    return dict(sorted(found.items())), problems
