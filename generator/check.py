"""`clinicpress check`: validate a site without writing anything."""
from __future__ import annotations

import json
from pathlib import Path

from .build import BuildOptions, load_site
from .errors import BuildError, Diagnostic


def run_checks(site_dir: Path) -> list[Diagnostic]:
    try:
        _, _, warnings = load_site(BuildOptions(site_dir=site_dir, drafts=True, future=True))
    except BuildError as exc:
        return list(exc.diagnostics)
    return sorted(warnings, key=Diagnostic.sort_key)


def format_findings(findings: list[Diagnostic], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([{"path": f.path, "line": f.line, "column": f.column, "severity": f.severity,
                            "rule": f.rule, "message": f.message, "hint": f.hint} for f in findings],
                          ensure_ascii=False, indent=2) + "\n"
    return "".join(f.format() + "\n" for f in findings)
