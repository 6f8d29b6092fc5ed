"""The build pipeline, stage by stage: read and validate everything, render what changed, then swap
the new site in."""
from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from typing import Callable, Mapping

from generator.admin.files import plan_admin
from generator.check.runner import lint_for_build
from generator.errors import Diagnostic
from generator.images.cache import ImageCache
from generator.images.markup import ImageSet
from generator.images.pipeline import is_raster, prepare_images
from generator.incremental.cache import BuildCache
from generator.incremental.output_plan import OutputPlan
from generator.loading import BuildOptions, load_site
from generator.markup.post_bodies import BodyStore, render_bodies
from generator.outputs.catalog import SiteOutputs, render_outputs
from generator.outputs.static import discover_static_files
from generator.render.theme import Theme, load_theme
from generator.search.bundle import SearchCache
from generator.search.index import index_site
from generator.site.model import PostCounts, Site, count_posts
from generator.site.urls import Urls
from generator.workers import cycle_collector_paused
from generator.write.writer import check_output_dir

BUILD_STAGES = ("reading posts", "rendering pages", "writing files")


@dataclass(frozen=True, slots=True)
class BuildResult:
    pages_per_language: dict[str, int]
    files_written: int
    files_made: int  # made again by this build; the others were carried over from the last one unchanged
    seconds: float
    findings: tuple[Diagnostic, ...]  # of the content rules, for `check` to judge: they never stop a build
    post_sources: dict[str, str]  # output path of each post's page -> the post's source path
    posts: PostCounts  # published, and the drafts and future posts left out or brought in
    stages: tuple[tuple[str, float], ...] = ()  # seconds each step took, in order (build --timings)

    def count(self, severity: str) -> int:
        return sum(1 for finding in self.findings if finding.severity == severity)


@dataclass(frozen=True, slots=True)
class BuiltSite:
    """What a build read and prepared, for `serve` to keep between builds (see serve/session.py)."""

    site: Site
    bodies: BodyStore  # reads the build's cache: use it only during the call that receives it
    theme: Theme
    images: ImageSet
    assets: Mapping[str, str]  # the theme's stylesheet and script, with their fingerprints
    csp: str  # the Content-Security-Policy every page carries


def build_site(options: BuildOptions, keep: Callable[[BuiltSite], None] | None = None) -> BuildResult:
    """Read and validate everything, render what changed (in parallel), then swap the new site in.
    After a build that succeeded, keep (if given) receives what it read and prepared."""
    with cycle_collector_paused():
        return _build_site(options, keep)


def _build_site(options: BuildOptions, keep: Callable[[BuiltSite], None] | None) -> BuildResult:
    started = time.perf_counter()
    laps = Laps(started)
    site_dir = options.site_dir
    output_dir = options.output_dir or site_dir / "output"
    check_output_dir(output_dir, site_dir)
    progress = options.progress or (lambda stage, done, total: None)
    cache = BuildCache(site_dir, enabled=options.use_cache)
    image_cache = ImageCache(site_dir, enabled=options.use_cache)
    search_cache = SearchCache(site_dir, enabled=options.use_cache)
    try:
        progress(BUILD_STAGES[0], 0, len(BUILD_STAGES))
        # Read and check: configuration, posts, the site model, the theme, the static files' names.
        _, site, findings = load_site(options, cache, prerender=True)
        gc.freeze()  # the site model lives as long as the build: forked workers then share its pages
        theme = load_theme(site_dir, site.config.languages)
        static = discover_static_files(site_dir, theme.dirs, skip=is_raster)
        laps("reading and checking input")
        # Photos and other raster images: processed once, kept in the image cache.
        images = prepare_images(site, site_dir, list(theme.dirs), image_cache, {f.path for f in static},
                                options.jobs, progress)
        laps("photos")
        progress(BUILD_STAGES[1], 1, len(BUILD_STAGES))
        # Markdown of the posts not rendered yet, then every output with what its renderer receives.
        bodies = render_bodies(site, cache, options.jobs, progress)
        laps("Markdown")
        # The search index of the published posts, made again only when what it holds changed.
        search = index_site(site, bodies, search_cache)
        laps("search index")
        # The browser editor at /admin/, configured from site.toml.
        admin = plan_admin(site.config, site.urls, static)
        outputs = SiteOutputs(site, theme, static, images, image_cache, bodies, cache.templates_dir, search, admin)
        # What `check` finds in the published site: counted and shown, never a reason to stop.
        findings += lint_for_build(site, options.drafts, options.future, cache, options.jobs, outputs.planned_pages())
        laps("content rules")
        progress(BUILD_STAGES[2], 2, len(BUILD_STAGES))
        # Make what changed in a staging folder (the rest is carried over), then swap it in.
        with OutputPlan(cache, output_dir) as plan:
            made = render_outputs(outputs, plan.stale(outputs.items), plan.folder, options.jobs, progress)
            plan.made(made)
            plan.commit()
        laps("pages and files")
        if keep is not None:
            keep(BuiltSite(site, bodies, theme, images, outputs.assets, outputs.csp))
        progress("done", len(BUILD_STAGES), len(BUILD_STAGES))
    finally:
        cache.close()
        image_cache.close()
        search_cache.close()
    post_sources = {Urls.output_path(page.path): page.post.source for page in outputs.pages if page.post is not None}
    return BuildResult(outputs.pages_per_language(site.config.language_codes), plan.files, len(made),
                       time.perf_counter() - started, findings, post_sources, count_posts(site, options.drafts),
                       laps.stages())


class Laps:
    """The time each step of a build took."""

    def __init__(self, started: float):
        self._last, self._stages = started, []

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self._stages.append((stage, now - self._last))
        self._last = now

    def stages(self) -> tuple[tuple[str, float], ...]:
        return tuple(self._stages)

