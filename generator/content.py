"""Find post files and parse their YAML front-matter and Markdown body into Post records."""
from __future__ import annotations

import difflib
import hashlib
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from frontmatter.default_handlers import YAMLHandler

from .config import SiteConfig
from .errors import BuildError, Diagnostic, display_path, error, warning
from .models import FaqItem, Post, SourceFile

SAFE_SEGMENT = re.compile(r"[^\W_][\w-]*")
FRONT_MATTER_KEYS = (
    "title", "date", "updated", "description", "slug", "translation_key", "tags", "series",
    "series_part", "author", "reviewed_by", "last_reviewed", "image", "image_alt", "draft",
    "comments", "faq", "extra",
)
DESCRIPTION_BOUNDS = (50, 160)
DATE_HINT = "dates look like 2026-07-03 or 2026-07-03T10:00:00+09:00"


_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ten times faster


class _PostYAMLLoader(_SafeBase):
    """Safe YAML that keeps dates as text, so they are validated here with clear messages."""


_PostYAMLLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def discover_posts(posts_dir: Path, config: SiteConfig) -> list[SourceFile]:
    """Read every posts/<lang>/*.md, sorted; unknown language folders are errors."""
    site_dir = config.site_dir
    diagnostics: list[Diagnostic] = []
    sources: list[SourceFile] = []
    if not posts_dir.is_dir():
        return []
    site_root = site_dir.resolve()
    for folder in sorted(posts_dir.iterdir()):
        if folder.name.startswith("."):
            continue
        shown_folder = display_path(folder, site_dir)
        if not folder.is_dir():
            if folder.suffix == ".md":
                diagnostics.append(error(shown_folder, None, "post is not inside a language folder",
                                         f"move it to posts/{config.site.default_language}/{folder.name}"))
            continue
        if folder.name not in config.language_codes:
            diagnostics.append(error(shown_folder, None, f"folder '{folder.name}' is not a language in site.toml",
                                     f"languages are: {', '.join(config.language_codes)}; "
                                     f"add [languages.{folder.name}] to site.toml or rename the folder"))
            continue
        for path in sorted(folder.rglob("*.md")):
            shown = f"{shown_folder}/{path.relative_to(folder).as_posix()}"
            if any(part.startswith(".") for part in path.relative_to(folder).parts):
                continue
            if path.is_symlink() and not path.resolve().is_relative_to(site_root):
                diagnostics.append(error(shown, None, "post is a link to a file outside the site folder",
                                         "copy the file into the site instead of linking to it"))
                continue
            if path.parent != folder:
                diagnostics.append(error(shown, None, "posts must sit directly in posts/<lang>/, not in a sub-folder",
                                         f"move it to {display_path(folder, site_dir)}/{path.name}"))
                continue
            sources.append(SourceFile(path=shown, lang=folder.name, name=path.stem, data=path.read_bytes()))
    if diagnostics:
        raise BuildError(diagnostics)
    return sources


def parse_posts(sources: list[SourceFile], config: SiteConfig) -> tuple[list[Post], list[Diagnostic]]:
    """Parse all sources; raise one BuildError listing the errors of every file, else return warnings too."""
    posts, diagnostics = [], []
    for source in sources:
        post, found = parse_post(source, config)
        diagnostics.extend(found)
        if post is not None:
            posts.append(post)
    if any(d.severity == "error" for d in diagnostics):
        raise BuildError([d for d in diagnostics if d.severity == "error"])
    return posts, diagnostics


def parse_post(source: SourceFile, config: SiteConfig) -> tuple[Post | None, list[Diagnostic]]:
    """Pure: turn a SourceFile into a Post, or into diagnostics."""
    path = source.path
    if b"\x00" in source.data:
        return None, [error(path, None, "this is a binary file, not a Markdown post",
                            "posts must be text files ending in .md")]
    try:
        text = source.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = source.data[: exc.start].count(b"\n") + 1
        return None, [error(path, line, f"the file is not valid UTF-8 text (byte 0x{source.data[exc.start]:02x})",
                            "save the file as UTF-8 in your editor")]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return None, [error(path, 1, "the file is empty",
                            "a post starts with front-matter between --- lines: title, date, description")]
    handler = YAMLHandler()
    if not handler.detect(text):
        return None, [error(path, 1, "the post has no front-matter",
                            "did you forget `---`? The first line must be --- and the front-matter end with ---")]
    try:
        front_matter, body = handler.split(text)
    except ValueError:
        return None, [error(path, 1, "the front-matter is not closed",
                            "did you forget `---`? Add a line with --- after the last front-matter key")]
    # Lines are counted from where the front-matter really starts, so YAML marks map to file lines.
    first_line = text[: text.index(front_matter)].count("\n") + 1
    body_start = len(text) - len(body)
    if body.startswith("\n"):
        body, body_start = body[1:], body_start + 1
    body_line = text[:body_start].count("\n") + 1
    data, key_lines, diagnostics = _load_front_matter(front_matter, path, first_line)
    if data is None:
        return None, diagnostics
    return _validate(source, data, key_lines, body, body_line, config)


