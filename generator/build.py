"""The build pipeline, stage by stage: read and validate everything, render, then write."""
from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from dataclasses import dataclass

from generator import __version__
from generator.check.runner import lint_for_build
from generator.errors import BuildError, Diagnostic, error
from generator.images.cache import ImageCache
from generator.images.markup import ImageMarkup
from generator.images.pipeline import is_raster, prepare_images, write_images
from generator.incremental.cache import BuildCache, fingerprint
from generator.incremental.signatures import feed_signature, page_signatures, sitemap_signature
from generator.loading import BuildOptions, load_site
from generator.markup.post_bodies import render_bodies
from generator.outputs.feeds import FeedRenderer, plan_feeds
from generator.outputs.headers import build_headers, content_security_policy, policy_text, split_own_rules
from generator.outputs.redirects import build_alias_page, build_redirects, plan_aliases, taken_paths
from generator.render.renderer import OutputRenderer, PageRenderer, make_environment, render_outputs
from generator.render.seo import build_robots, build_sitemap
from generator.render.theme import (ASSETS, fingerprinted_assets, load_static_files, load_template_source,
                                    theme_digest, theme_dirs)
from generator.render.views import ViewBuilder
from generator.site.pages import plan_pages
from generator.site.strings import load_strings
from generator.site.urls import Urls
from generator.write.writer import SiteWriter, check_output_dir, live_marker


BUILD_STAGES = ("reading posts", "rendering pages", "writing files")


@dataclass(frozen=True, slots=True)
class BuildResult:
    pages_per_language: dict[str, int]
    files_written: int
    seconds: float
    warnings: tuple[Diagnostic, ...]


def build_site(options: BuildOptions) -> BuildResult:
    """Read and validate everything, render what changed (in parallel), then swap the new site in."""
    with _cycle_collector_paused():
        return _build_site(options)


def _build_site(options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    site_dir = options.site_dir
    output_dir = options.output_dir or site_dir / "output"
    check_output_dir(output_dir, site_dir)
    progress = options.progress or (lambda stage, done, total: None)
    cache = BuildCache(site_dir, enabled=options.use_cache)
    image_cache = ImageCache(site_dir, enabled=options.use_cache)
    try:
        progress(BUILD_STAGES[0], 0, len(BUILD_STAGES))
        _, site, warnings = load_site(options, cache, prerender=True)
        gc.freeze()  # the site model lives as long as the build: forked workers then share its pages
        warnings += lint_for_build(site, options.drafts, options.future, cache, options.jobs)
        dirs = theme_dirs(site_dir)
        strings = load_strings(dirs, site.config.languages, site_dir)
        static = load_static_files(site_dir, dirs, skip=is_raster)
        images = prepare_images(site, site_dir, dirs, image_cache, {f.path for f in static}, options.jobs, progress)
        assets = {k: site.urls.href(v) for k, v in fingerprinted_assets(static).items()}
        comments_template = f"comments/{site.config.comments.provider}.html"
        policy = content_security_policy(site.config, load_template_source(dirs, comments_template))
        build_key = fingerprint(__version__, repr(site.config), theme_digest(dirs), assets, images.site_digest,
                                policy_text(policy))
        progress(BUILD_STAGES[1], 1, len(BUILD_STAGES))
        bodies = render_bodies(site, cache, options.jobs, progress)
        pages = plan_pages(site)
        feeds = plan_feeds(site, strings)
        static, own_rules = split_own_rules(static)
        _refuse_static_clashes(static, {Urls.output_path(p.path) for p in pages} | {f.path for f in feeds})
        aliases = plan_aliases(site, taken_paths(pages, feeds, static))
        site_files = [build_alias_page(site, alias, policy_text(policy, meta=True)) for alias in aliases]
        site_files += [build_redirects(site, aliases, own_rules.get("_redirects", b"")),
                       build_headers(site.urls, site.config.language_codes, policy,
                                     [f.path for f in static if f.path in ASSETS], own_rules.get("_headers", b""))]
        current_marker = live_marker(output_dir)
        trusted = current_marker is not None and current_marker == cache.marker(output_dir)
        previous = cache.outputs() if trusted else {}
        live_digests = {path: digest for path, (_, digest) in previous.items()}
        progress(BUILD_STAGES[2], 2, len(BUILD_STAGES))
        with SiteWriter(output_dir, live_digests, cache.spare(), cache.spare_marker(output_dir),
                        seen_marker=current_marker) as writer:
            signatures: dict[str, str] = {}
            stale = []
            for index, (page, signature) in enumerate(zip(pages, page_signatures(site, pages, build_key))):
                path = Urls.output_path(page.path)
                if page.post is not None and images.post_digests[page.post.source]:
                    signature = fingerprint(signature, images.post_digests[page.post.source])
                signatures[path] = signature
                if previous.get(path, ("",))[0] != signature or not writer.keep(path):
                    stale.append(index)
            stale_feeds = []
            for index, plan in enumerate(feeds):
                signatures[plan.path] = fingerprint(feed_signature(build_key, plan.path, plan.posts, plan.title),
                                                   *(images.post_digests[p.source] for p in plan.posts))
                if previous.get(plan.path, ("",))[0] != signatures[plan.path] or not writer.keep(plan.path):
                    stale_feeds.append(index)
            markup = ImageMarkup(images, site.urls, site.config.images)
            views = ViewBuilder(site, bodies, strings, assets, markup, csp=policy_text(policy, meta=True))
            feed_renderer = FeedRenderer(site, bodies, markup)
            renderer = OutputRenderer(
                PageRenderer(pages, views.context, make_environment(dirs, cache.templates_dir), dirs, site_dir,
                             Urls.output_path, writer.folder),
                lambda index: feed_renderer.render(feeds[index]))
            writer.written.update(render_outputs(renderer, stale, stale_feeds, options.jobs, progress))
            sitemap_path = site.urls.sitemap()
            signatures[sitemap_path] = sitemap_signature(build_key, pages)
            if previous.get(sitemap_path, ("",))[0] != signatures[sitemap_path] or not writer.keep(sitemap_path):
                writer.write(build_sitemap(site, pages))
            write_images(images, image_cache, writer, previous, signatures)
            for output in [build_robots(site)] + site_files + static:
                writer.write(output)
            marker = writer.commit()
        cache.store_outputs(output_dir, {path: (signatures.get(path, ""), digest)
                                         for path, digest in writer.written.items()}, marker,
                            spare=live_digests, spare_marker=current_marker if trusted else None)
        progress("done", len(BUILD_STAGES), len(BUILD_STAGES))
    finally:
        cache.close()
        image_cache.close()
    per_language = {lang: sum(1 for p in pages if p.lang == lang) for lang in site.config.language_codes}
    return BuildResult(per_language, len(writer.written), time.perf_counter() - started, warnings)


@contextmanager
def _cycle_collector_paused():
    """A build makes many objects that live until it ends and form next to no cycles: the cycle
    collector would walk them over and over (a fifth of a large site's rebuild). It runs again,
    over everything, once the build is over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def _refuse_static_clashes(static: list, generated: set[str]) -> None:
    clashes = [f.path for f in static if f.path in generated]
    if clashes:
        raise BuildError([error(f"static/{path}", None, f"static file would overwrite the generated page /{path}",
                                "rename or remove the static file") for path in clashes])
