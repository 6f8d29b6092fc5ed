"""The image stage of a build: every raster image the site publishes (the theme's and the site's static
files, photos of posts among them) is processed once, in the worker processes, and kept in the image
cache; the writer then gets the clean files. A source that cannot be published stops the build with
the posts that show it, so output/ stays as it was."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Mapping

from generator.config.site_files import static_sources
from generator.content.models import Post
from generator.errors import BuildError, Diagnostic, display_path, error
from generator.images.cache import ImageCache
from generator.images.markup import ImageSet, image_targets, referenced_paths
from generator.images.process import ImageProblem, ImageRecord, ImageTask, process_image
from generator.config.images import ImagesConfig
from generator.incremental.identity import code_identity, fingerprint
from generator.site.model import Site
from generator.site.urls import Urls
from generator.workers import iter_parallel

# Every raster format a photo or drawing may come in; each is processed, none is copied as it is.
RASTER_SUFFIXES = frozenset((".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".apng", ".webp", ".gif", ".avif",
                             ".heic", ".heif", ".hif", ".tif", ".tiff", ".bmp", ".dib"))


def is_raster(relative: str) -> bool:
    dot = relative.rfind(".")
    return dot != -1 and relative[dot:].lower() in RASTER_SUFFIXES


def discover_images(site_dir: Path, dirs: list[Path]) -> dict[str, Path]:
    """Raster files by site path, from the static folders in the order the other static files are
    published in. Links that lead out of a static folder are left out (outputs/static.py reports them)."""
    return {path: file for path, file in static_sources(site_dir, dirs)[0].items() if is_raster(path)}


def _key(kind: str, source: str, content: str, settings: ImagesConfig) -> str:
    if kind == "preview":
        return fingerprint(code_identity(), kind, source, content, settings.quality)
    return fingerprint(code_identity(), kind, source, content, settings.widths, settings.formats, settings.quality)


def _process(state: tuple[ImagesConfig, Path], task: ImageTask) -> ImageRecord | ImageProblem:
    settings, folder = state
    return process_image(settings, folder, task)


def prepare_images(site: Site, site_dir: Path, dirs: list[Path], cache: ImageCache, other_static: set[str],
                   jobs: int = 0, progress: Callable[[str, int, int], None] | None = None) -> ImageSet:
    """Process (or find in the cache) every static raster image, and the link-preview crop of each
    post cover; raise BuildError, naming the posts that show them, for images that cannot be published."""
    settings, urls = site.config.images, site.urls
    sources = discover_images(site_dir, dirs)
    covers = {urls.resolve(post.image, Urls.post(post.lang, post.slug)) for post in site.all_posts() if post.image}
    problems: list[ImageProblem] = []
    tasks: list[ImageTask] = []
    for path, file in sources.items():
        try:
            content = cache.source_digest(file)
        except OSError as exc:
            problems.append(ImageProblem(path, f"cannot be read ({exc.strerror or exc})", "check the file's permissions"))
            continue
        tasks.append(ImageTask(_key("variants", path, content, settings), "variants", path, file))
        if path in covers:
            tasks.append(ImageTask(_key("preview", path, content, settings), "preview", path, file))
    done: dict[tuple[str, str], ImageRecord] = {}
    todo = []
    for task in tasks:
        record = cache.record(task.key)
        if record is not None:
            done[task.kind, task.source] = record
        else:
            todo.append(task)
    # One photo is a second of work or more: worth a worker process from the second one on.
    for count, (task, result) in enumerate(zip(todo, iter_parallel(_process, (settings, cache.folder), todo, jobs,
                                                                   min_items=2, chunk_size=1)), start=1):
        if isinstance(result, ImageProblem):
            problems.append(result)
        else:
            cache.store(result)
            done[task.kind, task.source] = result
        if progress:
            progress("processing images", count, len(todo))
    if problems:
        raise BuildError(_located(problems, site, sources, site_dir))
    records = {source: record for (kind, source), record in done.items() if kind == "variants"}
    previews = {source: record for (kind, source), record in done.items() if kind == "preview"}
    _refuse_clashes(records, previews, sources, other_static, site_dir)
    images = ImageSet(records, previews, _shown_by_posts(site, records, previews, cache),
                      _site_wide(site, records))
    cache.save()
    return images


def _shown_by_posts(site: Site, records: dict[str, ImageRecord], previews: dict[str, ImageRecord],
                    cache: ImageCache) -> dict[str, tuple[ImageRecord, ...]]:
    """post.source -> every processed image (and preview crop) the post may show: its pages and feed
    entries are made from these alone, so they change exactly when one of these does."""
    shown = {}
    for post in site.all_posts():
        post_key = fingerprint(post.source, post.digest, site.urls.base_path)
        paths = cache.references(post_key)
        if paths is None:
            paths = referenced_paths(post, site.urls)
            cache.store_references(post_key, paths)
        shown[post.source] = records_shown(paths, records, previews)
    return shown


def records_shown(paths: Iterable[str], records: Mapping[str, ImageRecord],
                  previews: Mapping[str, ImageRecord]) -> tuple[ImageRecord, ...]:
    """The processed images and preview crops at these site paths: what a post naming them may show."""
    return tuple(record for path in paths for record in (records.get(path), previews.get(path)) if record)


def _site_wide(site: Site, records: dict[str, ImageRecord]) -> tuple[ImageRecord, ...]:
    """The images any page may show besides its post's: the clinic logo and the author portraits."""
    addresses = [site.config.clinic.logo] + [author.image for author in site.config.authors]
    paths = dict.fromkeys(site.urls.resolve(address, "") for address in addresses if address)
    return tuple(records[path] for path in paths if path in records)