def _load_front_matter(front_matter: str, path: str, first_line: int) -> tuple[dict | None, dict[str, int], list[Diagnostic]]:
    loader = _PostYAMLLoader(front_matter)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, [error(path, first_line, "the front-matter is empty", "add at least title: and date:")]
        if not isinstance(node, yaml.MappingNode):
            return None, {}, [error(path, node.start_mark.line + first_line,
                                    "the front-matter must be a list of 'key: value' lines",
                                    "write title: My post, not '- title: My post'")]
        key_lines: dict[str, int] = {}
        for key_node, _ in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + first_line
            if key in key_lines:
                return None, {}, [error(path, line, f"'{key}' is given twice (first on line {key_lines[key]})",
                                        "keep one of the two lines")]
            key_lines[key] = line
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else first_line
        problem = exc.problem or "invalid YAML"
        hint = "values with ': ' or '#' need quotes: title: \"Lips: a guide\""
        if "\t" in front_matter:
            hint = "use spaces, not tabs, to indent front-matter"
        if exc.problem and "could not determine a constructor" in exc.problem:
            problem, hint = "YAML tags such as !!python are not allowed", "remove the tag; write plain values"
        return None, {}, [error(path, line, f"invalid front-matter: {problem}", hint)]
    except yaml.YAMLError as exc:
        return None, {}, [error(path, first_line, f"invalid front-matter: {exc}")]
    finally:
        loader.dispose()
    return data, key_lines, []


class _Fields:
    """Typed access to front-matter values, recording located errors."""

    def __init__(self, path: str, data: dict, key_lines: dict[str, int]):
        self.path, self.data, self.key_lines = path, data, key_lines
        self.diagnostics: list[Diagnostic] = []

    def fail(self, key: str, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(error(self.path, self.key_lines.get(key, 2), message, hint))

    def text(self, key: str, required: bool = False, default: str = "") -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, f"missing required key '{key}'", f"add a line '{key}: ...' to the front-matter")
            return default
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.fail(key, f"'{key}' must be text, got the number {value}", f"put it in quotes: {key}: \"{value}\"")
            return default
        if not isinstance(value, str):
            self.fail(key, f"'{key}' must be text, got {_describe(value)}")
            return default
        if required and not value.strip():
            self.fail(key, f"'{key}' is empty", f"write a {key} after '{key}:'")
        return value.strip()

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.fail(key, f"'{key}' must be true or false, got {_describe(value)}")
            return default
        return value

    def segment(self, key: str, default: str) -> str:
        value = self.text(key, default=default) if key in self.data else default
        if value and not SAFE_SEGMENT.fullmatch(value):
            self.fail(key, f"'{key}' '{value}' must be a single URL segment: letters, digits and '-' only",
                      f"for example {key}: {_suggest_segment(value)}")
        return value

    def moment(self, key: str, tz: ZoneInfo, required: bool = False) -> datetime | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, f"missing required key '{key}'", f"add '{key}: 2026-07-03' ({DATE_HINT})")
            return None
        text = str(value).strip() if not isinstance(value, bool) else ""
        try:
            if not isinstance(value, (str, int)) or not re.match(r"^\d{4}-\d{2}-\d{2}", text):
                raise ValueError
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            detail = f" ({exc})" if str(exc) else ""
            self.fail(key, f"'{key}' must be a real date, got '{value}'{detail}", DATE_HINT)
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def _suggest_segment(value: str) -> str:
    return re.sub(r"[^\w]+", "-", value.lower()).strip("-_") or "my-post"


