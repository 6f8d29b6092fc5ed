"""IndexNow (Naver, Bing, Yandex, Seznam, ...): tell search engines which addresses a deploy changed.

The key proves that the site is ours: it is published as /<key>.txt. It is made once and kept as
static/<key>.txt in the site folder, so every build (on this computer or in CI) publishes the same file.
"""
from __future__ import annotations

import json
import re
import secrets
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

KEY = re.compile(r"^[a-zA-Z0-9-]{8,128}$")
MAX_URLS = 10_000  # the protocol's limit for one request
TIMEOUT_SECONDS = 15


def find_key(site_dir: Path) -> str | None:
    """The key of static/<key>.txt, a file that holds its own name."""
    folder = site_dir / "static"
    for path in sorted(folder.glob("*.txt")) if folder.is_dir() else []:
        try:
            text = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if text == path.stem and KEY.match(text):
            return text
    return None


def create_key(site_dir: Path) -> tuple[str, Path]:
    """A new random key, written to static/<key>.txt."""
    key = secrets.token_hex(16)
    path = site_dir / "static" / f"{key}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key, path


def request_body(base_url: str, key: str, urls: list[str]) -> dict:
    return {"host": urlsplit(base_url).hostname, "key": key, "keyLocation": base_url + f"{key}.txt",
            "urlList": urls[:MAX_URLS]}


def ping(endpoint: str, base_url: str, key: str, urls: list[str]) -> str | None:
    """POST the addresses in one batch; None when the endpoint accepted them, else what went wrong."""
    body = json.dumps(request_body(base_url, key, urls)).encode("utf-8")
    request = urllib.request.Request(endpoint, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "User-Agent": "ClinicPress"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            if 200 <= response.status < 300:
                return None
            return f"{endpoint} answered {response.status} {response.reason}"
    except urllib.error.HTTPError as exc:
        return f"{endpoint} answered {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"{endpoint} could not be reached ({reason})"
