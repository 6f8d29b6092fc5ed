"""The editor's code for a site without node_modules: Decap CMS's pinned tarball from npm's registry,
refused unless it matches the digest ClinicPress pins, unpacked into the site's node_modules, where
`build` finds it (files.find_cms).

A pip install of ClinicPress has no node_modules and a clinic has no npm: `clinicpress serve --edit`
fetches the editor when it is missing, and the publish workflow runs `python -m generator.admin.fetch`.
Both read CLINICPRESS_EDITOR_URL (another copy of the tarball, such as a mirror) and
CLINICPRESS_EDITOR_INTEGRITY (that file's sha512 digest, when it is not the pinned one).
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import io
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence
from urllib.parse import urlsplit

from generator.admin.files import CMS_INTEGRITY, CMS_PACKAGE, CMS_TARBALL, CMS_VERSION

COMMAND = "python -m generator.admin.fetch"  # what the publish workflow runs (deploy/ci.py)
URL_VARIABLE, INTEGRITY_VARIABLE = "CLINICPRESS_EDITOR_URL", "CLINICPRESS_EDITOR_INTEGRITY"
TIMEOUT_SECONDS = 60  # for the connection and for each read: a stalled download fails instead of hanging
DIST = "package/dist/"  # where npm's tarball keeps the files the browser loads


class EditorFetchError(Exception):
    """The editor could not be fetched; the message says what failed and what to do."""


@dataclass(frozen=True, slots=True)
class EditorSource:
    """Where the editor's tarball comes from, and the digest it must have."""

    url: str = CMS_TARBALL
    integrity: str = CMS_INTEGRITY


def editor_source(environ: Mapping[str, str]) -> EditorSource:
    """The pinned tarball, unless CLINICPRESS_EDITOR_URL / CLINICPRESS_EDITOR_INTEGRITY say otherwise."""
    return EditorSource(environ.get(URL_VARIABLE) or CMS_TARBALL, environ.get(INTEGRITY_VARIABLE) or CMS_INTEGRITY)


def fetching_line(source: EditorSource) -> str:
    """What the commands print before they download: what, from where, and that it is checked."""
    return (f"Fetching the editor (Decap CMS {CMS_VERSION}) from {_host(source.url)}, checked against "
            f"{_digest_name(source.integrity)}")


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _digest_name(integrity: str) -> str:
    return "the digest ClinicPress pins" if integrity == CMS_INTEGRITY else f"the digest {INTEGRITY_VARIABLE} gives"


def fetch_editor(site_dir: Path, url: str = CMS_TARBALL, integrity: str = CMS_INTEGRITY) -> Path:
    """Download, verify and unpack Decap CMS's dist/ (no source maps) into site_dir's node_modules; returns
    the folder. It appears whole or not at all: nothing is written unless the digest matches."""
    data = _download(url)
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")
    if digest != integrity:
        raise EditorFetchError(f"the file downloaded from {url} does not match {_digest_name(integrity)} "
                               f"({integrity}), so nothing was installed; it was damaged or changed on the way: "
                               "try again, and report it if it happens again")
    return _unpack(data, site_dir / CMS_PACKAGE, url)


def _download(url: str) -> bytes:
    host = _host(url)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as answer:
            return answer.read()
    except urllib.error.HTTPError as error:
        what = "try again later" if url == CMS_TARBALL else f"check the address {URL_VARIABLE} gives"
        raise EditorFetchError(f"{host} answered {error.code} {error.reason} for {url}; {what}") from None
    except ValueError as error:  # urlopen's answer to an address it cannot read
        raise EditorFetchError(f"{url} is not a web address ({error}); check {URL_VARIABLE}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", None) or error
        if isinstance(reason, TimeoutError):
            reason = f"no answer within {TIMEOUT_SECONDS} s"
        elif isinstance(reason, http.client.HTTPException):
            reason = f"the download broke off ({type(reason).__name__})"
        raise EditorFetchError(f"could not download the editor (Decap CMS {CMS_VERSION}) from {host}: {reason}; "
                               "connect to the internet and run the command again") from None


def _unpack(data: bytes, target: Path, url: str) -> Path:
    """Extract into a folder beside target, then rename it into place; on any failure remove what was made."""
    made = [folder for folder in (target.parent.parent, target.parent) if not folder.exists()]
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".dist-"))
    except OSError as error:
        raise EditorFetchError(f"could not write {target.parent}: {error.strerror}") from None
    try:
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            members = [m for m in archive.getmembers() if m.isfile() and m.name.startswith(DIST)
                       and not m.name.endswith(".map")]
            for member in members:
                member.name = member.name[len(DIST):]
            archive.extractall(staging, members=members, filter="data")
        if not (staging / "decap-cms.js").is_file():
            raise EditorFetchError(f"the file downloaded from {url} holds no {DIST}decap-cms.js: it is not "
                                   f"Decap CMS's package; unset {URL_VARIABLE} to use npm's registry")
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # as a folder npm made, not mkdtemp's 0700
        _replace(staging, target)
    except (tarfile.TarError, EOFError, zlib.error) as error:
        _remove(staging, made)
        raise EditorFetchError(f"the file downloaded from {url} is not a package archive ({error})") from None
    except OSError as error:
        _remove(staging, made)
        raise EditorFetchError(f"could not write {target}: {error.strerror or error}") from None
    except BaseException:
        _remove(staging, made)
        raise
    return target


def _replace(staging: Path, target: Path) -> None:
    """Put staging where target is; an earlier copy is moved aside first and removed after."""
    if not target.exists():
        staging.rename(target)
        return
    old = Path(tempfile.mkdtemp(dir=target.parent, prefix=".dist-old-"))
    target.rename(old / "dist")
    try:
        staging.rename(target)
    except OSError:
        (old / "dist").rename(target)  # the earlier copy stays as it was
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def _remove(staging: Path, made: list[Path]) -> None:
    shutil.rmtree(staging, ignore_errors=True)
    for folder in reversed(made):  # node_modules/decap-cms, then node_modules, if this call made them
        try:
            folder.rmdir()
        except OSError:
            pass


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m generator.admin.fetch [SITE_DIR]`: what it fetches and where it put it; on an error, one line
    that says why and exit code 1, no traceback (the publish workflow's log shows it as it is)."""
    parser = argparse.ArgumentParser(prog=COMMAND, description="Fetch the browser editor (Decap CMS) into "
                                     "the site's node_modules, checked against the digest ClinicPress pins.")
    parser.add_argument("site_dir", nargs="?", type=Path, default=Path("."), help="the site's folder (default: .)")
    site_dir = parser.parse_args(argv).site_dir
    if not (site_dir / "site.toml").is_file():
        print(f"error: {site_dir} has no site.toml; give the site's folder", file=sys.stderr)
        return 1
    source = editor_source(os.environ)
    print(fetching_line(source), flush=True)
    try:
        folder = fetch_editor(site_dir, source.url, source.integrity)
    except EditorFetchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"Installed the editor into {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
