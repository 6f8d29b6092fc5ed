"""`clinicpress keep-layout` and the keep-layout workflow `init` writes: a post the browser editor saved
through GitHub, with every front-matter line written anew, takes back the writer's lines wherever the
values are unchanged. Real git repositories; a bare one stands in for GitHub."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import commit_all, git, run_cli, run_step, workflow_environment, write_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None,
                                reason="needs the system git and bash")

WRITTEN = """\
---
# checked by the clinic's coordinator
title: "Lip filler aftercare"
date: 2026-07-03
description: 'What to do in the first days after lip filler, and when to call the clinic for advice.'
tags: [lip filler, aftercare]  # the two topics
author: dr-hong
---
Cold packs help in the first two days.
"""
# The same post as the editor writes it after the title was changed: its own quotes, order and list style.
SAVED = """\
---
author: dr-hong
title: Lip filler aftercare, day by day
date: 2026-07-03
description: What to do in the first days after lip filler, and when to call the clinic for advice.
tags:
  - lip filler
  - aftercare
---
Cold packs help in the first two days.
"""
KEPT = WRITTEN.replace('title: "Lip filler aftercare"', "title: Lip filler aftercare, day by day")
BRANCH = "cms/posts/lip-filler-aftercare"


@pytest.fixture
def repository(tmp_path) -> Path:
    """A new site with a hand-written post on main, and the editor's branch that saved it again."""
    site = tmp_path / "clinic"
    assert run_cli("init", str(site)).code == 0
    write_tree(site, {"posts/en/lip-filler-aftercare.md": WRITTEN})
    git(site, "init", "--quiet", "--initial-branch=main")
    commit_all(site, "The site")
    git(site, "checkout", "--quiet", "-b", BRANCH)
    write_tree(site, {"posts/en/lip-filler-aftercare.md": SAVED,
                      "posts/ko/new-post.md": "---\ntitle: 새 글\ndate: 2026-07-04\nauthor: dr-hong\n---\n본문입니다.\n"})
    commit_all(site, "Update Posts “lip-filler-aftercare”")
    return site


def test_the_writers_lines_come_back_where_the_save_left_the_values_as_they_were(repository):
    assert yaml.safe_load(KEPT.split("---")[1]) == yaml.safe_load(SAVED.split("---")[1])  # the same values
    done = run_cli("keep-layout", "--changed-since", "main", "--site", str(repository))
    assert done.code == 0, done.err
    assert done.out.splitlines() == ["Put back the front-matter layout of posts/en/lip-filler-aftercare.md",
                                     "Kept as it is: posts/ko/new-post.md"]  # a new post has no layout to keep
    assert (repository / "posts/en/lip-filler-aftercare.md").read_text(encoding="utf-8") == KEPT
    added = [line for line in git(repository, "diff", "main", "--", "posts/en").splitlines()
             if line.startswith("+") and not line.startswith("+++")]
    assert added == ["+title: Lip filler aftercare, day by day"], "one changed line: the title"

    again = run_cli("keep-layout", "--changed-since", "main", "--site", str(repository))
    assert again.code == 0 and "Put back" not in again.out
    assert (repository / "posts/en/lip-filler-aftercare.md").read_text(encoding="utf-8") == KEPT


def test_a_ref_git_does_not_know_is_a_usage_error_and_nothing_is_written(repository):
    done = run_cli("keep-layout", "--changed-since", "origin/no-such-branch", "--site", str(repository))
    assert done.code == 2 and "--changed-since origin/no-such-branch" in done.err and "Traceback" not in done.err
    assert (repository / "posts/en/lip-filler-aftercare.md").read_text(encoding="utf-8") == SAVED


# The workflow's steps, run as a runner runs them ---------------------------------------------------------

def workflow(site: Path) -> dict:
    return yaml.safe_load((site / ".github/workflows/keep-layout.yml").read_text(encoding="utf-8"))


