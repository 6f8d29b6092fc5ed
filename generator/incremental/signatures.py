"""Signatures of what each output shows, so an incremental build re-renders only pages whose
inputs changed. A signature covers the page's own posts (by source digest), the neighbours and
groups it links to, and the build-wide inputs (code, configuration, templates, strings, assets).

Signatures are digests of joined strings rather than of reprs: a rebuild of a large site computes
one for every page."""
from __future__ import annotations

import hashlib

from generator.content.models import Post
from generator.site.pages import Page
from generator.site.model import Site

_FIELD, _ITEM = "\x1f", "\x1e"


def _digest(parts: list[str]) -> str:
    return hashlib.blake2b(_FIELD.join(parts).encode("utf-8"), digest_size=16).hexdigest()


class _Listing:
    """What a post card shows beyond the post itself (the display names of its tags), once per post."""

    def __init__(self, site: Site):
        self.site, self.memo = site, {}

    def __call__(self, post: Post) -> str:
        found = self.memo.get(post.source)
        if found is None:
            groups = (self.site.tag_group(post.lang, tag) for tag in post.tags)
            found = self.memo[post.source] = post.digest + "".join(f"{_ITEM}{g.key}{_ITEM}{g.name}" for g in groups)
        return found


def _versions(page: Page) -> str:
    return _ITEM.join(f"{code}:{path}" for code, path in page.alternates)


def page_signatures(site: Site, pages: tuple[Page, ...], build_key: str) -> list[str]:
    listing = _Listing(site)  # a post is listed on many pages
    has_tags = {lang: str(bool(site.tags[lang])) for lang in site.config.language_codes}
    return [_page_signature(site, page, build_key, listing, has_tags) for page in pages]


def _page_signature(site: Site, page: Page, build_key: str, listing: _Listing, has_tags: dict[str, str]) -> str:
    lang = page.lang
    parts = [build_key, page.kind, page.path, page.template, str(page.page_number), str(page.page_count),
             _versions(page), has_tags.get(lang, "")]
    if page.post is not None:
        post = page.post
        position = site.series_position(post)
        parts.append(listing(post))
        parts.append(_ITEM.join(f"{p.lang}:{p.slug}" for p in site.translations_of(post)))
        parts.append(position.group.name + _ITEM + _ITEM.join(p.digest for p in position.group.posts)
                     if position else "-")
        parts.append("".join("1" if site.group("author", lang, person) is not None else "0"
                             for person in (post.author, post.reviewed_by) if person))
        return _digest(parts)
    if page.group:
        parts.append(f"{page.group.key}{_ITEM}{page.group.name}{_ITEM}{len(page.group.posts)}")
    if page.kind == "tags":
        parts += [f"{g.key}{_ITEM}{g.name}{_ITEM}{len(g.posts)}" for g in site.tags[lang]]
    else:
        parts += [listing(p) for p in page.posts]
    return _digest(parts)


def feed_signature(build_key: str, path: str, posts: tuple[Post, ...], title: str) -> str:
    return _digest([build_key, path, title, *(p.digest for p in posts)])


def sitemap_signature(build_key: str, pages: tuple[Page, ...]) -> str:
    """The sitemap lists each page's address, versions, last change and whether it is indexed."""
    return _digest([build_key, *(f"{p.path}{_ITEM}{p.modified.isoformat() if p.modified else ''}{_ITEM}"
                                 f"{_versions(p)}{_ITEM}{p.indexable}"
                                 for p in pages)])