def _refuse_clashes(records: dict[str, ImageRecord], previews: dict[str, ImageRecord],
                    sources: dict[str, Path], other_static: set[str], site_dir: Path) -> None:
    """A made file may not land on another image or static file (photo.heic and photo.jpg, or a file
    that happens to be called photo-480w.webp)."""
    owners: dict[str, str] = {}
    problems = []
    for record in list(records.values()) + list(previews.values()):
        for variant in record.variants:
            taken = owners.setdefault(variant.path, record.source)
            clash = (variant.path in sources and variant.path != record.source) or variant.path in other_static \
                or taken != record.source
            if clash:
                other = taken if taken != record.source else variant.path
                shown = display_path(sources[record.source], site_dir)
                problems.append(error(shown, None, f"the copy /{variant.path} made from this image would "
                                                   f"replace /{other}", f"rename {shown} or the other file"))
    if problems:
        raise BuildError(list(dict.fromkeys(problems)))


def _located(problems: list[ImageProblem], site: Site, sources: dict[str, Path], site_dir: Path) -> list[Diagnostic]:
    """Each problem where it matters: on every line of a post that shows the image, else on the file."""
    diagnostics = []
    for problem in problems:
        shown = display_path(sources[problem.source], site_dir) if problem.source in sources else problem.source
        places = [place for post in site.all_posts() for place in _lines_showing(post, problem.source, site.urls)]
        for post, line, target in places:
            diagnostics.append(error(post.source, line, f"image '{target}' ({shown}) {problem.message}", problem.hint))
        if not places:
            diagnostics.append(error(shown, None, f"image {problem.message}", problem.hint))
    return diagnostics


def _lines_showing(post: Post, source: str, urls: Urls) -> list[tuple[Post, int, str]]:
    page = Urls.post(post.lang, post.slug)
    found = []
    if post.image and urls.resolve(post.image, page) == source:
        found.append((post, post.key_lines.get("image", 1), post.image))
    data = post.body_data
    for offset, target in image_targets(data):
        if urls.resolve(target, page) == source:
            found.append((post, post.body_line + data.count(b"\n", 0, offset), target))
    return found
