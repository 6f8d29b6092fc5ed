"""The benchmark's one table (Markdown, ready for README.md) and the line describing the machine."""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Callable

from .measure import SCENARIOS, Figures

REPO = Path(__file__).resolve().parent.parent
OURS = "ClinicPress"
PEERS = ("Hugo", "Pelican")  # the columns after ClinicPress's, and one ratio column each


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def ratio(ours: float | None, theirs: float | None) -> str:
    return f"{ours / theirs:.2f}" if ours and theirs else "—"


def _rows(by_tool: dict[str, Figures]) -> list[tuple[str, Callable[[Figures], float | None], Callable, bool]]:
    """(label, measure, format, from the preview server) for every row of one corpus size."""
    rounds = max((len(f.preview) for f in by_tool.values()), default=0)
    rows: list[tuple[str, Callable[[Figures], float | None], Callable, bool]] = [
        (label, lambda f, s=scenario: f.seconds(s) if f.runs[s] else None, seconds, False)
        for scenario, label in SCENARIOS.items()]
    rows += [  # CPU time hardly depends on what else the machine runs: the figure to trust on a busy one
        (f"{label}: CPU time (user + system)", lambda f, s=scenario: f.cpu_seconds(s) if f.runs[s] else None,
         seconds, False)
        for scenario, label in SCENARIOS.items()]
    rows += [
        (f"preview latency (edit saved → page shows it, median of {rounds})", Figures.preview_seconds, seconds, True),
        ("preview latency: the server's CPU time per edit (median)", Figures.preview_cpu_seconds, seconds, True),
        ("preview start (server started → post served)", lambda f: f.preview_start, seconds, True),
        ("preview start: the server's CPU time", lambda f: f.preview_start_cpu, seconds, True),
        ("search index step: cold build", lambda f: f.search_seconds("cold"), seconds, False),
        ("search index step: later one-edit rebuild (body)", lambda f: f.search_seconds("body"), seconds, False),
        ("search index step: its share of that rebuild", lambda f: f.search_share("body"),
         lambda share: f"{share:.0%}", False),
        ("peak memory, builds (RSS, largest process)", lambda f: f.peak_rss_kib() or None, mib, False),
        ("peak memory, builds (RSS, all processes)", lambda f: f.peak_tree_kib() or None, mib, False),
        ("peak memory, preview server (RSS, all processes)", lambda f: f.preview_tree_kib or None, mib, True),
        ("pages written (.html)", lambda f: f.pages or None, lambda n: f"{n:,}", False),
    ]
    return rows


def format_table(results: dict[int, dict[str, Figures]], names: dict[str, str | None]) -> str:
    """One Markdown table: a row per figure and size, a column per generator, then ClinicPress / each peer.

    `names` maps each peer to its name with version ("Hugo 0.168.0"), or None when it was skipped. A
    preview server that failed shows "failed" in its preview rows (the reason is in the run's output).
    """
    header = ["posts", "figure", OURS]
    header += [names.get(peer) or f"{peer} (skipped)" for peer in PEERS]
    header += [f"{OURS} / {peer}" for peer in PEERS]
    lines = [header, ["---:", "---"] + ["---:"] * (len(header) - 2)]
    for size, by_tool in results.items():
        columns = [by_tool[OURS], *(by_tool.get(peer) for peer in PEERS)]
        for label, measure, shown, from_preview in _rows(by_tool):
            values = [measure(figures) if figures else None for figures in columns]
            cells = [shown(value) if value else
                     "failed" if figures and from_preview and figures.preview_error else "—"
                     for value, figures in zip(values, columns)]
            lines.append([f"{size:,}", label, *cells, *(ratio(values[0], value) for value in values[1:])])
    return "\n".join("| " + " | ".join(row) + " |" for row in lines) + "\n"


def describe_machine(args: argparse.Namespace, names: dict[str, str | None]) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory = next((int(line.split()[1]) // 1024 ** 2 for line in _read("/proc/meminfo").splitlines()
                   if line.startswith("MemTotal")), 0)
    if args.clinicpress:
        commit = f"as run by '{args.clinicpress}'"
    else:
        commit = _git("rev-parse", "--short", "HEAD") or "unknown"
        if _git("status", "--porcelain", "--untracked-files=no", "--", "generator", "templates"):
            commit += " with uncommitted changes"
    jobs = f"-j {args.jobs}" if args.jobs else "default -j"
    repeat = f"median of {args.repeat} runs" if args.repeat > 1 else "one run each"
    peers = "; ".join(names.get(peer) or f"{peer} skipped" for peer in PEERS)
    preview = (f"preview: median of {args.preview_rounds} edits" + (", Hugo with --disableFastRender"
                                                                      if args.hugo_full_render else "")
               if not args.skip_preview else "preview skipped")
    return (f"Measured {datetime.now():%Y-%m-%d %H:%M} on {cpu}, {os.cpu_count()} cores, {memory} GiB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}. "
            f"ClinicPress {commit} ({jobs}); {peers}. Corpus seed {args.seed}: "
            f"half the posts Korean, half English, translations of each other; later rebuild figures: {repeat}; "
            f"{preview}. Times are wall-clock seconds of the whole command; a ratio below 1 means ClinicPress "
            f"is faster or smaller.\n")


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _git(*argv: str) -> str:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}  # a look only: never touch the index
    try:
        return subprocess.run(["git", "-C", str(REPO), *argv], capture_output=True, text=True, env=env).stdout.strip()
    except OSError:
        return ""