def test_init_writes_a_workflow_that_runs_on_pushes_of_posts_to_main_and_the_editors_branches(repository):
    flow = workflow(repository)
    assert flow[True] == {"push": {"branches": ["main", "cms/**"], "paths": ["posts/**"]}}  # YAML 1.1: `on` is true
    assert flow["permissions"] == {"contents": "write"}
    publish = yaml.safe_load((repository / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    assert flow["env"] == publish["env"]
    (job,) = flow["jobs"].values()
    assert job["steps"][0] == {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}


def run_steps(runner: Path, tmp_path: Path, branch: str, before: str) -> subprocess.CompletedProcess:
    """The workflow's `run:` steps after the install, each with bash -eo pipefail as GitHub runs them,
    `clinicpress` being this checkout of ClinicPress."""
    (job,) = workflow(runner)["jobs"].values()
    values = {"github.ref_name": branch, "github.event.repository.default_branch": "main", "github.event.before": before}
    expand = lambda text: re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: values[m.group(1)], text)  # noqa: E731
    environment = workflow_environment(tmp_path)
    outputs = []
    for step in job["steps"]:
        if "run" not in step or step.get("name") == "Install ClinicPress":
            continue
        env = {key: expand(value) for key, value in step.get("env", {}).items()}
        done = run_step(expand(step["run"]), runner, {**environment, **env})
        outputs.append(done)
        if done.returncode != 0:
            break
    return subprocess.CompletedProcess(outputs[-1].args, outputs[-1].returncode,
                                       "".join(o.stdout for o in outputs), "".join(o.stderr for o in outputs))


@pytest.fixture
def origin(repository, tmp_path) -> Path:
    bare = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    git(repository, "push", "--quiet", str(bare), "main", BRANCH)
    return bare


def test_a_save_on_an_editors_branch_gets_its_layout_back_on_that_branch(origin, tmp_path):
    runner = tmp_path / "runner"
    git(tmp_path, "clone", "--quiet", "--branch", BRANCH, str(origin), str(runner))
    saved = git(origin, "rev-parse", BRANCH).strip()
    done = run_steps(runner, tmp_path, BRANCH, before="0" * 40)  # the branch's first push
    assert done.returncode == 0, done.stderr
    assert git(origin, "log", "-1", "--format=%s", BRANCH) == "Keep the front-matter layout of the posts the editor saved\n"
    assert git(origin, "rev-parse", f"{BRANCH}~1").strip() == saved
    assert git(origin, "show", f"{BRANCH}:posts/en/lip-filler-aftercare.md") == KEPT
    assert git(origin, "diff", "--name-only", f"{BRANCH}~1", BRANCH).split() == ["posts/en/lip-filler-aftercare.md"]

    again = run_steps(runner, tmp_path, BRANCH, before=saved)  # its own push: GitHub starts no run for it, but
    assert again.returncode == 0 and "nothing to save" in again.stdout  # were it run, it would find nothing to do


def test_a_save_straight_to_main_gets_its_layout_back_on_main(origin, tmp_path):
    runner = tmp_path / "runner"
    git(tmp_path, "clone", "--quiet", str(origin), str(runner))
    before = git(runner, "rev-parse", "main").strip()
    git(runner, "merge", "--quiet", "--ff-only", f"origin/{BRANCH}")  # as the editor saves without review
    git(runner, "push", "--quiet", "origin", "main")
    done = run_steps(runner, tmp_path, "main", before=before)
    assert done.returncode == 0, done.stderr
    assert git(origin, "show", "main:posts/en/lip-filler-aftercare.md") == KEPT
    assert git(origin, "show", "main:posts/ko/new-post.md").startswith("---\ntitle: 새 글\n")

    first = run_steps(runner, tmp_path, "main", before="0" * 40)  # a repository's very first push
    assert first.returncode == 0 and "nothing to compare" in first.stdout
