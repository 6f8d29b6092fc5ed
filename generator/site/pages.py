"""The page plan: every HTML page of the site, its URL, its template and its translations."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from generator.content.models import Post
from generator.site.model import Group, Site


@dataclass(frozen=True, slots=True)
class Page:
    kind: str  # root | home | post | tag | tags | series | author | not_found
    path: str  # site path, see urls.py
    template: str
    lang: str | None
    post: Post | None = None
    group: Group | None = None
    posts: tuple[Post, ...] = ()  # the posts listed on this page
    page_number: int = 1
    page_count: int = 1
    alternates: tuple[tuple[str, str], ...] = ()  # (lang, path) of every version, itself included
    modified: datetime | None = None  # newest change of anything shown, for the sitemap
    indexable: bool = True

    def alternate_path(self, lang: str) -> str | None:
        return next((path for code, path in self.alternates if code == lang), None)


def _chunks(posts: tuple[Post, ...], size: int) -> list[tuple[Post, ...]]:
    return [posts[i:i + size] for i in range(0, len(posts), size)] or [()]


def _newest_change(posts: tuple[Post, ...]) -> datetime | None:
    return max((p.modified for p in posts), default=None)


def _fields(kind: str, path: str, template: str, lang: str, **rest) -> dict:
    """A page's fields before its translations are known."""
    return {"kind": kind, "path": path, "template": template, "lang": lang, **rest}


def _paginated(kind: str, template: str, group: Group, url_for, per_page: int) -> list[tuple[tuple, dict]]:
    """A group's pages of per_page posts: url_for(lang, key, number) gives each page's address."""
    chunks, newest = _chunks(group.posts, per_page), _newest_change(group.posts)
    return [((kind, group.key, number), _fields(kind, url_for(group.lang, group.key, number), template, group.lang,
                                                group=group, posts=chunk, page_number=number,
                                                page_count=len(chunks), modified=newest))
            for number, chunk in enumerate(chunks, start=1)]


def plan_pages(site: Site) -> tuple[Page, ...]:
    """Every HTML page, in a fixed order; translations are linked through a shared logical key."""
    urls, per_page = site.urls, site.config.site.posts_per_page
    drafts: list[tuple[tuple, dict]] = []  # (logical key, the page's fields but its alternates)
    languages = site.config.language_codes

    for lang in languages:
        posts = site.posts[lang]
        chunks, newest = _chunks(posts, per_page), _newest_change(posts)
        for number, chunk in enumerate(chunks, start=1):
            drafts.append((("home", number), _fields(
                "home", urls.home(lang, number), "home.html", lang, posts=chunk, page_number=number,
                page_count=len(chunks), modified=newest)))
        for post in posts:
            drafts.append((("post", post.translation_key), _fields(
                "post", urls.post(lang, post.slug), "post.html", lang, post=post, modified=post.modified)))
        for group in site.tags[lang]:
            drafts += _paginated("tag", "list.html", group, urls.tag, per_page)
        if site.tags[lang]:
            drafts.append((("tags",), _fields("tags", urls.tags_index(lang), "tags.html", lang, modified=newest)))
        for group in site.series[lang]:
            drafts.append((("series", group.key), _fields(
                "series", urls.series(lang, group.key), "series.html", lang, group=group, posts=group.posts,
                modified=_newest_change(group.posts))))
        for group in site.authors[lang]:
            drafts += _paginated("author", "author.html", group, urls.author, per_page)

    versions: dict[tuple, list[tuple[str, str]]] = {}
    for key, fields in drafts:
        versions.setdefault(key, []).append((fields["lang"], fields["path"]))
    homes = tuple((lang, urls.home(lang)) for lang in languages)
    newest = _newest_change(site.all_posts())
    pages = [Page("root", urls.root(), "root.html", None, alternates=homes, modified=newest)]
    pages += [Page(**fields, alternates=tuple(versions[key])) for key, fields in drafts]
    pages.append(Page("not_found", urls.not_found(), "404.html", None, indexable=False))
    return tuple(pages)

