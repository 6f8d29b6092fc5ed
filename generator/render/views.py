"""Template contexts: every value a page prints, prepared in Python (templates build no URLs or dates).

A context is made from the Page alone, besides the configuration, the UI strings, the asset links, the
posts' rendered bodies and the images every page may show: the view has no handle on the rest of the
site, so whatever it shows is in the Page, and a page whose Page is unchanged is unchanged (see
outputs/catalog.py)."""
from __future__ import annotations

from typing import Any, Mapping

from markupsafe import Markup

from generator.render.analytics import analytics_context
from generator.render.comments import comments_context
from generator.render.privacy import privacy_context
from generator.render.sharing import share_context
from generator.render.descriptions import DESCRIPTION_WIDTH, PageDescriber, clip
from generator.images.markup import ImageMarkup, ImageSet
from generator.config.loader import Author, SiteConfig
from generator.site.strings import Strings, localized_date, reading_minutes
from generator.markup.post_bodies import BodyStore
from generator.content.models import Post
from generator.site.pages import Listed, Page, SeriesNav, SeriesPart, TagLink
from generator.render.seo import head_meta, home_json_ld, post_json_ld
from generator.site.urls import Urls, telephone_href

SERIES_NAV_FULL = 12
# What search.js says, in the page's language: while it loads, on no result ("{query}"), on failure; and
# search.count, the number of results in the language's plural forms ("{count}").
SEARCH_MESSAGES = ("loading", "none", "failed", "result_tags")


def excerpt(text: str, limit: int = DESCRIPTION_WIDTH[1]) -> str:
    """The start of a post's text, no wider than a search result's snippet."""
    return clip(" ".join(text.split()), limit)


def _forms(text: Any) -> dict[str, str]:
    """A UI string as plural form -> text (a string that counts nothing has one form, "other")."""
    return {"other": text} if isinstance(text, str) else dict(text)


