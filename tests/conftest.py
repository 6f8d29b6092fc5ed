"""Shared fixtures: site trees from dicts, the sample site built once, the CLI through main(argv)."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from generator.content import front_matter
from generator.build import BuildOptions, build_site
from generator.cli import main

REPO = Path(__file__).resolve().parent.parent
# The sample site is judged on a fixed day so that future-dated posts stay future.
FIXED_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Asia/Seoul"))

MINIMAL_CONFIG = """\
[site]
base_url = "https://blog.example-clinic.com/"
default_language = "ko"
timezone = "Asia/Seoul"

[languages.ko]
name = "한국어"
locale = "ko_KR"
title = "테스트 블로그"
description = "테스트용 블로그입니다. 시술 전후에 알아 두면 좋은 내용을 의료진이 설명합니다."

[languages.en]
name = "English"
locale = "en_US"
title = "Test Blog"
description = "A blog for tests, where the clinic's doctors explain treatments in plain words."

[clinic]
name = { ko = "테스트 의원", en = "Test Clinic" }
url = "https://example-clinic.com/"
contact_url = "https://example-clinic.com/contact"
telephone = "+82-2-515-0700"
foreign_patient_registration = "2026-0001"

[authors.dr-kim]
name = { ko = "김OO 원장", en = "Dr. Kim" }
job_title = { ko = "성형외과 전문의", en = "Board-certified plastic surgeon" }
type = "Physician"

[authors.dr-lee]
name = { ko = "이OO 원장", en = "Dr. Lee" }
job_title = { ko = "피부과 전문의", en = "Board-certified dermatologist" }
type = "Physician"
"""


# init's example values (generator/config/examples.py) -> what a clinic writes in their place; the same literals
# the README tells users to replace, written out here so that a test notices when init gains one.
INIT_EXAMPLES_FILLED_IN = {
    "https://blog.example.com/": "https://blog.hanbit-clinic.kr/",
    "https://www.example.com/contact": "https://hanbit-clinic.kr/contact",
    "https://www.example.com/": "https://hanbit-clinic.kr/",
    "+82-2-000-0000": "+82-2-3142-0700",
    "새봄 의원": "한빛 의원",
    "Saebom Clinic": "Hanbit Clinic",
    "홍길동": "김한빛",
    "Gildong Hong": "Hanbit Kim",
}


def fill_in_init_site(site: Path) -> None:
    """Replace init's example values in site.toml and the welcome posts, and give the foreign-patient
    registration (a Korean clinic with English pages needs it)."""
    for relative in ("site.toml", "posts/ko/welcome.md", "posts/en/welcome.md"):
        path = site / relative
        text = path.read_text(encoding="utf-8")
        for example, own in INIT_EXAMPLES_FILLED_IN.items():
            text = text.replace(example, own)
        path.write_text(text.replace('# foreign_patient_registration = ""', 'foreign_patient_registration = "2026-0001"'),
                        encoding="utf-8")


def post_text(title: str = "A post", date: str = "2026-07-03", body: str = "Some text.\n", **extra: str) -> str:
    lines = [f'title: "{title}"', f"date: {date}",
             'description: "A description of fifty characters or more, for the tests here."']
    lines += [f"{key}: {value}" for key, value in extra.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content) if content.startswith("\n") else content, encoding="utf-8")
    return root


@pytest.fixture
def site_factory(tmp_path):
    """A site folder made of site.toml (MINIMAL_CONFIG unless given) and the given files."""

    def make(files: dict[str, str | bytes] | None = None, config: str = MINIMAL_CONFIG) -> Path:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        return write_tree(root, {"site.toml": config, **(files or {})})

    return make


@dataclass
class CliResult:
    code: int
    out: str
    err: str


class PurePythonPostLoader(yaml.SafeLoader):
    """The front-matter loader as it is on a PyYAML without libyaml (other error texts, no depth limit)."""
    yaml_implicit_resolvers = front_matter._PostYAMLLoader.yaml_implicit_resolvers


@pytest.fixture(params=["libyaml", "pure-python"])
def yaml_parser(request, monkeypatch) -> str:
    """Runs a test with each of PyYAML's two parsers reading front-matter."""
    if request.param == "pure-python":
        monkeypatch.setattr(front_matter, "_PostYAMLLoader", PurePythonPostLoader)
    return request.param


def run_cli(*argv: str) -> CliResult:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return CliResult(code, out.getvalue(), err.getvalue())


def run_cli_apart(*argv: str) -> CliResult:
    """The command in a process of its own. In the test runner, a thread an earlier test left (a server)
    makes every build and check do its work itself (see workers.iter_parallel); this one has its workers."""
    done = subprocess.run([sys.executable, "-m", "generator", *argv], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    return CliResult(done.returncode, done.stdout, done.stderr)


def git(folder: Path, *argv: str) -> str:
    """The system git run in folder; its output."""
    return subprocess.run(["git", "-C", str(folder), *argv], check=True, capture_output=True, text=True).stdout


def workflow_environment(tmp_path: Path) -> dict[str, str]:
    """The environment a workflow's `run:` gets here: `clinicpress` on PATH is this checkout of ClinicPress."""
    tools = tmp_path / "bin"
    tools.mkdir(exist_ok=True)
    shim = tools / "clinicpress"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m generator "$@"\n')
    shim.chmod(0o755)
    return {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(REPO)}


def run_step(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """A workflow's `run:` as GitHub runs it: bash -eo pipefail, its output captured."""
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd,
                          capture_output=True, text=True, env=env)


def commit_all(folder: Path, message: str) -> None:
    """Every file of the repository at folder committed, by a writer of the tests."""
    git(folder, "add", "--all")
    git(folder, "-c", "user.name=Writer", "-c", "user.email=writer@example.com", "commit", "--quiet", "-m", message)


def copy_sample_site(target: Path) -> Path:
    """Copy the repository's sample site (config, posts, images, theme) into target."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("site.toml", "posts", "static", "templates"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.exists():
            shutil.copy(source, target / name)
    return target


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The repository's sample site, copied and built once; returns the output folder."""
    root = copy_sample_site(tmp_path_factory.mktemp("sample"))
    build_site(BuildOptions(site_dir=root, now=FIXED_NOW))
    return root / "output"
