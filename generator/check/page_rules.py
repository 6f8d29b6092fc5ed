"""The meta descriptions of the pages a build makes besides posts (homes, topic, series and author
pages, the root chooser): sized for a search result's snippet, and never the same on two pages.

Widths are display widths (a Hangul syllable counts as two Latin letters), so one range, 50 to 160
units, suits every language. Post descriptions have their own rules (seo-description,
seo-duplicate-description); a post still counts here when a list page repeats its description.
"""
from __future__ import annotations

from typing import Callable, Iterator, Mapping, Sequence

from generator.check.core import Finding, LintContext
from generator.render.descriptions import DESCRIPTION_WIDTH, PageDescriber, display_width
from generator.site.pages import Page
from generator.site.strings import Strings
from generator.site.urls import slugify

RULE = "seo-page-description"


def lint_page_descriptions(ctx: LintContext, strings: Mapping[str, Strings], line_of: Callable[..., int | None],
                           pages: Sequence[Page], describe: Callable[[Page], str] | None = None,
                           width: Callable[[str], int] = display_width) -> Iterator[Finding]:
    """line_of(*key_path) is the site.toml line of a key, for findings about text written there. A build
    passes its page plan, and describe and width that remember what earlier builds worked out."""
    site = ctx.site
    describe = describe or PageDescriber(site.config, strings).describe
    low, high = DESCRIPTION_WIDTH
    first_with: dict[str, Page] = {}
    for page in pages:
        if page.post is not None:
            if page.post.description:
                first_with.setdefault(_key(page.post.description), page)
            continue
        if not page.indexable:
            continue
        description = describe(page)
        where, hint = _source(page, ctx, line_of)
        units = width(description)
        if not low <= units <= high:
            yield Finding(RULE, "site.toml", where, None,
                          f"/{page.path}: the meta description is {units} units wide; search results show "
                          f"{low}-{high} (a Hangul syllable counts as two): '{description}'", hint)
        other = first_with.setdefault(_key(description), page)
        if other is not page:
            yield Finding(RULE, "site.toml", where, None,
                          f"/{page.path} has the same meta description as /{other.path}",
                          hint + "; search engines show only one of two pages that describe themselves alike")
    yield from _unused_tag_descriptions(ctx)


class RememberedDescriptions:
    """A build's meta descriptions of the pages the rule reads, with their widths. A description depends
    only on what its page's renderer receives, so a page is described again only when the digest of that
    is new; memo keeps them between builds (the build cache)."""

    def __init__(self, planned: Sequence[tuple[Page, str | None]], describer: PageDescriber, memo) -> None:
        known = memo.page_descriptions()
        self.found: dict[str, tuple[str, int]] = {}
        fresh: dict[str, tuple[str, int]] = {}
        for page, digest in planned:
            if page.post is None and page.indexable:
                entry = (known.get(digest) or fresh.get(digest)) if digest else None
                if entry is None:
                    text = describer.describe(page)
                    entry = (text, display_width(text))
                    if digest:
                        fresh[digest] = entry
                self.found[page.path] = entry
        memo.store_page_descriptions(fresh, keep={digest for page, digest in planned
                                                  if digest and page.post is None and page.indexable})
        self.widths = dict(self.found.values())

    def describe(self, page: Page) -> str:
        return self.found[page.path][0]

    def width(self, text: str) -> int:
        return self.widths[text] if text in self.widths else display_width(text)


def _key(description: str) -> str:
    return " ".join(description.split()).casefold()


def _source(page: Page, ctx: LintContext, line_of: Callable[..., int | None]) -> tuple[int | None, str]:
    """The site.toml line that decides the page's description, and how to change it."""
    config, lang = ctx.site.config, page.lang
    if page.kind == "tag":
        own = next((d for d in config.tags if d.lang == lang and slugify(d.tag) == page.group.key), None)
        if own is not None:
            return own.line, f"rewrite [tags.{lang}.\"{own.tag}\"] description"
        return None, f'describe the topic in site.toml: [tags.{lang}."{page.group.name}"] description = "..."'
    if page.kind == "series":
        return (line_of("series", page.group.key, "description"),
                f'write description = {{ {lang} = "..." }} under [series.{page.group.key}]')
    if page.kind == "author":
        return (line_of("authors", page.group.key, "bio"),
                f'write bio = {{ {lang} = "..." }} under [authors.{page.group.key}]: a sentence on who they are')
    code = lang or config.site.default_language
    return (line_of("languages", code, "description"),
            f"the {page.kind} page's description comes from [languages.{code}] description")


def _unused_tag_descriptions(ctx: LintContext) -> Iterator[Finding]:
    for own in ctx.site.config.tags:
        if ctx.site.group("tag", own.lang, slugify(own.tag)) is None:
            yield Finding(RULE, "site.toml", own.line, None,
                          f"[tags.{own.lang}.\"{own.tag}\"] describes a tag that no {own.lang} post has",
                          "write the tag as the posts do, or remove the table")
