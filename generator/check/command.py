"""`clinicpress check`: every content rule over a site, drafts and future posts included, nothing written."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from generator.build import BuildOptions, build_now, load_site
from generator.config.loader import load_config
from generator.content.posts import discover_posts, parse_post
from generator.errors import BuildError, Diagnostic
from generator.check.runner import lint_site
from generator.site.model import Site, assemble_site


def run_checks(site_dir: Path) -> list[Diagnostic]:
    """Every rule's findings; when some posts are invalid, their errors plus the findings of the others."""
    try:
        _, site, warnings = load_site(BuildOptions(site_dir=site_dir, drafts=True, future=True))
        findings = [_validity(d) for d in warnings] + lint_site(site)
    except BuildError as exc:
        findings = [_validity(d) for d in exc.diagnostics]
        valid = _valid_posts(site_dir)
        if valid is not None:
            findings += lint_site(valid)
    return sorted(findings, key=Diagnostic.sort_key)


def _valid_posts(site_dir: Path) -> Site | None:
    """The site without its invalid posts, so one broken file does not hide every other finding."""
    try:
        config = load_config(site_dir / "site.toml")
        sources = discover_posts(site_dir / "posts", config)
        posts = [post for post, _ in (parse_post(source, config) for source in sources) if post is not None]
        return assemble_site(posts, config, build_now(config.site.timezone), drafts=True, future=True)
    except BuildError:
        return None


def _validity(diagnostic: Diagnostic) -> Diagnostic:
    """Build errors carry the rule id of the validation they come from."""
    if diagnostic.rule:
        return diagnostic
    return replace(diagnostic, rule="config" if Path(diagnostic.path).suffix == ".toml" else "front-matter",
                   column=diagnostic.column or (1 if diagnostic.line else None))


def format_findings(findings: list[Diagnostic], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([{"path": f.path, "line": f.line, "column": f.column, "severity": f.severity,
                            "rule": f.rule, "message": f.message, "hint": f.hint} for f in findings],
                          ensure_ascii=False, indent=2) + "\n"
    return "".join(f.format() + "\n" for f in findings)
