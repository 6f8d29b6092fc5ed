"""Publish to a server over ssh, or to a local folder, with the system rsync.

Files are compared by content (--checksum), so a rebuild that rewrote a file with the same bytes
copies nothing; new files are put in place together at the end (--delay-updates) and files that
left the site are deleted after that (--delete-delay), so readers never see half a site. Only files
an earlier deploy published are deleted (see ownership.py): rsync's filter rules protect the rest.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from generator.deploy.changes import UNPUBLISHED, Changes
from generator.deploy.ownership import (MARKER, folders_of, marker_bytes, published_files, refuse_local_folder,
                                        refuse_remote_path)
from generator.errors import DeployError

OPTIONS = ("--recursive", "--links", "--perms", "--times", "--chmod=D755,F644", "--checksum",
           "--delete-delay", "--delay-updates", "--8-bit-output", "--itemize-changes",
           *(f"--exclude=/{name}" for name in UNPUBLISHED))


def is_remote(destination: str) -> bool:
    """user@host:/path, host:path or rsync://host/module; anything else is a local folder."""
    return destination.startswith("rsync://") or bool(re.match(r"^[^/]+:", destination))


def remote_path(destination: str) -> str:
    """The folder part of a remote destination: 'deploy@host:/var/www/' -> '/var/www/', 'host::mod/x' -> 'mod/x',
    'rsync://host:873/mod/x' -> 'mod/x'; '' for 'deploy@host:'."""
    if destination.startswith("rsync://"):
        return destination[len("rsync://"):].partition("/")[2]
    host, _, path = destination.partition(":")
    return path[1:] if path.startswith(":") else path


def _filter_pattern(path: str) -> str:
    """A path as an rsync filter pattern anchored at the destination's top, its wildcards escaped."""
    return "/" + re.sub(r"([\\*?\[])", r"\\\1", path)


