"""The page plan: every HTML page of the site with everything its view shows beyond the
configuration, the theme and the posts' own files.

A page's view reads the Page and nothing else of the site, so the Page is what decides whether the
page must be rendered again (see outputs/catalog.py). What a Page holds is therefore what it shows:
a tag page holds its tag's name and size, not every post of the tag, so editing a post changes the
pages that list it and not every page of its tags."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from generator.content.models import Post
from generator.site.model import Group, Site


@dataclass(frozen=True, slots=True)
class TagLink:
    """A tag as posts write it, and the tag page it leads to."""

    tag: str
    key: str  # the tag page's address segment
    name: str  # the spelling the tag page shows


@dataclass(frozen=True, slots=True)
class Listed:
    """A post as a list page shows it: the post and the links of its tags (one record per post,
    shared by every page that lists it)."""

    post: Post
    tag_links: tuple[TagLink, ...]


@dataclass(frozen=True, slots=True)
class GroupHeading:
    """A tag, series or author as the pages of its group show it: named and counted."""

    kind: str
    key: str
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class SeriesPart:
    title: str
    path: str
    part: int | None


@dataclass(frozen=True, slots=True)
class SeriesNav:
    """A series as each of its parts shows it: its name and the title and address of every part, in order."""

    key: str
    name: str
    parts: tuple[SeriesPart, ...]


@dataclass(frozen=True, slots=True)
class Page:
    kind: str  # root | home | post | tag | tags | series | author | privacy | search | not_found
    path: str  # site path, see urls.py
    template: str
    lang: str | None
    post: Post | None = None
    group: GroupHeading | None = None  # the tag, series or author a list page is about
    posts: tuple[Listed, ...] = ()  # the posts listed on this page
    page_number: int = 1
    page_count: int = 1
    alternates: tuple[tuple[str, str], ...] = ()  # (lang, path) of every version, itself included
    indexable: bool = True
    has_tags: bool = False  # the language has a topic index to link to
    tag_links: tuple[TagLink, ...] = ()  # the tags of a post page's post
    series: SeriesNav | None = None  # the series of a post page
    with_pages: tuple[str, ...] = ()  # the people shown on the page who have an author page
    topics: tuple[GroupHeading, ...] = ()  # the topic index: every tag of the language
    images: tuple = ()  # the processed images a post page may show (images/markup.py ImageRecord)

    def alternate_path(self, lang: str) -> str | None:
        return next((path for code, path in self.alternates if code == lang), None)


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """What the sitemap says of one indexable page."""

    path: str
    modified: str  # newest change of anything shown, ISO 8601 ("" when nothing is)
    alternates: tuple[tuple[str, str], ...]


def _chunks(posts: tuple, size: int) -> list[tuple]:
    return [posts[i:i + size] for i in range(0, len(posts), size)] or [()]


def _newest_change(posts: tuple[Post, ...]) -> datetime | None:
    return max((p.modified for p in posts), default=None)


class _Planner:
    """Builds the pages of one site; the pieces many pages share (tag links, series) are made once."""

    def __init__(self, site: Site, listed: tuple[Post, ...] | None = None):
        """listed: the posts whose pages are planned (default: every post of the site)."""
        self.site, self.urls = site, site.urls
        listed = site.all_posts() if listed is None else listed
        spellings = {(post.lang, tag) for post in listed for tag in post.tags}
        links = {(lang, tag): TagLink(tag, group.key, group.name)
                 for lang, tag in spellings for group in (site.tag_group(lang, tag),)}
        self.listed = {post.source: Listed(post, tuple([links[post.lang, tag] for tag in post.tags]))
                       for post in listed}
        self.series: dict[tuple[str, str], SeriesNav] = {}
        self.author_pages = {(group.lang, group.key) for groups in site.authors.values() for group in groups}
        self.has_tags = {lang: bool(site.tags[lang]) for lang in site.config.language_codes}
        self.drafts: list[tuple[tuple, dict, datetime | None]] = []  # (logical key, fields but alternates, modified)

    def add(self, key: tuple, modified: datetime | None, kind: str, path: str, template: str, lang: str,
            **rest) -> None:
        self.drafts.append((key, {"kind": kind, "path": path, "template": template, "lang": lang,
                                  "has_tags": self.has_tags[lang], **rest}, modified))

    def listing(self, posts: tuple[Post, ...]) -> tuple[Listed, ...]:
        listed = self.listed
        return tuple([listed[post.source] for post in posts])

    def series_nav(self, post: Post) -> SeriesNav | None:
        if not post.series:
            return None
        if (post.lang, post.series) not in self.series:
            group = self.site.group("series", post.lang, post.series)
            self.series[post.lang, post.series] = SeriesNav(group.key, group.name, tuple(
                SeriesPart(p.title, self.urls.post(p.lang, p.slug), p.series_part) for p in group.posts))
        return self.series[post.lang, post.series]

    def paginated(self, kind: str, template: str, group: Group, url_for, per_page: int) -> None:
        """A group's pages of per_page posts: url_for(lang, key, number) gives each page's address."""
        chunks, newest = _chunks(self.listing(group.posts), per_page), _newest_change(group.posts)
        heading = GroupHeading(group.kind, group.key, group.name, len(group.posts))
        for number, chunk in enumerate(chunks, start=1):
            self.add((kind, group.key, number), newest, kind, url_for(group.lang, group.key, number), template,
                     group.lang, group=heading, posts=chunk, page_number=number, page_count=len(chunks),
                     with_pages=(group.key,) if kind == "author" else ())

    def post_page(self, post: Post, images: tuple) -> None:
        self.add(("post", post.translation_key), post.modified, "post", self.urls.post(post.lang, post.slug),
                 "post.html", post.lang, post=post, tag_links=self.listed[post.source].tag_links,
                 series=self.series_nav(post), with_pages=self.people_with_pages(post), images=images,
                 indexable=not self.site.is_preview(post))

    def people_with_pages(self, post: Post) -> tuple[str, ...]:
        author, reviewer, pages = post.author, post.reviewed_by, self.author_pages
        people = (author,) if (post.lang, author) in pages else ()
        return people + (reviewer,) if reviewer != author and (post.lang, reviewer) in pages else people


def plan_pages(site: Site, shown: Mapping[str, tuple] | None = None
               ) -> tuple[tuple[Page, ...], tuple[SitemapEntry, ...]]:
    """Every HTML page, in a fixed order (translations linked through a shared logical key), and the
    sitemap's entry for each indexable one. shown: post.source -> the processed images the post may show."""
    shown = shown or {}
    urls, per_page = site.urls, site.config.site.posts_per_page
    languages = site.config.language_codes
    planner = _Planner(site)

    for lang in languages:
        posts = site.posts[lang]
        chunks, newest = _chunks(planner.listing(posts), per_page), _newest_change(posts)
        for number, chunk in enumerate(chunks, start=1):
            planner.add(("home", number), newest, "home", urls.home(lang, number), "home.html", lang, posts=chunk,
                        page_number=number, page_count=len(chunks))
        for post in posts:
            planner.post_page(post, shown.get(post.source, ()))
        for group in site.tags[lang]:
            planner.paginated("tag", "list.html", group, urls.tag, per_page)
        if site.tags[lang]:
            topics = tuple(GroupHeading("tag", g.key, g.name, len(g.posts))
                           for g in sorted(site.tags[lang], key=lambda g: (-len(g.posts), g.name)))
            planner.add(("tags",), newest, "tags", urls.tags_index(lang), "tags.html", lang, topics=topics)
        for group in site.series[lang]:
            planner.add(("series", group.key), _newest_change(group.posts), "series", urls.series(lang, group.key),
                        "series.html", lang, group=GroupHeading("series", group.key, group.name, len(group.posts)),
                        posts=planner.listing(group.posts))
        for group in site.authors[lang]:
            planner.paginated("author", "author.html", group, urls.author, per_page)
        planner.add(("privacy",), None, "privacy", urls.privacy(lang), "privacy.html", lang)
        if site.config.search.enabled:
            planner.add(("search",), None, "search", urls.search(lang), "search.html", lang)

    versions: dict[tuple, list[tuple[str, str, bool]]] = {}
    for key, fields, _ in planner.drafts:
        versions.setdefault(key, []).append((fields["lang"], fields["path"], fields.get("indexable", True)))
    homes = tuple((lang, urls.home(lang)) for lang in languages)
    has_tags = bool(site.tags[site.config.site.default_language])  # the root and 404 pages' header
    pages = [Page("root", urls.root(), "root.html", None, alternates=homes, has_tags=has_tags)]
    pages += [Page(**fields, alternates=_alternates(versions[key], fields.get("indexable", True)))
              for key, fields, _ in planner.drafts]
    pages.append(Page("not_found", urls.not_found(), "404.html", None, indexable=False, has_tags=has_tags))
    modified = [_newest_change(site.all_posts())] + [newest for _, _, newest in planner.drafts] + [None]
    iso: dict[int, str] = {}  # many pages share one newest change
    sitemap = tuple(SitemapEntry(page.path, iso.get(id(when)) or iso.setdefault(id(when), when.isoformat()) if when
                                 else "", page.alternates)
                    for page, when in zip(pages, modified) if page.indexable)
    return tuple(pages), sitemap


def plan_post_page(site: Site, post: Post, images: tuple = ()) -> Page:
    """One published post's page as plan_pages plans it, without planning the rest of the site (`serve`
    shows an edited post's page first). images: the processed images the post may show."""
    planner = _Planner(site, listed=(post,))
    planner.post_page(post, images)
    (_, fields, _), = planner.drafts
    return Page(**fields, alternates=_alternates([(p.lang, site.urls.post(p.lang, p.slug), not site.is_preview(p))
                                                  for p in site.translations_of(post)], fields["indexable"]))


def _alternates(versions: list[tuple[str, str, bool]], indexable: bool) -> tuple[tuple[str, str], ...]:
    """(lang, path) of a page's versions: a page for search engines names only the versions they may index
    (not the drafts and future posts --drafts and --future add); a preview names them all."""
    return tuple((lang, path) for lang, path, shown in versions if shown or not indexable)
