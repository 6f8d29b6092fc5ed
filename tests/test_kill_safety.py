"""A build killed at any moment (SIGKILL: no clean-up code runs) leaves output/ as the old site or
the new one, never a mix, never empty, never missing; and the next build finishes the job.

Two versions of a 150-post site are built once as references. Then, again and again, the site is
switched to the other version and `python -m generator build` is started and killed (with all its
worker processes) after a random delay; whatever the moment, output/ must equal one reference."""
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import MINIMAL_CONFIG, REPO, post_text, write_tree

POSTS = 150
KILLS = 30


def version_files(version: int) -> dict[str, str]:
    """Version 1 and 2 differ in every post; 2 also drops some posts and adds others."""
    files = {}
    numbers = range(1, POSTS + 1) if version == 1 else range(11, POSTS + 11)
    for n in numbers:
        lang = "en" if n % 3 else "ko"
        files[f"posts/{lang}/post-{n}.md"] = post_text(
            f"Post {n}, version {version}", date=f"2026-{1 + n % 12:02d}-{1 + n % 27:02d}",
            tags=f"[topic {n % 7}, version {version}]",
            body=f"Version {version} of post {n}.\n\n## Aftercare\n\nKeep the area clean.\n" * 3)
    return files


def switch_to(site: Path, version: int) -> None:
    for old in (site / "posts").rglob("*.md"):
        old.unlink()
    write_tree(site, version_files(version))


def tree(folder: Path) -> dict[str, bytes] | None:
    if not folder.is_dir():
        return None
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def start_build(site: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": "1795000000"}
    return subprocess.Popen([sys.executable, "-m", "generator", "build", str(site), "-q"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def build(site: Path) -> float:
    started = time.monotonic()
    process = start_build(site)
    out, err = process.communicate()
    assert process.returncode == 0, err.decode()
    return time.monotonic() - started


@pytest.fixture(scope="module")
def site_and_references(tmp_path_factory):
    site = write_tree(tmp_path_factory.mktemp("kill") / "site", {"site.toml": MINIMAL_CONFIG, **version_files(1)})
    build(site)
    first = tree(site / "output")
    switch_to(site, 2)
    duration = build(site)  # a warm cache, but every post changed: what each killed build attempts
    second = tree(site / "output")
    assert first != second
    return site, {1: first, 2: second}, duration


def test_a_killed_build_leaves_the_old_site_or_the_new_one(site_and_references):
    site, references, duration = site_and_references
    delays = random.Random(20260703)
    outcomes = {"old": 0, "mid-write": 0, "new": 0}
    current = 2
    for attempt in range(KILLS):
        target = 1 if current == 2 else 2
        switch_to(site, target)
        process = start_build(site)
        time.sleep(delays.uniform(0.05, duration * 1.1))
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it had already finished
        process.communicate()
        mid_write = bool(list(site.glob(".output.staging-*")))  # killed while writing the next site
        found = tree(site / "output")
        assert found is not None, f"attempt {attempt}: output/ is missing ({outcomes})"
        assert found in (references[1], references[2]), f"attempt {attempt}: output/ is a mix of two sites ({outcomes})"
        current = 1 if found == references[1] else 2
        outcomes["new" if current == target else "mid-write" if mid_write else "old"] += 1
    print(f"kill outcomes: {outcomes}")

    # The next build, left alone, finishes the job and clears what the killed ones left behind.
    switch_to(site, 1)
    build(site)
    assert tree(site / "output") == references[1]
    assert not list(site.glob(".output.staging-*"))
