"""RSS 2.0 and Atom 1.0 feeds per language, and an RSS feed per tag, with feedgen.

Feed readers show some elements as HTML and others as text, and text from posts and site.toml
(titles, descriptions, tag, series and author names) must read the same either way:

- HTML elements (RSS <description> and content:encoded, Atom content and summary of type "html",
  the RSS channel <description>) get the text HTML-escaped, so '<3 months' stays text.
- Atom text constructs (titles, subtitle, names) and RSS elements readers take as text (category,
  dc:creator) get the text as it is; XML escaping is enough there.
- RSS titles are text by the RSS Best Practices Profile, but readers guess (feedparser takes a
  title with a closing tag or a character reference for HTML): see rss_title().

A feed is rendered from its FeedPlan alone, besides the configuration and the posts' rendered bodies,
so the plan is what decides whether the feed must be written again (see outputs/catalog.py).
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from html import escape, unescape
from datetime import datetime, timezone
from itertools import islice
from typing import Mapping
from urllib.parse import urlsplit

import lxml.html
from lxml.html.builder import IMG
from feedgen.feed import FeedGenerator

from generator.config.loader import SiteConfig
from generator.images.markup import ImageMarkup, ImageSet
from generator.markup.markdown import PostHtml
from generator.content.models import OutputFile, Post
from generator.render.descriptions import PageDescriber, clip
from generator.site.feed_groups import feed_groups
from generator.site.model import Site
from generator.site.urls import Urls

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
SUMMARY_WIDTH = 300  # a summary made from the body when a post has no description
_MARKUP = re.compile(r"<[A-Za-z/!?]|&#?\w+;")


def html_text(text: str) -> str:
    """Plain text for an element that readers show as HTML."""
    return escape(text, quote=False)


def rss_title(text: str) -> str:
    """An RSS title that every reader shows as written. Text that reads the same as HTML and as plain
    text ('Q&A', '<3 months', 'a < b') is kept as it is; text an HTML reading would change (a tag, a
    character reference) is HTML-escaped, as the readers that treat it as HTML need."""
    if _MARKUP.search(text) or unescape(text) != text:
        return html_text(text)
    return text


def entry_id(urls: Urls, post: Post) -> str:
    """Stable across rebuilds, title edits and slug changes: derived from host, language and translation key."""
    host = urlsplit(urls.base_url).netloc
    return uuid.uuid5(uuid.NAMESPACE_URL, f"clinicpress:{host}/{post.lang}/{post.translation_key}").urn


def absolute_html(html: str, page_url: str) -> str:
    """Feed readers show content out of context: every link and image must be absolute."""
    if not html.strip():
        return html
    fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    fragment.make_links_absolute(page_url, resolve_base_href=False)
    inner = escape(fragment.text or "", quote=False)
    return inner + "".join(lxml.html.tostring(child, encoding="unicode") for child in fragment)


@dataclass(frozen=True, slots=True)
class FeedPlan:
    """One feed file: where it goes, what it is called and which posts it may show."""

    path: str
    format: str  # "rss" | "atom"
    lang: str
    title: str
    description: str
    link_path: str
    posts: tuple[Post, ...]  # newest first; the feed shows the first [feeds] limit
    images: tuple[tuple, ...] = ()  # for each post, the processed images it may show (images/markup.py)


def plan_feeds(site: Site, strings: Mapping, shown: Mapping[str, tuple] | None = None) -> list[FeedPlan]:
    """Every feed; shown: post.source -> the processed images the post may show."""
    urls, limit, shown = site.urls, site.config.feeds.limit, shown or {}
    describer = PageDescriber(site.config, strings)
    languages = {language.code: language for language in site.config.languages}
    plans = []
    for path, kind, lang, group in feed_groups(site):
        language = languages[lang]
        if group is None:
            title, description, link, posts = (language.title, language.description, urls.home(lang),
                                               site.posts[lang])
        else:
            title = strings[lang]("feed.tag_title", title=language.title, tag=group.name)
            description, link = describer.tag_feed_description(lang, group), urls.tag(lang, group.key)
            posts = group.posts
        # Drafts and future posts that --drafts and --future add are previews: feed readers never get them.
        posts = tuple(islice((post for post in posts if not site.is_preview(post)), limit))
        plans.append(FeedPlan(path, kind, lang, title, description, link, posts,
                              tuple(shown.get(post.source, ()) for post in posts)))
    return plans


class FeedRenderer:
    def __init__(self, config: SiteConfig, urls: Urls, html: Mapping[str, PostHtml]):
        self.config, self.urls, self.html = config, urls, html
        self._contents: dict[str, str] = {}  # a post appears in its language feed and each tag's feed

    def content(self, post: Post, images: tuple) -> str:
        """The post's full content, its pictures made from images (the processed images it may show)."""
        if post.source not in self._contents:
            self._contents[post.source] = self._content(post, ImageMarkup(ImageSet.of(images), self.urls,
                                                                          self.config.images))
        return self._contents[post.source]

    def _content(self, post: Post, markup: ImageMarkup) -> str:
        page = self.urls.post(post.lang, post.slug)
        page_url = self.urls.absolute(page)
        body = markup.feed(self.html[post.source].body.html, page)
        if post.image:
            record = markup.record(post.image, page)
            cover = markup.feed_image(record, post.image_alt) if record else lxml.html.tostring(
                IMG(src=self.urls.asset(post.image), alt=post.image_alt), encoding="unicode")
            body = f"<p>{cover}</p>\n{body}"
        return absolute_html(body, page_url)

    def summary(self, post: Post) -> str:
        return post.description or clip(" ".join(self.html[post.source].body.text.split()), SUMMARY_WIDTH)

    def render(self, plan: FeedPlan) -> OutputFile:
        urls, lang, rss = self.urls, plan.lang, plan.format == "rss"
        fg = FeedGenerator()
        fg.load_extension("dc")
        fg.id(urls.absolute(plan.path))
        fg.title(rss_title(plan.title) if rss else plan.title)
        # One value for both: the RSS channel <description> is HTML, the Atom <subtitle> text.
        subtitle = plan.description or plan.title
        fg.subtitle(html_text(subtitle) if rss else subtitle)
        # feedgen uses the last link as RSS <link>: the page, not the feed itself.
        fg.link(href=urls.absolute(plan.path), rel="self")
        fg.link(href=urls.absolute(plan.link_path), rel="alternate")
        fg.language(lang)
        clinic_name = self.config.clinic.name.get(lang, self.config.site.default_language)
        fg.author({"name": clinic_name})
        fg.generator("ClinicPress", uri="https://pypi.org/project/clinicpress/")
        if self.config.clinic.logo:
            fg.logo(urls.asset(self.config.clinic.logo))
        # Feed dates come from the content, never the clock, so rebuilds are byte-identical.
        newest = max((p.modified for p in plan.posts), default=EPOCH)
        fg.updated(newest)
        fg.lastBuildDate(newest)
        for post, images in zip(plan.posts, plan.images or [()] * len(plan.posts)):
            entry = fg.add_entry(order="append")
            post_url = urls.absolute(urls.post(post.lang, post.slug))
            entry.id(entry_id(urls, post))
            entry.guid(entry_id(urls, post), permalink=False)
            entry.title(rss_title(post.title) if rss else post.title)
            entry.link(href=post_url, rel="alternate")
            entry.published(post.date)
            entry.updated(post.modified)
            entry.summary(html_text(self.summary(post)), type="html")  # also the RSS <description>
            if self.config.feeds.full_content:
                entry.content(self.content(post, images), type="html")
            author = self.config.author(post.author) if post.author else None
            if author:
                name = author.name.get(lang, self.config.site.default_language)
                entry.author({"name": name, **({"uri": author.url} if author.url else {})})
                entry.dc.dc_creator(name)
            if post.tags:  # one call: feedgen's per-call category merge is quadratic
                entry.category([{"term": tag, "label": tag} for tag in post.tags])
        data = fg.rss_str(pretty=True) if rss else fg.atom_str(pretty=True)
        return OutputFile(plan.path, data)
