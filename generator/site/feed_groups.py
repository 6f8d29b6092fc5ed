"""Which feeds a site has and where: what the feeds stage writes and what `check` lets a link point to,
without the libraries that write feeds."""
from __future__ import annotations

from typing import Iterator

from generator.site.model import Group, Site


def feed_groups(site: Site) -> Iterator[tuple[str, str, str, Group | None]]:
    """(path, format, language, tag or None) of every feed, in a fixed order: the one list of the feeds,
    which plan_feeds titles and `check` takes for addresses a link may point to."""
    urls = site.urls
    for lang in site.config.language_codes:
        yield urls.rss(lang), "rss", lang, None
        yield urls.atom(lang), "atom", lang, None
        for group in site.tags[lang]:
            yield urls.tag_feed(lang, group.key), "rss", lang, group
