"""Parsing posts on a rebuild: a post whose file and configuration are unchanged comes from the cache.

A file counts as unchanged when its size, modification and change times and inode are those seen
by the build that cached it (see identity.file_identity), so a rebuild of a large site need not read
every file."""
from __future__ import annotations

import time
from dataclasses import replace
from typing import Any, Callable, Protocol

from generator.incremental.cache import BuildCache
from generator.incremental.identity import code_identity, file_identity, fingerprint
from generator.config.loader import SiteConfig
from generator.content.posts import file_digest, parse_post
from generator.errors import Diagnostic, raise_if_errors
from generator.content.models import Post, SourceFile
from generator.workers import iter_parallel

STORE_BATCH = 500  # keeps memory flat on large sites
PROGRESS_STEP = 50


class ParsedPostHook(Protocol):
    """Work done on each freshly parsed post in the worker that parsed it (see markup.post_bodies.BodyPrerenderer)."""

    def __call__(self, post: Post) -> Any: ...  # in the worker

    def keep(self, result: Any) -> None: ...  # in the main process, post by post in file order

    def flush(self) -> None: ...  # after the last post


def _parse(state: tuple[SiteConfig, ParsedPostHook | None], source: SourceFile) -> tuple:
    config, after = state
    post, found = parse_post(source, config)
    failed = post is None or any(d.severity == "error" for d in found)
    return post, found, (after(post) if after is not None and not failed else None)


def _stat_key(config_key: str, source: SourceFile, now_ns: int) -> str:
    """The file's identity as the file system sees it, or "" when it must be read to be known."""
    identity = file_identity(source.file, now_ns) if source.file is not None else ""
    return f"{config_key}:{identity}" if identity else ""


def _what_parsing_reads(config: SiteConfig) -> SiteConfig:
    """The configuration a post's parsing depends on: all of it but the site's address, which parsing
    never reads. `serve` previews the site at 127.0.0.1, and sharing parsed posts with `build` spares
    each of them parsing every post (and rendering its Markdown) again after the other has run."""
    return replace(config, site=replace(config.site, base_url=""))


def parse_posts_cached(sources: list[SourceFile], config: SiteConfig, cache: BuildCache, jobs: int = 0,
                       after: ParsedPostHook | None = None,
                       progress: Callable[[str, int, int], None] | None = None) -> tuple[list[Post], list[Diagnostic]]:
    """Reuse posts parsed by an earlier build when neither the file nor the configuration changed;
    parse the others in worker processes, each followed by `after`."""
    config_key = fingerprint(code_identity(), _what_parsing_reads(config))
    now_ns = time.time_ns()
    stored = cache.post_keys()  # path -> (content key, stat key)
    keys: dict[str, tuple[str, str]] = {}
    to_parse: list[SourceFile] = []
    for source in sources:
        stat_key = _stat_key(config_key, source, now_ns)
        known_key, known_stat = stored.get(source.path, ("", ""))
        if stat_key and stat_key == known_stat:
            keys[source.path] = (known_key, stat_key)
        elif not known_key:  # new to the cache: parsed (and read) in a worker
            keys[source.path] = ("", stat_key)
            to_parse.append(source)
        else:
            try:
                raw = source.read()
            except OSError:  # renamed or deleted while the build runs: parse_post reports it
                raw = None
            keys[source.path] = (fingerprint(config_key, file_digest(raw)) if raw is not None else "", stat_key)
            if keys[source.path][0] != known_key:
                to_parse.append(source if raw is None else replace(source, data=raw))
    parsed = {source.path for source in to_parse}
    reused = [path for path in keys if path not in parsed]
    results: dict[str, tuple] = cache.load_posts(reused)
    to_parse += [source for source in sources if source.path not in parsed and source.path not in results]  # damaged
    changed = [(path, keys[path], None) for path in reused
               if path in results and stored[path][1] != keys[path][1]]  # same content, its stat key is new
    for done, (source, (post, found, extra)) in enumerate(
            zip(to_parse, iter_parallel(_parse, (config, after), to_parse, jobs)), start=1):
        if progress and done % PROGRESS_STEP == 0:
            progress("reading posts", done, len(to_parse))
        if after is not None:
            after.keep(extra)
        results[source.path] = (post, found)
        key = fingerprint(config_key, post.digest) if post is not None else ""
        changed.append((source.path, (key, keys[source.path][1]), (post, found)))
        if len(changed) >= STORE_BATCH:
            cache.store_posts(changed)
            changed = []
    if after is not None:
        after.flush()
    results = {source.path: results[source.path] for source in sources}  # in discovery order
    diagnostics = [d for _, found in results.values() for d in found]
    raise_if_errors(diagnostics)
    cache.store_posts(changed)
    cache.forget_posts_except(set(results))
    return [post for post, _ in results.values() if post is not None], diagnostics
