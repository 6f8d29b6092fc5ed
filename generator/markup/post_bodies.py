"""Rendered post bodies for a build: Markdown rendered in worker processes, reused from the cache
when the body and the Markdown settings are unchanged, loaded lazily so rebuilds stay light."""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from generator.incremental.cache import BuildCache
from generator.incremental.identity import code_identity, fingerprint
from generator.config.loader import MarkdownConfig
from generator.markup.markdown import Origin, PostHtml, make_markdown, render_post, render_post_html
from generator.content.models import Post
from generator.site.model import Site
from generator.workers import iter_parallel

STORE_BATCH = 200
PROGRESS_STEP = 50


@dataclass(frozen=True, slots=True)
class Summary:
    word_count: int
    excerpt: str


def settings_key(settings: MarkdownConfig) -> str:
    return fingerprint(code_identity(), settings)


def body_key(key_of_settings: str, post: Post) -> str:
    # The whole file's digest stands for its body and FAQ: no need to hash every body again.
    return fingerprint(key_of_settings, post.digest)


class BodyPrerenderer:
    """Markdown rendered by the workers that parse the posts, right after each is read, so a cold build
    makes one pass over the posts instead of two. The bodies go into the cache, where render_bodies
    finds them."""

    def __init__(self, settings: MarkdownConfig, cache: BuildCache, wanted: Callable[[Post], bool]):
        self.settings, self.key, self.md = settings, settings_key(settings), make_markdown(settings)
        self.cache, self.wanted, self.batch = cache, wanted, {}

    def __call__(self, post: Post) -> tuple[str, PostHtml] | None:  # in a worker
        if not self.wanted(post):
            return None
        return body_key(self.key, post), render_post(post, self.settings, self.md)

    def keep(self, result: tuple[str, PostHtml] | None) -> None:  # in the main process
        if result is not None:
            self.batch[result[0]] = result[1]
            if len(self.batch) >= STORE_BATCH:
                self.flush()

    def flush(self) -> None:
        self.cache.store_bodies(self.batch)
        self.batch = {}


def _render(state: tuple, item: tuple) -> tuple[str, PostHtml]:
    settings, md = state  # one Markdown instance per process: building one costs more than a short post
    key, body_data, faq, origin = item
    return key, render_post_html(body_data.decode("utf-8"), faq, settings, md, origin)


class BodyStore:
    """post.source -> PostHtml, and cheap summaries (word count, excerpt) for lists. Bodies are read
    from the cache as pages ask for them and only the latest few are kept: each post page needs its
    own, and a worker that kept every body it read would hold half the site's (100 MB at 10,000 posts)."""

    RECENT = 256

    def __init__(self, site: Site, keys: dict[str, str], summaries: dict[str, Summary], cache: BuildCache):
        self.keys, self.summaries, self._cache = keys, summaries, cache
        self._recent: OrderedDict[str, PostHtml] = OrderedDict()
        self._site = site

    def summary(self, source: str) -> Summary:
        return self.summaries[self.keys[source]]

    def __getitem__(self, source: str) -> PostHtml:
        key = self.keys[source]
        found = self._recent.get(key)
        if found is None:
            found = self._cache.bodies([key]).get(key)
            if found is None:  # a damaged cache entry: render it again
                post = next(p for p in self._site.all_posts() if p.source == source)
                found = render_post(post, self._site.config.markdown)
            self._recent[key] = found
            if len(self._recent) > self.RECENT:
                self._recent.popitem(last=False)
        return found


def render_bodies(site: Site, cache: BuildCache, jobs: int,
                  progress: Callable[[str, int, int], None] | None = None) -> BodyStore:
    settings = site.config.markdown
    key_of_settings = settings_key(settings)
    keys = {post.source: body_key(key_of_settings, post) for post in site.all_posts()}
    summaries = {key: Summary(words, excerpt) for key, (words, excerpt) in cache.summaries(list(set(keys.values()))).items()}
    missing: dict[str, tuple] = {}
    for post in site.all_posts():
        key = keys[post.source]
        if key not in summaries and key not in missing:
            missing[key] = (key, post.body_data, post.faq, Origin.of(post))  # bytes: decoded in the worker
    # Rendered bodies go straight into the cache database, so the build never holds them all at once.
    batch: dict[str, PostHtml] = {}
    for done, (key, html) in enumerate(iter_parallel(_render, (settings, make_markdown(settings)),
                                                     list(missing.values()), jobs), start=1):
        summaries[key] = Summary(html.body.word_count, html.body.text)
        if progress and done % PROGRESS_STEP == 0:
            progress("rendering Markdown", done, len(missing))
        batch[key] = html
        if len(batch) >= STORE_BATCH:
            cache.store_bodies(batch)
            batch = {}
    cache.store_bodies(batch)
    cache.forget_bodies_except(set(keys.values()))
    return BodyStore(site, keys, summaries, cache)
