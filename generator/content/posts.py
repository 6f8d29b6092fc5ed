"""Find post files and parse their YAML front-matter and Markdown body into Post records."""
from __future__ import annotations

import calendar
import hashlib
import os
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from generator.config.loader import SiteConfig
from generator.errors import BuildError, Diagnostic, did_you_mean, error
from generator.content.aliases import parse_aliases
from generator.content.front_matter import split_post
from generator.content.hints import claim_post_name, free_post_name, language_folder_hint, unknown_author_hint
from generator.content.models import FaqItem, Post, SourceFile
from generator.content.tags import Tags, normalize_tags
from generator.config.site_files import input_folder, resolve_input
from generator.content.nesting import nesting_problems
from generator.config.textfiles import decode_text

SAFE_SEGMENT = re.compile(r"[^\W_][\w-]*")
FRONT_MATTER_KEYS = (
    "title", "date", "updated", "description", "slug", "translation_key", "tags", "series",
    "series_part", "author", "reviewed_by", "last_reviewed", "image", "image_alt", "draft",
    "comments", "faq", "extra", "aliases",
)
DATE_HINT = "dates look like 2026-07-03 or 2026-07-03T10:00:00+09:00"
_MOMENT = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:[Tt ](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,6}))?)?)?"
    r"\s*(?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?)?")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
YEARS = (1900, 2999)  # outside these a date is a typo, and time zone arithmetic could leave the calendar


def discover_posts(posts_dir: Path, config: SiteConfig) -> list[SourceFile]:
    """Read every posts/<lang>/*.md, sorted; unknown language folders are errors."""
    site_dir = config.site_dir
    diagnostics: list[Diagnostic] = []
    sources: list[SourceFile] = []
    # A post may be a link to a draft kept elsewhere in the site, never to a file outside it.
    posts = input_folder(site_dir, posts_dir, anywhere_in_site=True)
    real, problem = resolve_input(posts, posts_dir, posts.shown)
    if problem:
        raise BuildError([problem])
    if real is None or not real.is_dir():
        return []
    shown_posts = posts.shown  # named as the user sees it, even when the folder is a link
    for folder in sorted(posts_dir.iterdir()):
        if folder.name.startswith("."):
            continue
        shown_folder = f"{shown_posts}/{folder.name}"
        if not folder.is_dir():
            if folder.suffix == ".md":
                default = config.site.default_language
                there = posts_dir / default
                name = free_post_name(folder.stem, [p.name for p in there.iterdir()] if there.is_dir() else [])
                diagnostics.append(error(shown_folder, 1, "post is not inside a language folder",
                                         f"move it to {shown_posts}/{default}/{name}"))
            continue
        if folder.name not in config.language_codes:
            diagnostics.append(error(shown_folder, None, f"folder '{folder.name}' is not a language in site.toml",
                                     language_folder_hint(folder.name, config.language_codes, shown_posts)))
            continue
        _, problem = resolve_input(posts, folder, shown_folder)
        if problem:
            diagnostics.append(problem)
            continue
        files = _files_below(folder)
        taken = {relative for relative, _ in files if "/" not in relative}  # and the names hints suggest
        for relative, is_link in files:
            shown = f"{shown_folder}/{relative}"
            name = relative.rpartition("/")[2]
            if relative.startswith(".") or "/." in relative:
                continue
            if not name.endswith(".md"):
                if name.lower().endswith((".md", ".md.txt", ".markdown", ".mdown")):
                    free = claim_post_name(name[: name.lower().index(".m")], taken, relative)
                    diagnostics.append(error(shown, 1, "the file looks like a post, but only names ending in .md "
                                                       "are built", f"move it to {shown_folder}/{free}" if "/" in
                                             relative else f"rename it to {free}"))
                continue
            path = folder / relative
            if is_link:  # only links can lead outside the (already checked) language folder
                real, problem = resolve_input(posts, path, shown)
                if problem:
                    diagnostics.append(problem)
                    continue
                if real is None:
                    diagnostics.append(error(shown, 1, "post is a link to a file that does not exist",
                                             "remove the link, or point it at the post's new place"))
                    continue
            if "/" in relative:
                free = claim_post_name(name[:-3], taken)
                diagnostics.append(error(shown, 1, "posts must sit directly in posts/<lang>/, not in a sub-folder",
                                         f"move it to {shown_folder}/{free}"))
                continue
            sources.append(SourceFile(path=shown, lang=folder.name, name=name[:-3], file=path))
    if diagnostics:
        raise BuildError(diagnostics)
    return sources


