"""`check` on posts being edited in the browser, before they are saved: the site as it is on disk with
these posts' text in place of their files (or added), and only their findings returned."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

from generator.check.command import tag_validity
from generator.check.runner import lint_site
from generator.config.loader import load_config
from generator.content.front_matter import declared_translation_key
from generator.content.models import SourceFile
from generator.content.posts import discover_posts, parse_post
from generator.errors import BuildError, Diagnostic
from generator.loading import build_now
from generator.site.model import assemble_site


def check_edited_posts(site_dir: Path, edited: Mapping[str, bytes]) -> list[Diagnostic]:
    """Findings of every rule (drafts and future posts included, as `check` does) about the edited posts.
    edited: posts/<lang>/<name>.md -> the text in the editor."""
    try:
        config = load_config(site_dir / "site.toml")
        sources = [s for s in discover_posts(site_dir / "posts", config) if s.path not in edited]
    except BuildError as exc:  # the site cannot be read: its own errors say why
        return sorted(exc.diagnostics, key=Diagnostic.sort_key)
    for path, data in edited.items():
        lang, name = path.split("/")[1], Path(path).stem
        sources.append(SourceFile(path=path, lang=lang, name=name, data=data))
    posts, found, unread = [], [], set()
    for source in sorted(sources, key=lambda s: s.path):
        post, diagnostics = parse_post(source, config)
        found += [tag_validity(d) for d in diagnostics if d.path in edited]
        if post is None:
            unread.add((source.lang, declared_translation_key(source)))
        else:
            posts.append(post)
    try:
        site = assemble_site(posts, config, build_now(config.site.timezone), drafts=True, future=True)
        found += lint_site(site, drafts=True, future=True, unread=frozenset(unread))
    except BuildError as exc:  # e.g. two posts on one address: the errors that name an edited post
        found += exc.diagnostics
    return sorted(dict.fromkeys(d for d in found if d.path in edited), key=Diagnostic.sort_key)
