"""The check workflow `init` writes (.github/workflows/check.yml) and `check --format github`: what check
finds in a pull request's posts becomes GitHub annotations at their lines, read back here as GitHub
reads workflow commands; the step runs with bash in a site `init` wrote, as a runner runs it."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import fill_in_init_site, run_cli, run_step, workflow_environment, write_tree
from generator.check.command import format_findings
from generator.errors import Diagnostic

CLAIM = "붓기는 보통 며칠 갑니다. 100% 효과를 보장합니다."
POST = """\
---
title: "입술 필러 뒤 붓기, 며칠이면 가라앉을까요"
date: 2026-07-03
description: "입술 필러를 맞은 뒤 처음 며칠 동안 붓기가 어떻게 달라지는지, 언제 병원에 연락해야 하는지 정리했습니다."
author: dr-hong
---
{body}
"""


def unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def annotations(log: str) -> list[dict[str, str]]:
    """The workflow commands in a step's output, as GitHub turns them into annotations."""
    found = []
    for match in re.finditer(r"^::(error|warning|notice) ([^:\n]*)::(.*)$", log, re.MULTILINE):
        properties = dict(pair.split("=", 1) for pair in match.group(2).split(","))
        found.append({"level": match.group(1), "message": unescape(match.group(3)),
                      **{key: unescape(value) for key, value in properties.items()}})
    return found


def test_findings_become_annotations_that_survive_any_text():
    awkward = Diagnostic("warning", "posts/en/50%, off: a.md", 3, "says '100%'\nand ::error:: twice", column=7,
                         hint="write what the clinic offers", rule="ad-price-lure")
    info = Diagnostic("info", "site.toml", None, "no line")
    (first, second) = annotations(format_findings([awkward, info], "github"))
    assert first == {"level": "warning", "file": "posts/en/50%, off: a.md", "line": "3", "col": "7",
                     "title": "clinicpress check [ad-price-lure]",
                     "message": "says '100%'\nand ::error:: twice\nhint: write what the clinic offers"}
    assert second == {"level": "notice", "file": "site.toml", "title": "clinicpress check", "message": "no line"}


@pytest.fixture
def site(tmp_path) -> Path:
    site = tmp_path / "clinic"
    assert run_cli("init", str(site)).code == 0
    fill_in_init_site(site)
    return site


def check_step(site: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """check.yml's step after the install, with bash -eo pipefail as GitHub runs a `run:`, `clinicpress`
    being this checkout of ClinicPress."""
    workflow = yaml.safe_load((site / ".github/workflows/check.yml").read_text(encoding="utf-8"))
    assert workflow[True] == {"pull_request": None}  # every pull request (YAML 1.1 reads `on` as true)
    (job,) = workflow["jobs"].values()
    names = [step.get("name") for step in job["steps"]]
    assert names.index("Install ClinicPress") < names.index("Check the posts") == len(names) - 1
    return run_step(job["steps"][-1]["run"], site, workflow_environment(tmp_path))


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_a_pull_request_with_a_guaranteed_result_fails_with_the_finding_at_its_line(site, tmp_path):
    post = "posts/ko/lip-filler-swelling.md"
    write_tree(site, {post: POST.format(body=CLAIM)})
    done = check_step(site, tmp_path)
    assert done.returncode == 1, done.stderr
    found = [a for a in annotations(done.stdout) if a["title"] == "clinicpress check [ad-guarantee]"]
    assert found and {(a["level"], a["file"]) for a in found} == {("error", post)}
    lines = (site / post).read_text(encoding="utf-8").splitlines()
    for annotation in found:  # each where the claim is
        assert "보장합니다" in lines[int(annotation["line"]) - 1][int(annotation["col"]) - 1:]
        assert "\nhint: " in annotation["message"]
    assert re.search(rf"^Checked \d+ posts: \d+ errors?", done.stdout, re.MULTILINE)  # the summary

    write_tree(site, {post: POST.format(body="붓기는 보통 며칠 갑니다. 결과는 사람마다 다릅니다.")})
    fixed = check_step(site, tmp_path)
    assert fixed.returncode == 0, fixed.stdout
    assert not [a for a in annotations(fixed.stdout) if a["level"] == "error"]
