"""`make bench`: time ClinicPress, and Pelican on the same posts, on generated corpora.

For each size: a cold build, a rebuild with nothing changed, a rebuild after
editing one post's body, and one after editing its title; peak memory and the
number of pages written. Every build is a subprocess, timed from start to
exit. The two generators take turns, scenario by scenario, so that a ratio
holds even when the machine is noisy. See benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Sequence

from . import pelican as pelican_tool
from .photos import bench_photos, format_photo_table
from .corpus import SOURCE_DATE_EPOCH, append_paragraph, edit_title, generate_corpus

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "work"
TIME_BIN = Path("/usr/bin/time")
SCENARIOS = {
    "cold": "cold build",
    "unchanged": "rebuild, nothing changed",
    "body": "rebuild, one post's body edited",
    "title": "rebuild, one post's title edited",
}


class BenchmarkError(Exception):
    """A build failed or a tool is missing: the figures would mean nothing."""


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    peak_rss_kib: int  # the largest single process (GNU time, or the kernel's rusage)
    peak_tree_kib: int  # all processes of the build added up, sampled; 0 where /proc is missing


@dataclass
class Figures:
    """Everything measured for one generator at one corpus size."""

    runs: dict[str, list[Run]] = field(default_factory=lambda: {key: [] for key in SCENARIOS})
    pages: int = 0

    def seconds(self, scenario: str) -> float:
        return statistics.median(run.seconds for run in self.runs[scenario])

    def peak_rss_kib(self) -> int:
        return max(run.peak_rss_kib for runs in self.runs.values() for run in runs)

    def peak_tree_kib(self) -> int:
        return max(run.peak_tree_kib for runs in self.runs.values() for run in runs)


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and its descendants, so worker processes count too."""

    def __init__(self, pid: int, skip_root: bool, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.skip_root, self.interval = pid, skip_root, interval
        self.peak_kib, self.done = 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            self.peak_kib = max(self.peak_kib, self.sample())

    def sample(self) -> int:
        total, stack = 0, [(self.pid, self.skip_root)]
        while stack:
            pid, skip = stack.pop()
            try:
                if not skip:
                    found = re.search(r"^VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text(), re.M)
                    total += int(found.group(1)) if found else 0
                for task in os.listdir(f"/proc/{pid}/task"):
                    children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
                    stack += [(int(child), False) for child in children]
            except OSError:
                continue
        return total


def timed(command: Sequence[str], cwd: Path, log: Path) -> Run:
    """Run one build, appending its output to `log`; its wall time and peak memory."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH)}
    rss_file = log.with_name(log.name + ".time")
    use_time = TIME_BIN.exists()
    wrapped = [str(TIME_BIN), "-v", "-o", str(rss_file), *command] if use_time else list(command)
    with open(log, "a", encoding="utf-8") as stream:
        stream.write(f"\n$ {' '.join(map(str, command))}\n")
        stream.flush()
        started = time.perf_counter()
        process = subprocess.Popen(wrapped, cwd=cwd, env=env, stdout=stream, stderr=subprocess.STDOUT)
        sampler = TreeSampler(process.pid, skip_root=use_time)  # GNU time itself does not count
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
        process.returncode = code = os.waitstatus_to_exitcode(status)
    if code != 0:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
        raise BenchmarkError(f"'{' '.join(map(str, command))}' exited with {code} (log: {log}):\n{tail}")
    peak = usage.ru_maxrss  # kilobytes on Linux: the largest process among the child and its waited-for children
    if rss_file.exists():
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", rss_file.read_text())
        peak = int(found.group(1)) if found else peak
        rss_file.unlink()
    # All processes together hold at least what the largest one held, even when sampling missed the moment.
    return Run(seconds, peak, max(sampler.peak_kib, peak) if sampler.peak_kib else 0)


class ClinicPress:
    name = "ClinicPress"

    def __init__(self, site_dir: Path, target: str, command: list[str], jobs: int | None, log: Path):
        self.site_dir, self.log = site_dir, log
        self.post = site_dir / "posts" / "ko" / f"{target}.md"
        self.command = command + ["build", str(site_dir)] + (["-j", str(jobs)] if jobs else [])
        self.figures = Figures()

    def reset(self) -> None:
        """No output, no cache, and none of the writer's folders beside output/ (.output.previous, ...)."""
        for path in [self.site_dir / "output", self.site_dir / ".clinicpress-cache", *self.site_dir.glob(".output.*")]:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def build(self) -> Run:
        return timed(self.command, self.site_dir.parent, self.log)  # not REPO: `-m generator` would import from there

    def pages(self) -> int:
        return sum(1 for _ in (self.site_dir / "output").rglob("*.html"))

    def edit_title(self, round_: int) -> None:
        edit_title(self.post, f" ({round_})")


class Pelican:
    name = "Pelican"

    def __init__(self, folder: Path, target: str, pelican: Path, log: Path):
        self.folder, self.log = folder, log
        self.post = folder / "content" / "ko" / f"{target}.md"
        self.command = [str(pelican), "content", "-o", "out", "-s", "pelicanconf.py"]
        self.figures = Figures()

    def reset(self) -> None:
        for name in ("out", "cache"):
            shutil.rmtree(self.folder / name, ignore_errors=True)

    def build(self) -> Run:
        return timed(self.command, self.folder, self.log)

    def pages(self) -> int:
        return sum(1 for _ in (self.folder / "out").rglob("*.html"))

    def edit_title(self, round_: int) -> None:
        pelican_tool.edit_title(self.post, f" ({round_})")


def fingerprint(size: int, seed: int) -> str:
    """Changes whenever the generated files would: the generator's own source, the size and the seed."""
    digest = hashlib.sha256(f"{size}:{seed}".encode())
    for name in ("corpus.py", "prose.py", "pelican.py"):
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()


def cached_corpus(size: int, seed: int, regenerate: bool) -> tuple[Path, dict]:
    """work/corpora/<size>-seed<seed>/ with site/ (ClinicPress) and pelican/ (the same posts converted)."""
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
    manifest = {"size": size, "seed": seed, "fingerprint": expected, "edit_target": corpus.edit_target}
    (partial / "corpus.json").write_text(json.dumps(manifest, indent=2) + "\n")
    partial.rename(folder)  # only a complete corpus is ever found in the cache
    return folder, manifest


def bench_size(size: int, args: argparse.Namespace, pelican: Path | None) -> dict[str, Figures]:
    corpus, manifest = cached_corpus(size, args.seed, args.regenerate)
    runs = WORK / "runs" / f"{size}-seed{args.seed}"
    logs = WORK / "logs"
    shutil.rmtree(runs, ignore_errors=True)
    logs.mkdir(parents=True, exist_ok=True)
    target = manifest["edit_target"]
    shutil.copytree(corpus / "site", runs / "clinicpress")
    tools: list[ClinicPress | Pelican] = [ClinicPress(runs / "clinicpress", target, clinicpress_command(args),
                                                      args.jobs, _fresh_log(logs / f"clinicpress-{size}.log"))]
    if pelican:
        shutil.copytree(corpus / "pelican", runs / "pelican")
        pelican_tool.write_pelicanconf(runs / "pelican")
        tools.append(Pelican(runs / "pelican", target, pelican, _fresh_log(logs / f"pelican-{size}.log")))
    for tool in tools:
        tool.reset()
    for scenario, label in SCENARIOS.items():
        for round_ in range(1, 1 + (1 if scenario == "cold" else args.repeat)):
            for tool in tools:  # the generators take turns, so both see the same machine
                if scenario == "body":
                    append_paragraph(tool.post, f"벤치마크를 위해 {round_}번째로 고친 문단입니다.")
                elif scenario == "title":
                    tool.edit_title(round_)
                run = tool.build()
                tool.figures.runs[scenario].append(run)
                print(f"  {size:>6,} posts  {tool.name:<11}  {label:<33} {_seconds(run.seconds):>8}  "
                      f"{_mib(run.peak_rss_kib):>8} {_mib(run.peak_tree_kib):>9} all", flush=True)
            if scenario == "cold":
                for tool in tools:
                    tool.figures.pages = tool.pages()
    if not args.keep:
        shutil.rmtree(runs, ignore_errors=True)
    return {tool.name: tool.figures for tool in tools}


def clinicpress_command(args: argparse.Namespace) -> list[str]:
    """--clinicpress if given (e.g. another checkout, for a before/after figure), else this virtualenv's."""
    if args.clinicpress:
        return shlex.split(args.clinicpress)
    executable = Path(sys.executable).with_name("clinicpress")
    return [str(executable)] if executable.exists() else [sys.executable, "-m", "generator"]


def _fresh_log(path: Path) -> Path:
    path.write_text("")
    return path


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def _ratio(ours: float, theirs: float | None) -> str:
    return f"{ours / theirs:.2f}" if theirs else "—"


def format_table(results: dict[int, dict[str, Figures]], pelican_name: str | None) -> str:
    header = ["posts", "figure", "ClinicPress", pelican_name or "Pelican (skipped)", "ClinicPress / Pelican"]
    rows = [header, ["---:", "---", "---:", "---:", "---:"]]
    for size, by_tool in results.items():
        ours, theirs = by_tool["ClinicPress"], by_tool.get("Pelican")
        for scenario, label in SCENARIOS.items():
            other = theirs.seconds(scenario) if theirs else None
            rows.append([f"{size:,}", label, _seconds(ours.seconds(scenario)), _seconds(other) if other else "—",
                         _ratio(ours.seconds(scenario), other)])
        for label, measure in (("peak memory (RSS, largest process)", Figures.peak_rss_kib),
                               ("peak memory (RSS, all processes)", Figures.peak_tree_kib)):
            mine, other_rss = measure(ours), measure(theirs) if theirs else None
            rows.append([f"{size:,}", label, _mib(mine) if mine else "—", _mib(other_rss) if other_rss else "—",
                         _ratio(mine, other_rss) if mine else "—"])
        rows.append([f"{size:,}", "pages written (.html)", f"{ours.pages:,}", f"{theirs.pages:,}" if theirs else "—",
                     _ratio(ours.pages, theirs.pages if theirs else None)])
    return "\n".join("| " + " | ".join(row) + " |" for row in rows) + "\n"


def describe_machine(args: argparse.Namespace, pelican_name: str | None) -> str:
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
    return (f"Measured {datetime.now():%Y-%m-%d %H:%M} on {cpu}, {os.cpu_count()} cores, {memory} GiB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}. "
            f"ClinicPress {commit} ({jobs}); {pelican_name or 'Pelican skipped'}. Corpus seed {args.seed}: "
            f"half the posts Korean, half English, translations of each other; rebuild figures: {repeat}. "
            f"Times are wall-clock seconds of the whole command; a ratio below 1 means ClinicPress is faster "
            f"or smaller.\n")


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
    parser.add_argument("--sizes", type=_sizes, default=[1000, 10000], help="posts in total (default 1000,10000)")
    parser.add_argument("--skip-pelican", action="store_true", help="time ClinicPress only")
    parser.add_argument("--jobs", "-j", type=_positive, help="passed to 'clinicpress build' as -j N")
    parser.add_argument("--repeat", type=_positive, default=1, help="median of K runs for the rebuild figures (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the built copies under benchmarks/work/runs/")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--clinicpress", metavar="COMMAND",
                        help="the ClinicPress command to time (default: .venv/bin/clinicpress)")
    parser.add_argument("--regenerate", action="store_true", help="generate the corpora again even if cached")
    parser.add_argument("--skip-photos", action="store_true", help="leave out the 100-photo scenario (benchmarks/photos.py)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    if not args.clinicpress:
        # Like an installed package (pip compiles it), so that no timed run pays for compiling the
        # editable checkout, even where PYTHONDONTWRITEBYTECODE keeps Python from caching it.
        compileall.compile_dir(REPO / "generator", quiet=1)
    try:
        pelican = None if args.skip_pelican else pelican_tool.ensure_pelican(
            WORK / "pelican-venv", WORK / "logs" / "pelican-install.log")
        pelican_name = f"Pelican {pelican_tool.pelican_version(pelican)}" if pelican else None
        results = {size: bench_size(size, args, pelican) for size in args.sizes}
        photos = None if args.skip_photos else bench_photos(WORK, 2, args.repeat, clinicpress_command(args))
    except (BenchmarkError, pelican_tool.PelicanSetupError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    report = describe_machine(args, pelican_name) + "\n" + format_table(results, pelican_name)
    if photos:
        report += "\n" + format_photo_table(photos)
    (WORK / "results.md").write_text(report, encoding="utf-8")
    print("\n" + report + f"\n(also written to {WORK / 'results.md'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