class RsyncTarget:
    def __init__(self, destination: str, site_dir: Path, output_dir: Path):
        if shutil.which("rsync") is None:
            raise DeployError("rsync is not installed: install it (Debian/Ubuntu: apt-get install rsync; "
                              "macOS: brew install rsync) or publish with target = \"git\"")
        if is_remote(destination):
            refuse_remote_path(destination, remote_path(destination))
        else:
            local = Path(destination).expanduser()
            destination = str(local if local.is_absolute() else (site_dir / local).resolve())
            _refuse_dangerous_folder(Path(destination), site_dir, output_dir)
            refuse_local_folder(Path(destination))
        self.destination = destination.rstrip("/") + "/"
        self.output_dir = output_dir
        self.owned: frozenset[str] | None = None  # what the last deploy published, from its marker
        self.unowned = False  # the destination holds files and no marker
        self._work = tempfile.TemporaryDirectory(prefix="clinicpress-rsync-")

    @property
    def where(self) -> str:
        return self.destination

    def _rsync(self, *args: str) -> str:
        done = subprocess.run(["rsync", *args], capture_output=True)
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip()
            raise DeployError(f"rsync to {self.destination} failed (exit code {done.returncode}):\n{said}")
        return done.stdout.decode("utf-8", "replace")

    def fetch(self) -> None:
        """Read the marker of the last deploy; without one, find out whether the destination holds files."""
        self.owned = published_files(self.previous(MARKER))
        if self.owned is None:
            self.unowned = self._holds_files()

    def _holds_files(self) -> bool:
        done = subprocess.run(["rsync", "--list-only", "--", self.destination], capture_output=True)
        if done.returncode == 23:  # the folder does not exist yet
            return False
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip()
            raise DeployError(f"cannot reach {self.destination} with rsync (exit code {done.returncode}):\n{said}")
        names = [line.rsplit(" ", 1)[-1] for line in done.stdout.decode("utf-8", "replace").splitlines()]
        return any(name != "." for name in names if name)

    def previous(self, path: str) -> bytes | None:
        """A file as the destination has it now; None when there is none (a first deploy)."""
        with tempfile.TemporaryDirectory(prefix="clinicpress-") as folder:
            done = subprocess.run(["rsync", "--", self.destination + path, folder + "/"], capture_output=True)
            copied = Path(folder) / Path(path).name
            if done.returncode == 0 and copied.is_file():
                return copied.read_bytes()
            if done.returncode == 23:  # the file (or the folder) is not there yet
                return None
            said = done.stderr.decode("utf-8", "replace").strip()
            raise DeployError(f"cannot reach {self.destination} with rsync (exit code {done.returncode}):\n{said}")

    def stage(self, output_dir: Path) -> Changes:
        """What a copy would add, change and remove (rsync --dry-run)."""
        self.output_dir = output_dir
        return parse_itemized(self._rsync(*self._arguments(), "--dry-run", "--", *self._sources()))

    def publish(self, message: str) -> Changes:
        """Copy the site and its marker; returns what rsync changed."""
        try:
            return parse_itemized(self._rsync(*self._arguments(), "--", *self._sources()))
        finally:
            self._work.cleanup()

    def _sources(self) -> tuple[str, str, str]:
        """The built site and a folder with the new marker, merged into the destination."""
        marker_folder = Path(self._work.name) / "marker"
        marker_folder.mkdir(exist_ok=True)
        (marker_folder / MARKER).write_bytes(marker_bytes(self._site_files()))
        return f"{self.output_dir}/", f"{marker_folder}/", self.destination

    def _site_files(self) -> frozenset[str]:
        files = (path.relative_to(self.output_dir) for path in self.output_dir.rglob("*") if path.is_file())
        return frozenset(path.as_posix() for path in files if path.parts[0] not in UNPUBLISHED)

    def _arguments(self) -> tuple[str, ...]:
        """rsync's options; with a marker, filter rules that let --delete remove only the files it lists."""
        if self.owned is None:
            return OPTIONS
        published = self._site_files()
        leaving = sorted(path for path in self.owned - published if "\n" not in path)
        empty = sorted(folders_of(self.owned) - folders_of(published))
        rules = Path(self._work.name) / "filter"
        rules.write_text("".join(f"R {_filter_pattern(path)}\n" for path in leaving)
                         + "".join(f"R {_filter_pattern(folder)}/\n" for folder in empty)
                         + "P *\n", encoding="utf-8")
        return (*OPTIONS, f"--filter=merge {rules}")


def parse_itemized(text: str) -> Changes:
    """rsync --itemize-changes lines ('>f+++++++++ path', '>fcst...... path', '*deleting   path') -> Changes.
    A file whose content is the same and only its time or mode differs is no change."""
    added, changed, removed = [], [], []
    for line in text.splitlines():
        code, _, name = line.partition(" ")
        name = name.lstrip(" ") if code == "*deleting" else name
        if not name or name.endswith("/") or name == MARKER:
            continue
        if code == "*deleting":
            removed.append(name)
        elif len(code) == 11 and code[0] in "<>" and code[1] == "f":
            (added if code[2:] == "+" * 9 else changed).append(name)
    return Changes(tuple(sorted(added)), tuple(sorted(changed)), tuple(sorted(removed)))


def _refuse_dangerous_folder(folder: Path, site_dir: Path, output_dir: Path) -> None:
    """rsync --delete empties the destination of everything else: never the site, a parent of it or home."""
    target, site = folder.resolve(), site_dir.resolve()
    protected = {Path("/"), Path.home().resolve(), site, output_dir.resolve()}
    if target in protected or target in site.parents or target.is_relative_to(site / "posts") \
            or target.is_relative_to(site / "static") or target.is_relative_to(site / "templates"):
        raise DeployError(f"refusing to publish into {folder} with rsync --delete: it is, or holds, your own "
                          "files; choose the web server's folder, e.g. destination = \"/var/www/blog/\"")
    if target.is_dir() and any(target.iterdir()) and not any(
            (target / name).exists() for name in ("index.html", "sitemap.xml")):
        raise DeployError(f"refusing to publish into {folder}: it has files but no published site "
                          "(index.html or sitemap.xml), and rsync --delete would remove them; "
                          "empty it or choose another folder")
