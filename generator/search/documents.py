"""What the search index holds of each published post: its text by part (title, tags and series,
description, headings, body, FAQ), and the page Pagefind reads it from.

Pagefind weighs a word by the element it stands in (data-pagefind-weight), so each part becomes an
element of its own with the weight [search.weights] gives it. The title and date shown with a result are
Pagefind metadata, and the tags and series are Pagefind filters (the results show the tags); they sit
in an element that is not indexed a second time. The title and the tags come first, so a result's
excerpt starts after as many words as they have (search.js counts them from the metadata and filters)."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

import lxml.html

from generator.config.search import SearchWeights
from generator.search.words import Splitter

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Elements whose text is a block of its own: their words never run into the words around them.
BLOCKS = frozenset({"p", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th", "blockquote", "pre",
                    "div", "figure", "figcaption", "details", "summary", "section", "br", "hr"})
SKIPPED = frozenset({"script", "style", "template"})


@dataclass(frozen=True, slots=True)
class SearchSource:
    """One published post as the index shows it: everything here goes into its record, nothing else does."""

    url: str  # the post page's link (with the site's base path)
    lang: str
    title: str
    date: str  # the date as the post page shows it
    description: str
    tags: tuple[str, ...]  # as the tag pages name them
    series: str  # the series' name, or ""
    body_html: str
    faq: tuple[tuple[str, str], ...]  # (question, answer HTML)


def html_parts(html: str, heading: str = "headings", text: str = "body") -> list[tuple[str, str]]:
    """The text of rendered HTML as (part, text) blocks in reading order, the descriptions of images
    among them; headings apart from the rest."""
    if not html.strip():
        return []
    parts: list[tuple[str, str]] = []
    pending: list[str] = []

    def flush() -> None:
        words = "".join(pending).split()
        pending.clear()
        if words:
            parts.append((text, " ".join(words)))

    def walk(element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in HEADINGS:
            flush()
            words = element.text_content().split()
            if words:
                parts.append((heading, " ".join(words)))
        elif tag == "img":  # what a photo shows, as its description says: a block of its own
            words = (element.get("alt") or "").split()
            if words:
                flush()
                parts.append((text, " ".join(words)))
        elif tag and tag not in SKIPPED:
            block = tag in BLOCKS
            if block:
                flush()
            pending.append(element.text or "")
            for child in element:
                walk(child)
                pending.append(child.tail or "")
            if block:
                flush()

    walk(lxml.html.fragment_fromstring(html, create_parent="div"))
    flush()
    return parts


def source_parts(source: SearchSource) -> list[tuple[str, str]]:
    """Every text of a post the index holds, as (part of the post, text), in reading order."""
    parts = [("title", source.title), ("tags", " ".join((*source.tags, source.series))),
             ("description", source.description)]
    parts += html_parts(source.body_html)
    for question, answer in source.faq:
        parts.append(("faq", question))
        parts += html_parts(answer, heading="faq", text="faq")
    return [(part, text) for part, text in parts if text.strip()]


def build_document(source: SearchSource, parts: list[tuple[str, str]], weights: SearchWeights,
                   split: Splitter, spell: Splitter = str) -> str:
    """The page Pagefind indexes for one post from its source_parts(): split turns text into the index's
    words, spell writes the words Pagefind indexes (text and metadata; the filters are only shown)."""
    blocks = [f'<div data-pagefind-weight="{getattr(weights, part):g}">{escape(spell(split(text)), quote=False)}</div>'
              for part, text in parts]
    meta = [f'<span data-pagefind-meta="title">{escape(spell(source.title), quote=False)}</span>',
            f'<span data-pagefind-meta="date">{escape(spell(source.date), quote=False)}</span>']
    meta += [f'<span data-pagefind-filter="tag">{escape(tag, quote=False)}</span>' for tag in source.tags]
    if source.series:
        meta.append(f'<span data-pagefind-filter="series">{escape(source.series, quote=False)}</span>')
    return (f'<!doctype html><html lang="{escape(source.lang)}"><head><meta charset="utf-8"></head><body>'
            + "".join(blocks) + f'<div data-pagefind-ignore>{"".join(meta)}</div></body></html>')
