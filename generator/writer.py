"""Write the built site: all files into a fresh folder, then swap it with output/ in one step."""
from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import UsageError
from .models import OutputFile

MARKER = ".clinicpress-build"
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
    """Serialize builds into one output folder: a second build waits for the first."""
    lock_path = output_dir.parent / f".{output_dir.name}.lock"
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _staging_dirs(output_dir: Path) -> list[Path]:
    return sorted(output_dir.parent.glob(f".{output_dir.name}.staging-*"))


def write_site(outputs: list[OutputFile], output_dir: Path) -> None:
    """Write into a staging folder beside output/, then swap; a failed or killed build leaves output/ as it was."""
    with output_lock(output_dir):
        for leftover in _staging_dirs(output_dir):  # from a build that was killed
            shutil.rmtree(leftover, ignore_errors=True)
        staging = output_dir.parent / f".{output_dir.name}.staging-{os.getpid()}"
        staging.mkdir()
        try:
            for output in outputs:
                target = staging / output.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(output.data)
            (staging / MARKER).write_text("This folder is written by 'clinicpress build'.\n")
            if output_dir.exists():
                if not _exchange(staging, output_dir):
                    old = output_dir.parent / f".{output_dir.name}.staging-old-{os.getpid()}"
                    output_dir.rename(old)
                    staging.rename(output_dir)
                    staging = old
            else:
                staging.rename(output_dir)
                return
        finally:
            shutil.rmtree(staging, ignore_errors=True)
