"""What a deploy changes on the host: files added, changed and removed, and the page addresses behind them."""
from __future__ import annotations

from dataclasses import dataclass

from generator.site.urls import Urls

# Written by the build next to the site but never published (see write/writer.py).
UNPUBLISHED = (".clinicpress-build",)


@dataclass(frozen=True, slots=True)
class Changes:
    """Paths relative to the site root, sorted."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def count(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


def page_path(file: str) -> str | None:
    """The site path of the page a file holds ('en/posts/x/index.html' -> 'en/posts/x/'), or None
    for files that are not pages (feeds, assets, images) and for the 404 page."""
    if file == "index.html":
        return ""
    if file.endswith("/index.html"):
        return file[: -len("index.html")]
    if file.endswith((".html", ".htm")) and file != Urls.not_found():
        return file
    return None


def page_urls(urls: Urls, files: tuple[str, ...]) -> list[str]:
    """Absolute addresses of the pages among files, in order."""
    return [urls.absolute(path) for path in (page_path(f) for f in files) if path is not None]
