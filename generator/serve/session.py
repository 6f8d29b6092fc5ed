"""The preview session: what the last build read and prepared, kept in memory between builds, so
that an edited post's page is shown a moment after it is saved, before the whole site is rebuilt.

When a change is a few post files, those posts are parsed and their Markdown rendered again, the
site model is assembled again from the posts in memory, and each edited post's page is rendered
through the same views and templates the build uses. The full build still follows (see server.py)
and its output replaces these pages. A change the session does not take in (configuration,
templates, static files, a deleted or renamed post, many files at once) makes it forget what it
kept until a build started after that change succeeds, so what it shows never mixes old and new.
"""
from __future__ import annotations

import gc
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import jinja2
import markdown

from generator.build import BuiltSite
from generator.content.models import Post, SourceFile
from generator.content.posts import is_published, parse_post
from generator.errors import BuildError, Diagnostic
from generator.images.markup import ImageSet, referenced_paths
from generator.images.pipeline import records_shown
from generator.loading import BuildOptions, build_now
from generator.markup.markdown import PostHtml, make_markdown, render_post
from generator.markup.post_bodies import Summary
from generator.render.renderer import PageRenderer, make_environment
from generator.render.theme import Theme
from generator.render.views import ViewBuilder
from generator.site.model import Site, assemble_site
from generator.site.pages import plan_post_page
from generator.site.urls import Urls

# More changed posts than this at once (a branch switched, a folder copied in) are left to the build.
QUICK_LIMIT = 8


@dataclass(frozen=True, slots=True)
class Preview:
    """What a quick preview made: the edited posts' pages (output path -> HTML), or what is wrong."""

    sources: tuple[str, ...]  # the post files it read
    pages: Mapping[str, bytes]
    diagnostics: tuple[Diagnostic, ...]
    seconds: float


@dataclass(frozen=True, slots=True)
class _Kept:
    """One successful build's state, and the objects that render with it (one render at a time)."""

    site: Site
    posts: Mapping[str, Post]  # source path -> post, unpublished ones included
    summaries: Mapping[str, Summary]  # source path -> word count and opening text of a published post
    theme: Theme
    images: ImageSet
    assets: Mapping[str, str]
    csp: str
    env: jinja2.Environment
    markdown: markdown.Markdown


@dataclass(frozen=True, slots=True)
class _Edit:
    """A post parsed by a quick preview; `number` orders it against the builds that started since."""

    number: int
    post: Post
    html: PostHtml


class _Bodies:
    """The rendered bodies a post page asks for (see markup/post_bodies.BodyStore): the edited posts'
    from memory, the others' summaries from the last build, a body not kept rendered on demand."""

    def __init__(self, kept: _Kept, fresh: Mapping[str, PostHtml], posts: Mapping[str, Post]):
        self.kept, self.fresh, self.posts = kept, dict(fresh), posts

    def summary(self, source: str) -> Summary:
        if source in self.fresh:
            body = self.fresh[source].body
            return Summary(body.word_count, body.text)
        return self.kept.summaries[source]

    def __getitem__(self, source: str) -> PostHtml:
        if source not in self.fresh:
            self.fresh[source] = render_post(self.posts[source], self.kept.site.config.markdown, self.kept.markdown)
        return self.fresh[source]


