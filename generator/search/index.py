"""The search stage: every published post in the index, in its language, Korean split by the analyzer.

Drafts and future posts are never indexed, even in a build that publishes them (--drafts, --future):
the index is what readers of the published site search. The bundle is made again only when something
it holds changed: its key is a digest of the posts' files and rendered bodies (by their cache keys),
what each record shows (address, date, tag and series names), the weights, the code and libraries
(Pagefind's among them) and the analyzer's version."""
from __future__ import annotations

from typing import Sequence

from generator.check.korean import analyzer, analyzer_version
from generator.config.search import SearchWeights
from generator.content.models import Post
from generator.content.posts import is_published
from generator.incremental.identity import Fingerprinter, code_identity
from generator.markup.post_bodies import BodyStore
from generator.search.bundle import BundleFile, SearchCache
from generator.search.documents import SearchSource, build_document, source_parts
from generator.search.words import WordSplitter, analyse, decomposed, hangul_runs, vocabulary
from generator.site.model import Site
from generator.site.strings import localized_date


def indexed_posts(site: Site) -> tuple[Post, ...]:
    """The posts the index holds: published ones only, whatever the build shows."""
    return tuple(post for post in site.all_posts() if is_published(post, site.now, drafts=False, future=False))


def _record(site: Site, post: Post) -> tuple[str, str, tuple[str, ...], str]:
    """What a post's record shows besides the post's own fields: address, date, tag and series names."""
    series = site.group("series", post.lang, post.series) if post.series else None
    return (site.urls.href(site.urls.post(post.lang, post.slug)),
            localized_date(post.date, site.config.language(post.lang).locale),
            tuple(site.tag_group(post.lang, tag).name for tag in post.tags), series.name if series else "")


def search_sources(site: Site, bodies: BodyStore, posts: Sequence[Post]) -> list[SearchSource]:
    sources = []
    for post in posts:
        url, date, tags, series = _record(site, post)
        html = bodies[post.source]
        sources.append(SearchSource(url, post.lang, post.title, date, post.description, tags, series,
                                    html.body.html, html.faq))
    return sources


def build_documents(sources: Sequence[SearchSource], weights: SearchWeights, cache: SearchCache | None = None,
                    korean: bool = True) -> list[tuple[str, str]]:
    """(url, page) for Pagefind; korean=False gives the text as Pagefind would take it alone (split on
    spaces, Hangul as syllables)."""
    parts = [source_parts(source) for source in sources]
    if korean:
        runs = hangul_runs(text for found in parts for _, text in found)
        kiwi, version = (analyzer(), analyzer_version()) if runs else (None, "")
        memo = cache.analyses(version) if cache else {}
        missing = sorted(run for run in runs if run not in memo)
        if missing and kiwi is not None:
            memo.update(analyse(missing, kiwi))
            if cache:
                cache.store_analyses(version, memo, runs)
        split, spell = WordSplitter(memo, vocabulary(memo, runs & memo.keys())).split, decomposed
    else:
        split, spell = plain_split, str
    return [(source.url, build_document(source, found, weights, split, spell)) for source, found in zip(sources, parts)]


def plain_split(text: str) -> str:
    return " ".join(text.split())


def index_site(site: Site, bodies: BodyStore, cache: SearchCache) -> tuple[BundleFile, ...]:
    """The search bundle's files for the site (none when [search] is off), made again only when what
    the index holds changed."""
    config = site.config
    if not config.search.enabled:
        return ()
    posts = indexed_posts(site)
    key = Fingerprinter()(code_identity(), analyzer_version(), config.search.weights,
                          [(post, bodies.keys[post.source], _record(site, post)) for post in posts])
    found = cache.bundle(key)
    if found is not None:
        return found
    documents = build_documents(search_sources(site, bodies, posts), config.search.weights, cache)
    return cache.make_bundle(key, documents)