def _files_below(folder: Path) -> list[tuple[str, bool]]:
    """(path relative to folder, is a link) for every file and link under folder, sorted. Posts sit
    directly in the folder, so one scandir (no stat per file) covers a large site; sub-folders are
    walked only to report what is in them."""
    found, below = [], []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                below.append(entry.name)
            else:
                found.append((entry.name, entry.is_symlink()))
    found.sort()
    for top in sorted(below):
        for root, dirs, files in os.walk(folder / top):
            dirs.sort()
            inside = Path(root).relative_to(folder).as_posix()
            found += [(f"{inside}/{name}", os.path.islink(os.path.join(root, name))) for name in sorted(files)]
            found += [(f"{inside}/{name}", True) for name in dirs if os.path.islink(os.path.join(root, name))]
    return found


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


def file_digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def parse_post(source: SourceFile, config: SiteConfig) -> tuple[Post | None, list[Diagnostic]]:
    """Turn a SourceFile into a Post, or into diagnostics."""
    path = source.path
    try:
        raw = source.read()
    except OSError as exc:  # renamed or deleted while the build ran
        return None, [error(path, 1, f"the file could not be read ({exc.strerror or exc})",
                            "if it was just renamed or moved, build again")]
    digest = file_digest(raw)
    if b"\x00" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [error(path, 1, "this is a binary file, not a Markdown post",
                            "posts must be text files ending in .md")]
    text, problem = decode_text(raw, path)
    if problem:
        return None, [problem]
    parts, diagnostics = split_post(text, path)
    if parts is None:
        return None, diagnostics
    return _validate(source, parts.data, parts.key_lines, parts.body, parts.body_line, config, digest)


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
        """A URL segment or id; NFC, so a Hangul name typed on a Mac (NFD) is the same address as elsewhere."""
        value = self.text(key, default=default) if key in self.data else default
        value = unicodedata.normalize("NFC", value)
        if value and not SAFE_SEGMENT.fullmatch(value):
            self.fail(key, f"'{key}' '{value}' must be a single URL segment: letters, digits and '-' only",
                      f"for example {key}: {_suggest_segment(value)}")
            return ""
        return value

    def moment(self, key: str, tz: ZoneInfo, required: bool = False) -> datetime | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, f"missing required key '{key}'", f"add '{key}: 2026-07-03' ({DATE_HINT})")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.fail(key, f"'{key}' must be a date such as 2026-07-03, got {_describe(value)}", DATE_HINT)
            return None
        try:
            parsed = parse_moment(str(value).strip())
        except ValueError as exc:
            detail = f" ({exc})" if str(exc) else ""
            self.fail(key, f"'{key}' must be a real date, got '{value}'{detail}", DATE_HINT)
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def parse_moment(text: str) -> datetime:
    """'2026-07-03', '2026-07-03 10:00' or '2026-07-03T10:00:00+09:00'; a ValueError says what is wrong."""
    match = _MOMENT.fullmatch(text)
    if not match:
        head = _MOMENT.match(text)
        rest = text[head.end():].strip() if head else ""
        if rest and re.fullmatch(r"[A-Za-z][\w/+-]*", rest):
            raise ValueError(f"write the time zone as an offset such as +09:00, not '{rest}'")
        raise ValueError("")
    year, month, day = (int(match[name]) for name in ("year", "month", "day"))
    if not YEARS[0] <= year <= YEARS[1]:
        raise ValueError(f"the year must be between {YEARS[0]} and {YEARS[1]}")
    if not 1 <= month <= 12:
        raise ValueError(f"there is no month {month}")
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise ValueError(f"{_MONTHS[month - 1]} {year} has {days} days")
    hour, minute, second = (int(match[name] or 0) for name in ("hour", "minute", "second"))
    for amount, unit, top in ((hour, "hour", 23), (minute, "minute", 59), (second, "second", 59)):
        if amount > top:
            raise ValueError(f"there is no {unit} {amount}: {unit}s go from 00 to {top}")
    microsecond = int((match["fraction"] or "0").ljust(6, "0"))
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=_offset(match["zone"]))


