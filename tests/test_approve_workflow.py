"""The approve workflow `init` writes (.github/workflows/approve.yml): read as GitHub reads it, and its
steps run with bash in real git repositories, as a runner would run them on an approved pull request."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import commit_all, fill_in_init_site, git, run_cli, run_step, workflow_environment, write_tree

APPROVE_COMMAND = ('clinicpress approve --github-login "${{ github.event.review.user.login }}" '
                   '--changed-since "origin/${{ github.event.pull_request.base.ref }}"')
DR_LEE = """
[authors.dr-lee]
name = { ko = "이한빛 원장", en = "Dr. Hanbit Lee" }
type = "Physician"
github = "lee-md"

[authors.coordinator]
name = "Coordinator"
github = "desk-staff"
"""
POST = """\
---
title: "{title}"
date: 2026-07-03
description: "{title}: what to do in the first days after the treatment, and when to call the clinic."
author: dr-hong
---
{title}.
"""


def workflows(site: Path) -> tuple[dict, dict]:
    """approve.yml and publish.yml as GitHub reads them."""
    folder = site / ".github/workflows"
    return tuple(yaml.safe_load((folder / name).read_text(encoding="utf-8")) for name in ("approve.yml", "publish.yml"))


@pytest.fixture
def init_site(tmp_path) -> Path:
    site = tmp_path / "clinic"
    assert run_cli("init", str(site)).code == 0
    return site


def event(state: str = "approved", head: str = "cms/posts/aftercare", fork: bool = False, login: str = "lee-md",
          base: str = "main") -> dict:
    """The parts of a pull_request_review event the workflow reads."""
    repository = "clinic/blog"
    return {"repository": repository, "event": {
        "review": {"state": state, "user": {"login": login}},
        "pull_request": {"head": {"ref": head, "repo": {"full_name": "someone/blog" if fork else repository}},
                         "base": {"ref": base}}}}


def github_value(context: dict, name: str) -> str:
    value: object = context
    for part in name.split(".")[1:]:
        value = value[part]  # type: ignore[index]
    return str(value)


def github_expression(text: str, context: dict) -> str:
    """${{ github.x.y }} in text replaced with its value, as GitHub does before a step runs."""
    return re.sub(r"\$\{\{\s*(github(?:\.\w+)+)\s*\}\}", lambda m: github_value(context, m.group(1)), text)


def github_condition(expression: str, context: dict) -> bool:
    """A job's `if:` of ==, && and startsWith() over github.* values, evaluated as GitHub does
    (string comparisons ignore case)."""
    for clause in expression.split("&&"):
        clause = clause.strip()
        starts = re.fullmatch(r"startsWith\((github[\w.]+), '([^']*)'\)", clause)
        equal = re.fullmatch(r"(github[\w.]+) == (?:'([^']*)'|(github[\w.]+))", clause)
        assert starts or equal, f"not an expression this test reads: {clause}"
        if starts:
            holds = github_value(context, starts.group(1)).lower().startswith(starts.group(2).lower())
        else:
            other = equal.group(2) if equal.group(2) is not None else github_value(context, equal.group(3))
            holds = github_value(context, equal.group(1)).lower() == other.lower()
        if not holds:
            return False
    return True


def test_init_writes_an_approve_workflow_that_runs_on_a_doctors_approval_of_an_editor_pull_request(init_site):
    approve, publish = workflows(init_site)
    assert approve[True] == {"pull_request_review": {"types": ["submitted"]}}  # YAML 1.1 reads `on` as true
    assert approve["permissions"] == {"contents": "write"}
    (job,) = approve["jobs"].values()
    runs = lambda *args, **kwargs: github_condition(job["if"], event(*args, **kwargs))  # noqa: E731
    assert runs()
    assert not runs(state="commented") and not runs(state="changes_requested")
    assert not runs(head="feature/new-template"), "only the editor's branches"
    assert not runs(fork=True), "never a fork's pull request"


def test_the_approve_workflow_installs_clinicpress_as_publish_does_and_runs_approve(init_site):
    approve, publish = workflows(init_site)
    (job,) = approve["jobs"].values()
    steps = job["steps"]
    assert approve["env"] == publish["env"]
    install = [step["run"] for step in steps if step.get("name") == "Install ClinicPress"]
    assert install == [step["run"] for step in publish["jobs"]["build"]["steps"] if step.get("name") == "Install ClinicPress"]
    checkout = steps[0]
    assert checkout["uses"] == "actions/checkout@v4"
    assert checkout["with"] == {"ref": "${{ github.event.pull_request.head.ref }}", "fetch-depth": 0}
    runs = [step.get("run", "") for step in steps]
    assert APPROVE_COMMAND in runs
    save = runs[-1]
    assert runs.index(APPROVE_COMMAND) < len(runs) - 1
    assert "git commit" in save and "$REVIEWER" in save and "git push origin HEAD" in save
    assert steps[-1]["env"] == {"REVIEWER": "${{ github.event.review.user.login }}"}
    text = (init_site / ".github/workflows/approve.yml").read_text(encoding="utf-8")
    assert text.startswith("# Records a doctor's medical review") and 'github = "lee-md"' in text


# The steps run ----------------------------------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None,
                               reason="needs the system git and bash")


@pytest.fixture
def pull_request(init_site, tmp_path) -> tuple[Path, Path]:
    """(origin, runner's checkout): the site on main in a bare origin, and an editor's branch with a new
    post in both languages, checked out with its whole history as the workflow's checkout step does."""
    fill_in_init_site(init_site)
    with open(init_site / "site.toml", "a", encoding="utf-8") as config:
        config.write(DR_LEE)
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    git(init_site, "init", "--quiet", "--initial-branch=main")
    commit_all(init_site, "The site")
    git(init_site, "checkout", "--quiet", "-b", "cms/posts/aftercare")
    write_tree(init_site, {"posts/en/aftercare.md": POST.format(title="Aftercare"),
                           "posts/ko/aftercare.md": POST.format(title="시술 후 관리")})
    commit_all(init_site, "Create Posts “aftercare”")
    git(init_site, "push", "--quiet", str(origin), "main", "cms/posts/aftercare")
    runner = tmp_path / "runner"
    git(tmp_path, "clone", "--quiet", "--branch", "cms/posts/aftercare", str(origin), str(runner))
    return origin, runner


def run_steps(runner: Path, tmp_path: Path, login: str) -> subprocess.CompletedProcess:
    """The workflow's steps after the install, each as GitHub runs a `run:` (bash -eo pipefail), with
    `clinicpress` this checkout of ClinicPress."""
    (job,) = workflows(runner)[0]["jobs"].values()
    context = event(login=login)
    environment = workflow_environment(tmp_path)
    outputs = []
    for step in job["steps"]:
        if "run" not in step or step.get("name") == "Install ClinicPress":
            continue
        env = {key: github_expression(value, context) for key, value in step.get("env", {}).items()}
        done = run_step(github_expression(step["run"], context), runner, {**environment, **env})
        outputs.append(done)
        if done.returncode != 0:
            break
    return subprocess.CompletedProcess(outputs[-1].args, outputs[-1].returncode,
                                       "".join(o.stdout for o in outputs), "".join(o.stderr for o in outputs))


@needs_git
def test_an_approval_saves_the_review_in_both_languages_on_the_pull_request_branch(pull_request, tmp_path):
    origin, runner = pull_request
    done = run_steps(runner, tmp_path, login="lee-md")
    assert done.returncode == 0, done.stderr
    branch = "cms/posts/aftercare"
    assert git(origin, "log", "-1", "--format=%s", branch).startswith("Medical review by @lee-md")
    changed = git(origin, "diff", "--name-only", f"{branch}~1", branch).split()
    assert changed == ["posts/en/aftercare.md", "posts/ko/aftercare.md"]
    for lang in ("en", "ko"):
        text = git(origin, "show", f"{branch}:posts/{lang}/aftercare.md")
        assert re.search(r"^author: dr-hong\nreviewed_by: dr-lee\nlast_reviewed: \d{4}-\d{2}-\d{2}\n---\n", text,
                         re.MULTILINE)
    assert git(origin, "rev-parse", "main") == git(runner, "rev-parse", "origin/main"), "main is left alone"

    again = run_steps(runner, tmp_path, login="lee-md")  # a second approval of the same pull request
    assert again.returncode == 0 and "nothing to save" in again.stdout
    assert git(origin, "log", "-1", "--format=%s", branch).startswith("Medical review by @lee-md")


@needs_git
@pytest.mark.parametrize("login, message", [
    ("desk-staff", "'coordinator' is not a physician"),
    ("stranger", 'no author in site.toml has github = "stranger"'),
], ids=["not-a-physician", "not-in-site-toml"])
def test_an_approval_by_someone_who_is_not_a_physician_fails_with_the_reason(pull_request, tmp_path, login, message):
    origin, runner = pull_request
    before = git(origin, "rev-parse", "cms/posts/aftercare")
    done = run_steps(runner, tmp_path, login=login)
    assert done.returncode == 1 and message in done.stderr and "Traceback" not in done.stderr
    assert git(origin, "rev-parse", "cms/posts/aftercare") == before
