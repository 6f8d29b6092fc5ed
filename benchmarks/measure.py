"""Timing one build: wall clock from start to exit, peak RSS of the largest process and of the whole tree."""
from __future__ import annotations

import os
import re
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from .corpus import SOURCE_DATE_EPOCH

TIME_BIN = Path("/usr/bin/time")
# In the table's order; run.RUN_ORDER is the order they run in.
SCENARIOS = {
    "cold": "cold build",
    "unchanged": "rebuild, nothing changed",
    "first_edit": "first one-edit rebuild (right after the cold build)",
    "body": "later one-edit rebuild (one post's body)",
    "title": "later one-edit rebuild (one post's title)",
}


class BenchmarkError(Exception):
    """A build failed or a tool is missing: the figures would mean nothing."""


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    peak_rss_kib: int  # the largest single process (GNU time, or the kernel's rusage)
    peak_tree_kib: int  # all processes of the build added up, sampled; 0 where /proc is missing
    cpu_seconds: float = 0.0  # user + system time of the build and every process it waited for (its workers)
    search_seconds: float | None = None  # ClinicPress's search index step, as `build --timings` reports it


@dataclass
class Figures:
    """Everything measured for one generator at one corpus size."""

    runs: dict[str, list[Run]] = field(default_factory=lambda: {key: [] for key in SCENARIOS})
    pages: int = 0
    preview: list[float] = field(default_factory=list)  # seconds from saving an edit to the page showing it
    preview_start: float | None = None  # seconds from starting the preview server to the post being served
    preview_cpu: list[float] = field(default_factory=list)  # the server's CPU seconds per edit
    preview_start_cpu: float | None = None  # the server's CPU seconds until it served the post
    preview_tree_kib: int = 0  # the preview server and its workers, sampled while it ran
    preview_error: str | None = None  # why the preview figures are missing, when the server failed
    checks: dict[str, Run] = field(default_factory=dict)  # `clinicpress check`: "cold" (--no-cache) and "warm"

    def seconds(self, scenario: str) -> float:
        return statistics.median(run.seconds for run in self.runs[scenario])

    def cpu_seconds(self, scenario: str) -> float:
        return statistics.median(run.cpu_seconds for run in self.runs[scenario])

    def search_seconds(self, scenario: str) -> float | None:
        found = [run.search_seconds for run in self.runs[scenario] if run.search_seconds is not None]
        return statistics.median(found) if found else None

    def search_share(self, scenario: str) -> float | None:
        found = self.search_seconds(scenario)
        return found / self.seconds(scenario) if found is not None and self.runs[scenario] else None

    def peak_rss_kib(self) -> int:
        return max(run.peak_rss_kib for runs in self.runs.values() for run in runs)

    def peak_tree_kib(self) -> int:
        return max(run.peak_tree_kib for runs in self.runs.values() for run in runs)

    def preview_seconds(self) -> float | None:
        return statistics.median(self.preview) if self.preview else None

    def preview_cpu_seconds(self) -> float | None:
        return statistics.median(self.preview_cpu) if self.preview_cpu else None


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


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds so far of a running process and its descendants (those alive, and those
    already waited for, through the kernel's cumulative child times); 0 where /proc is missing."""
    ticks, total, stack = os.sysconf("SC_CLK_TCK"), 0, [root]
    while stack:
        pid = stack.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
            for task in os.listdir(f"/proc/{pid}/task"):
                stack += [int(child) for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total / ticks


def timed(command: Sequence[str], cwd: Path, log: Path, accept: tuple[int, ...] = (0,)) -> Run:
    """Run one build, appending its output to `log`; its wall time and peak memory. accept: the exit
    codes that are no failure (`check` exits 1 when it finds an error)."""
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
    if code not in accept:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
        raise BenchmarkError(f"'{' '.join(map(str, command))}' exited with {code} (log: {log}):\n{tail}")
    peak = usage.ru_maxrss  # kilobytes on Linux: the largest process among the child and its waited-for children
    if rss_file.exists():
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", rss_file.read_text())
        peak = int(found.group(1)) if found else peak
        rss_file.unlink()
    # All processes together hold at least what the largest one held, even when sampling missed the moment.
    cpu = usage.ru_utime + usage.ru_stime  # GNU time's own share is a millisecond or two
    return Run(seconds, peak, max(sampler.peak_kib, peak) if sampler.peak_kib else 0, cpu)
