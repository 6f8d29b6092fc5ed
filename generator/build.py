"""The build pipeline, stage by stage: read and validate everything, render, then write."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from .config import SiteConfig, load_config
from .content import discover_posts, parse_posts
from .errors import BuildError, Diagnostic, error
from .feeds import build_feeds
from .i18n import load_strings
from .markup import PostHtml, make_markdown, render_post_html
from .models import OutputFile
from .pages import plan_pages
from .render import make_environment, render_pages
from .seo import build_robots, build_sitemap
from .site_model import Site, assemble_site
from .theme import fingerprinted_assets, load_static_files, theme_dirs
from .urls import Urls
from .views import ViewBuilder
from .writer import check_output_dir, write_site


@dataclass(frozen=True, slots=True)
class BuildOptions:
    site_dir: Path
    output_dir: Path | None = None
    base_url: str | None = None
    drafts: bool = False
    future: bool = False
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class BuildResult:
    pages_per_language: dict[str, int]
    files_written: int
    seconds: float
    warnings: tuple[Diagnostic, ...]


def build_now(config_timezone: str) -> datetime:
    """The build's idea of 'now': SOURCE_DATE_EPOCH when set, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(ZoneInfo(config_timezone))


def load_site(options: BuildOptions) -> tuple[SiteConfig, Site, tuple[Diagnostic, ...]]:
    """Stages up to the site model; also used by `check` and `serve`."""
    config = load_config(options.site_dir / "site.toml")
    if options.base_url:
        config = replace(config, site=replace(config.site, base_url=_normalize_base_url(options.base_url)))
    sources = discover_posts(options.site_dir / "posts", config)
    posts, warnings = parse_posts(sources, config)
    now = options.now or build_now(config.site.timezone)
    site = assemble_site(posts, config, now, drafts=options.drafts, future=options.future)
    return config, site, tuple(warnings)


def _normalize_base_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise BuildError([error("--base-url", None, f"'{value}' must be an absolute URL such as https://example.com/")])
    return value if value.endswith("/") else value + "/"


def render_html_bodies(site: Site) -> dict[str, PostHtml]:
    md = make_markdown(site.config.markdown)
    return {post.source: render_post_html(post.body, post.faq, site.config.markdown, md) for post in site.all_posts()}


def build_outputs(site: Site, site_dir: Path) -> list[OutputFile]:
    """Everything the site consists of, in memory."""
    dirs = theme_dirs(site_dir)
    strings = load_strings(dirs, site.config.language_codes, site_dir)
    static = load_static_files(site_dir, dirs)
    html = render_html_bodies(site)
    pages = plan_pages(site)
    views = ViewBuilder(site, html, strings, {k: site.urls.href(v) for k, v in fingerprinted_assets(static).items()})
    rendered = render_pages(pages, views.context, make_environment(dirs), dirs, site_dir, Urls.output_path)
    generated = rendered + build_feeds(site, html, strings) + [build_sitemap(site, pages), build_robots(site)]
    taken = {f.path for f in generated}
    clashes = [f.path for f in static if f.path in taken]
    if clashes:
        raise BuildError([error(f"static/{path}", None, f"static file would overwrite the generated page /{path}",
                                "rename or remove the static file") for path in clashes])
    return generated + static


def build_site(options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    site_dir = options.site_dir
    output_dir = options.output_dir or site_dir / "output"
    check_output_dir(output_dir, site_dir)
    _, site, warnings = load_site(options)
    outputs = build_outputs(site, site_dir)
    write_site(outputs, output_dir)
    per_language = {lang: sum(1 for f in outputs if f.path.startswith(f"{lang}/") and f.path.endswith(".html"))
                    for lang in site.config.language_codes}
    return BuildResult(per_language, len(outputs), time.perf_counter() - started, warnings)
