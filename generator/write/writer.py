"""Write the built site: all files into a fresh folder, then swap it with output/ in one step."""
from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from generator.errors import UsageError
from generator.content.models import OutputFile

MARKER = ".clinicpress-build"
_UNREAD = object()
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def check_output_dir(output_dir: Path, site_dir: Path) -> None:
    """Refuse output folders whose replacement would destroy the user's own files."""
    output, site = output_dir.resolve(), site_dir.resolve()
    protected = {site: "the site folder", site / "posts": "posts/", site / "templates": "templates/",
                 site / "static": "static/", Path.home().resolve(): "your home folder", Path("/"): "/"}
    if output in protected:
        raise UsageError(f"refusing to build into {output_dir}: it is {protected[output]}; "
                         "choose an output folder such as output/")
    if output in site.parents:
        raise UsageError(f"refusing to build into {output_dir}: it contains the site folder")
    for source in (site / "posts", site / "templates", site / "static"):
        if source.is_relative_to(output) or output.is_relative_to(source):
            raise UsageError(f"refusing to build into {output_dir}: it overlaps {source.name}/")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).is_file():
        raise UsageError(f"refusing to build into {output_dir}: the folder has files that ClinicPress did not "
                         "write; empty it or choose another output folder")
    if output.exists() and not output.is_dir():
        raise UsageError(f"refusing to build into {output_dir}: it is a file, not a folder")


def live_marker(output_dir: Path) -> str | None:
    """The build marker in output_dir, or None if the folder was not written by a build."""
    try:
        return (output_dir / MARKER).read_text().splitlines()[-1]
    except (OSError, IndexError):
        return None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(a))


@contextmanager
def output_lock(output_dir: Path) -> Iterator[None]:
    """Serialize builds into one output folder: a second build waits for the first. The path is resolved
    so that builds naming the folder differently (relative, absolute, through a link) share one lock."""
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    real = output_dir.resolve()
    lock_path = real.parent / f".{real.name}.lock"
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _staging_dirs(output_dir: Path) -> list[Path]:
    return sorted(output_dir.parent.glob(f".{output_dir.name}.staging-*"))


def spare_dir(output_dir: Path) -> Path:
    """The previous site, kept after a swap so the next build only updates what changed in it."""
    return output_dir.parent / f".{output_dir.name}.previous"


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _create(path: Path, data: bytes) -> None:
    """A new file, never an existing one: that may be a hard link that the live site shares."""
    with open(path, "xb") as stream:
        stream.write(data)


class StagingFolder:
    """The next site being assembled. It may start as the previous site (`known` says what each of its
    files holds): an unchanged file is left alone, a file equal to the live site's copy is hard-linked,
    so unchanged files keep their modification time (rsync-style deploys stay small). Files are never
    written in place, because a hard link shares its data with the live site."""

    def __init__(self, root: Path, live: Path, live_digests: Mapping[str, str], known: Mapping[str, str],
                 fresh: bool = False):
        self.root, self.live, self.live_digests, self.known = root, live, live_digests, known
        self.fresh = fresh  # made empty for this build: a file is new, so it is created where it belongs
        self._made: set[Path] = set()

    def _parent(self, target: Path) -> None:
        parent = target.parent
        if parent not in self._made:
            parent.mkdir(parents=True, exist_ok=True)
            self._made.add(parent)

    def _replace(self, target: Path, make, exclusive: bool = True) -> None:
        """make(path) creates a file at path; it goes to a temporary name first and replaces target,
        except in a fresh folder when make refuses to overwrite (exclusive), which saves two system calls."""
        self._parent(target)
        if self.fresh and exclusive:
            try:
                return make(target)
            except FileExistsError:
                pass
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.unlink(missing_ok=True)
        make(temporary)
        os.replace(temporary, target)

    def link_live(self, path: str) -> bool:
        """Reuse the live site's file as it is; False when there is none."""
        if self.known.get(path) == self.live_digests.get(path, "-"):
            return True
        source = self.live / path
        try:
            self._replace(self.root / path, lambda temporary: os.link(source, temporary))
        except (FileNotFoundError, NotADirectoryError):
            return False
        except OSError:  # another file system, or links not allowed: copy keeping the time
            try:
                self._replace(self.root / path, lambda temporary: shutil.copy2(source, temporary), exclusive=False)
            except OSError:
                return False
        return True

    def write(self, output: OutputFile) -> str:
        """Write one file; returns its digest for the next build's comparison."""
        file_digest = digest(output.data)
        if not self._reuse(output.path, file_digest):
            self._replace(self.root / output.path, lambda path: _create(path, output.data))
        return file_digest

    def copy(self, path: str, source: Path) -> str:
        """Copy a file as it is: read once in small blocks for its digest, then copied by the operating
        system (unless an equal copy is at hand), so a large file never sits in memory."""
        with open(source, "rb") as stream:
            file_digest = hashlib.file_digest(stream, lambda: hashlib.blake2b(digest_size=16)).hexdigest()
        if not self._reuse(path, file_digest):
            self._replace(self.root / path, lambda temporary: shutil.copyfile(source, temporary), exclusive=False)
        return file_digest

    def _reuse(self, path: str, file_digest: str) -> bool:
        """The file is in place already, or the live site's equal copy could be linked."""
        if self.known.get(path) == file_digest:
            return True
        return self.live_digests.get(path) == file_digest and self.link_live(path)


