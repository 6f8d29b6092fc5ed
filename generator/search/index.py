"""The search stage: every published post in the index, in its language, Korean split by the analyzer.

Drafts and future posts are never indexed, even in a build that publishes them (--drafts, --future):
the index is what readers of the published site search. A post's record is made again only when what
it is made from changed: the post's rendered body and fields (by their cache keys), what the record
shows (address, date, tag and series names), the weights, the code and libraries and the analyzer's
version, or the nouns it splits into (records.py). Pagefind indexes each language apart, and only a
language whose records changed; the languages' indexes make one bundle."""
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
from generator.search.records import RecordStore, Wanted
from generator.search.words import WordSplitter, analyse, decomposed, hangul_runs, run_nouns
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


def plain_documents(sources: Sequence[SearchSource], weights: SearchWeights) -> list[tuple[str, str]]:
    """(url, page) as Pagefind would take the posts alone (split on spaces, Hangul as syllables): what the
    Korean processing is measured against."""
    return [(source.url, build_document(source, source_parts(source), weights, plain_split, str)) for source in sources]


def plain_split(text: str) -> str:
    return " ".join(text.split())


class Analyses:
    """Kiwi's analyses of the runs of Hangul the build needs, read from the search cache when first
    needed, and kept there for the next build."""

    def __init__(self, cache: SearchCache | None):
        self.cache, self._memo, self._added, self.version = cache, None, False, ""
        self._splitters: dict[frozenset[str], WordSplitter] = {}
        self._nouns: dict[str, frozenset[str]] = {}  # run -> its nouns: a run comes back in many posts

    def analysed(self, runs: set[str]) -> dict:
        """The memo, holding every run of runs the analyzer can analyse."""
        if self._memo is None:
            self.version = analyzer_version() if runs else ""
            self._memo = self.cache.analyses(self.version) if self.cache and runs else {}
        missing = sorted(run for run in runs if run not in self._memo)
        kiwi = analyzer() if missing else None
        if kiwi is not None:
            self.version = self.version or analyzer_version()
            self._memo.update(analyse(missing, kiwi))
            self._added = True
        return self._memo

    def nouns(self, runs: set[str]) -> frozenset[str]:
        """The nouns a post's runs of Hangul give to the site's vocabulary."""
        memo, known = self.analysed(runs), self._nouns
        for run in runs - known.keys():
            if run in memo:
                known[run] = run_nouns(run, memo[run])
        return frozenset().union(*(known[run] for run in runs if run in known))

    def document(self, source: SearchSource, parts: Sequence[tuple[str, str]], runs: set[str],
                 weights: SearchWeights, known: frozenset[str]) -> str:
        memo = self.analysed(runs)
        splitter = self._splitters.get(known) or self._splitters.setdefault(known, WordSplitter(memo, known))
        return build_document(source, list(parts), weights, splitter.split, decomposed)

    def save(self) -> None:
        if self._added and self.cache is not None:
            self.cache.store_analyses(self.version, self._memo)


class PostRecord:
    """A post's text for the index, read from its rendered body when its record must be made, and let go
    once it is."""

    def __init__(self, site: Site, bodies: BodyStore, post: Post, analyses: Analyses, weights: SearchWeights):
        self.site, self.bodies, self.post, self.analyses, self.weights = site, bodies, post, analyses, weights
        self._read: tuple[SearchSource, list[tuple[str, str]], set[str]] | None = None

    def _text(self) -> tuple[SearchSource, list[tuple[str, str]], set[str]]:
        if self._read is None:
            source = search_sources(self.site, self.bodies, [self.post])[0]
            parts = source_parts(source)
            self._read = (source, parts, hangul_runs(text for _, text in parts))
        return self._read

    def nouns(self) -> frozenset[str]:
        return self.analyses.nouns(self._text()[2])

    def make(self, known: frozenset[str]) -> str:
        source, parts, runs = self._text()
        self._read = None
        return self.analyses.document(source, parts, runs, self.weights, known)


def index_site(site: Site, bodies: BodyStore, cache: SearchCache) -> tuple[BundleFile, ...]:
    """The search bundle's files for the site (none when [search] is off): the records of the posts that
    changed made again, and the index of each language whose records changed."""
    config = site.config
    if not config.search.enabled:
        return ()
    weights, analyses = config.search.weights, Analyses(cache)
    digest = Fingerprinter()

    def wanted(post: Post) -> Wanted:
        record, text = _record(site, post), PostRecord(site, bodies, post, analyses, weights)
        return Wanted(record[0], post.lang, digest(weights, bodies.keys[post.source], record, post.lang),
                      text.nouns, text.make)
    with cache.locked():
        store = RecordStore(cache.folder / "records", (code_identity(), analyzer_version()))
        store.update([wanted(post) for post in indexed_posts(site)])
        analyses.save()
        languages = [lang for lang in config.language_codes if store.pages(lang).is_dir()]
        return cache.site_bundle([cache.language_bundle(lang, store.digest(lang), store.pages(lang))
                                  for lang in languages])
