"""Which files at a destination ClinicPress published, so that a deploy deletes only those.

Every deploy leaves a marker file at the top of the destination (a folder, or the branch's tree) that
lists the files it published. The next deploy removes only files on that list that left the site;
anything else found there (a host's verification file, a folder someone else put there) stays. A
destination that has files but no marker is not ours: deploy refuses it unless told --force.
Destinations that can only be a mistake (a filesystem root, a home folder itself, a system folder)
are refused whatever the options.
"""
from __future__ import annotations

import os
import posixpath
import pwd
from pathlib import Path, PurePosixPath
from typing import Iterable

from generator.errors import DeployError

MARKER = ".clinicpress-deployed"
_HEADER = (b"# Published by ClinicPress. `clinicpress deploy` replaces the files listed here and removes\n"
           b"# only those of them that left the site; nothing else in this folder is touched.\n")
# Top-level folders of a Unix system: syncing a site into one of them with --delete would wreck the system.
SYSTEM_FOLDERS = frozenset({"bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "media", "mnt", "opt",
                            "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var", "Users",
                            "Library", "System", "Applications", "Volumes", "private"})


def marker_bytes(files: Iterable[str]) -> bytes:
    """The marker's content: a header, then one published path a line."""
    listed = sorted(set(files) - {MARKER})
    return _HEADER + "".join(f"{path}\n" for path in listed).encode("utf-8")


def published_files(marker: bytes | None) -> frozenset[str] | None:
    """The paths a marker lists; None when there is no marker."""
    if marker is None:
        return None
    lines = marker.decode("utf-8", "replace").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def folders_of(files: Iterable[str]) -> frozenset[str]:
    """Every folder that holds one of the files ('a/b/c.html' -> 'a', 'a/b')."""
    folders: set[str] = set()
    for path in files:
        parent = PurePosixPath(path).parent
        while str(parent) not in (".", ""):
            folders.add(str(parent))
            parent = parent.parent
    return frozenset(folders)


def refuse_local_folder(folder: Path) -> None:
    """A local folder that no site may replace: a filesystem root, a system folder, any account's home
    folder or a folder above one."""
    target = folder.resolve()
    # People's accounts (root and uid 1000 up), not the service accounts whose "home" is e.g. /var/www.
    homes = {Path(entry.pw_dir).resolve() for entry in pwd.getpwall()
             if (entry.pw_uid == 0 or entry.pw_uid >= 1000) and entry.pw_dir not in ("", "/", "/nonexistent")}
    homes.add(Path.home().resolve())
    if target == Path(target.anchor) or os.path.ismount(target):
        reason = "a filesystem root"
    elif len(target.parts) == 2 and target.parts[1] in SYSTEM_FOLDERS:
        reason = "a system folder"
    elif target in homes or any(target in home.parents for home in homes):
        reason = "a home folder"
    else:
        return
    raise DeployError(f"refusing to publish into {folder}: it is {reason}, and a deploy replaces what a folder "
                      "holds; choose a folder of its own for the site, e.g. destination = \"/var/www/blog/\"")


def refuse_remote_path(destination: str, path: str) -> None:
    """The path part of an rsync destination: never empty (rsync's "the login's home folder"), a root,
    a home folder itself or a system folder."""
    clean = path.strip()
    normal = posixpath.normpath(clean) if clean else ""
    parts = [part for part in normal.split("/") if part not in ("", ".")]
    if not clean or normal in (".", "/", "//") or clean.startswith("~") and len(parts) <= 1:
        reason = "the login's home folder or the server's root"
    elif normal.startswith("/") and len(parts) == 1 and parts[0] in SYSTEM_FOLDERS:
        reason = "a system folder"
    elif normal.startswith("/") and len(parts) == 2 and parts[0] in ("home", "Users"):
        reason = "a home folder"
    elif ".." in parts:
        reason = "a path that climbs out of where it starts (..)"
    else:
        return
    raise DeployError(f"refusing to publish to {destination}: its path is {reason}, and a deploy replaces what "
                      "a folder holds; name the site's own folder, e.g. deploy@host:/var/www/blog/ "
                      "or deploy@host:blog/ (a folder inside the login's home)")


def refuse_unowned(where: str) -> None:
    """A destination with files and no marker: not ours to empty, unless the user says so (--force)."""
    raise DeployError(f"refusing to publish to {where}: it already holds files, and no earlier "
                      f"`clinicpress deploy` left its {MARKER} file there, so a deploy would delete files "
                      f"it did not publish. See what would be removed with --dry-run; if {where} is meant to "
                      "hold only this site, run the deploy again with --force to replace everything in it")
