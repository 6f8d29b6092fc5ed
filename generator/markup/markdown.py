"""Markdown to safe HTML: Python-Markdown with clinic-friendly extensions, then nh3."""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from html import unescape

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

from generator.config.loader import MarkdownConfig
from generator.markup.list_lines import ListLinesExtension
from generator.content.models import Post
from generator.errors import BuildError, error
from generator.markup.quick_inline import quicken_inline

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "iframe", "img", "ins", "kbd", "li", "mark", "ol", "p", "picture",
    "pre", "q", "s", "small", "source", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "video",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href", "rel", "target", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading", "decoding", "srcset", "sizes"},
    "source": {"src", "srcset", "type", "media", "sizes"},
    "video": {"src", "controls", "width", "height", "poster", "preload", "muted", "playsinline"},
    "iframe": {"src", "width", "height", "allow", "allowfullscreen", "loading", "referrerpolicy"},
    "div": {"tabindex", "role", "aria-label"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "ol": {"start", "reversed", "type"},
    "time": {"datetime"},
    "details": {"open"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
EMBED_HOSTS = re.compile(r"^https://(www\.)?(youtube\.com|youtube-nocookie\.com|player\.vimeo\.com)/")


EXCERPT_CHARS = 400


@dataclass(frozen=True, slots=True)
class RenderedBody:
    html: str
    word_count: int
    text: str  # the opening plain text (up to EXCERPT_CHARS), for a missing description


class _ReadableBlocks(Treeprocessor):
    """Lazy images, and tables that scroll sideways on phones instead of breaking the layout."""

    def run(self, root: etree.Element) -> None:
        for img in root.iter("img"):
            img.set("loading", "lazy")
            img.set("decoding", "async")
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag == "table":
                    wrapper = etree.Element("div", {"class": "table-scroll", "tabindex": "0"})
                    parent.remove(child)
                    wrapper.append(child)
                    wrapper.tail, child.tail = child.tail, None
                    parent.insert(index, wrapper)


class _ReadableBlocksExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_ReadableBlocks(md), "clinicpress_blocks", 5)


def make_markdown(config: MarkdownConfig, quick: bool = True) -> markdown.Markdown:
    extensions: list = [
        "tables", "fenced_code", "footnotes", "attr_list", "def_list", "sane_lists", "abbr",
        "md_in_html", _ReadableBlocksExtension(), ListLinesExtension(),
    ]
    if config.line_breaks:
        extensions.append("nl2br")
    md = markdown.Markdown(
        extensions=extensions + ["toc"],
        extension_configs={"toc": {"slugify": slugify_unicode, "toc_depth": "2-3"},
                           "footnotes": {"BACKLINK_TITLE": "%d"}},
        output_format="html",
    )
    if quick:
        quicken_inline(md)
    return md


def _keep_embed_sources(tag: str, attribute: str, value: str) -> str | None:
    if tag == "iframe" and attribute == "src" and not EMBED_HOSTS.match(value):
        return None
    return value


_EMPTY_IFRAME = re.compile(r"<iframe(?![^>]*\ssrc=)[^>]*>.*?</iframe>", re.S)


def sanitize_html(html: str) -> str:
    """Keep what Markdown produces and common safe HTML; drop scripts, handlers, unsafe URLs, foreign iframes."""
    cleaned = nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
        link_rel=None, attribute_filter=_keep_embed_sources, filter_style_properties={"text-align"},
        strip_comments=True,
    )
    return _EMPTY_IFRAME.sub("", cleaned)


_TAG = re.compile(r"<[^>]+>")


def render_markdown(text: str, config: MarkdownConfig, md: markdown.Markdown | None = None) -> RenderedBody:
    """Pure: Markdown text to sanitized HTML plus the counts pages need."""
    md = md or make_markdown(config)
    md.reset()
    html = md.convert(text)
    if not config.unsafe_html:
        html = sanitize_html(html)
    plain = unescape(_TAG.sub(" ", html))
    words = plain.split()
    return RenderedBody(html=html, word_count=len(words), text=" ".join(words)[:EXCERPT_CHARS])


@dataclass(frozen=True, slots=True)
class PostHtml:
    """A post's rendered body and FAQ answers."""

    body: RenderedBody
    faq: tuple[tuple[str, str], ...]  # (question, answer HTML)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a post's Markdown is written, to name it if Python-Markdown gives up on it."""

    path: str
    body_line: int
    faq_line: int  # the line of the faq: key, for the answers

    @staticmethod
    def of(post: Post) -> Origin:
        return Origin(post.source, post.body_line, post.key_lines.get("faq", post.body_line))


def render_post_html(body: str, faq: tuple, config: MarkdownConfig, md: markdown.Markdown | None,
                     origin: Origin) -> PostHtml:
    md = md or make_markdown(config)
    rendered = _render_located(body, config, md, origin.path, origin.body_line)
    answers = tuple((item.question, _render_located(item.answer, config, md, origin.path, origin.faq_line).html)
                    for item in faq)
    return PostHtml(rendered, answers)


def render_post(post: Post, config: MarkdownConfig, md: markdown.Markdown | None = None) -> PostHtml:
    return render_post_html(post.body, post.faq, config, md, Origin.of(post))


def _render_located(text: str, config: MarkdownConfig, md: markdown.Markdown, path: str, line: int) -> RenderedBody:
    """Nesting is limited before Python-Markdown runs (content/nesting.py); should some input still
    exhaust its recursion or the memory, the error names the post instead of stopping the build blind."""
    try:
        return render_markdown(text, config, md)
    except RecursionError:
        problem = "the Markdown is nested too deeply to be rendered"
    except MemoryError:
        problem = "the Markdown needs more memory to be rendered than there is"
    # The parser's stack of open lists and quotes was left full: `serve` renders the next post with it.
    md.parser.state.clear()
    raise BuildError([error(path, line, problem, "nest lists, quotes, emphasis and HTML blocks less deeply, "
                                                 "or split the text into shorter parts")]) from None
