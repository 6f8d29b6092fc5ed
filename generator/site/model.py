"""The site model: published posts grouped into translations, tags, series and authors."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from types import MappingProxyType
from typing import Mapping

from generator.config.loader import SiteConfig
from generator.content.posts import is_published
from generator.errors import BuildError, Diagnostic, error
from generator.content.models import Post
from generator.site.urls import Urls, slugify


@dataclass(frozen=True, slots=True)
class Group:
    """Posts of one language that share a tag, a series or an author."""

    kind: str  # "tag" | "series" | "author"
    lang: str
    key: str  # tag slug, series id or author id
    name: str
    posts: tuple[Post, ...]


@dataclass(frozen=True, slots=True)
class SeriesPosition:
    group: Group
    index: int  # 0-based
    previous: Post | None
    next: Post | None


@dataclass(frozen=True, slots=True)
class Site:
    config: SiteConfig
    urls: Urls
    now: datetime
    posts: Mapping[str, tuple[Post, ...]]  # per language, newest first
    translations: Mapping[str, Mapping[str, Post]]  # translation_key -> lang -> post
    tags: Mapping[str, tuple[Group, ...]]
    series: Mapping[str, tuple[Group, ...]]
    authors: Mapping[str, tuple[Group, ...]]
    groups_by_key: Mapping[tuple[str, str, str], Group]  # (kind, lang, key) -> group, for fast lookups
    unpublished: tuple[Post, ...] = ()  # read but left out (drafts, future posts): they still count for collisions

    def all_posts(self) -> tuple[Post, ...]:
        return tuple(p for lang in self.config.language_codes for p in self.posts[lang])

    def translations_of(self, post: Post) -> tuple[Post, ...]:
        """Every language version of the post, itself included, in site language order."""
        versions = self.translations[post.translation_key]
        return tuple(versions[lang] for lang in self.config.language_codes if lang in versions)

    def tag_group(self, lang: str, tag: str) -> Group:
        return self.groups_by_key[("tag", lang, slugify(tag))]

    def series_position(self, post: Post) -> SeriesPosition | None:
        if not post.series:
            return None
        group = self.groups_by_key[("series", post.lang, post.series)]
        index = next(i for i, part in enumerate(group.posts) if part is post)
        previous = group.posts[index - 1] if index > 0 else None
        following = group.posts[index + 1] if index + 1 < len(group.posts) else None
        return SeriesPosition(group, index, previous, following)

    def group(self, kind: str, lang: str, key: str) -> Group | None:
        return self.groups_by_key.get((kind, lang, key))

    def is_preview(self, post: Post) -> bool:
        """Published only because --drafts or --future asked for it: a draft, or dated after now."""
        return post.draft or post.date > self.now


@dataclass(frozen=True, slots=True)
class PostCounts:
    """What a build did with the posts: published, and of the drafts and future posts, how many it
    left out and how many --drafts and --future brought in."""

    published: int
    drafts_left_out: int = 0
    future_left_out: int = 0
    drafts_in: int = 0
    future_in: int = 0


def count_posts(site: Site, drafts: bool) -> PostCounts:
    """drafts: --drafts was given (a draft dated in the future is then left out as a future post)."""
    published = site.all_posts()
    left_out_drafts = sum(1 for post in site.unpublished if post.draft and not drafts)
    return PostCounts(len(published), left_out_drafts, len(site.unpublished) - left_out_drafts,
                      sum(1 for post in published if post.draft),
                      sum(1 for post in published if not post.draft and post.date > site.now))


def newest_first(posts: list[Post]) -> tuple[Post, ...]:
    """Newest first, then by slug: sorted by slug, then by date (a stable sort keeps the slug order)."""
    return tuple(sorted(sorted(posts, key=attrgetter("slug")), key=attrgetter("date"), reverse=True))


def assemble_site(posts: list[Post], config: SiteConfig, now: datetime, drafts: bool = False,
                  future: bool = False) -> Site:
    """Combine parsed posts; collisions between posts are errors naming both files."""
    diagnostics: list[Diagnostic] = []
    _check_collisions(posts, diagnostics)
    published: list[Post] = []
    unpublished: list[Post] = []
    for post in posts:
        (published if is_published(post, now, drafts, future) else unpublished).append(post)
    by_lang = {lang: newest_first([p for p in published if p.lang == lang]) for lang in config.language_codes}

    translations: dict[str, dict[str, Post]] = {}
    for post in published:
        translations.setdefault(post.translation_key, {})[post.lang] = post

    tags = {lang: _tag_groups(by_lang[lang], diagnostics) for lang in config.language_codes}
    series = {lang: _series_groups(by_lang[lang], config, diagnostics) for lang in config.language_codes}
    authors = {lang: _author_groups(by_lang[lang], config) for lang in config.language_codes}
    if diagnostics:
        raise BuildError(diagnostics)
    return Site(
        config=config, urls=Urls(config.site.base_url), now=now,
        posts=MappingProxyType(by_lang),
        translations=MappingProxyType({k: MappingProxyType(v) for k, v in sorted(translations.items())}),
        tags=MappingProxyType(tags), series=MappingProxyType(series), authors=MappingProxyType(authors),
        groups_by_key=MappingProxyType({(g.kind, g.lang, g.key): g for kind in (tags, series, authors)
                                        for groups in kind.values() for g in groups}),
        unpublished=tuple(unpublished),
    )


def _check_collisions(posts: list[Post], diagnostics: list[Diagnostic]) -> None:
    ordered = sorted(posts, key=attrgetter("source"))
    for field, what in (("slug", "URL"), ("translation_key", "translation key")):
        seen: dict[tuple[str, str], Post] = {}
        for post in ordered:
            value = getattr(post, field)
            # Slugs that differ only in letter case are one folder on macOS and Windows and on many servers.
            key = (post.lang, value.casefold() if field == "slug" else value)
            if key in seen:
                first = seen[key]
                same = f"same {what} '{value}' as {first.source}" if getattr(first, field) == value else \
                    f"{what} '{value}' differs from '{getattr(first, field)}' in {first.source} only in letter case"
                diagnostics.append(error(post.source, post.key_lines.get(field, 1),
                                         f"{same}: two {post.lang} posts cannot share a {field}",
                                         f"give one of them another {field}: in its front-matter"))
            else:
                seen[key] = post


def _tag_groups(posts: tuple[Post, ...], diagnostics: list[Diagnostic]) -> tuple[Group, ...]:
    first: dict[str, tuple[str, Post]] = {}  # slug -> the spelling that named it, and the post it came from
    members: dict[str, list[Post]] = {}
    for post in posts:
        for tag in post.tags:
            slug = slugify(tag)
            if not slug:
                diagnostics.append(error(post.source, post.key_lines.get("tags", 1),
                                         f"tag '{tag}' has no letters or digits, so it cannot be a page address"))
                continue
            name, owner = first.setdefault(slug, (tag, post))
            if name.casefold() != tag.casefold():
                both = f"tags '{name}' and '{tag}' of this post" if owner is post else \
                    f"tag '{tag}' of this post and tag '{name}' of {owner.source}"
                diagnostics.append(error(post.source, post.key_lines.get("tags", 1),
                                         f"{both} both become the address tags/{slug}/",
                                         "keep one of them" if owner is post else
                                         "use one spelling in both posts, or another word for one of them"))
                continue
            members.setdefault(slug, []).append(post)
    return tuple(Group("tag", posts[0].lang, slug, first[slug][0], tuple(members[slug]))
                 for slug in sorted(members))


def series_title(series_id: str) -> str:
    """The title of a series that site.toml does not declare, made from its id: 'lip-filler' -> 'Lip Filler'."""
    return " ".join(word[:1].upper() + word[1:] for word in re.split(r"[-_]+", series_id) if word) or series_id


def _series_groups(posts: tuple[Post, ...], config: SiteConfig, diagnostics: list[Diagnostic]) -> tuple[Group, ...]:
    members: dict[str, list[Post]] = {}
    for post in posts:
        if post.series:
            members.setdefault(post.series, []).append(post)
    groups = []
    declared = {info.id: info for info in config.series}
    for series_id in sorted(members):
        parts = sorted(members[series_id], key=lambda p: (p.series_part, p.source))
        for before, after in zip(parts, parts[1:]):
            if before.series_part == after.series_part:
                diagnostics.append(error(after.source, after.key_lines.get("series_part", 1),
                                         f"series '{series_id}' part {after.series_part} is also {before.source}",
                                         "give each part its own series_part number"))
        lang = parts[0].lang
        info = declared.get(series_id)
        name = info.title.get(lang, config.site.default_language) if info else series_title(series_id)
        groups.append(Group("series", lang, series_id, name, tuple(parts)))
    return tuple(groups)


def _author_groups(posts: tuple[Post, ...], config: SiteConfig) -> tuple[Group, ...]:
    groups = []
    for author in config.authors:
        written = tuple(p for p in posts if author.id in (p.author, p.reviewed_by))
        if written:
            lang = written[0].lang
            groups.append(Group("author", lang, author.id, author.name.get(lang, config.site.default_language), written))
    return tuple(groups)
