"""Changing a post file in place (`approve`, `keep-layout`)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def rewrite_post(path: Path, data: bytes, prefix: str) -> None:
    """The post replaced whole (a watching `serve` never reads half a file), where it really is (a post
    may be a link to a file elsewhere in the site), keeping its permissions; prefix: the temporary
    file's, naming the command that writes it."""
    target = Path(os.path.realpath(path))
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=prefix)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, target.stat().st_mode & 0o7777)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