class ViewBuilder:
    """Builds the context of each page from its Page, rendered bodies and UI strings."""

    def __init__(self, config: SiteConfig, urls: Urls, html: BodyStore, strings: Mapping[str, Strings],
                 asset_hrefs: Mapping[str, str], site_images: tuple = (), csp: str = ""):
        self.config, self.urls, self.html, self.strings = config, urls, html, strings
        self.site_images = tuple(site_images)  # the processed images any page may show (logo, portraits)
        self.images = self.markup(())
        self.csp = csp  # the Content-Security-Policy every page carries in a <meta>
        self.asset_hrefs = asset_hrefs
        self.describer = PageDescriber(config, strings)
        self.analytics = {lang: analytics_context(config, urls, t) for lang, t in strings.items()}  # on every page
        self._cards: dict[str, dict[str, Any]] = {}  # a post appears on many list pages

    def markup(self, page_images: tuple) -> ImageMarkup:
        """Picture markup from the images any page may show and those of one page."""
        return ImageMarkup(ImageSet.of(self.site_images + tuple(page_images)), self.urls, self.config.images)

    # shared pieces ---------------------------------------------------------------
    def describe(self, post: Post) -> str:
        return post.description or excerpt(self.html.summary(post.source).excerpt)

    def date_label(self, post: Post) -> str:
        return localized_date(post.date, self.config.language(post.lang).locale)

    def card(self, listed: Listed) -> dict[str, Any]:
        post = listed.post
        if post.source not in self._cards:
            self._cards[post.source] = {**self._card(post), "tags": self.tag_links(post.lang, listed.tag_links)}
        return self._cards[post.source]

    def _card(self, post: Post) -> dict[str, Any]:
        t = self.strings[post.lang]
        return {
            "title": post.title,
            "href": self.urls.href(self.urls.post(post.lang, post.slug)),
            "date_iso": post.date.isoformat(),
            "date": self.date_label(post),
            "description": self.describe(post),
            "reading_time": self.reading_time(post),
            "series_label": t("series.part_short", part=post.series_part) if post.series else "",
        }

    def reading_time(self, post: Post) -> str:
        language = self.config.language(post.lang)
        minutes = reading_minutes(self.html.summary(post.source).word_count, post.lang, language.words_per_minute)
        return self.strings[post.lang]("post.reading_time", minutes=minutes, count=minutes)

    def tag_links(self, lang: str, links: tuple[TagLink, ...]) -> list[dict[str, str]]:
        return [{"name": link.name, "href": self.urls.href(self.urls.tag(lang, link.key))} for link in links]

    def person(self, author: Author, page: Page) -> dict[str, str]:
        lang, fallback = page.lang, self.config.site.default_language
        has_page = author.id in page.with_pages
        return {
            "name": author.name.get(lang, fallback),
            "job_title": author.job_title.get(lang, fallback) if author.job_title else "",
            "href": self.urls.href(self.urls.author(lang, author.id)) if has_page else "",
            "profile_url": author.url,
            "bio": author.bio.get(lang, fallback) if author.bio else "",
        }

    def feeds(self, page: Page) -> tuple[tuple[str, str, str], ...]:
        lang = page.lang or self.config.site.default_language
        t, title = self.strings[lang], self.config.language(lang).title
        links = [("application/rss+xml", t("feed.rss_title", title=title), self.urls.href(self.urls.rss(lang))),
                 ("application/atom+xml", t("feed.atom_title", title=title), self.urls.href(self.urls.atom(lang)))]
        if page.kind == "tag" and page.group:
            links.append(("application/rss+xml", t("feed.tag_title", title=title, tag=page.group.name),
                          self.urls.href(self.urls.tag_feed(lang, page.group.key))))
        return tuple(links)

    def switcher(self, page: Page) -> list[dict[str, Any]]:
        entries = []
        for language in self.config.languages:
            target = page.alternate_path(language.code)
            translated = target is not None
            entries.append({
                "lang": language.code,
                "name": language.name,
                "href": self.urls.href(target if translated else self.urls.home(language.code)),
                "current": language.code == page.lang,
                "translated": translated,
            })
        return entries

    def common(self, page: Page, title: str, description: str, images: ImageMarkup | None = None,
               **head: Any) -> dict[str, Any]:
        lang = page.lang or self.config.site.default_language
        language = self.config.language(lang)
        clinic = self.config.clinic
        fallback = self.config.site.default_language
        return {
            "lang": lang,
            "kind": page.kind,
            "t": self.strings[lang],
            "head": head_meta(self.config, self.urls, page, title, description, self.feeds(page),
                              preview=(images or self.images).preview(head.get("image") or clinic.logo,
                                                                      page.path if head.get("image") else ""),
                              **head),
            "csp": self.csp,
            "blog": {"title": language.title, "description": language.description,
                     "home_href": self.urls.href(self.urls.home(lang)),
                     "tags_href": self.urls.href(self.urls.tags_index(lang)) if page.has_tags else "",
                     "search_href": self.urls.href(self.urls.search(lang)) if self.config.search.enabled else "",
                     "rss_href": self.urls.href(self.urls.rss(lang))},
            "clinic": {"name": clinic.name.get(lang, fallback), "url": clinic.url,
                       "telephone": clinic.telephone, "telephone_href": telephone_href(clinic.telephone),
                       "contact_url": clinic.contact_url, "email": clinic.email, "kakao_channel": clinic.kakao_channel,
                       "address": clinic.address.get(lang, fallback) if clinic.address else "",
                       "foreign_patient_registration": clinic.foreign_patient_registration},
            "languages": self.switcher(page),
            "assets": self.asset_hrefs,
            "root_href": self.urls.href(self.urls.root()),
            "privacy_href": self.urls.href(self.urls.privacy(lang)),
            "comments": None,
            "share": None,
            "analytics": self.analytics[lang],
        }

    def pagination(self, page: Page, path_for_page) -> dict[str, Any] | None:
        if page.page_count <= 1:
            return None
        number = page.page_number
        return {
            "number": number, "count": page.page_count,
            "previous": self.urls.href(path_for_page(number - 1)) if number > 1 else "",
            "next": self.urls.href(path_for_page(number + 1)) if number < page.page_count else "",
        }

    # pages -----------------------------------------------------------------------
    def context(self, page: Page) -> dict[str, Any]:
        return getattr(self, f"_{page.kind}")(page)

    def _root(self, page: Page) -> dict[str, Any]:
        default = self.config.site.default_language
        name = self.config.clinic.name.get(default)
        context = self.common(page, name, self.describer.describe(page), json_ld=home_json_ld(self.config, self.urls, default))
        context["choices"] = [{
            "lang": language.code, "name": language.name, "title": language.title,
            "description": language.description, "href": self.urls.href(self.urls.home(language.code)),
        } for language in self.config.languages]
        return context

    def _home(self, page: Page) -> dict[str, Any]:
        language = self.config.language(page.lang)
        t = self.strings[page.lang]
        title = language.title if page.page_number == 1 else t("list.page_title", title=language.title, page=page.page_number)
        context = self.common(page, title, self.describer.describe(page),
                              json_ld=home_json_ld(self.config, self.urls, page.lang) if page.page_number == 1 else ())
        context.update(heading=language.title, intro=language.description, cards=[self.card(p) for p in page.posts],
                       pagination=self.pagination(page, lambda n: self.urls.home(page.lang, n)))
        return context

    def _tag(self, page: Page) -> dict[str, Any]:
        t, group = self.strings[page.lang], page.group
        heading = t("tag.title", tag=group.name)
        title = heading if page.page_number == 1 else t("list.page_title", title=heading, page=page.page_number)
        context = self.common(page, title, self.describer.describe(page))
        context.update(heading=heading, intro=self.describer.tag_description(page.lang, group),
                       cards=[self.card(p) for p in page.posts],
                       feed_href=self.urls.href(self.urls.tag_feed(page.lang, group.key)),
                       pagination=self.pagination(page, lambda n: self.urls.tag(page.lang, group.key, n)))
        return context

    def _tags(self, page: Page) -> dict[str, Any]:
        t = self.strings[page.lang]
        context = self.common(page, t("tags.title"), self.describer.describe(page))
        context.update(heading=t("tags.title"), tags=[
            {"name": g.name, "href": self.urls.href(self.urls.tag(page.lang, g.key)), "count": g.count}
            for g in page.topics])
        return context

    def _series(self, page: Page) -> dict[str, Any]:
        group = page.group
        info = self.config.series_info(group.key)
        fallback = self.config.site.default_language
        intro = info.description.get(page.lang, fallback) if info and info.description else ""
        context = self.common(page, group.name, self.describer.describe(page))
        context.update(heading=group.name, intro=intro, cards=[self.card(p) for p in page.posts])
        return context

    def _author(self, page: Page) -> dict[str, Any]:
        t, author = self.strings[page.lang], self.config.author(page.group.key)
        person = self.person(author, page)
        title = person["name"] if page.page_number == 1 else t("list.page_title", title=person["name"],
                                                                  page=page.page_number)
        context = self.common(page, title, self.describer.describe(page), image=author.image, image_alt=person["name"])
        context.update(heading=person["name"], person=person, cards=[self.card(p) for p in page.posts],
                       image=self.images.published(author.image),
                       pagination=self.pagination(page, lambda n: self.urls.author(page.lang, author.id, n)))
        return context

    def _privacy(self, page: Page) -> dict[str, Any]:
        t = self.strings[page.lang]
        context = self.common(page, t("privacy.title"), self.describer.describe(page))
        context.update(heading=t("privacy.title"), privacy=privacy_context(self.config, page.lang, t))
        return context

    def _search(self, page: Page) -> dict[str, Any]:
        """The search page: a form that works without scripts, and what search.js needs to answer it."""
        t = self.strings[page.lang]
        context = self.common(page, t("search.title"), self.describer.describe(page))
        context.update(heading=t("search.title"), search={
            "bundle": self.urls.href(self.urls.search_bundle()), "rules": self.asset_hrefs.get("search-rules_json", ""),
            "script": self.asset_hrefs.get("search_js", ""),
            "messages": {**{key: _forms(t.table[f"search.{key}"])["other"] for key in SEARCH_MESSAGES},
                         "count": _forms(t.table["search.count"])}})
        return context

    def _not_found(self, page: Page) -> dict[str, Any]:
        t = self.strings[self.config.site.default_language]
        context = self.common(page, t("404.title"), self.describer.describe(page))
        context["messages"] = [{"lang": lang, "t": self.strings[lang],
                                "home_href": self.urls.href(self.urls.home(lang))}
                               for lang in self.config.language_codes]
        return context

    def _post(self, page: Page) -> dict[str, Any]:
        post, urls, series = page.post, self.urls, page.series
        t, html = self.strings[post.lang], self.html[post.source]
        images = self.markup(page.images)
        locale = self.config.language(post.lang).locale
        home = (self.config.language(post.lang).title, urls.home(post.lang))
        if series:
            middle = (series.name, urls.series(post.lang, series.key))
        elif page.tag_links:
            first = page.tag_links[0]
            middle = (first.name, urls.tag(post.lang, first.key))
        else:
            middle = None
        trail = [home] + ([middle] if middle else []) + [(post.title, page.path)]
        preview = images.preview(post.image, page.path) if post.image else None
        json_ld = post_json_ld(self.config, urls, post, html.body.word_count, trail,
                               tuple((q, images.feed(a, page.path)) for q, a in html.faq),
                               series.name if series else "", preview)
        description = self.describe(post)
        cover = images.cover(post.image, post.image_alt, page.path) if post.image else ""
        context = self.common(page, post.title, description, images, image=post.image, image_alt=post.image_alt,
                              json_ld=json_ld)
        author = self.config.author(post.author) if post.author else None
        reviewer = self.config.author(post.reviewed_by) if post.reviewed_by else None
        comments = comments_context(self.config, urls, post, t)
        context.update(
            breadcrumb=[{"name": name, "href": urls.href(path)} for name, path in trail],
            post={
                "title": post.title,
                "html": images.body(html.body.html, page.path, first=not cover),
                "date_iso": post.date.isoformat(),
                "date": localized_date(post.date, locale),
                "updated_iso": post.updated.isoformat() if post.updated else "",
                "updated": localized_date(post.updated, locale) if post.updated else "",
                "reviewed": localized_date(post.last_reviewed, locale) if reviewer and post.last_reviewed else "",
                "reading_time": self.reading_time(post),
                "author": self.person(author, page) if author else None,
                "reviewer": self.person(reviewer, page) if reviewer else None,
                "tags": self.tag_links(post.lang, page.tag_links),
                "image": images.published(post.image),
                "image_alt": post.image_alt,
                "cover": Markup(cover),
                "faq": [{"question": q, "answer": images.body(a, page.path, first=False)} for q, a in html.faq],
                "translations": [{"lang": lang, "name": self.config.language(lang).name, "href": urls.href(path)}
                                 for lang, path in page.alternates if lang != post.lang],
            },
            series=self._series_nav(series, page) if series else None,
            comments=comments,
            share=share_context(self.config, urls, post, t),
            cta=self._call_to_action(post.lang, comments is not None),
        )
        return context

    def _call_to_action(self, lang: str, comments: bool) -> dict[str, Any] | None:
        """The box under a post: it invites a comment only when a comment section follows it, offers the ways
        to reach the clinic that [clinic] gives, and is left out when there is neither."""
        t, clinic = self.strings[lang], self.config.clinic
        actions = [{"href": href, "label": label} for href, label in (
            (clinic.contact_url, t("cta.contact")),
            (clinic.kakao_channel, t("cta.kakao_channel")),
            (telephone_href(clinic.telephone), t("cta.call", telephone=clinic.telephone)),
            ("mailto:" + clinic.email if clinic.email else "", t("cta.email", email=clinic.email))) if href]
        if not comments and not actions:
            return None
        key = "cta.comment_or_contact" if comments and actions else "cta.comment" if comments else "cta.get_in_touch"
        return {"text": t(key, clinic=clinic.name.get(lang, self.config.site.default_language)), "actions": actions}

    def _series_nav(self, series: SeriesNav, page: Page) -> dict[str, Any]:
        t, urls, parts = self.strings[page.lang], self.urls, series.parts
        index = next(i for i, part in enumerate(parts) if part.path == page.path)

        def link(other: SeriesPart | None) -> dict[str, str] | None:
            if other is None:
                return None
            return {"title": other.title, "href": urls.href(other.path),
                    "part": t("series.part_short", part=other.part)}

        # A long series lists its first and last parts and those around this one, not all of them.
        count, here = len(parts), index + 1
        shown = set(range(1, count + 1)) if count <= SERIES_NAV_FULL else (
            {1, 2, count - 1, count} | set(range(max(1, here - 3), min(count, here + 3) + 1)))
        return {
            "name": series.name,
            "href": urls.href(urls.series(page.lang, series.key)),
            "label": t("series.part_of", part=here, total=count),
            "previous": link(parts[index - 1] if index > 0 else None),
            "next": link(parts[index + 1] if index + 1 < count else None),
            "parts": [{"title": p.title, "href": urls.href(p.path), "current": number == here,
                       "part": t("series.part_short", part=p.part), "number": number,
                       "gap_before": number - 1 not in shown and number > 1}
                      for number, p in enumerate(parts, start=1) if number in shown],
        }
