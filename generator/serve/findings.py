"""Findings of `check` inside the previewed page: each flagged phrase marked where the page shows it,
explained on hover and on keyboard focus, and a collapsible panel listing the page's findings.

Like the reload script, this is added to HTML responses by the server only: what `build` writes never
has it. A small script gets the findings as JSON and finds their words in the page's text (see
preview/findings.js); the server never rewrites the page's own markup.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from generator.build import BuildResult
from generator.errors import Diagnostic

ASSETS = Path(__file__).parent / "preview"
SEVERITIES = ("error", "warning", "info")
PAGE_LIMIT = 200  # findings listed in one page; `check` lists them all


def findings_by_page(result: BuildResult) -> dict[str, tuple[Diagnostic, ...]]:
    """Output path of each post page -> the findings about its post, in file order."""
    by_source: dict[str, list[Diagnostic]] = {}
    for finding in result.findings:
        by_source.setdefault(finding.path, []).append(finding)
    return {page: tuple(by_source[source]) for page, source in result.post_sources.items() if source in by_source}


def _as_json(finding: Diagnostic) -> dict:
    excerpt = finding.excerpt
    return {"severity": finding.severity, "rule": finding.rule, "location": finding.location,
            "message": finding.message, "hint": finding.hint, "reference": finding.reference,
            "excerpt": None if excerpt is None else {"text": excerpt.text, "field": excerpt.field,
                                                      "occurrence": excerpt.occurrence}}


def _script_json(value: object) -> str:
    """JSON (a JavaScript expression too) that cannot end the <script> element it sits in, whatever the posts say."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str]:
    return (ASSETS / "findings.css").read_text(encoding="utf-8"), (ASSETS / "findings.js").read_text(encoding="utf-8")


def findings_snippet(findings: Sequence[Diagnostic], site_findings: Mapping[str, int], nonce: str) -> str:
    """The style and the script, with its data, added before </body> of a previewed page; nothing when it
    has no findings. site_findings counts the findings of the whole site by severity. A page lists at most
    PAGE_LIMIT. Both carry the response's nonce (see page.py); the script is findings.js called with the data."""
    if not findings:
        return ""
    css, script = _assets()
    data = {"findings": [_as_json(f) for f in findings[:PAGE_LIMIT]], "more": max(0, len(findings) - PAGE_LIMIT),
            "page": count_by_severity(findings), "site": {s: site_findings.get(s, 0) for s in SEVERITIES}}
    return (f'<style nonce="{nonce}">{css}</style>'
            f'<script nonce="{nonce}" data-clinicpress-findings>{script.rstrip()}({_script_json(data)});</script>')


def count_by_severity(findings: Iterable[Diagnostic]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    return counts
