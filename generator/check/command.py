"""`clinicpress check`: every content rule over a site, drafts and future posts included, nothing written."""
from __future__ import annotations

import gc
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from generator.config.site_files import static_sources
from generator.errors import BuildError, Diagnostic, raise_if_errors
from generator.incremental.cache import BuildCache, remembers_findings
from generator.loading import BuildOptions, load_readable_site
from generator.render.theme import theme_dirs
from generator.workers import cycle_collector_paused

if TYPE_CHECKING:  # the rules load while the posts are parsed (check_site), not before
    from generator.check.runner import LintSetup


@dataclass(frozen=True, slots=True)
class CheckReport:
    findings: list[Diagnostic]
    posts: int | None  # how many post files were checked; None: the site could not be read that far


def run_checks(site_dir: Path, use_cache: bool = True) -> list[Diagnostic]:
    """Every rule's findings, drafts and future posts included; a post that cannot be read gives its
    errors, and the other posts are still checked."""
    return check_site(site_dir, use_cache).findings


def check_site(site_dir: Path, use_cache: bool = True) -> CheckReport:
    """run_checks, and how many posts were checked. With use_cache, each post's findings are kept in
    the build cache (.clinicpress-cache/), which `build` and `serve` share: a post is read by the rules
    again only when it, the rules or what it refers to in the site changed."""
    with cycle_collector_paused():
        return _check_site(site_dir, use_cache)


def _check_site(site_dir: Path, use_cache: bool) -> CheckReport:
    # A first check reads every post: the rules and the claims model are made ready while the posts are parsed.
    setups: list[LintSetup] = []

    def prepare(config, sources) -> None:
        from generator.check.runner import prepared_for

        setups.append(prepared_for(config, sources, remembers=use_cache))

    def load_rules(config, sources) -> None:
        import generator.check.runner  # noqa: F401

    meanwhile = load_rules if use_cache and remembers_findings(site_dir) else prepare
    try:
        read = load_readable_site(BuildOptions(site_dir=site_dir, drafts=True, future=True), meanwhile=meanwhile)
        raise_if_errors(static_sources(site_dir, theme_dirs(site_dir))[1])  # links out of static/ stop a build too
    except BuildError as exc:  # the configuration, or posts that collide: nothing to check them against
        return CheckReport(sorted((tag_validity(d) for d in exc.diagnostics), key=Diagnostic.sort_key), None)
    from generator.check.runner import lint_site

    gc.freeze()  # the site lives as long as the check: the workers that check its posts share its pages
    memo = BuildCache(site_dir) if use_cache else None
    try:
        found = lint_site(read.site, unread=read.unread, memo=memo, setup=setups[0] if setups else None)
    finally:
        if memo is not None:
            memo.close()
    findings = [tag_validity(d) for d in read.diagnostics] + found
    return CheckReport(sorted(findings, key=Diagnostic.sort_key), read.files)


def tag_validity(diagnostic: Diagnostic) -> Diagnostic:
    """Build errors carry the rule id of the validation they come from."""
    if diagnostic.rule:
        return diagnostic
    return replace(diagnostic, rule="config" if Path(diagnostic.path).suffix == ".toml" else "front-matter",
                   column=diagnostic.column or (1 if diagnostic.line else None))


# GitHub's workflow commands: each finding becomes an annotation at its line of the pull request.
GITHUB_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def format_findings(findings: list[Diagnostic], fmt: str) -> str:
    if fmt == "github":
        return "".join(_github_annotation(f) + "\n" for f in findings)
    if fmt == "json":
        return json.dumps([{"path": f.path, "line": f.line, "column": f.column, "severity": f.severity,
                            "rule": f.rule, "message": f.message, "hint": f.full_hint} for f in findings],
                          ensure_ascii=False, indent=2) + "\n"
    return "".join(f.format() + "\n" for f in findings)


def _github_annotation(finding: Diagnostic) -> str:
    """`::error file=…,line=…::message`, escaped as GitHub reads workflow commands (a message may hold
    anything a post holds: new lines, '%', '::')."""
    where = {"file": finding.path, "line": finding.line, "col": finding.column,
             "title": f"clinicpress check [{finding.rule}]" if finding.rule else "clinicpress check"}
    properties = ",".join(f"{key}={_escaped(str(value), property_value=True)}"
                          for key, value in where.items() if value is not None)
    text = finding.message + (f"\nhint: {finding.full_hint}" if finding.full_hint else "")
    return f"::{GITHUB_LEVELS[finding.severity]} {properties}::{_escaped(text)}"


def _escaped(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text
