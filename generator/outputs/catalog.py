"""Every file of the built site, a digest of what its renderer receives, and how to make it.

A page is rendered from its Page, a feed from its FeedPlan, the sitemap from its entries, an alias page
from its Alias, _redirects from the aliases, _headers from the policy, robots.txt from the site's
address, a static file or processed image from its file; besides these they receive only the build's
shared inputs: the generator's code and libraries, the configuration, the theme's templates and
strings, the asset links, the security policy, the images every page may show and the posts' rendered
bodies (which the posts' own digests stand for). Views and feeds have no handle on the site model. An
output's `inputs` digest covers exactly this, so when it is unchanged the output would come out byte for
byte as the last build wrote it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol, Sequence

from generator.errors import BuildError, Diagnostic, error
from generator.images.cache import ImageCache
from generator.images.markup import ImageSet
from generator.images.process import ImageRecord
from generator.incremental.identity import Fingerprinter, code_identity
from generator.markup.post_bodies import BodyStore
from generator.outputs.feeds import FeedRenderer, plan_feeds
from generator.outputs.headers import Policy, build_headers, content_security_policy, policy_text, split_own_rules
from generator.outputs.redirects import build_alias_page, build_redirects, plan_aliases, taken_paths
from generator.outputs.static import ASSETS, StaticFile, fingerprinted_assets, publish_static, static_files
from generator.render.renderer import PageRenderer, make_environment
from generator.render.seo import build_robots, build_sitemap
from generator.render.theme import Theme, load_template_source
from generator.render.views import ViewBuilder
from generator.site.model import Site
from generator.site.pages import GroupHeading, Listed, Page, SeriesNav, TagLink, plan_pages
from generator.site.urls import Urls
from generator.workers import iter_parallel
from generator.write.writer import StagingFolder

PROGRESS_STEP = 50


class CachedFile(Protocol):
    """A file another stage made into the cache (the search bundle's): copied into the output as it is."""

    path: str  # in the output
    file: Path  # in the cache
    digest: str  # of its content


@dataclass(frozen=True, slots=True)
class AdminFiles:
    """What a build writes under admin/ (generator/admin/ plans it): generated files, the editor's own
    files copied as they are, and the policy it is served with (None: no editor)."""

    generated: tuple[OutputFile, ...] = ()
    vendored: tuple[tuple[str, Path], ...] = ()  # output path, source file
    policy: Policy | None = None


@dataclass(frozen=True, slots=True)
class Output:
    path: str  # in the output folder
    kind: str  # page | feed | sitemap | robots | headers | redirects | alias | static | image | search | admin
    index: int  # in the catalogue's list of its kind
    inputs: str  # digest of everything its renderer receives


class SiteOutputs:
    """The catalogue of one build's outputs; `items` lists them with their inputs digests, slowest first."""

    def __init__(self, site: Site, theme: Theme, static: Sequence[StaticFile], images: ImageSet,
                 image_cache: ImageCache, bodies: BodyStore, compiled_templates: Path | None = None,
                 search: Sequence[CachedFile] = (), admin: AdminFiles = AdminFiles()):
        config, urls = site.config, site.urls
        self.urls, self.image_cache = urls, image_cache
        self.pages, self.sitemap = plan_pages(site, images.shown)
        self.feeds = plan_feeds(site, theme.strings, images.shown)
        static, own_rules = split_own_rules(static)  # the site's own _headers and _redirects are added to ours
        self.static = tuple(static)
        self.search = tuple(search)  # the search bundle's files, made by the search stage
        _refuse_clashes(self.static, {Urls.output_path(page.path) for page in self.pages} | {f.path for f in self.feeds}
                        | {f.path for f in self.search})
        self.aliases = plan_aliases(site, taken_paths(self.pages, self.feeds, self.static))
        self.images = tuple((variant, record) for record in sorted([*images.records.values(), *images.previews.values()],
                                                                    key=lambda r: (r.source, r.kind))
                            for variant in record.variants)
        self.assets = assets = {key: urls.href(path) for key, path in fingerprinted_assets(self.static).items()}
        provider = load_template_source(theme.dirs, f"comments/{config.comments.provider}.html")
        policy = content_security_policy(config, provider)
        self.csp = policy_text(policy, meta=True)
        self.admin = admin  # the editor at /admin/: Decap's own files are copied as static ones
        _refuse_clashes(self.static, {file.path for file in self.admin.generated} | {
            path for path, _ in self.admin.vendored})
        self.static += static_files(dict(self.admin.vendored))
        views = ViewBuilder(config, urls, bodies, theme.strings, assets, images.site_wide, self.csp)
        environment = make_environment(theme.dirs, config.site_dir, compiled_templates)
        self.page_renderer = PageRenderer(views.context, environment, theme.dirs, config.site_dir)
        self.feed_renderer = FeedRenderer(config, urls, bodies)
        top_level = sorted({path.split("/")[0] + ("/" if "/" in path else "") for path in (
            [Urls.output_path(page.path) for page in self.pages] + [f.path for f in self.feeds]
            + [f.path for f in self.static] + [variant.path for variant, _ in self.images]
            + [Urls.output_path(alias.path) for alias in self.aliases] + [f.path for f in self.search]
            + [urls.sitemap(), urls.robots()])})
        self.headers = (config.language_codes, policy, tuple(f.path for f in self.static if f.path in ASSETS),
                        own_rules.get("_headers", b""), tuple(f.path for f in self.search), admin.policy,
                        tuple(top_level))
        self.redirects = own_rules.get("_redirects", b"")
        digest = Fingerprinter(remember=(Listed, TagLink, SeriesNav, GroupHeading, ImageRecord))  # shared by many pages
        shared = digest(code_identity(), config, theme.digest, theme.strings, assets, self.csp, images.site_wide)
        items = [Output(plan.path, "feed", i, digest(shared, plan)) for i, plan in enumerate(self.feeds)]
        items += [Output(urls.sitemap(), "sitemap", 0, digest(shared, self.sitemap)),
                  Output(urls.robots(), "robots", 0, shared),
                  Output("_headers", "headers", 0, digest(shared, self.headers)),
                  Output("_redirects", "redirects", 0, digest(shared, self.aliases, self.redirects))]
        items += [Output(Urls.output_path(alias.path), "alias", i, digest(shared, alias))
                  for i, alias in enumerate(self.aliases)]
        items += [Output(variant.path, "image", i, variant.digest) for i, (variant, _) in enumerate(self.images)]
        items += [Output(file.path, "admin", i, digest(shared, file)) for i, file in enumerate(self.admin.generated)]
        items += [Output(file.path, "static", i, digest(code_identity(), file.identity))
                  for i, file in enumerate(self.static)]
        items += [Output(file.path, "search", i, file.digest) for i, file in enumerate(self.search)]
        items += [Output(Urls.output_path(page.path), "page", i, digest(shared, page))
                  for i, page in enumerate(self.pages)]
        own = {file.path for file in self.static}  # a site's own robots.txt or sitemap.xml replaces ours
        self.items = [item for item in items if item.kind == "static" or item.path not in own]

    def planned_pages(self) -> tuple[tuple[Page, str | None], ...]:
        """Every page with the digest of what its renderer receives (None: a file of the site's own replaces it)."""
        digests = {item.index: item.inputs for item in self.items if item.kind == "page"}
        return tuple((page, digests.get(index)) for index, page in enumerate(self.pages))

    def pages_per_language(self, languages: Sequence[str]) -> dict[str, int]:
        return {lang: sum(1 for page in self.pages if page.lang == lang) for lang in languages}

    def render(self, item: Output, folder: StagingFolder) -> tuple[str, str] | Diagnostic:
        """Make one output in the staging folder: (path, digest of the file) or what went wrong."""
        kind, index = item.kind, item.index
        if kind == "static":
            return item.path, publish_static(self.static[index], folder)
        if kind == "image":
            variant, record = self.images[index]
            return _copy(folder, item.path, self.image_cache.file(variant), f"static/{record.source}",
                         "the processed copies of this image")
        if kind == "search":
            return _copy(folder, item.path, self.search[index].file, "site.toml", "the search index")
        if kind == "page":
            made = self.page_renderer.render(self.pages[index])
        elif kind == "feed":
            made = self.feed_renderer.render(self.feeds[index])
        elif kind == "sitemap":
            made = build_sitemap(self.urls, self.sitemap)
        elif kind == "headers":
            made = build_headers(self.urls, *self.headers)
        elif kind == "redirects":
            made = build_redirects(self.urls, self.aliases, self.redirects)
        elif kind == "admin":
            made = self.admin.generated[index]
        elif kind == "alias":
            made = build_alias_page(self.urls, self.aliases[index], self.csp)
        else:
            made = build_robots(self.urls)
        if isinstance(made, Diagnostic):
            return made
        return made.path, folder.write(made)


def _copy(folder: StagingFolder, path: str, cached: Path, source: str, what: str) -> tuple[str, str] | Diagnostic:
    """A file made into the cache by an earlier stage, copied into the staging folder."""
    try:
        return path, folder.copy(path, cached)
    except FileNotFoundError:
        return error(source, None, f"{what} vanished from .clinicpress-cache during the build", "build again")


def _render(state: tuple[SiteOutputs, StagingFolder], item: Output) -> tuple[str, str] | Diagnostic:
    outputs, folder = state
    return outputs.render(item, folder)


def render_outputs(outputs: SiteOutputs, items: Sequence[Output], folder: StagingFolder, jobs: int,
                   progress: Callable[[str, int, int], None] | None = None) -> dict[str, str]:
    """Make the given outputs (in worker processes when there are many): path -> digest of the file."""
    written, diagnostics = {}, []
    for done, result in enumerate(iter_parallel(_render, (outputs, folder), items, jobs), start=1):
        if progress and done % PROGRESS_STEP == 0:
            progress("rendering pages", done, len(items))
        if isinstance(result, Diagnostic):
            diagnostics.append(result)
        else:
            written[result[0]] = result[1]
    if diagnostics:
        raise BuildError(list(dict.fromkeys(diagnostics)))
    return written


def _refuse_clashes(static: Sequence[StaticFile], generated: set[str]) -> None:
    """A static file may not take the place of a page or a feed."""
    clashes = [file.path for file in static if file.path in generated]
    if clashes:
        raise BuildError([error(f"static/{path}", None, f"static file would overwrite the generated page /{path}",
                                "rename or remove the static file") for path in clashes])
