"""`aliases:` in front-matter: the old addresses of a post, as site paths."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

ALIAS_HINT = "write the old address as a path from the site's root, e.g. aliases: [/en/posts/old-name/]"
_ALIAS_FORBIDDEN = re.compile(r"[\s\\?#<>\"'`{}|^\x00-\x1f\x7f]")


def parse_aliases(value: object) -> tuple[tuple[str, ...], tuple[str, str] | None]:
    """`aliases:` -> site paths ('en/old/' or 'en/old.html'), or (message, hint) saying what is wrong.
    Percent-escapes are decoded, so /ko/%EC%9E%85/ and /ko/입/ are one address."""
    if value is None:
        return (), None
    if isinstance(value, str):
        return (), ("'aliases' must be a list", f"write aliases: [{value}]")
    if not isinstance(value, list):
        return (), ("'aliases' must be a list of old addresses", ALIAS_HINT)
    paths: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            return (), ("every alias must be an address such as /en/posts/old-name/", ALIAS_HINT)
        text = unicodedata.normalize("NFC", unquote(item.strip()))
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", text):
            return (), (f"alias '{item}' must be a path, not a whole URL", ALIAS_HINT)
        segments = text.strip("/").split("/")
        if not text.startswith("/") or _ALIAS_FORBIDDEN.search(text) or "//" in text \
                or any(s in ("", ".", "..") for s in segments):
            return (), (f"alias '{item}' is not a path of this site", ALIAS_HINT)
        if any(segment.startswith(".") for segment in segments):
            return (), (f"alias '{item}' would be a hidden file or folder (a part starting with '.')",
                        "deploy targets leave such paths out (git deploy never publishes output/.git/), so the "
                        "old address would not lead anywhere: choose one without a part starting with '.'")
        last = segments[-1]
        if "." in last and not last.endswith((".html", ".htm")) and not text.endswith("/"):
            return (), (f"alias '{item}' must be a page address, ending in / or .html", ALIAS_HINT)
        path = "/".join(segments) + ("" if last.endswith((".html", ".htm")) else "/")
        if path not in paths:
            paths.append(path)
    return tuple(paths), None
