"""The [search] table of site.toml: the site search (generator/search/ builds its index).

    [search]
    enabled = true          # false: no index, no search page, no search box
    [search.weights]        # how much a word counts where it stands, from 0 to 10 (Pagefind weights)
    title = 7.0

config/loader.py calls read_search() with its section reader; this module never imports the loader.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

MAX_WEIGHT = 10.0


@dataclass(frozen=True, slots=True)
class SearchWeights:
    """How much a word found in each part of a post counts (Pagefind gives unweighted text 1)."""

    title: float = field(default=7.0, metadata={"doc": "The post's title"})
    headings: float = field(default=5.0, metadata={"doc": "Headings in the body"})
    tags: float = field(default=4.0, metadata={"doc": "The post's tags and series"})
    description: float = field(default=3.0, metadata={"doc": "The front-matter description"})
    faq: float = field(default=2.0, metadata={"doc": "FAQ questions and answers"})
    body: float = field(default=1.0, metadata={"doc": "The rest of the body"})


@dataclass(frozen=True, slots=True)
class SearchConfig:
    enabled: bool = field(default=True, metadata={"doc": "Build the search index, the search pages and the header box"})
    weights: SearchWeights = field(default_factory=SearchWeights, metadata={"doc": "[search.weights]"})


def read_search(reader: Any, data: dict) -> SearchConfig | None:
    """[search] and [search.weights] read with the loader's section reader; a weight is a number from 0 to 10."""
    table = reader.check_table(data.get("search", {}), ("search",))
    if table is None:
        return None
    search = reader.read(SearchConfig, table, ("search",), preset={"weights": None}, skip=("weights",))
    weights = reader.check_table(table.get("weights", {}), ("search", "weights"))
    if search is None or weights is None:
        return None
    names = [f.name for f in fields(SearchWeights)]
    reader.unknown_keys(weights, names, ("search", "weights"))
    values = {}
    for name, value in weights.items():
        if name not in names:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_WEIGHT:
            reader.fail(("search", "weights", name), f"'search.weights.{name}' must be a number from 0 to "
                        f"{MAX_WEIGHT:g}, got {value!r}", f"{name} = {getattr(SearchWeights(), name):g}")
            continue
        values[name] = float(value)
    return SearchConfig(enabled=search.enabled, weights=SearchWeights(**values))