def _validate(source: SourceFile, data: dict, key_lines: dict[str, int], body: str, body_line: int,
              config: SiteConfig) -> tuple[Post | None, list[Diagnostic]]:
    f = _Fields(source.path, data, key_lines)
    for key in data:
        if key not in FRONT_MATTER_KEYS:
            close = difflib.get_close_matches(str(key), FRONT_MATTER_KEYS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "put custom values under 'extra:'"
            f.fail(str(key), f"unknown front-matter key '{key}'", hint)
    tz = ZoneInfo(config.site.timezone)
    title = f.text("title", required=True)
    published = f.moment("date", tz, required=True)
    updated = f.moment("updated", tz)
    if published and updated and updated < published:
        f.fail("updated", f"'updated' ({updated.date()}) is before 'date' ({published.date()})",
               "updated is when the post last changed; it cannot precede publication")
    last_reviewed = f.moment("last_reviewed", tz)
    description = f.text("description")
    default_name = source.name if SAFE_SEGMENT.fullmatch(source.name) else ""
    slug = f.segment("slug", default_name)
    if not slug:
        f.fail("slug", f"the file name '{source.name}' cannot be used as a URL",
               f"rename the file to {_suggest_segment(source.name)}.md or add slug: {_suggest_segment(source.name)}")
    translation_key = f.segment("translation_key", default_name or slug)
    tags = _tags(f)
    series = f.segment("series", "") or None
    series_part = _series_part(f, series)
    if series and config.series_info(series) is None:
        known = ", ".join(s.id for s in config.series) or "none yet"
        f.fail("series", f"unknown series '{series}' (series in site.toml: {known})",
               f"add [series.{series}] with a title to site.toml")
    author = _person(f, "author", config)
    reviewed_by = _person(f, "reviewed_by", config)
    image = f.text("image")
    image_alt = f.text("image_alt")
    if image and not image_alt:
        f.fail("image", "'image' needs 'image_alt', a short description of the picture for screen readers",
               "add image_alt: \"...\" under image")
    faq = _faq(f)
    extra = data.get("extra", {})
    if not isinstance(extra, dict):
        f.fail("extra", f"'extra' must be a mapping of your own keys, got {_describe(extra)}")
        extra = {}
    draft = f.flag("draft", False)
    comments = f.flag("comments", True)
    if f.diagnostics:
        return None, f.diagnostics
    warnings = _description_warnings(source.path, description, key_lines)
    return Post(
        source=source.path, lang=source.lang, title=title, date=published, updated=updated,
        description=description, slug=slug, translation_key=translation_key, tags=tags,
        series=series, series_part=series_part, author=author, reviewed_by=reviewed_by,
        last_reviewed=last_reviewed.date() if last_reviewed else None, image=image,
        image_alt=image_alt, draft=draft, comments=comments, faq=faq, body=body,
        body_line=body_line, extra=dict(extra), key_lines=dict(key_lines),
        digest=hashlib.blake2b(source.data, digest_size=16).hexdigest(),
    ), warnings


def _description_warnings(path: str, description: str, key_lines: dict[str, int]) -> list[Diagnostic]:
    if not description:
        return [warning(path, 2, "no 'description': search results and feeds will show the first sentences instead",
                        "add description: with one or two sentences (50-160 characters)")]
    if not DESCRIPTION_BOUNDS[0] <= len(description) <= DESCRIPTION_BOUNDS[1]:
        return [warning(path, key_lines.get("description"),
                        f"'description' is {len(description)} characters; search engines show 50-160",
                        "shorten or lengthen it to one or two sentences")]
    return []


def _tags(f: _Fields) -> tuple[str, ...]:
    value = f.data.get("tags", [])
    if isinstance(value, str):
        f.fail("tags", "'tags' must be a list", f"write tags: [{value}] or one '- tag' per line")
        return ()
    if not isinstance(value, list) or not all(isinstance(t, (str, int)) and not isinstance(t, bool) for t in value):
        f.fail("tags", f"'tags' must be a list of words, got {_describe(value)}", "write tags: [lip filler, aftercare]")
        return ()
    tags = []
    for tag in value:
        tag = str(tag).strip()
        if not tag:
            f.fail("tags", "'tags' has an empty tag")
        elif tag not in tags:
            tags.append(tag)
    return tuple(tags)


def _series_part(f: _Fields, series: str | None) -> int | None:
    value = f.data.get("series_part")
    if value is None:
        if series:
            f.fail("series", "'series' needs 'series_part', the number of this part", "add series_part: 1")
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        f.fail("series_part", f"'series_part' must be a whole number from 1, got {_describe(value)}")
        return None
    if not series:
        f.fail("series_part", "'series_part' is given without 'series'", "add series: <series id>")
    return value


def _person(f: _Fields, key: str, config: SiteConfig) -> str | None:
    value = f.text(key)
    if not value:
        return None
    if config.author(value) is None:
        known = [a.id for a in config.authors]
        close = difflib.get_close_matches(value, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"add [authors.{value}] to site.toml"
        f.fail(key, f"unknown author '{value}' (authors in site.toml: {', '.join(known) or 'none'})", hint)
    return value


def _faq(f: _Fields) -> tuple[FaqItem, ...]:
    value = f.data.get("faq")
    if value is None:
        return ()
    shape_hint = "write each item as '- q: question' followed by '  a: answer'"
    if not isinstance(value, list):
        f.fail("faq", f"'faq' must be a list of questions, got {_describe(value)}", shape_hint)
        return ()
    items = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict) or set(item) != {"q", "a"} or not all(
                isinstance(item[k], str) and item[k].strip() for k in ("q", "a")):
            f.fail("faq", f"'faq' item {number} must have a text 'q' and a text 'a'", shape_hint)
            continue
        items.append(FaqItem(question=item["q"].strip(), answer=item["a"].strip()))
    return tuple(items)


def is_published(post: Post, now: datetime, drafts: bool, future: bool) -> bool:
    if post.draft and not drafts:
        return False
    return future or post.date <= now
