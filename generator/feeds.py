"""RSS 2.0 and Atom 1.0 feeds per language, and an RSS feed per tag, with feedgen."""
from __future__ import annotations

import uuid
from html import escape
from datetime import datetime, timezone
from typing import Mapping
from urllib.parse import urlsplit

import lxml.html
from lxml.html.builder import IMG
from feedgen.feed import FeedGenerator

from .markup import PostHtml
from .models import OutputFile, Post
from .site_model import Site

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def entry_id(site: Site, post: Post) -> str:
    """Stable across rebuilds, title edits and slug changes: derived from host, language and translation key."""
    host = urlsplit(site.urls.base_url).netloc
    return uuid.uuid5(uuid.NAMESPACE_URL, f"clinicpress:{host}/{post.lang}/{post.translation_key}").urn


def absolute_html(html: str, page_url: str) -> str:
    """Feed readers show content out of context: every link and image must be absolute."""
    if not html.strip():
        return html
    fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    fragment.make_links_absolute(page_url, resolve_base_href=False)
    inner = escape(fragment.text or "", quote=False)
    return inner + "".join(lxml.html.tostring(child, encoding="unicode") for child in fragment)


class _FeedWriter:
    def __init__(self, site: Site, html: Mapping[str, PostHtml]):
        self.site, self.html, self.urls = site, html, site.urls
        self.config = site.config

    def content(self, post: Post) -> str:
        page_url = self.urls.absolute(self.urls.post(post.lang, post.slug))
        body = self.html[post.source].body.html
        if post.image:
            cover = lxml.html.tostring(IMG(src=self.urls.asset(post.image), alt=post.image_alt),
                                       encoding="unicode")
            body = f"<p>{cover}</p>\n{body}"
        return absolute_html(body, page_url)

    def generator(self, lang: str, title: str, description: str, link_path: str, self_path: str,
                  posts: tuple[Post, ...]) -> FeedGenerator:
        urls = self.urls
        shown = posts[: self.config.feeds.limit]
        fg = FeedGenerator()
        fg.load_extension("dc")
        fg.id(urls.absolute(self_path))
        fg.title(title)
        fg.subtitle(description or title)
        fg.description(description or title)
        # feedgen uses the last link as RSS <link>: the page, not the feed itself.
        fg.link(href=urls.absolute(self_path), rel="self")
        fg.link(href=urls.absolute(link_path), rel="alternate")
        fg.language(lang)
        clinic_name = self.config.clinic.name.get(lang, self.config.site.default_language)
        fg.author({"name": clinic_name})
        fg.generator("ClinicPress", uri="https://pypi.org/project/clinicpress/")
        if self.config.clinic.logo:
            fg.logo(urls.asset(self.config.clinic.logo))
        # Feed dates come from the content, never the clock, so rebuilds are byte-identical.
        fg.updated(max((p.modified for p in posts), default=EPOCH))
        fg.lastBuildDate(max((p.modified for p in posts), default=EPOCH))
        for post in shown:
            entry = fg.add_entry(order="append")
            post_url = urls.absolute(urls.post(post.lang, post.slug))
            entry.id(entry_id(self.site, post))
            entry.guid(entry_id(self.site, post), permalink=False)
            entry.title(post.title)
            entry.link(href=post_url, rel="alternate")
            entry.published(post.date)
            entry.updated(post.modified)
            summary = post.description or self.html[post.source].body.text[:300]
            entry.description(summary)
            if self.config.feeds.full_content:
                entry.content(self.content(post), type="html")
            author = self.config.author(post.author) if post.author else None
            if author:
                name = author.name.get(lang, self.config.site.default_language)
                entry.author({"name": name, **({"uri": author.url} if author.url else {})})
                entry.dc.dc_creator(name)
            for tag in post.tags:
                entry.category(term=tag, label=tag)
        return fg


def build_feeds(site: Site, html: Mapping[str, PostHtml], strings: Mapping) -> list[OutputFile]:
    writer, urls, outputs = _FeedWriter(site, html), site.urls, []
    for language in site.config.languages:
        lang, posts = language.code, site.posts[language.code]
        rss = writer.generator(lang, language.title, language.description, urls.home(lang), urls.rss(lang), posts)
        outputs.append(OutputFile(urls.rss(lang), rss.rss_str(pretty=True)))
        atom = writer.generator(lang, language.title, language.description, urls.home(lang), urls.atom(lang), posts)
        outputs.append(OutputFile(urls.atom(lang), atom.atom_str(pretty=True)))
        t = strings[lang]
        for group in site.tags[lang]:
            title = t("feed.tag_title", title=language.title, tag=group.name)
            feed = writer.generator(lang, title, t("tag.description", tag=group.name, count=len(group.posts)),
                                    urls.tag(lang, group.key), urls.tag_feed(lang, group.key), group.posts)
            outputs.append(OutputFile(urls.tag_feed(lang, group.key), feed.rss_str(pretty=True)))
    return outputs
