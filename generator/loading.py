"""The stages up to the site model, shared by `build`, `check` and `serve`: configuration, posts,
then the site that combines them."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from generator.config.loader import SiteConfig, load_config
from generator.content.front_matter import declared_translation_key
from generator.content.models import SourceFile
from generator.content.posts import discover_posts, is_published, parse_post, parse_posts
from generator.errors import BuildError, Diagnostic, error, raise_if_errors
from generator.incremental.cache import BuildCache
from generator.incremental.cached_posts import parse_posts_cached
from generator.render.comments import check_provider_template
from generator.render.theme import theme_dirs
from generator.site.model import Site, assemble_site
from generator.workers import iter_parallel


@dataclass(frozen=True, slots=True)
class BuildOptions:
    site_dir: Path
    output_dir: Path | None = None
    base_url: str | None = None
    drafts: bool = False
    future: bool = False
    now: datetime | None = None
    jobs: int = 0  # worker processes; 0: one per core
    use_cache: bool = True
    # Called between stages as progress(stage, done, total) so a terminal can draw a bar.
    progress: Callable[[str, int, int], None] | None = None
    preview: bool = False  # `serve`: the pages load no analytics (the writer's own visits are not counted)


def build_now(config_timezone: str) -> datetime:
    """The build's idea of 'now': SOURCE_DATE_EPOCH when set, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(ZoneInfo(config_timezone))


def load_site(options: BuildOptions, cache: BuildCache | None = None,
              prerender: bool = False) -> tuple[SiteConfig, Site, tuple[Diagnostic, ...]]:
    """Stages up to the site model. With prerender (and a cache), the Markdown of the posts that are
    parsed is rendered in the same pass, into the cache."""
    config, sources, now = _read_inputs(options)
    if cache:
        published = partial(is_published, now=now, drafts=options.drafts, future=options.future)
        from generator.markup.post_bodies import BodyPrerenderer  # a build's; `check` renders no Markdown

        after = BodyPrerenderer(config.markdown, cache, published) if prerender else None
        posts, warnings = parse_posts_cached(sources, config, cache, options.jobs, after, options.progress)
    else:
        posts, warnings = parse_posts(sources, config)
    site = assemble_site(posts, config, now, drafts=options.drafts, future=options.future)
    return config, site, tuple(warnings)


@dataclass(frozen=True, slots=True)
class ReadableSite:
    """What `check` reads: the site of the posts that could be read, and what the others are."""

    site: Site
    diagnostics: tuple[Diagnostic, ...]  # the warnings, and the errors of the posts left out
    unread: frozenset[tuple[str, str]]  # (language, translation key) of each post left out
    files: int  # post files read, those left out included


def load_readable_site(options: BuildOptions,
                       meanwhile: Callable[[SiteConfig, list[SourceFile]], None] | None = None) -> ReadableSite:
    """Stages up to the site model, for `check`: a post that cannot be read is left out and its errors
    are returned with the warnings, so one broken file does not hide the findings of every other post.
    Posts are parsed in worker processes when there are many, as a build parses those its cache lacks;
    meanwhile(config, sources) is what this process does while they work."""
    config, sources, now = _read_inputs(options)
    posts, diagnostics, unread = [], [], set()
    own_work = (lambda: meanwhile(config, sources)) if meanwhile is not None else None
    for source, (post, found) in zip(sources, iter_parallel(_parse_one, config, sources, options.jobs,
                                                            meanwhile=own_work)):
        diagnostics += found
        if post is None:
            unread.add((source.lang, declared_translation_key(source)))
        else:
            posts.append(post)
    site = assemble_site(posts, config, now, drafts=options.drafts, future=options.future)
    return ReadableSite(site, tuple(diagnostics), frozenset(unread), len(sources))


def _parse_one(config: SiteConfig, source: SourceFile) -> tuple:
    return parse_post(source, config)


def _read_inputs(options: BuildOptions) -> tuple[SiteConfig, list[SourceFile], datetime]:
    """The configuration (with --base-url), the posts' files and the build's 'now'."""
    config = load_config(options.site_dir / "site.toml")
    if options.base_url:
        config = replace(config, site=replace(config.site, base_url=_normalize_base_url(options.base_url)))
    if options.preview:
        config = replace(config, analytics=replace(config.analytics, preview=True))
    raise_if_errors(check_provider_template(config.comments, theme_dirs(options.site_dir)))
    sources = discover_posts(options.site_dir / "posts", config)
    return config, sources, options.now or build_now(config.site.timezone)


def _normalize_base_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise BuildError([error("--base-url", None, f"'{value}' must be an absolute URL such as https://example.com/")])
    return value if value.endswith("/") else value + "/"
