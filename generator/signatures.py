"""Signatures of what each output shows, so an incremental build re-renders only pages whose
inputs changed. A signature covers the page's own posts (by source digest), the neighbours and
groups it links to, and the build-wide inputs (code, configuration, templates, strings, assets)."""
from __future__ import annotations

from .cache import fingerprint
from .models import Post
from .pages import Page
from .site_model import Site


def _listed(site: Site, post: Post, memo: dict[str, tuple]) -> tuple:
    """What a post card shows beyond the post itself: the display names of its tags."""
    if post.source not in memo:
        memo[post.source] = (post.digest, tuple((g.key, g.name) for g in (site.tag_group(post.lang, t)
                                                                          for t in post.tags)))
    return memo[post.source]


def page_signatures(site: Site, pages: tuple[Page, ...], build_key: str) -> list[str]:
    memo: dict[str, tuple] = {}  # a post is listed on many pages
    return [page_signature(site, page, build_key, memo) for page in pages]


def page_signature(site: Site, page: Page, build_key: str, memo: dict[str, tuple] | None = None) -> str:
    memo = {} if memo is None else memo
    lang = page.lang
    shared = (build_key, page.kind, page.path, page.template, page.page_number, page.page_count,
              page.alternates, bool(site.tags[lang]) if lang else None)
    if page.post is not None:
        post = page.post
        position = site.series_position(post)
        series = (position.group.name, tuple(p.digest for p in position.group.posts)) if position else None
        people = tuple(site.group("author", lang, person) is not None for person in (post.author, post.reviewed_by)
                       if person)
        return fingerprint(shared, _listed(site, post, memo),
                           tuple((p.lang, p.slug) for p in site.translations_of(post)), series, people)
    group = (page.group.key, page.group.name, len(page.group.posts)) if page.group else None
    listed = tuple(_listed(site, p, memo) for p in page.posts)
    if page.kind == "tags":
        listed = tuple((g.key, g.name, len(g.posts)) for g in site.tags[lang])
    return fingerprint(shared, group, listed)


def feed_signature(build_key: str, path: str, posts: tuple[Post, ...], title: str) -> str:
    return fingerprint(build_key, path, title, tuple(p.digest for p in posts))
