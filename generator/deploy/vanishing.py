"""Addresses that a deploy would take off the web: in the published sitemap, in neither the new sitemap
nor the new _redirects. Each one is a broken link for readers and search engines unless a post takes
it over with `aliases:`."""
from __future__ import annotations

import difflib
from typing import Mapping
from urllib.parse import unquote, urlsplit

from lxml import etree

from generator.errors import Diagnostic, warning

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_paths(data: bytes | None) -> set[str]:
    """URL paths (percent-decoded) listed in a sitemap; nothing for a missing or unreadable one."""
    if not data:
        return set()
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return set()
    return {unquote(urlsplit(loc.text.strip()).path) for loc in root.iter(f"{SITEMAP_NS}loc") if loc.text}


def redirect_paths(data: bytes | None) -> set[str]:
    """The old paths a _redirects file answers."""
    lines = (data or b"").decode("utf-8", "replace").splitlines()
    return {unquote(line.split()[0]) for line in lines if line.strip() and not line.lstrip().startswith("#")}


def vanishing_urls(previous_sitemap: bytes | None, new_sitemap: bytes | None, redirects: bytes | None,
                   base_path: str, posts: Mapping[str, str]) -> list[Diagnostic]:
    """A warning per published path that would disappear, with the alias that keeps it.
    posts: path of each post page (as in the sitemap) -> its source file, to name the likely successor."""
    before = sitemap_paths(previous_sitemap)
    after = sitemap_paths(new_sitemap)
    kept = after | redirect_paths(redirects)
    newcomers = {path: source for path, source in posts.items() if path not in before}
    found = []
    for path in sorted(before - kept):
        alias = "/" + path[len(base_path):] if path.startswith(base_path) else path
        successor = _successor(path, newcomers)
        where = successor or "the post that replaces it"
        found.append(warning(successor or "sitemap.xml", None,
                             f"{alias} was published and would disappear with this deploy (readers and search "
                             "engines that know it would get 404)",
                             f"add `aliases: [{alias}]` to {where}"))
    return found


def _successor(path: str, newcomers: Mapping[str, str]) -> str | None:
    """The new post in the same folder (language and kind) whose address is most like the old one."""
    folder = path.rstrip("/").rsplit("/", 1)[0] + "/"
    candidates = {p: s for p, s in newcomers.items() if p.startswith(folder)}
    if not candidates:
        return None
    close = difflib.get_close_matches(path, list(candidates), n=1, cutoff=0.0)
    return candidates[close[0]] if close else None