class PreviewSession:
    """Shared by the build thread (keeper) and the thread that reacts to saves (preview, forget)."""

    def __init__(self, options: BuildOptions):
        self.options = options
        self._lock = threading.Lock()  # guards the fields below
        self._rendering = threading.Lock()  # the kept Markdown and Jinja objects serve one render at a time
        self._kept: _Kept | None = None
        self._edits: dict[str, _Edit] = {}
        self._edit_count = 0
        self._epoch = 0  # changes whenever what is kept stops being trusted

    def keeper(self) -> Callable[[BuiltSite], None]:
        """The `keep` callback of a build that starts now: it takes in what the build read, unless
        something changed since that the build may have missed."""
        with self._lock:
            epoch, mark = self._epoch, self._edit_count
        return lambda built: self._keep(built, epoch, mark)

    def forget(self) -> None:
        with self._lock:
            self._epoch += 1
            self._kept = None
            self._edits.clear()

    def _keep(self, built: BuiltSite, epoch: int, mark: int) -> None:
        site = built.site
        posts = {post.source: post for post in (*site.all_posts(), *site.unpublished)}
        summaries = {post.source: built.bodies.summary(post.source) for post in site.all_posts()}
        with self._lock:
            if epoch != self._epoch:
                return
            previous = self._kept  # kept only while the templates and settings stay as they were
            same = previous is not None and previous.theme == built.theme
            kept = _Kept(site, posts, summaries, built.theme, built.images, built.assets, built.csp,
                         previous.env if same else make_environment(built.theme.dirs, self.options.site_dir),
                         previous.markdown if same else make_markdown(site.config.markdown))
            self._kept = kept
            # Posts parsed after the build started may be newer than what it read: they stay on top.
            self._edits = {path: edit for path, edit in self._edits.items() if edit.number > mark}
        if not same and site.all_posts():  # compile the post templates now rather than on the first save
            with self._rendering:
                self._render(kept, site, _Bodies(kept, {}, posts), [site.all_posts()[0]])

    def preview(self, paths: Sequence[str], failing: Sequence[Diagnostic] = ()) -> Preview | None:
        """Render the pages of the edited posts at `paths` (relative to the site folder). None when
        the change is not a few edited posts, when nothing is kept, or when the errors being shown
        (`failing`) are not all in these files: then only the build can say what the site is."""
        started = time.perf_counter()
        with self._lock:
            kept, edits, epoch = self._kept, dict(self._edits), self._epoch
        if kept is None:
            return None
        sources = [self._source(kept, path) for path in paths]
        if not sources or len(sources) > QUICK_LIMIT or None in sources or any(d.path not in paths for d in failing):
            self.forget()
            return None
        with self._rendering, _cycle_collector_paused():
            return self._preview(kept, edits, epoch, sources, started)

    def _source(self, kept: _Kept, path: str) -> SourceFile | None:
        """A post file that the build would read as it is, or None."""
        parts = path.split("/")
        if len(parts) != 3 or parts[0] != "posts" or parts[1] not in kept.site.config.language_codes:
            return None
        file = self.options.site_dir / path
        if not parts[2].endswith(".md") or parts[2].startswith(".") or file.is_symlink() or not file.is_file():
            return None
        return SourceFile(path=path, lang=parts[1], name=parts[2][:-3], file=file)

    def _preview(self, kept: _Kept, edits: dict[str, _Edit], epoch: int, sources: list[SourceFile],
                 started: float) -> Preview | None:
        config, options = kept.site.config, self.options
        posts = {**kept.posts, **{path: edit.post for path, edit in edits.items()}}
        fresh = {path: edit.html for path, edit in edits.items()}
        edited, diagnostics = [], []
        for source in sources:
            post, found = parse_post(source, config)
            errors = [d for d in found if d.severity == "error"]
            if post is None or errors:
                diagnostics += errors or found
                continue
            try:
                fresh[post.source] = render_post(post, config.markdown, kept.markdown)
            except BuildError as exc:  # Markdown that Python-Markdown gave up on
                diagnostics += exc.diagnostics
                continue
            edited.append(post)
            posts[post.source] = post
        self._remember(edited, fresh, epoch)
        shown = tuple(source.path for source in sources)
        if diagnostics:
            return Preview(shown, {}, tuple(diagnostics), time.perf_counter() - started)
        now = options.now or build_now(config.site.timezone)
        try:
            site = assemble_site(list(posts.values()), config, now, drafts=options.drafts, future=options.future)
        except BuildError as exc:
            return Preview(shown, {}, exc.diagnostics, time.perf_counter() - started)
        published = [post for post in edited if is_published(post, now, options.drafts, options.future)]
        if not published or any(self._cover_not_cropped(kept, site, post) for post in published):
            return None  # no page to show (a draft now), or the build makes a cover's link-preview picture first
        made = self._render(kept, site, _Bodies(kept, fresh, posts), published)
        if isinstance(made, Diagnostic):
            return Preview(shown, {}, (made,), time.perf_counter() - started)
        return Preview(shown, made, (), time.perf_counter() - started)

    @staticmethod
    def _cover_not_cropped(kept: _Kept, site: Site, post: Post) -> bool:
        """The post's cover is a published image that the last build did not crop for link previews
        (it was no post's cover then)."""
        path = site.urls.resolve(post.image, Urls.post(post.lang, post.slug)) if post.image else None
        return path in kept.images.records and path not in kept.images.previews

    def _remember(self, edited: list[Post], fresh: Mapping[str, PostHtml], epoch: int) -> None:
        with self._lock:
            if epoch != self._epoch:  # forgotten meanwhile: these were parsed with what is no longer trusted
                return
            for post in edited:
                self._edit_count += 1
                self._edits[post.source] = _Edit(self._edit_count, post, fresh[post.source])

    def _render(self, kept: _Kept, site: Site, bodies: _Bodies, posts: list[Post]) -> dict[str, bytes] | Diagnostic:
        """The posts' pages, through the build's own page plan, views and page renderer."""
        images = kept.images
        views = ViewBuilder(site.config, site.urls, bodies, kept.theme.strings, kept.assets, images.site_wide, kept.csp)
        renderer = PageRenderer(views.context, kept.env, kept.theme.dirs, self.options.site_dir)
        made = {}
        for post in posts:
            shown = records_shown(referenced_paths(post, site.urls), images.records, images.previews)
            page = renderer.render(plan_post_page(site, post, shown))
            if isinstance(page, Diagnostic):
                return page
            made[page.path] = page.data
        return made


@contextmanager
def _cycle_collector_paused():
    """A preview makes tens of thousands of short-lived objects beside the large site kept in memory:
    a full pass of the cycle collector over all of it would cost more than the preview itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
