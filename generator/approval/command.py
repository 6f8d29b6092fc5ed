"""`clinicpress approve`: a physician's review written into posts as `reviewed_by:` and `last_reviewed:`,
in each named post and in its translations (the posts of the other languages with its translation key),
so that every language's page claims the review.

Everything is read and checked first, and a post is written only when all of them can be approved:
the reviewer must be a physician of site.toml and not the author of any of the posts."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.approval.changed import changed_post_paths
from generator.approval.edit import FrontMatterEditError, set_front_matter
from generator.config.github import author_with_login
from generator.config.loader import Author, SiteConfig, load_config
from generator.config.tomlpos import TomlLocator
from generator.content.front_matter import declared_translation_key
from generator.content.models import Post, SourceFile
from generator.content.posts import discover_posts, parse_post
from generator.content.rewrite import rewrite_post
from generator.errors import BuildError, Diagnostic, UsageError, did_you_mean, display_path, error
from generator.loading import build_now


@dataclass(frozen=True, slots=True)
class ApprovalRequest:
    """What `clinicpress approve` was asked for."""

    posts: tuple[Path, ...] = ()  # as given: relative to the current folder or to the site
    by: str | None = None  # the reviewer's author id
    github_login: str | None = None  # or their GitHub login (`github` in [authors.<id>])
    date: str | None = None  # YYYY-MM-DD; default today in the site's time zone
    changed_since: str | None = None  # also every post changed between this git ref and HEAD


@dataclass(frozen=True, slots=True)
class ApprovalResult:
    reviewer: Author
    day: date
    posts: tuple[str, ...]  # every post approved, as messages name it (relative to the site), sorted
    unchanged: frozenset[str]  # those that already named this reviewer and day


def approve_posts(site_dir: Path, request: ApprovalRequest, now: datetime | None = None) -> ApprovalResult:
    """Set reviewed_by and last_reviewed in the requested posts and their translations; BuildError
    listing every reason when any of them cannot be approved (then no file is touched)."""
    config = load_config(site_dir / "site.toml")
    day = _review_day(request.date, config, now)
    sources = discover_posts(site_dir / "posts", config)
    example = sources[0].path if sources else "posts/<language>/<name>.md"
    named = list(request.posts)
    if request.changed_since is not None:
        named += changed_post_paths(site_dir, request.changed_since, config.language_codes)
    elif not named:
        raise UsageError(f"name the posts to approve, e.g. {example}, or give --changed-since REF")
    reviewer, problems = _reviewer(config, request)
    targets, refused = _named_sources(site_dir, named, sources, example)
    parsed = {source.path: parse_post(source, config) for source in sources}
    keys = {_translation_key(source, parsed[source.path][0]) for source in targets}
    chosen = [source for source in sources if _translation_key(source, parsed[source.path][0]) in keys]
    problems += refused
    for source in chosen:
        post, found = parsed[source.path]
        problems += [d for d in found if d.severity == "error"]
        if post is not None and reviewer is not None and post.author == reviewer.id:
            problems.append(_self_review(post, reviewer, config))
    if problems:
        raise BuildError(problems)
    approved = [(source, _approved(source, parsed[source.path][0], reviewer, day, config)) for source in chosen]
    _write([(source, after) for source, after in approved if after is not None])
    return ApprovalResult(reviewer, day, tuple(source.path for source in chosen),
                          frozenset(source.path for source, after in approved if after is None))


def _review_day(given: str | None, config: SiteConfig, now: datetime | None) -> date:
    zone = ZoneInfo(config.site.timezone)
    today = (now or build_now(config.site.timezone)).astimezone(zone).date()
    if given is None:
        return today
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", given):
        raise UsageError(f"--date must be the day of the review as YYYY-MM-DD, e.g. --date {today}; got '{given}'")
    try:
        day = date.fromisoformat(given)
    except ValueError:
        raise UsageError(f"--date {given} is not a day of the calendar") from None
    if day > today:
        raise UsageError(f"--date {given} is after today ({today} in {config.site.timezone}); "
                         "date the review on the day it was done")
    return day


def _reviewer(config: SiteConfig, request: ApprovalRequest) -> tuple[Author | None, list[Diagnostic]]:
    """The physician named by --by or --github-login, or the errors that say why there is none."""
    text = (config.site_dir / "site.toml").read_bytes().decode("utf-8-sig")
    locator = TomlLocator(text)
    physicians = [a.id for a in config.authors if a.type == "Physician"]
    listed = ", ".join(physicians) or "none yet"
    first = min((locator.line("authors", a.id) for a in config.authors), default=None)
    if request.github_login is not None:
        login = request.github_login.strip()
        if not login:
            raise UsageError("--github-login is empty; give the reviewer's GitHub login")
        author = author_with_login(config.authors, login)
        if author is None:
            where = " or ".join(f"[authors.{p}]" for p in physicians) or 'a new [authors.<id>] with type = "Physician"'
            return None, [error("site.toml", first, f"no author in site.toml has github = \"{login}\"",
                                f"add github = \"{login}\" to {where}, whichever physician uses that GitHub account")]
    else:
        author = config.author(request.by or "")
        if author is None:
            return None, [error("site.toml", first, f"no author '{request.by}' in site.toml",
                                did_you_mean(request.by or "", physicians, f"physicians in site.toml: {listed}"))]
    if author.type != "Physician":
        return None, [error("site.toml", locator.line("authors", author.id, "type"),
                            f"'{author.id}' is not a physician (type = \"{author.type}\"): only a physician's "
                            "approval makes a post medically reviewed",
                            f"physicians in site.toml: {listed}; if {author.id} is one, write type = \"Physician\" "
                            f"under [authors.{author.id}]")]
    return author, []


def _named_sources(site_dir: Path, named: list[Path], sources: list[SourceFile],
                   example: str) -> tuple[list[SourceFile], list[Diagnostic]]:
    """The posts the paths name: each relative to the current folder or to the site, whichever is a
    post of the site; an error for each path that is no post of it."""
    by_file = {os.path.realpath(source.file): source for source in sources if source.file is not None}
    found: dict[str, SourceFile] = {}
    problems = []
    for given in named:
        candidates = [given] if given.is_absolute() else [given, site_dir / given]
        source = next((by_file[os.path.realpath(c)] for c in candidates if os.path.realpath(c) in by_file), None)
        if source is not None:
            found.setdefault(source.path, source)
            continue
        existing = next((c for c in candidates if c.is_file()), None)
        if existing is None:
            problems.append(error(str(given), None, "no such post", f"give the path of a post, e.g. {example}"))
        else:
            problems.append(error(display_path(existing, site_dir), 1, "not a post of this site: approve marks "
                                  "posts in posts/<language>/<name>.md", f"give the path of a post, e.g. {example}"))
    return list(found.values()), problems


def _translation_key(source: SourceFile, post: Post | None) -> str:
    return post.translation_key if post is not None else declared_translation_key(source)


def _self_review(post: Post, reviewer: Author, config: SiteConfig) -> Diagnostic:
    others = [a.id for a in config.authors if a.type == "Physician" and a.id != reviewer.id]
    hint = (f"ask another physician to approve it: {', '.join(others)}" if others else
            'ask another physician to approve it (add them to site.toml as [authors.<id>] with type = "Physician")')
    return error(post.source, post.key_lines.get("author"), f"'{reviewer.id}' wrote this post and cannot approve "
                 "it: a self-review is not a review", hint)


def _approved(source: SourceFile, post: Post, reviewer: Author, day: date, config: SiteConfig) -> bytes | None:
    """The post's bytes with the review set (None when it already says so), checked by reading them
    back: only the two keys differ."""
    before = source.read()
    bom = b"\xef\xbb\xbf" if before.startswith(b"\xef\xbb\xbf") else b""
    values = (("reviewed_by", reviewer.id), ("last_reviewed", day.isoformat()))
    try:
        after = bom + set_front_matter(before[len(bom):].decode("utf-8"), values, after="author").encode("utf-8")
    except FrontMatterEditError as exc:
        raise BuildError([error(source.path, 1, f"the review could not be added: {exc}",
                                "add reviewed_by: and last_reviewed: by hand")]) from None
    if after == before:
        return None
    reread, _ = parse_post(replace(source, data=after, file=None), config)
    expected = reread and replace(post, reviewed_by=reviewer.id, last_reviewed=day, digest=reread.digest,
                                  key_lines=reread.key_lines, body_line=reread.body_line)
    if reread is None or reread != expected:
        raise BuildError([error(source.path, post.key_lines.get("reviewed_by", 1),
                                "the review could not be added without changing the rest of the front-matter",
                                f"write reviewed_by: {reviewer.id} and last_reviewed: {day} by hand")])
    return after


def _write(approved: list[tuple[SourceFile, bytes]]) -> None:
    for source, data in approved:
        rewrite_post(source.file, data, ".approve-")