class SiteWriter:
    """A build's output: files go into a staging folder beside output/, which replaces output/ in one
    atomic step on commit(); a failed or killed build leaves output/ as it was.

    live_digests describe output/ as the last build left it (the one whose marker is seen_marker, by
    default the marker found when the writer is made); spare_digests and spare_marker describe the site
    before that, kept beside output/ and reused as the staging folder when it is intact."""

    def __init__(self, output_dir: Path, live_digests: Mapping[str, str] | None = None,
                 spare_digests: Mapping[str, str] | None = None, spare_marker: str | None = None,
                 seen_marker: str | None | object = _UNREAD):
        self.output_dir = output_dir
        self.live_digests = dict(live_digests or {})
        self._seen_marker = live_marker(output_dir) if seen_marker is _UNREAD else seen_marker
        self._spare = (dict(spare_digests or {}), spare_marker)
        self.written: dict[str, str] = {}
        self._lock = output_lock(output_dir)

    def __enter__(self) -> "SiteWriter":
        self._lock.__enter__()
        try:
            if self.live_digests and live_marker(self.output_dir) != self._seen_marker:
                # Another build replaced output/ while this one was rendering: its files are not the ones
                # live_digests describe, so none of them may be carried over.
                self.live_digests = {}
            for leftover in _staging_dirs(self.output_dir):  # from a build that was killed
                shutil.rmtree(leftover, ignore_errors=True)
            self.staging = self.output_dir.parent / f".{self.output_dir.name}.staging-{os.getpid()}"
            spare, (known, marker) = spare_dir(self.output_dir), self._spare
            if spare.is_dir() and marker and live_marker(spare) == marker:
                spare.rename(self.staging)
            else:
                shutil.rmtree(spare, ignore_errors=True)
                known = {}
                self.staging.mkdir()
            self.known = known
            self.folder = StagingFolder(self.staging, self.output_dir, self.live_digests, known, fresh=not known)
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        return self

    def write(self, output: OutputFile) -> None:
        self.written[output.path] = self.folder.write(output)

    def keep(self, path: str) -> bool:
        """Carry a file over from the live site unchanged (its inputs did not change)."""
        if path in self.live_digests and self.folder.link_live(path):
            self.written[path] = self.live_digests[path]
            return True
        return False

    def _remove_obsolete(self) -> None:
        emptied: set[Path] = set()
        for path in set(self.known) - set(self.written):
            target = self.staging / path
            target.unlink(missing_ok=True)
            emptied.update(p for p in target.parents if p.is_relative_to(self.staging) and p != self.staging)
        for folder in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
            try:
                folder.rmdir()
            except OSError:
                pass  # not empty

    def commit(self) -> str:
        """Swap the staging folder in; returns the marker text that identifies this build's files."""
        self._remove_obsolete()
        marker = hashlib.blake2b(repr(sorted(self.written.items())).encode(), digest_size=16).hexdigest()
        (self.staging / MARKER).write_text(f"This folder is written by 'clinicpress build'.\n{marker}\n")
        if self.output_dir.exists():
            if not _exchange(self.staging, self.output_dir):
                old = self.output_dir.parent / f".{self.output_dir.name}.staging-old-{os.getpid()}"
                self.output_dir.rename(old)
                self.staging.rename(self.output_dir)
                self.staging = old
            self.staging.rename(spare_dir(self.output_dir))  # the previous site becomes the spare
        else:
            self.staging.rename(self.output_dir)
        return marker

    def __exit__(self, *exc_info) -> None:
        try:
            if exc_info[0] is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            self._lock.__exit__(*exc_info)


def write_site(outputs: Iterable[OutputFile], output_dir: Path) -> None:
    """Write a whole site at once (no incremental reuse)."""
    with SiteWriter(output_dir) as writer:
        for output in outputs:
            writer.write(output)
        writer.commit()
