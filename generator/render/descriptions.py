"""Meta descriptions of the pages that list posts, and of the root chooser: what each page holds,
sized for search results.

Search results cut a snippet by its width on screen, not by its number of characters: a Hangul
syllable takes about as much room as two Latin letters. Widths here count East Asian wide and
full-width characters as two units and everything else as one; a description of 50 to 160 units
shows whole in Google's and Naver's results in either language.

Each description is made from the Page alone, besides the configuration and the UI strings, as
the rest of its view is (see views.py).
"""
from __future__ import annotations

import unicodedata
from typing import Iterable, Mapping

from generator.config.loader import Author, SiteConfig
from generator.site.pages import GroupHeading, Page
from generator.site.strings import Strings
from generator.site.urls import slugify

DESCRIPTION_WIDTH = (50, 160)  # display units: a search result's snippet
ELLIPSIS = "…"
SEPARATOR = " · "


def display_width(text: str) -> int:
    """Width on screen in units of a Latin letter: wide and full-width characters count two,
    combining marks and joiners none."""
    if text.isascii():
        return len(text)
    return sum(map(_WIDTHS.__getitem__, text))


class _CharacterWidths(dict):
    """Each character's width, worked out the first time it is met: a site's list pages hold
    thousands of titles, and asking unicodedata three times a letter cost more than the rest of `check`'s
    page rules."""

    def __missing__(self, char: str) -> int:
        if unicodedata.east_asian_width(char) in "WF":
            width = 2
        elif unicodedata.combining(char) or unicodedata.category(char) in ("Cf", "Mn", "Me"):
            width = 0
        else:
            width = 1
        self[char] = width
        return width


_WIDTHS = _CharacterWidths()


def clip(text: str, limit: int) -> str:
    """The text, or its start cut at a word boundary (when there is one in the second half) with an
    ellipsis, no wider than limit."""
    if display_width(text) <= limit:
        return text
    room, cut = limit - display_width(ELLIPSIS), 0
    for index, char in enumerate(text):
        room -= display_width(char)
        if room < 0:
            break
        cut = index + 1
    head = text[:cut]
    space = head.rfind(" ")
    if space > cut // 2:
        head = head[:space]
    return head.rstrip(" ,.;:·—–-") + ELLIPSIS


def compose(lead: str, extras: Iterable[str], separator: str = " ", limit: int = DESCRIPTION_WIDTH[1],
            least: int = DESCRIPTION_WIDTH[0]) -> str:
    """The lead, then each extra (after the separator; the first after a space) while the whole fits in
    limit. An extra that does not fit is clipped into the room left only when the text is still
    shorter than least."""
    text, gap = clip(" ".join(lead.split()), limit), " "
    width = display_width(text)
    for extra in extras:
        extra = " ".join(extra.split())
        if not extra:
            continue
        joined, added = text + gap + extra, display_width(gap) + display_width(extra)
        gap = separator
        if width + added <= limit:
            text, width = joined, width + added
            continue
        if width < least:
            text = clip(joined, limit)
        break
    return text


def _titles(listed) -> list[str]:
    return [entry.post.title for entry in listed]


class PageDescriber:
    """The meta description of every page that is not a post. Text the clinic wrote for a page
    (a home, series or tag description) is used as written on that page, and `check` warns when it
    is too short or too long; text put together here is fitted into the width of a snippet."""

    def __init__(self, config: SiteConfig, strings: Mapping[str, Strings]):
        self.strings, self.config = strings, config
        self.own_tag_descriptions = {(d.lang, slugify(d.tag)): d.description for d in self.config.tags}

    def text(self, field, lang: str) -> str:
        return field.get(lang, self.config.site.default_language) if field else ""

    def describe(self, page: Page) -> str:
        return getattr(self, f"_{page.kind}")(page)

    def tag_description(self, lang: str, group: GroupHeading) -> str:
        """The clinic's own words for a topic (site.toml [tags]), or a sentence that names the topic,
        the number of posts and the blog."""
        return self.own_tag_descriptions.get((lang, group.key)) or self.strings[lang](
            "tag.description", tag=group.name, count=group.count, site=self.config.language(lang).title)

    def tag_feed_description(self, lang: str, group) -> str:
        """What a tag feed carries; it holds no count, which would go stale between two posts."""
        return self.own_tag_descriptions.get((lang, group.key)) or self.strings[lang](
            "feed.tag_description", tag=group.name, site=self.config.language(lang).title)

    def _listing(self, page: Page, lead: str) -> str:
        """A list page: what it lists, then the titles of the posts it shows; page 2 on says which page."""
        if page.page_number > 1:
            lead = self.strings[page.lang]("list.page_description", page=page.page_number, count=page.page_count,
                                          description=lead)
        return compose(lead, _titles(page.posts), SEPARATOR)

    # page kinds ---------------------------------------------------------------------------
    def _root(self, page: Page) -> str:
        """The chooser speaks to readers of every language: every language's title, then the
        descriptions, the default language's first, as far as they fit."""
        default = self.config.site.default_language
        languages = sorted(self.config.languages, key=lambda language: language.code != default)
        titles = SEPARATOR.join(dict.fromkeys(language.title for language in languages))
        descriptions = [language.description for language in languages]
        if not descriptions[0]:
            return compose(titles, descriptions[1:])
        return compose(f"{titles}: {descriptions[0]}", descriptions[1:])

    def _home(self, page: Page) -> str:
        language = self.config.language(page.lang)
        if language.description and page.page_number == 1:
            return language.description
        lead = language.description or self.strings[page.lang](
            "home.description", site=language.title, clinic=self.text(self.config.clinic.name, page.lang))
        return self._listing(page, lead)

    def _tag(self, page: Page) -> str:
        own = self.own_tag_descriptions.get((page.lang, page.group.key))
        if own and page.page_number == 1:
            return own
        return self._listing(page, self.tag_description(page.lang, page.group))

    def _tags(self, page: Page) -> str:
        t, groups = self.strings[page.lang], page.topics  # in the topic index's order
        lead = t("tags.description", count=len(groups), site=self.config.language(page.lang).title)
        return compose(lead, [group.name for group in groups], SEPARATOR)

    def _series(self, page: Page) -> str:
        group = page.group
        info = self.config.series_info(group.key)
        own = self.text(info.description, page.lang) if info else ""
        if own:
            return own
        lead = self.strings[page.lang]("series.description", series=group.name, count=group.count)
        return compose(lead, _titles(page.posts), SEPARATOR)

    def _author(self, page: Page) -> str:
        """Who the author is (name and credentials) and the bio, or what the page lists."""
        author: Author = self.config.author(page.group.key)
        t, lang = self.strings[page.lang], page.lang
        name, job_title = self.text(author.name, lang), self.text(author.job_title, lang)
        credentials = t("author.credentials", name=name, job_title=job_title) if job_title else name
        about = self.text(author.bio, lang) or t("author.description", name=name, count=page.group.count,
                                                 site=self.config.language(lang).title)
        return self._listing(page, clip(f"{credentials} {about}", DESCRIPTION_WIDTH[1]))

    def _privacy(self, page: Page) -> str:
        return self.strings[page.lang]("privacy.description", site=self.config.language(page.lang).title)

    def _search(self, page: Page) -> str:
        return self.strings[page.lang]("search.description", site=self.config.language(page.lang).title)

    def _not_found(self, page: Page) -> str:
        return self.strings[self.config.site.default_language]("404.text")