def _offset(zone: str | None) -> timezone | None:
    if not zone:
        return None
    if zone in "Zz":
        return timezone.utc
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    offset = timedelta(hours=hours, minutes=minutes) * (-1 if zone[0] == "-" else 1)
    if minutes > 59 or not timedelta(hours=-12) <= offset <= timedelta(hours=14):
        raise ValueError(f"there is no time zone offset {zone}: offsets go from -12:00 to +14:00")
    return timezone(offset)


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
              config: SiteConfig, digest: str) -> tuple[Post | None, list[Diagnostic]]:
    f = _Fields(source.path, data, key_lines)
    for key in data:
        if key not in FRONT_MATTER_KEYS:
            hint = did_you_mean(str(key), FRONT_MATTER_KEYS, "put custom values under 'extra:'")
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
    name = unicodedata.normalize("NFC", source.name)
    default_name = name if SAFE_SEGMENT.fullmatch(name) else ""
    slug = f.segment("slug", default_name)
    if not slug and "slug" not in data:
        f.fail("slug", f"the file name '{source.name}' cannot be used as a URL",
               f"rename the file to {_suggest_segment(source.name)}.md or add slug: {_suggest_segment(source.name)}")
    translation_key = f.segment("translation_key", default_name or slug)
    tags = _tags(f)
    series = f.segment("series", "") or None
    series_part = _series_part(f, series)
    author = _person(f, "author", config)
    reviewed_by = _person(f, "reviewed_by", config)
    image = f.text("image")
    image_alt = f.text("image_alt")
    if image and not image_alt:
        f.fail("image", "'image' needs 'image_alt', a short description of the picture for screen readers",
               "add image_alt: \"...\" under image")
    faq = _faq(f)
    f.diagnostics += nesting_problems(f.path, body, body_line, [item.answer for item in faq], key_lines.get("faq", 1))
    extra = data.get("extra", {})
    if not isinstance(extra, dict):
        f.fail("extra", f"'extra' must be a mapping of your own keys, got {_describe(extra)}")
        extra = {}
    draft = f.flag("draft", False)
    comments = f.flag("comments", True)
    aliases, problem = parse_aliases(data.get("aliases"))
    if problem:
        f.fail("aliases", *problem)
    if f.diagnostics:
        return None, f.diagnostics
    # Description length and other advice are the job of `clinicpress check` (lint_rules.py).
    return Post(
        source=source.path, lang=source.lang, title=title, date=published, updated=updated,
        description=description, slug=slug, translation_key=translation_key, tags=tags.tags,
        series=series, series_part=series_part, author=author, reviewed_by=reviewed_by,
        last_reviewed=last_reviewed.date() if last_reviewed else None, image=image,
        image_alt=image_alt, draft=draft, comments=comments, faq=faq, body_data=body.encode("utf-8"),
        body_line=body_line, extra=dict(extra), key_lines=dict(key_lines),
        digest=digest, aliases=aliases, repeated_tags=tags.repeated,
    ), []


def _tags(f: _Fields) -> Tags:
    value = f.data.get("tags", [])
    if isinstance(value, str):
        f.fail("tags", "'tags' must be a list", f"write tags: [{value}] or one '- tag' per line")
        return Tags((), (), ())
    if not isinstance(value, list):
        f.fail("tags", f"'tags' must be a list of words, got {_describe(value)}", "write tags: [lip filler, aftercare]")
        return Tags((), (), ())
    for number, tag in enumerate(value, start=1):
        if not isinstance(tag, (str, int)) or isinstance(tag, bool):
            f.fail("tags", f"tag {number} must be a word, got {_describe(tag)}",
                   "write tags: [lip filler, aftercare]; a tag with a comma or colon needs quotes")
            return Tags((), (), ())
    tags = normalize_tags([str(tag) for tag in value])
    for message, hint in tags.problems:
        f.fail("tags", message, hint)
    return tags


def _series_part(f: _Fields, series: str | None) -> int | None:
    value = f.data.get("series_part")
    if value is None:
        if series:
            f.fail("series", "'series' needs 'series_part', the number of this part", "add series_part: 1")
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        f.fail("series_part", f"'series_part' must be a whole number from 1, got {_describe(value)}")
        return None
    if "series" not in f.data:
        f.fail("series_part", "'series_part' is given without 'series'", "add series: <series id>")
    return value


def _person(f: _Fields, key: str, config: SiteConfig) -> str | None:
    value = f.text(key)
    if not value:
        return None
    if config.author(value) is None:
        known = [a.id for a in config.authors]
        f.fail(key, f"unknown author '{value}' (authors in site.toml: {', '.join(known) or 'none'})",
               unknown_author_hint(key, value, known))
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
