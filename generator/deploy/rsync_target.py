"""Publish to a server over ssh, or to a local folder, with the system rsync.

Files are compared by content (--checksum), so a rebuild that rewrote a file with the same bytes
copies nothing; new files are put in place together at the end (--delay-updates) and files that
left the site are deleted after that (--delete-delay), so readers never see half a site.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from generator.deploy.changes import UNPUBLISHED, Changes
from generator.errors import DeployError

OPTIONS = ("--recursive", "--links", "--perms", "--times", "--chmod=D755,F644", "--checksum",
           "--delete-delay", "--delay-updates", "--8-bit-output", "--itemize-changes",
           *(f"--exclude=/{name}" for name in UNPUBLISHED))


def is_remote(destination: str) -> bool:
    """user@host:/path, host:path or rsync://host/module; anything else is a local folder."""
    return destination.startswith("rsync://") or bool(re.match(r"^[^/]+:", destination))


class RsyncTarget:
    def __init__(self, destination: str, site_dir: Path, output_dir: Path):
        if shutil.which("rsync") is None:
            raise DeployError("rsync is not installed: install it (Debian/Ubuntu: apt-get install rsync; "
                              "macOS: brew install rsync) or publish with target = \"git\"")
        if not is_remote(destination):
            local = Path(destination).expanduser()
            destination = str(local if local.is_absolute() else (site_dir / local).resolve())
            _refuse_dangerous_folder(Path(destination), site_dir, output_dir)
        self.destination = destination.rstrip("/") + "/"
        self.output_dir = output_dir

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
        """Nothing to prepare: rsync compares with the destination as it is."""

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
        return parse_itemized(self._rsync(*OPTIONS, "--dry-run", "--", f"{output_dir}/", self.destination))

    def publish(self, message: str) -> Changes:
        """Copy the site; returns what rsync changed."""
        return parse_itemized(self._rsync(*OPTIONS, "--", f"{self.output_dir}/", self.destination))


def parse_itemized(text: str) -> Changes:
    """rsync --itemize-changes lines ('>f+++++++++ path', '>fcst...... path', '*deleting   path') -> Changes.
    A file whose content is the same and only its time or mode differs is no change."""
    added, changed, removed = [], [], []
    for line in text.splitlines():
        code, _, name = line.partition(" ")
        name = name.lstrip(" ") if code == "*deleting" else name
        if not name or name.endswith("/"):
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
