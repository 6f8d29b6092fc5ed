"""`clinicpress keep-layout --changed-since REF`: the front-matter of the posts a branch changed, laid out
again as it was on REF wherever the values are the same.

The browser editor (Decap CMS) writes every front-matter line anew when it saves a post through GitHub:
its own quotes, list style and order, and no comments. `serve --edit` merges each save into the file it
replaces (content/layout.py); on GitHub the keep-layout workflow that `init` writes runs this command
after each save and commits what it changed, so a one-word fix shows as a one-line change there too."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.approval.changed import changed_post_paths, run_git
from generator.config.loader import load_config
from generator.content.layout import keep_layout
from generator.content.rewrite import rewrite_post
from generator.errors import UsageError


@dataclass(frozen=True, slots=True)
class LayoutResult:
    changed: tuple[str, ...]  # the posts the branch added or changed, relative to the site, sorted
    relaid: tuple[str, ...]  # those whose layout was put back


def keep_layouts(site_dir: Path, ref: str) -> LayoutResult:
    """Each post changed between REF and HEAD, with the lines it had where REF and HEAD's branch parted
    kept wherever their values are unchanged; a post that is new there is left as it is."""
    config = load_config(site_dir / "site.toml")
    paths = changed_post_paths(site_dir, ref, config.language_codes)
    base = _merge_base(site_dir, ref) if paths else ""
    relaid = []
    for path in paths:
        relative = path.relative_to(site_dir).as_posix()
        try:
            now = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue  # `check` reports it
        before = _at(site_dir, base, relative)
        if before is None:
            continue
        kept = keep_layout(before, now)
        if kept != now:
            rewrite_post(path, kept.encode("utf-8"), ".layout-")
            relaid.append(relative)
    return LayoutResult(tuple(path.relative_to(site_dir).as_posix() for path in paths), tuple(relaid))


def _merge_base(site_dir: Path, ref: str) -> str:
    """The commit where HEAD's branch left REF: what the posts were before the branch changed them."""
    found = run_git(site_dir, "merge-base", ref, "HEAD")
    if found.returncode != 0:
        raise UsageError(f"--changed-since {ref}: git found no commit that it and HEAD share in {site_dir}; "
                         "give a branch or commit of this repository's history")
    return found.stdout.decode("ascii").strip()


def _at(site_dir: Path, commit: str, relative: str) -> str | None:
    """The post's text at commit (None: not there then, or not UTF-8)."""
    shown = run_git(site_dir, "show", f"{commit}:./{relative}")
    if shown.returncode != 0:
        return None
    try:
        return shown.stdout.decode("utf-8")
    except UnicodeDecodeError:
        return None
