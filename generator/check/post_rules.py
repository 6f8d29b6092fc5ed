"""Per-post search-engine rules: title and description length, headings, image alt text, links and images,
and tags given twice."""
from __future__ import annotations

import difflib
import posixpath
import re
from typing import Iterator

from generator.check.core import Finding, LintContext, PostText, front_matter_finding
from generator.content.models import Post
from generator.site.urls import Urls

# Characters, per language. Search results cut titles at about 600 px and descriptions at
# about 920 px; a Hangul syllable is roughly twice as wide as a Latin letter.
TITLE_LENGTH = {"en": (20, 70), "ko": (10, 40), "ja": (10, 40), "zh": (10, 40)}
DESCRIPTION_LENGTH = {"en": (50, 160), "ko": (40, 80), "ja": (40, 80), "zh": (40, 80)}

# Matched on "\n" + text: a literal first character lets the re module skip ahead quickly.
_ATX = re.compile(r"\n {0,3}(#{1,6})")
_SETEXT = re.compile(r"\n {0,3}(=+|-+)[ \t]*(?=\n|$)")
_HTML_HEADING = re.compile(r"<h([1-6])\b", re.I)
_MD_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*<?([^)\s>]*)")
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]*)")
_REF_DEF = re.compile(r"^ {0,3}\[(?!\^)[^\]\n]+\]:[ \t]*<?([^\s>]+)", re.M)
_HTML_IMG = re.compile(r"<img\b[^>]*>", re.I)
_HTML_A = re.compile(r"<a\b[^>]*?\bhref\s*=\s*[\"']([^\"']*)[\"']", re.I)
_ATTR = re.compile(r"""\b(src|alt)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def bounds(table: dict, lang: str) -> tuple[int, int]:
    return table.get(lang) or table.get(lang.split("-")[0]) or table["en"]


def lint_post_seo(text: PostText, ctx: LintContext) -> Iterator[Finding]:
    post = text.post
    if ctx.on("seo-title-length"):
        yield from _title_length(post, ctx)
    if ctx.on("seo-description"):
        yield from _description(post, ctx)
    if ctx.on("seo-h1-in-body") or ctx.on("seo-heading-skip"):
        yield from _headings(text, ctx)
    images = ctx.on("seo-image-alt") or ctx.on("missing-image") or ctx.on("image-oversized") \
        or ctx.on("image-cover-small")
    if images and ("![" in text.code or "<img" in text.code or post.image):
        yield from _images(text, ctx)
    if ctx.on("broken-link") and ("](" in text.code or "]:" in text.code or "href" in text.code):
        yield from _links(text, ctx)
    if ctx.on("tag-duplicate") and post.repeated_tags:
        yield from _repeated_tags(post)


def _repeated_tags(post: Post) -> Iterator[Finding]:
    for written, first in post.repeated_tags:
        repeat = f"tag '{written}' is listed twice" if written == first else \
            f"tag '{written}' is the tag '{first}' again (letter case and a leading # make no other topic)"
        yield front_matter_finding(post, "tags", "tag-duplicate", f"{repeat}: the post is listed under '{first}' once",
                                   f"remove '{written}' from tags:")


def _title_length(post: Post, ctx: LintContext) -> Iterator[Finding]:
    low, high = bounds(ctx.settings.title_length, post.lang)
    size = len(post.title)
    if size < low:
        yield front_matter_finding(post, "title", "seo-title-length",
                                   f"title is {size} characters; {post.lang} titles of {low}-{high} characters work best "
                                   "in search results", "say what the post answers, e.g. 'Lip filler aftercare: day by day'")
    elif size > high:
        yield front_matter_finding(post, "title", "seo-title-length",
                                   f"title is {size} characters; search results cut {post.lang} titles after about {high}",
                                   "shorten it; keep the words people search for at the start")


def _description(post: Post, ctx: LintContext) -> Iterator[Finding]:
    low, high = bounds(ctx.settings.description_length, post.lang)
    size = len(post.description)
    if not post.description:
        written = "description" in post.key_lines  # written and left empty: point at it
        sentences = f"one or two sentences ({low}-{high} characters)"
        yield front_matter_finding(post, "description" if written else "title", "seo-description",
                                   "no 'description': search results and feeds will show the first sentences instead",
                                   f"write {sentences} after description:" if written
                                   else f"add description: with {sentences}")
    elif not low <= size <= high:
        yield front_matter_finding(post, "description", "seo-description",
                                   f"'description' is {size} characters; search engines show {low}-{high} for {post.lang}",
                                   "shorten or lengthen it to one or two sentences")


def _headings(text: PostText, ctx: LintContext) -> Iterator[Finding]:
    code = text.code
    lined = "\n" + code  # offsets in lined are one more than in code
    found = [(m.start(), len(m.group(1))) for m in _ATX.finditer(lined)] if "#" in code else []
    if "<h" in code or "<H" in code:
        found += [(m.start(), int(m.group(1))) for m in _HTML_HEADING.finditer(code)]
    if "==" in code or "--" in code:
        found += list(_setext_headings(lined))
    previous = 1  # the page title is the one h1
    for offset, level in sorted(found):
        if level == 1:
            if ctx.on("seo-h1-in-body"):
                end = code.find("\n", offset)
                line = code[offset:end if end != -1 else len(code)].lstrip(" ")
                hashtag = line.startswith("#") and len(line) > 1 and line[1] not in " \t#"
                yield text.finding("seo-h1-in-body", offset,
                                   "heading level 1 in the body: the post title is already the page's only h1",
                                   "a line starting with # is a heading; write hashtags as tags: in the front-matter"
                                   if hashtag else "use ## for the sections of the post")
        elif level > previous + 1 and ctx.on("seo-heading-skip"):
            yield text.finding("seo-heading-skip", offset,
                               f"heading level {level} follows level {previous}: a level is skipped",
                               f"use {'#' * (previous + 1)} here, so the outline reads {previous} -> {previous + 1}")
        previous = level


def _setext_headings(lined: str) -> Iterator[tuple[int, int]]:
    """'Title' underlined with === or --- is a heading when it is the first line of its block.
    lined is the body with a newline in front; offsets returned are the body's."""
    for match in _SETEXT.finditer(lined):
        end_of_previous = match.start()  # the newline that ends the title line
        start_of_previous = lined.rfind("\n", 0, end_of_previous) + 1
        if start_of_previous == 0 or not lined[start_of_previous:end_of_previous].strip():
            continue
        before = lined[lined.rfind("\n", 0, start_of_previous - 1) + 1:start_of_previous - 1]
        if before.strip():
            continue
        yield start_of_previous - 1, 1 if match.group(1)[0] == "=" else 2


def site_path(target: str, post: Post, ctx: LintContext) -> str | None:
    """A link or image target as a site path ('en/posts/x/'), or None when it leaves the site."""
    return ctx.site.urls.resolve(target, Urls.post(post.lang, post.slug))


def _images(text: PostText, ctx: LintContext) -> Iterator[Finding]:
    post, code = text.post, text.code
    if post.image and ctx.on("missing-image"):
        problem = _missing_image(post.image, post, ctx)
        if problem:
            yield front_matter_finding(post, "image", "missing-image", *problem)
    if post.image:
        for rule, message, hint in _image_size(post.image, post, ctx, cover=True):
            yield front_matter_finding(post, "image", rule, message, hint)
    for match in _MD_IMAGE.finditer(code):
        if not match.group(1).strip() and ctx.on("seo-image-alt"):
            yield text.finding("seo-image-alt", match.start(), "image without alt text",
                               "describe the picture between the brackets: ![Swelling on day two](/images/x.png)")
        problem = _missing_image(match.group(2), post, ctx) if ctx.on("missing-image") else None
        if problem:
            yield text.finding("missing-image", match.start(), *problem)
        for found in _image_size(match.group(2), post, ctx):
            yield text.finding(found[0], match.start(), *found[1:])
    for match in _HTML_IMG.finditer(code):
        attrs = {m.group(1).lower(): next(v for v in m.groups()[1:] if v is not None) for m in _ATTR.finditer(match.group())}
        if not attrs.get("alt", "").strip() and ctx.on("seo-image-alt"):
            yield text.finding("seo-image-alt", match.start(), "image without alt text", 'add alt="..." describing the picture')
        problem = _missing_image(attrs.get("src", ""), post, ctx) if ctx.on("missing-image") else None
        if problem:
            yield text.finding("missing-image", match.start(), *problem)
        for found in _image_size(attrs.get("src", ""), post, ctx):
            yield text.finding(found[0], match.start(), *found[1:])


# A photo this many times wider than the widest copy the site shows only makes builds slow and the
# repository large.
OVERSIZED_FACTOR = 1.5
PREVIEW_WIDTH = 1200  # what link previews show (og:image)


def _image_size(target: str, post: Post, ctx: LintContext, cover: bool = False) -> Iterator[tuple[str, str, str]]:
    """(rule, message, hint) about an image's size: far larger than the site shows, or a cover too small
    for link previews."""
    if not (ctx.on("image-oversized") or (cover and ctx.on("image-cover-small"))):
        return
    path = site_path(target, post, ctx)
    facts = ctx.image_facts(path) if path is not None else None
    if facts is None:
        return
    width, height, size = facts
    widest = ctx.site.config.images.widest
    if ctx.on("image-oversized") and width > widest * OVERSIZED_FACTOR:
        yield ("image-oversized", f"image '{target}' is {width:,}×{height:,} pixels ({size / 1e6:.1f} MB), "
                                  f"but the site shows it at most {widest:,} pixels wide",
               f"resize it to {widest:,} pixels wide before adding it (the build makes the smaller sizes): "
               "builds stay fast and the repository small")
    if cover and ctx.on("image-cover-small") and width < PREVIEW_WIDTH:
        yield ("image-cover-small", f"cover image '{target}' is {width:,} pixels wide: link previews "
                                    f"(1200×630) of this post will be blurry",
               "use a cover at least 1200 pixels wide")


def _missing_image(target: str, post: Post, ctx: LintContext) -> tuple[str, str] | None:
    path = site_path(target, post, ctx)
    if path is None or path in ctx.static:
        return None
    name = posixpath.basename(path)
    elsewhere = sorted(p for p in ctx.static if posixpath.basename(p) == name)
    hint = f"did you mean /{elsewhere[0]}?" if elsewhere else f"put the file at static/{path.lstrip('./')} or fix the path"
    return f"image '{target}' does not exist", hint


def _links(text: PostText, ctx: LintContext) -> Iterator[Finding]:
    code = text.code
    targets = [(_opening_bracket(code, m.start()), m.group(1)) for m in _LINK_TARGET.finditer(code)] \
        if "](" in code else []
    targets = [(offset, target) for offset, target in targets if not code.startswith("!", offset - 1)]
    if "]:" in code:
        targets += [(m.start(), m.group(1)) for m in _REF_DEF.finditer(code)]
    if "href" in code:
        targets += [(m.start(), m.group(1)) for m in _HTML_A.finditer(code)]
    for offset, target in sorted(targets):
        problem = _broken_link(target, text.post, ctx)
        if problem:
            yield text.finding("broken-link", offset, *problem)


def _opening_bracket(code: str, close: int) -> int:
    """Where the '[' of a link's text is, on the line of its ']' at close."""
    found = code.rfind("[", code.rfind("\n", 0, close) + 1, close)
    return found if found != -1 else close


def _broken_link(target: str, post: Post, ctx: LintContext) -> tuple[str, str] | None:
    path = site_path(target, post, ctx)
    if path is None or path in ctx.static:
        return None
    for candidate in (path, path + "/", path[:-len("index.html")] if path.endswith("index.html") else None):
        if candidate is not None and candidate in ctx.pages:
            linked = ctx.pages[candidate]
            if linked is not None and ctx.published(post) and not ctx.published(linked):
                state = "a draft" if linked.draft else f"dated {linked.date.date().isoformat()}"
                return (f"link to '{target}', which is {state} and not published yet",
                        "remove the link until that post is published, or publish it first")
            return None
    if path.endswith(".md"):
        name = posixpath.basename(path)[:-3]
        twin = next((p for p in ctx.pages.values() if p is not None and p.source.endswith(f"/{name}.md")), None)
        hint = f"link to the page: /{Urls.post(twin.lang, twin.slug)}" if twin else "link to the page's address, not its file"
        return f"link to the Markdown file '{target}', which is not a page of the site", hint
    return f"link to '{target}' points to no page of the site", _near_page(path, ctx)


def _near_page(path: str, ctx: LintContext) -> str:
    close = difflib.get_close_matches(path, [p for p in ctx.pages if p.count("/") == path.count("/")], n=1, cutoff=0.7)
    return f"did you mean /{close[0]}?" if close else "check the address; post pages look like /<lang>/posts/<slug>/"
