"""`clinicpress deploy`: check, build, compare with what is online, publish, tell search engines.

The check gate is `clinicpress check` itself: error-level findings refuse the deploy (unless forced)
before anything is built or sent. What is online is read back from the host (the branch, or the
destination folder), so the list of changes and of vanishing addresses is what readers will see.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from generator.build import BuildResult, build_site
from generator.loading import BuildOptions, load_site
from generator.check.command import run_checks
from generator.config.loader import load_config
from generator.deploy.changes import Changes, page_urls
from generator.deploy.git_target import GitTarget, is_local_path, site_origin
from generator.deploy.indexnow import create_key, find_key, ping
from generator.deploy.ownership import refuse_unowned
from generator.deploy.rsync_target import RsyncTarget
from generator.config.deploy import DeployConfig, deploy_problems
from generator.deploy.vanishing import vanishing_urls
from generator.errors import BuildError, DeployError, Diagnostic, UsageError, display_path
from generator.incremental.cache import CACHE_DIR, BuildCache
from generator.site.model import Site
from generator.site.urls import Urls


class DeployRefusedError(BuildError):
    """`check` found errors: nothing was built or published."""


@dataclass(frozen=True, slots=True)
class DeployOptions:
    build: BuildOptions
    target: str | None = None  # the command line's choices override [deploy]
    repository: str | None = None
    branch: str | None = None
    destination: str | None = None
    dry_run: bool = False
    force: bool = False
    message: str | None = None


@dataclass(frozen=True, slots=True)
class DeployEvent:
    # forced | built | key | warnings | unowned | nothing | changes | published | indexnow | indexnow_failed
    kind: str
    text: str = ""
    diagnostics: tuple[Diagnostic, ...] = ()
    changes: Changes = field(default_factory=Changes)
    result: BuildResult | None = None


def settings_for(config: DeployConfig, options: DeployOptions) -> DeployConfig:
    overrides = {key: value for key in ("target", "repository", "branch", "destination")
                 if (value := getattr(options, key)) is not None}
    settings = replace(config, **overrides)
    for key, message, _ in deploy_problems(settings):  # site.toml's own values were checked when it was read
        raise UsageError(f"{message} (set it under [deploy] in site.toml or pass --{key})")
    return settings


def deploy_site(options: DeployOptions, report: Callable[[DeployEvent], None]) -> Changes:
    """Run the whole deploy; returns what was published (empty for a dry run or when nothing changed)."""
    site_dir = options.build.site_dir
    config = load_config(site_dir / "site.toml")
    settings = settings_for(config.deploy, options)
    key = _indexnow_key(settings, site_dir, options.dry_run, report)

    findings = run_checks(site_dir)
    errors = tuple(f for f in findings if f.severity == "error")
    if errors and not options.force:
        raise DeployRefusedError(errors)
    if errors:
        report(DeployEvent("forced", diagnostics=errors))

    result = build_site(options.build)
    report(DeployEvent("built", result=result))
    if not result.posts.published and not (options.force or options.dry_run):
        raise DeployError("the site has no published post, so its home pages list none (\"No posts yet.\"); "
                          "publishing it would replace the site online with an empty one. Write a post first "
                          "(clinicpress new), or publish the empty site with --force")
    output_dir = options.build.output_dir or site_dir / "output"
    site = _site(options.build)
    target = _target(settings, site_dir, output_dir)
    target.fetch()
    if target.unowned:
        if not (options.force or options.dry_run):
            refuse_unowned(target.where)
        report(DeployEvent("unowned", text=target.where))
    vanishing = vanishing_urls(target.previous("sitemap.xml"), _read(output_dir / "sitemap.xml"),
                               _read(output_dir / "_redirects"), site.urls.base_path, _post_paths(site))
    if vanishing:
        report(DeployEvent("warnings", diagnostics=tuple(vanishing)))
    changes = target.stage(output_dir)
    if not changes:
        report(DeployEvent("nothing", text=target.where))
        return Changes()
    if options.dry_run:
        report(DeployEvent("changes", text=target.where, changes=changes))
        return Changes()
    published = target.publish(options.message or commit_message(site, changes))
    if isinstance(published, Changes):  # rsync says what it really copied
        changes = published
    report(DeployEvent("published", text=target.where, changes=changes))
    if key:
        urls = page_urls(site.urls, changes.added + changes.changed + changes.removed)
        if urls:
            problem = ping(settings.indexnow_endpoint, site.config.site.base_url, key, urls)
            report(DeployEvent("indexnow_failed" if problem else "indexnow", text=problem or str(len(urls))))
    return changes


def _indexnow_key(settings: DeployConfig, site_dir: Path, dry_run: bool,
                  report: Callable[[DeployEvent], None]) -> str | None:
    if not settings.indexnow:
        return None
    key = find_key(site_dir)
    if key is None and not dry_run:
        key, path = create_key(site_dir)
        report(DeployEvent("key", text=display_path(path, site_dir)))
    return key


def _target(settings: DeployConfig, site_dir: Path, output_dir: Path) -> GitTarget | RsyncTarget:
    if settings.target == "rsync":
        return RsyncTarget(settings.destination, site_dir, output_dir)
    repository = settings.repository or site_origin(site_dir)
    if is_local_path(repository) and not Path(repository).expanduser().is_absolute():
        repository = str((site_dir / repository).resolve())
    return GitTarget(repository, settings.branch, settings.cname, site_dir, site_dir / CACHE_DIR / "deploy")


def _site(options: BuildOptions) -> Site:
    """The site just built, for the names of posts in messages (read through the warm build cache)."""
    cache = BuildCache(options.site_dir, enabled=options.use_cache)
    try:
        return load_site(options, cache)[1]
    finally:
        cache.close()


def _post_paths(site: Site) -> dict[str, str]:
    """Root-relative path of every post page, as the sitemap lists it -> the post's file."""
    base = site.urls.base_path
    return {base + Urls.post(post.lang, post.slug): post.source for post in site.all_posts()}


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def commit_message(site: Site, changes: Changes) -> str:
    """'Publish <title>' or 'Publish 3 posts', then the posts and the addresses that went away."""
    by_file = {Urls.output_path(Urls.post(p.lang, p.slug)): p for p in site.all_posts()}
    new = [by_file[f] for f in changes.added if f in by_file]
    updated = [by_file[f] for f in changes.changed if f in by_file]
    removed = [f for f in changes.removed if f.endswith("index.html") and "/posts/" in f]
    posts = new + updated
    if len(posts) == 1:
        subject = f"Publish \"{posts[0].title}\""
    elif posts:
        subject = f"Publish {len(posts)} posts"
    elif removed:
        subject = f"Remove {len(removed)} post page{'s' if len(removed) > 1 else ''}"
    else:
        subject = f"Update the site ({changes.count()} file{'s' if changes.count() != 1 else ''})"
    lines = [subject, ""]
    lines += [f"new: {p.source} ({p.title})" for p in new]
    lines += [f"changed: {p.source} ({p.title})" for p in updated]
    lines += [f"removed: /{f[:-len('index.html')]}" for f in removed]
    lines.append(f"{len(changes.added)} added, {len(changes.changed)} changed, {len(changes.removed)} removed files")
    return "\n".join(lines).strip() + "\n"
