"""Processed images in pages and feeds: <img> in a post's rendered body becomes a <picture> offering
every size and format, the cover too, link previews get the 1200x630 crop, feeds a mid-size copy.

Markdown stays as rendered (and cached); the picture markup is made when a page is rendered, because
it depends on the images as they are now and on the page (its first image loads first)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from types import MappingProxyType
from typing import Iterable, Iterator, Mapping

from generator.content.models import Post
from generator.images.process import ImageRecord, Variant
from generator.config.images import ImagesConfig
from generator.site.urls import Urls

FEED_WIDTH = 960  # what feed readers get: sharp on a phone, light enough for a list of full posts
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_PICTURE = re.compile(r"<(/?)picture\b", re.I)
_A_HREF = re.compile(r"""(<a\b[^>]*?\shref\s*=\s*)("[^"]*"|'[^']*')""", re.I)
# Attributes of a written <img> that the picture's <img> keeps (the sanitizer allows these).
_KEPT = ("id", "class", "title", "lang", "dir")
# A file name with an image extension anywhere in a post's Markdown: the addresses a post may show.
_IMAGE_NAME = re.compile(rb"\.(?:jpe?g|jpe|jfif|png|webp|gif|avif|heic|heif|hif|tiff?|bmp)(?![\w-])", re.I)
_DELIMITERS = frozenset(b" \t\r\n\"'()<>[]=,|*")


@dataclass(frozen=True, slots=True)
class ImageSet:
    """Processed images, by the site path of their source ('images/room.jpg'): every one of a build, or
    those one page or feed may show (see of())."""

    records: Mapping[str, ImageRecord]
    previews: Mapping[str, ImageRecord]  # link-preview crops of post covers
    shown: Mapping[str, tuple[ImageRecord, ...]] = field(default_factory=dict)  # post.source -> what it may show
    site_wide: tuple[ImageRecord, ...] = ()  # what any page may show: the clinic logo, author portraits

    @classmethod
    def of(cls, records: Iterable[ImageRecord]) -> "ImageSet":
        """The set of just these records and preview crops."""
        records = tuple(records)
        return cls(MappingProxyType({r.source: r for r in records if r.kind != "preview"}),
                   MappingProxyType({r.source: r for r in records if r.kind == "preview"}))

    @property
    def renamed(self) -> dict[str, str]:
        return {source: record.path for source, record in self.records.items() if record.path != source}


def image_targets(data: bytes) -> Iterator[tuple[int, str]]:
    """(offset, address) of everything in a post's text that names an image file: a superset of what
    its pages show, found without rendering it."""
    for match in _IMAGE_NAME.finditer(data):
        start = match.start()
        while start > 0 and data[start - 1] not in _DELIMITERS:
            start -= 1
        if start < match.start():
            yield start, data[start:match.end()].decode("utf-8", "replace")


def referenced_paths(post: Post, urls: Urls) -> list[str]:
    """Site paths of the images a post may show: its cover and every image address in its text."""
    page = Urls.post(post.lang, post.slug)
    found = [urls.resolve(post.image, page)] if post.image else []
    found += [urls.resolve(target, page) for _, target in image_targets(post.body_data)]
    for item in post.faq:
        found += [urls.resolve(target, page) for _, target in image_targets(item.answer.encode("utf-8"))]
    return sorted({path for path in found if path})


