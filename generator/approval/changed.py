"""The posts a branch changed (`approve --changed-since REF`), asked of the site's git repository:
what a pull request shows, so that an approval on GitHub covers exactly the posts it was given for."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Collection

from generator.errors import UsageError


def changed_post_paths(site_dir: Path, ref: str, languages: Collection[str]) -> list[Path]:
    """posts/<lang>/<name>.md files added or changed on HEAD since it left ref, sorted. `ref...HEAD`
    compares with the commit both share, so posts changed on ref's branch meanwhile are not counted;
    deleted posts are left out."""
    if not ref.strip() or ref.startswith("-"):
        raise UsageError(f"--changed-since needs a branch, tag or commit such as origin/main, got '{ref}'")
    result = run_git(site_dir, "diff", "--name-only", "-z", "--no-renames", "--diff-filter=d", "--relative",
                     f"{ref}...HEAD", "--", "posts")
    if result.returncode != 0:
        said = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"--changed-since {ref}: git could not compare it with HEAD in {site_dir} "
                         f"({said[0] if said else f'exit code {result.returncode}'}); give a branch or commit "
                         "of this repository, and in CI check out the whole history (actions/checkout with "
                         "fetch-depth: 0)")
    names = sorted(os.fsdecode(name) for name in result.stdout.split(b"\0") if name)
    return [site_dir / name for name in names if _is_post(name, languages)]


def run_git(site_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """The system git run in the site's folder for --changed-since (output as bytes, never raising on its exit code)."""
    git = shutil.which("git")
    if git is None:
        raise UsageError("--changed-since asks git which posts changed, and git is not installed here")
    return subprocess.run([git, "-C", str(site_dir), *args], capture_output=True, check=False)


def _is_post(name: str, languages: Collection[str]) -> bool:
    parts = name.split("/")
    return (len(parts) == 3 and parts[0] == "posts" and parts[1] in languages
            and parts[2].endswith(".md") and not parts[2].startswith("."))
