"""Every URL and output path of the site, in one place.

Pages are addressed by a site path without a leading slash ("en/posts/x/");
href() adds the base URL's path, absolute() the whole base URL, and
output_path() says which file under output/ holds the page.
"""
from __future__ import annotations

import functools
import posixpath
import re
import unicodedata
from urllib.parse import quote, unquote, urlsplit


@functools.lru_cache(maxsize=4096)
def slugify(text: str) -> str:
    """A URL segment for a tag: lower-case, Hangul kept, anything else that is not a letter or digit becomes '-'."""
    normalized = unicodedata.normalize("NFKC", text).casefold()
    slug = re.sub(r"[^\w]+|_+", "-", normalized).strip("-")
    return slug


class Urls:
    def __init__(self, base_url: str):
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.base_path = urlsplit(self.base_url).path or "/"

    # Site paths -------------------------------------------------------------
    @staticmethod
    def root() -> str:
        return ""

    @staticmethod
    def home(lang: str, page: int = 1) -> str:
        return f"{lang}/" if page == 1 else f"{lang}/page/{page}/"

    @staticmethod
    def post(lang: str, slug: str) -> str:
        return f"{lang}/posts/{slug}/"

    @staticmethod
    def tag(lang: str, tag_slug: str, page: int = 1) -> str:
        base = f"{lang}/tags/{tag_slug}/"
        return base if page == 1 else f"{base}page/{page}/"

    @staticmethod
    def tags_index(lang: str) -> str:
        return f"{lang}/tags/"

    @staticmethod
    def series(lang: str, series_id: str) -> str:
        return f"{lang}/series/{series_id}/"

    @staticmethod
    def author(lang: str, author_id: str, page: int = 1) -> str:
        base = f"{lang}/authors/{author_id}/"
        return base if page == 1 else f"{base}page/{page}/"

    @staticmethod
    def privacy(lang: str) -> str:
        return f"{lang}/privacy/"

    @staticmethod
    def search(lang: str) -> str:
        return f"{lang}/search/"

    @staticmethod
    def search_bundle() -> str:
        """The folder of the search index and the scripts that read it (Pagefind's bundle)."""
        return "pagefind/"

    @staticmethod
    def rss(lang: str) -> str:
        return f"{lang}/feed.xml"

    @staticmethod
    def atom(lang: str) -> str:
        return f"{lang}/atom.xml"

    @staticmethod
    def tag_feed(lang: str, tag_slug: str) -> str:
        return f"{lang}/tags/{tag_slug}/feed.xml"

    @staticmethod
    def sitemap() -> str:
        return "sitemap.xml"

    @staticmethod
    def robots() -> str:
        return "robots.txt"

    @staticmethod
    def not_found() -> str:
        return "404.html"

    @staticmethod
    def admin() -> str:
        """The browser editor's folder (generator/admin/)."""
        return "admin/"

    # Rendering ---------------------------------------------------------------
    def href(self, path: str) -> str:
        """Root-relative link, percent-encoded (Hangul tags become %EC%...)."""
        if _is_external(path):
            return path
        return self.base_path + quote(path.lstrip("/"), safe="/#?=&%")

    def absolute(self, path: str) -> str:
        if _is_external(path):
            return path
        return self.base_url + quote(path.lstrip("/"), safe="/#?=&%")

    def asset(self, path: str) -> str:
        """A path or URL written by the user (image: /images/a.jpg) as an absolute URL."""
        return self.absolute(path) if path else ""

    def resolve(self, target: str, page_path: str) -> str | None:
        """A link or image address written in a page at page_path, as a site path ('images/a.jpg'),
        or None when it leaves the site. '/images/a.jpg' and '<base path>images/a.jpg' are the same."""
        if not target or target.startswith("#") or _is_external(target):
            return None
        path = unquote(target.split("#", 1)[0].split("?", 1)[0])
        if not path:
            return None
        if path.startswith("/"):
            base = self.base_path
            return path[len(base):] if base != "/" and path.startswith(base) else path[1:]
        joined = posixpath.normpath(posixpath.join(page_path, path))
        if joined == ".":
            return ""
        return joined + ("/" if path.endswith("/") else "")

    @staticmethod
    def output_path(path: str) -> str:
        return path + "index.html" if path == "" or path.endswith("/") else path


def telephone_href(telephone: str) -> str:
    """A tel: link for the number as written in site.toml; '' when there is none."""
    return "tel:" + telephone.replace(" ", "") if telephone else ""


def _is_external(path: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", path))
