"""Lighthouse audit of the default theme (`make audit`): the four category scores per page, phone and desktop.

Builds the sample site with its base URL set to the local server (Lighthouse's SEO category checks
robots.txt and the canonical link against the origin it loads), serves it on 127.0.0.1 and runs the
npm `lighthouse` CLI against Debian's Chromium one page at a time (a page whose performance misses the
bar is run three times and judged by the median). Prints a table and exits 1 if any score is below the
bar (100; performance has its own bar, see --min-performance), 2 if a tool is missing.
Not collected by pytest: one run takes several minutes.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from site_quality import CHROMIUM, LIGHTHOUSE_CLI, PAGES, SEARCH_RESULTS, build_sample, serve  # noqa: E402

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
SHORT = {"performance": "perf", "accessibility": "a11y", "best-practices": "best", "seo": "seo"}
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
FORM_FACTORS = ("mobile", "desktop")
# --analytics: a provider's [analytics] keys, with load = "consent" (nothing is requested before an answer).
ANALYTICS = {
    "plausible": 'provider = "plausible"\nload = "consent"\ndomain = "blog.balancelab-clinic.example"',
    "ga4": 'provider = "ga4"\nload = "consent"\nmeasurement_id = "G-ABC123DEF4"',
    "naver": 'provider = "naver"\nload = "consent"\nsite_id = "s_4b6f8a0e1c2d"',
}
# Audits that fail on purpose: the not-found page tells crawlers not to index it.
EXPECTED = {"/404.html": {"is-crawlable": "noindex on purpose"}}


def run_lighthouse(url: str, form_factor: str) -> dict:
    """One Lighthouse run; returns its JSON report."""
    command = ["node", str(LIGHTHOUSE_CLI), url, f"--chrome-flags={CHROME_FLAGS}",
               f"--only-categories={','.join(CATEGORIES)}", "--output=json", "--output-path=stdout", "--quiet"]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"lighthouse failed on {url} ({form_factor}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def steady_run(url: str, form_factor: str, performance_bar: int) -> tuple[dict, int]:
    """A run, or, when its performance misses the bar, the median of three runs (and how many were made).

    Performance on a shared two-core machine swings by a few points from run to run (total blocking
    time under load); Lighthouse's own advice is to take the median of several runs.
    """
    first = run_lighthouse(url, form_factor)
    if scores(first)["performance"] >= performance_bar:
        return first, 1
    reports = sorted([first] + [run_lighthouse(url, form_factor) for _ in range(2)],
                     key=lambda report: scores(report)["performance"])
    return reports[1], 3


def scores(report: dict) -> dict[str, int]:
    return {name: round((report["categories"][name]["score"] or 0) * 100) for name in CATEGORIES}


def shortfalls(report: dict, category: str) -> list[tuple[str, str]]:
    """The weighted audits of one category that cost points, as (audit id, 'id (score) value')."""
    found = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] and audit.get("score") is not None and audit["score"] < 1:
            text = f"{category}: {audit['id']} ({audit['score']:.2f}) {audit.get('displayValue', '')}".rstrip()
            found.append((audit["id"], text))
    return found


def below_bar(report: dict, path: str, bars: dict[str, int]) -> list[str]:
    """Why a run misses the bar; empty when it meets it or misses only through EXPECTED audits."""
    got, expected = scores(report), EXPECTED.get(path, {})
    reasons = []
    for category in CATEGORIES:
        if got[category] >= bars[category]:
            continue
        missed = shortfalls(report, category)
        if category == "performance" or any(audit not in expected for audit, _ in missed):
            reasons += [text for _, text in missed] or [f"{category}: {got[category]}"]
    return reasons


def pad(text: str, width: int) -> str:
    """Left-justify for a terminal, where Korean characters take two columns."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - used, 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-performance", type=int, default=int(os.environ.get("AUDIT_MIN_PERFORMANCE", 100)),
                        help="bar for the performance score (default 100, or $AUDIT_MIN_PERFORMANCE)")
    parser.add_argument("--min-score", type=int, default=100, help="bar for the other three categories")
    parser.add_argument("--page", action="append", dest="pages", help="audit only this path (repeatable)")
    parser.add_argument("--form-factor", choices=FORM_FACTORS, action="append", dest="form_factors")
    parser.add_argument("--analytics", metavar="PROVIDER", choices=sorted(ANALYTICS),
                        help="build the sample with this visit counter, asking first (its question shows)")
    args = parser.parse_args(argv)

    missing = [str(tool) for tool in (LIGHTHOUSE_CLI, CHROMIUM) if not tool.exists()]
    if not shutil.which("node"):
        missing.append("node")
    if missing:
        print(f"audit: missing {', '.join(missing)}; run `make audit` (it runs npm ci and installs Chromium)",
              file=sys.stderr)
        return 2

    pages = args.pages or list(PAGES) + list(SEARCH_RESULTS)
    form_factors = args.form_factors or list(FORM_FACTORS)
    failures: list[str] = []
    bars = {c: args.min_performance if c == "performance" else args.min_score for c in CATEGORIES}
    header = f"{'page':<40} {'form':<8} " + " ".join(f"{SHORT[c]:>5}" for c in CATEGORIES)
    with tempfile.TemporaryDirectory(prefix="clinicpress-audit-") as work:
        output = Path(work) / "site" / "output"
        with serve(output) as origin:
            build_sample(Path(work) / "site", base_url=origin + "/", analytics=ANALYTICS.get(args.analytics, ""))
            print(header)
            print("-" * len(header))
            for path in pages:
                for form_factor in form_factors:
                    report, runs = steady_run(origin + urllib.parse.quote(path, safe="/?=&"), form_factor, bars["performance"])
                    got, reasons = scores(report), below_bar(report, path, bars)
                    expected = EXPECTED.get(path, {})
                    marks = {c: "*" if c != "performance" and got[c] < bars[c]
                             and all(audit in expected for audit, _ in shortfalls(report, c)) else " "
                             for c in CATEGORIES}
                    print(f"{pad(path, 40)} {form_factor:<8} " + " ".join(f"{got[c]:>4}{marks[c]}" for c in CATEGORIES)
                          + ("  (median of 3 runs)" if runs > 1 else ""), flush=True)
                    if reasons:
                        failures.append(f"{path} ({form_factor}): " + "; ".join(reasons))
            notes = [f"{path}: {audit} ({why})" for path, audits in EXPECTED.items() if path in pages
                     for audit, why in audits.items()]
            if notes:
                print("* below the bar only through audits that fail on purpose: " + "; ".join(notes))
    if failures:
        print(f"\n{len(failures)} run(s) below the bar "
              f"(performance >= {args.min_performance}, others >= {args.min_score}):")
        print("\n".join(failures))
        return 1
    print(f"\nall {len(pages) * len(form_factors)} runs meet the bar "
          f"(performance >= {args.min_performance}, others >= {args.min_score})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