class _StartTag(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs = {name: value or "" for name, value in attrs}

    handle_startendtag = handle_starttag


def _attributes(tag: str) -> dict[str, str]:
    parser = _StartTag()
    parser.feed(tag)
    parser.close()
    return parser.attrs


def _tag(name: str, attrs: Mapping[str, str | int]) -> str:
    return f"<{name}" + "".join(f' {key}="{escape(str(value), quote=True)}"' for key, value in attrs.items()) + ">"


class ImageMarkup:
    """Picture markup for one build (used in the page-rendering workers)."""

    def __init__(self, images: ImageSet, urls: Urls, settings: ImagesConfig):
        self.images, self.urls, self.settings = images, urls, settings
        self.renamed = images.renamed

    def record(self, address: str, page_path: str = "") -> ImageRecord | None:
        path = self.urls.resolve(address, page_path) if address else None
        return self.images.records.get(path) if path is not None else None

    # pages ------------------------------------------------------------------------------------
    def picture(self, record: ImageRecord, alt: str, first: bool, written: Mapping[str, str] | None = None) -> str:
        """<picture> with a <source> per modern format and an <img> every browser shows."""
        written = written or {}
        loading = {"loading": "eager", "fetchpriority": "high"} if first else {"loading": "lazy"}
        width, height, sizes = record.width, record.height, self.settings.sizes
        if written.get("width", "").isdigit() and int(written["width"]) > 0:  # the writer chose a display width
            width = int(written["width"])
            height = max(1, round(width * record.height / record.width))
            sizes = f"{width}px"
        kept = {key: written[key] for key in _KEPT if written.get(key)}
        by_format = self._by_format(record)
        fallback = by_format[record.format]
        if record.animated:
            return _tag("img", {"src": self.urls.href(record.path), **kept, "alt": alt, "width": width,
                                "height": height, **loading, "decoding": "async"})
        sources = [_tag("source", {"type": variants[0].mime_type, "srcset": self._srcset(variants), "sizes": sizes})
                   for name, variants in by_format.items() if name in self._preferred(record)]
        img = _tag("img", {"src": self.urls.href(_mid(fallback).path), "srcset": self._srcset(fallback),
                           "sizes": sizes, **kept, "alt": alt, "width": width, "height": height, **loading,
                           "decoding": "async"})
        return "<picture>" + "".join(sources) + img + "</picture>"

    def _by_format(self, record: ImageRecord) -> dict[str, list[Variant]]:
        by_format: dict[str, list[Variant]] = {}
        for variant in record.variants:
            by_format.setdefault(variant.format, []).append(variant)
        return by_format

    def _preferred(self, record: ImageRecord) -> list[str]:
        """Formats offered before the fallback: those listed ahead of "original" in [images] formats."""
        names = list(self.settings.formats)
        ahead = names[:names.index("original")] if "original" in names else names
        return [name for name in ahead if name != record.format]

    def _srcset(self, variants: list[Variant]) -> str:
        return ", ".join(f"{self.urls.href(v.path)} {v.width}w" for v in variants)

    def cover(self, image: str, alt: str, page_path: str) -> str:
        """The post's cover as a picture; the first image of the page."""
        record = self.record(image, page_path)
        if record is None:
            return _tag("img", {"src": self.urls.href(image), "alt": alt, "loading": "eager",
                                "fetchpriority": "high", "decoding": "async"}) if image else ""
        return self.picture(record, alt, first=True)

    def body(self, html: str, page_path: str, first: bool) -> str:
        """A rendered body with every image it shows made a picture; with first, its first image loads first."""
        if "<img" not in html and "<IMG" not in html and not (self.renamed and "href" in html):
            return html
        if self.renamed:
            html = _A_HREF.sub(lambda match: self._renamed_link(match, page_path), html)
        pieces, position, depth_at = [], 0, _picture_depths(html)
        for index, match in enumerate(_IMG.finditer(html)):
            pieces.append(html[position:match.start()])
            position = match.end()
            if depth_at(match.start()):  # inside a <picture> the writer made: left as written
                pieces.append(match.group())
                continue
            attrs = _attributes(match.group())
            record = self.record(attrs.get("src", ""), page_path)
            eager = first and index == 0
            if record is None:
                if eager:
                    attrs.update(loading="eager", fetchpriority="high")
                pieces.append(_tag("img", attrs) if eager else match.group())
            else:
                pieces.append(self.picture(record, attrs.get("alt", ""), eager, attrs))
        pieces.append(html[position:])
        return "".join(pieces)

    def _renamed_link(self, match: re.Match, page_path: str) -> str:
        quoted = match.group(2)
        target = _attributes(f"<a href={quoted}>").get("href", "")
        path = self.urls.resolve(target, page_path)
        if path not in self.renamed:
            return match.group()
        return match.group(1) + '"' + escape(self.urls.href(self.renamed[path]), quote=True) + '"'

    # feeds and link previews ------------------------------------------------------------------------
    def feed(self, html: str, page_path: str) -> str:
        """A body for feed readers: one mid-size image in a format every reader shows, absolute URLs."""
        if "<img" not in html and "<IMG" not in html and not (self.renamed and "href" in html):
            return html
        if self.renamed:
            html = _A_HREF.sub(lambda match: self._renamed_link(match, page_path), html)

        def replace(match: re.Match) -> str:
            attrs = _attributes(match.group())
            record = self.record(attrs.get("src", ""), page_path)
            return match.group() if record is None else self.feed_image(record, attrs.get("alt", ""))
        return _IMG.sub(replace, html)

    def feed_image(self, record: ImageRecord, alt: str) -> str:
        chosen = record.variants[0] if record.animated else _mid(self._by_format(record)[record.format])
        return _tag("img", {"src": self.urls.absolute(chosen.path), "alt": alt, "width": chosen.width,
                            "height": chosen.height})

    def preview(self, image: str, page_path: str = "") -> tuple[str, int, int] | None:
        """Absolute URL and size of the picture link previews show for image (as written in page_path):
        a post cover's 1200x630 crop, another image as published, None for an outside address."""
        path = self.urls.resolve(image, page_path) if image else None
        if path is None:
            return None
        record = self.images.previews.get(path) or self.images.records.get(path)
        if record is None:
            return None
        return self.urls.absolute(record.path), record.width, record.height

    def published(self, image: str) -> str:
        """The address to show image at: HEIC and AVIF are published under a new name."""
        path = self.urls.resolve(image, "") if image else None
        return self.urls.href(self.renamed[path]) if path in self.renamed else self.urls.href(image) if image else ""


def _mid(variants: list[Variant]) -> Variant:
    """The copy nearest FEED_WIDTH without going over it, or the narrowest."""
    narrow = [v for v in variants if v.width <= FEED_WIDTH]
    return narrow[-1] if narrow else variants[0]


def _picture_depths(html: str):
    """offset -> whether it lies inside a <picture> element of the written HTML."""
    spans, depth, opened = [], 0, 0
    for match in _PICTURE.finditer(html):
        if match.group(1):
            depth = max(0, depth - 1)
            if depth == 0:
                spans.append((opened, match.start()))
        else:
            if depth == 0:
                opened = match.start()
            depth += 1
    if depth:
        spans.append((opened, len(html)))
    return lambda offset: any(start <= offset < end for start, end in spans)
