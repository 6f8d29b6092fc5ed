"""Preview latency: how long after a writer saves a post the preview server shows the change.

The server is started as a writer starts it (`clinicpress serve`, `hugo
server`), its address read from what it prints, and the post's page fetched
until it is served. Then, a few times: a paragraph with a unique marker is
appended to the post file, and the clock runs until an HTTP GET of the post's
URL returns a page containing the marker (one GET every 5 ms). The server is
stopped with SIGTERM (as Ctrl-C would) and its process group killed only if it
does not exit.
"""
from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from .corpus import append_paragraph
from .measure import BenchmarkError, TreeSampler, tree_cpu_seconds

POLL_SECONDS = 0.005
SETTLE_SECONDS = 0.5  # between rounds, so that the previous rebuild and the file watcher are quiet
# "Serving SITE at http://127.0.0.1:PORT/ (press Ctrl-C ...)", "Web Server is available at http://127.0.0.1:PORT/ ..."
ADDRESS = re.compile(r"\b(https?://(?:127\.0\.0\.1|localhost|\[::1\]):\d+)/")


@dataclass
class Preview:
    """What one preview session measured."""

    start_seconds: float  # from starting the server until the post's page is served
    start_cpu: float  # the server's CPU seconds (all its processes) until then
    latencies: list[float] = field(default_factory=list)  # per edit: saved -> the page shows it
    cpu: list[float] = field(default_factory=list)  # per edit: the server's CPU seconds meanwhile
    peak_tree_kib: int = 0  # RSS of the server and its children together, sampled


class _OutputReader(threading.Thread):
    """Copies the server's output into its log and notes the first address it prints."""

    def __init__(self, stream, log: Path):
        super().__init__(daemon=True)
        self.stream, self.log = stream, log
        self.address: str | None = None
        self.found = threading.Event()

    def run(self) -> None:
        with open(self.log, "a", encoding="utf-8", errors="replace") as out:
            for line in iter(self.stream.readline, ""):
                out.write(line)
                out.flush()
                match = ADDRESS.search(line)
                if match and self.address is None:
                    self.address = match.group(1)
                    self.found.set()
        self.found.set()  # the server exited: stop waiting


def free_port() -> int:
    """A port nobody listens on now, for a server that needs one named (`hugo server` prints the one it is given)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> bytes | None:
    """The body of a successful GET, or None while the server cannot answer it."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def wait_for(url: str, accept: Callable[[bytes], bool], timeout: float, process: subprocess.Popen) -> None:
    deadline = time.perf_counter() + timeout
    while True:
        body = fetch(url)
        if body is not None and accept(body):
            return
        if process.poll() is not None:
            raise BenchmarkError(f"the preview server exited with {process.returncode} while waiting for {url}")
        if time.perf_counter() > deadline:
            raise BenchmarkError(f"{url} did not show the change within {timeout:.0f} s")
        time.sleep(POLL_SECONDS)


def measure_preview(command: Sequence[str], *, cwd: Path, post: Path, url_path: str, log: Path, rounds: int,
                    env: dict[str, str] | None = None, start_timeout: float = 300, timeout: float = 120) -> Preview:
    """Start the server, time `rounds` edits of `post` (served at `url_path`), stop the server.

    A server that does not serve the post within `start_timeout` seconds, or an edit not shown within
    `timeout`, is a BenchmarkError; the server's processes and what they wait on are written to `log` first.
    """
    with open(log, "a", encoding="utf-8") as stream:
        stream.write(f"\n$ {' '.join(map(str, command))}\n")
    started = time.perf_counter()
    process = subprocess.Popen(list(command), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace",
                               start_new_session=True)  # its own process group, to clean up after it
    reader = _OutputReader(process.stdout, log)
    sampler = TreeSampler(process.pid, skip_root=False)
    reader.start()
    sampler.start()
    try:
        if not reader.found.wait(start_timeout) or reader.address is None:
            raise BenchmarkError(f"'{' '.join(map(str, command))}' printed no address within {start_timeout:.0f} s")
        url = reader.address + url_path
        wait_for(url, lambda body: True, start_timeout, process)
        result = Preview(time.perf_counter() - started, tree_cpu_seconds(process.pid))
        token = secrets.token_hex(4)
        for round_ in range(1, rounds + 1):
            time.sleep(SETTLE_SECONDS)
            marker = f"previewmark{token}r{round_}".encode()
            cpu_before = tree_cpu_seconds(process.pid)
            append_paragraph(post, f"Preview check {marker.decode()}.")
            saved = time.perf_counter()
            wait_for(url, lambda body: marker in body, timeout, process)
            result.latencies.append(time.perf_counter() - saved)
            result.cpu.append(tree_cpu_seconds(process.pid) - cpu_before)
    except BenchmarkError as exc:
        _describe_processes(process.pid, log)
        raise BenchmarkError(f"{exc} (log: {log})") from None
    finally:
        sampler.done.set()
        stop(process)
        sampler.join()
        reader.join(timeout=10)
    result.peak_tree_kib = sampler.peak_kib
    return result


def _describe_processes(group: int, log: Path) -> None:
    """The server's processes, their state and the kernel function they sleep in, for a server that hangs."""
    listing = subprocess.run(["ps", "-o", "pid,ppid,stat,wchan:32,etime,args", "-g", str(group)],
                             capture_output=True, text=True).stdout
    with open(log, "a", encoding="utf-8") as stream:
        stream.write(f"\n[benchmark] the server's processes when it was given up on:\n{listing}")


def stop(process: subprocess.Popen, grace: float = 30) -> None:
    """SIGTERM to the server, as a writer's Ctrl-C; its own process group killed if it has not exited in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    try:  # workers it left behind, or the server itself when it did not exit
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()
