"""The published editor against a git host, end to end in Chromium: the real Decap CMS that `build` copies
into /admin/, on a site `init` wrote, served by a static host on 127.0.0.1 that applies the site's headers
as a host does, talking to a stand-in of GitHub's API (tests/github_standin.py) over a bare repository.

A marketer signs in, writes a Korean post and its English translation with a phone photo, and saves:
the post waits on an editor's branch as a pull request. A doctor approves it (the approve workflow's steps run with bash on a
clone, as a runner does, and push the review to that branch). The marketer publishes: the pull request is
merged into main, and main, checked and built as the publish workflow does, has both pages.
Without review, an edit is committed to main and the keep-layout workflow gives the writer's front-matter
lines back; `serve --edit` on the same site writes into the local folder instead."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from lxml import html
from PIL import Image

from conftest import commit_all, fill_in_init_site, git, run_cli, run_step, workflow_environment, write_tree
from generator.build import BuildOptions, build_site
from github_standin import github_standin
from test_admin_browser import (BODY_KO, RECORD_VIOLATIONS, _camera_exif, browser,  # noqa: F401 (a fixture)
                                compose, field, shot)
from test_approve_workflow import DR_LEE
from test_approve_workflow import run_steps as approve_steps
from test_comments_browser import CHROMIUM
from test_csp_browser import host as static_host
from test_keep_layout import run_steps as keep_layout_steps
from test_serve import serving, wait_until

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium; `make test` installs it"),
              pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None,
                                 reason="needs the system git and bash")]

WAIT_MS = 20_000
REPOSITORY = "hanbit-clinic/blog"
TOKEN = "gho_standin0token"
KEY = "swelling-after-lip-filler"
BRANCH = f"cms/posts/{KEY}"
PHOTO = "consultation-photo.jpg"
AFTERCARE = "lip-filler-aftercare"
WRITTEN_KO = """\
---
# 상담실장 확인
title: "입술 필러 뒤 관리"
date: 2026-07-03
description: '입술 필러를 맞은 뒤 처음 며칠 동안 할 일과, 병원에 연락해야 할 때를 의료진이 정리했습니다.'
tags: [입술 필러, 관리]  # the two topics
author: dr-hong
---
처음 이틀은 냉찜질이 도움이 됩니다.
"""
WRITTEN_EN = """\
---
title: "Lip filler aftercare"
date: 2026-07-03
description: 'What to do in the first days after lip filler, and when to call the clinic for advice.'
author: dr-hong
---
Cold packs help in the first two days.
"""
# The changed title, and the key a post written before the editor gets written out (its file name).
KEPT_KO = WRITTEN_KO.replace('title: "입술 필러 뒤 관리"', "title: 입술 필러 뒤 관리, 하루하루").replace(
    "author: dr-hong\n", f"author: dr-hong\ntranslation_key: {AFTERCARE}\n")
TITLE = "입술 필러 뒤 붓기"
TITLE_KO = [("입술", ["ㅇ", "이", "입", "입ㅅ", "입수", "입술"]), (" 필러", [" ", " ㅍ", " 피", " 필", " 필ㄹ", " 필러"]),
            (" 뒤", [" ", " ㄷ", " 두", " 뒤"]), (" 붓기", [" ", " ㅂ", " 부", " 붓", " 붓ㄱ", " 붓기"])]
SIGNED_IN = f"localStorage.setItem('decap-cms-user', JSON.stringify({{backendName: 'github', token: '{TOKEN}'}}));"


@pytest.fixture
def origin_and_site(tmp_path) -> tuple[Path, Path]:
    """A site `init` wrote, with a doctor who reviews on GitHub, and an empty bare origin."""
    site = tmp_path / "clinic"
    assert run_cli("init", str(site)).code == 0
    fill_in_init_site(site)
    with open(site / "site.toml", "a", encoding="utf-8") as config:
        config.write(DR_LEE)
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    return origin, site


def point_editor_at(site: Path, api_url: str, review: bool = True) -> None:
    """The one-time setup README describes: the repository, review, and here the stand-in's address."""
    path = site / "site.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count("\n[admin]\n") == 1
    path.write_text(text.replace("\n[admin]\n", f'\n[admin]\nrepository = "{REPOSITORY}"\n'
                                 f'review = {str(review).lower()}\napi_url = "{api_url}"\n'), encoding="utf-8")


DESKTOP = {"viewport": {"width": 1400, "height": 1000}}
# A phone as Chromium emulates one: its width, touch, and a mobile browser's user agent.
PHONE = {"viewport": {"width": 412, "height": 915}, "device_scale_factor": 2.625, "is_mobile": True,
         "has_touch": True, "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
                                           "(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"}


@contextmanager
def published_editor(browser, origin: Path, site: Path, tmp_path: Path, review: bool = True, device=DESKTOP):
    """The site pushed to main of origin and built for a static host, GitHub played by the stand-in, and a
    Chromium page signed in to it (as after **GitHub로 로그인**); yields (stand-in, page, CDP, blog address).
    Leaving it, the editor has asked for nothing the stand-in does not know and broke no security policy."""
    with github_standin(origin, REPOSITORY, login="park-marketing", token=TOKEN) as (github, api_url):
        point_editor_at(site, api_url, review)
        git(site, "init", "--quiet", "--initial-branch=main")
        commit_all(site, "The site")
        git(site, "push", "--quiet", str(origin), "main")
        published = tmp_path / "published"
        published.mkdir()
        with static_host(published) as blog:
            build_site(BuildOptions(site_dir=site, output_dir=published, base_url=blog + "/"))
            context = browser.new_context(**device, locale="ko-KR", timezone_id="Asia/Seoul")
            context.set_default_timeout(WAIT_MS)
            page = context.new_page()
            page.add_init_script(RECORD_VIOLATIONS + SIGNED_IN)
            page.on("dialog", lambda dialog: dialog.accept())  # "publish this post?"
            try:
                yield github, page, context.new_cdp_session(page), blog
                assert page.evaluate("window.__violations") == [] and github.unanswered == []
            finally:
                context.close()


def test_a_post_written_in_the_published_editor_waits_for_a_doctor_then_publishes_through_the_host(
        browser, origin_and_site, tmp_path):
    origin, site = origin_and_site
    with published_editor(browser, origin, site, tmp_path) as (github, page, cdp, blog):
        write_and_save(page, cdp, blog, tmp_path / PHOTO)
        main_before = git(origin, "rev-parse", "main")
        wait_until(lambda: github.resolve(f"refs/heads/{BRANCH}"), "the editor's branch")
        saved = git(origin, "diff", "--name-status", "main", BRANCH).split()
        assert saved == ["A", f"posts/en/{KEY}.md", "A", f"posts/ko/{KEY}.md", "A", f"static/images/{PHOTO}"]
        photo = subprocess.run(["git", "--git-dir", str(origin), "show", f"{BRANCH}:static/images/{PHOTO}"],
                               capture_output=True, check=True).stdout
        assert photo == (tmp_path / PHOTO).read_bytes()  # the photo's bytes, whole, through the API
        (pull,) = github.pulls.values()
        assert pull.head == BRANCH and pull.base == "main" and pull.labels == ["decap-cms/draft"]
        ko = yaml.safe_load(git(origin, "show", f"{BRANCH}:posts/ko/{KEY}.md").split("---")[1])
        assert ko["title"] == TITLE and ko["author"] == "dr-hong" and "reviewed_by" not in ko
        assert ko["image"] == f"/images/{PHOTO}"

        page.get_by_role("button", name=re.compile("상태")).click()
        page.get_by_text("검토중", exact=True).click()
        wait_until(lambda: pull.labels == ["decap-cms/pending_review"], "the pull request in review")
        shot(page, "6-in-review")

        # Dr. Lee approves the pull request on GitHub: the approve workflow runs on its branch.
        runner = tmp_path / "runner"
        git(tmp_path, "clone", "--quiet", "--branch", BRANCH, str(origin), str(runner))
        done = approve_steps(runner, tmp_path, login="lee-md")
        assert done.returncode == 0, done.stderr
        assert git(origin, "log", "-1", "--format=%s", BRANCH).startswith("Medical review by @lee-md")

        page.reload()  # the marketer opens the post again: the review is in it
        expect(page.get_by_text("이한빛 원장 (dr-lee)").first).to_be_visible()
        page.get_by_role("button", name=re.compile("상태")).click()
        page.get_by_text("준비됨", exact=True).click()
        wait_until(lambda: pull.labels == ["decap-cms/pending_publish"], "the pull request ready")
        shot(page, "7-reviewed-and-ready")
        page.get_by_role("button", name="게시").first.click()
        page.get_by_text("지금 게시").click()
        wait_until(lambda: pull.state == "closed", "the merge")
        assert pull.merged_at and git(origin, "rev-parse", "main") != main_before
        wait_until(lambda: not github.resolve(f"refs/heads/{BRANCH}"), "the branch deleted")

    # The publish workflow on main: a fresh checkout, its check and build steps run as a runner runs them.
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "--quiet", str(origin), str(checkout))
    checked, built = publish_steps(checkout, tmp_path)
    assert checked.returncode == 0 and f"{KEY}.md" not in checked.stdout, checked.stdout + checked.stderr
    assert built.returncode == 0, built.stderr
    public = checkout / "public"
    assert (public / "admin" / "decap-cms.js").is_file()  # the published blog has the editor again
    korean = html.fromstring((public / "ko" / "posts" / KEY / "index.html").read_bytes())
    english = html.fromstring((public / "en" / "posts" / KEY / "index.html").read_bytes())
    assert korean.findtext(".//h1") == TITLE and english.findtext(".//h1") == "Swelling after lip filler"
    assert korean.xpath('//link[@hreflang="en"]/@href')[0].endswith(f"/en/posts/{KEY}/")
    copies = korean.xpath('//img[contains(@src, "consultation")]/@src')  # the pipeline's copy, no camera data
    assert copies and b"Phone model" not in (public / copies[0].lstrip("/")).read_bytes()
    for page_tree in (korean, english):
        article = json.loads(page_tree.xpath('//script[@type="application/ld+json"]')[0].text)
        assert article["reviewedBy"]["name"] in ("이한빛 원장", "Dr. Hanbit Lee") and article["lastReviewed"]


def publish_steps(checkout: Path, tmp_path: Path) -> list[subprocess.CompletedProcess]:
    """publish.yml's check and build steps, each with bash -eo pipefail as GitHub runs a `run:`, with
    `clinicpress` this checkout of ClinicPress (the editor's code comes from its node_modules)."""
    workflow = yaml.safe_load((checkout / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    runs = [step["run"] for step in workflow["jobs"]["build"]["steps"]
            if step.get("name") in ("Check the posts (errors stop the publishing)", "Build")]
    assert len(runs) == 2
    environment = workflow_environment(tmp_path)
    return [run_step(run, checkout, environment) for run in runs]


def test_an_edit_published_straight_to_main_gets_the_writers_front_matter_back(browser, origin_and_site,
                                                                                 tmp_path):
    """Without review, 게시 commits to main in the editor's own front-matter style; the keep-layout
    workflow then puts back every line whose value the edit did not change."""
    origin, site = origin_and_site
    write_tree(site, {f"posts/ko/{AFTERCARE}.md": WRITTEN_KO})
    with published_editor(browser, origin, site, tmp_path, review=False) as (github, page, cdp, blog):
        before = git(origin, "rev-parse", "main").strip()
        page.goto(blog + f"/admin/#/collections/posts/entries/{AFTERCARE}")
        title = field(page, "title", 0)
        expect(title).to_have_value("입술 필러 뒤 관리")
        title.fill("입술 필러 뒤 관리, 하루하루")
        page.get_by_role("button", name="게시").first.click()
        page.get_by_text("지금 게시").click()
        wait_until(lambda: github.resolve("main") != before, "the commit on main")
    saved = git(origin, "show", f"main:posts/ko/{AFTERCARE}.md")
    assert saved != KEPT_KO and "# the two topics" not in saved  # the editor's own layout
    assert git(origin, "diff", "--name-only", before, "main").split() == [f"posts/ko/{AFTERCARE}.md"]

    runner = tmp_path / "runner"
    git(tmp_path, "clone", "--quiet", str(origin), str(runner))
    done = keep_layout_steps(runner, tmp_path, "main", before=before)
    assert done.returncode == 0, done.stderr
    assert git(origin, "show", f"main:posts/ko/{AFTERCARE}.md") == KEPT_KO
    assert git(origin, "log", "-1", "--format=%s", "main") == "Keep the front-matter layout of the posts the editor saved\n"


def test_a_post_only_in_english_is_not_saved_without_its_korean_side(browser, origin_and_site, tmp_path):
    """Decap keeps a post by its default language's version (README says so): an English-only post opens
    with an empty Korean side, and saving it is refused with the missing fields marked; nothing is
    committed, and the English file stays as it was."""
    origin, site = origin_and_site
    write_tree(site, {f"posts/en/{AFTERCARE}.md": WRITTEN_EN})
    with published_editor(browser, origin, site, tmp_path, review=False) as (github, page, cdp, blog):
        before = git(origin, "rev-parse", "main").strip()
        page.goto(blog + f"/admin/#/collections/posts/entries/{AFTERCARE}")
        expect(field(page, "title", 1)).to_have_value("Lip filler aftercare")
        expect(field(page, "title", 0)).to_have_value("")
        field(page, "title", 1).fill("Lip filler aftercare, day by day")
        page.get_by_role("button", name="게시").first.click()
        page.get_by_text("지금 게시").click()
        expect(page.get_by_text("필수 필드를 놓치셨습니다", exact=False)).to_be_visible()
        expect(page.get_by_text("제목 은(는) 필수입니다")).to_be_visible()
        page.wait_for_timeout(500)
        assert github.resolve("main") == before
    assert git(origin, "show", f"main:posts/en/{AFTERCARE}.md") == WRITTEN_EN


def test_a_korean_post_written_on_a_phone_is_published(browser, origin_and_site, tmp_path):
    """At a phone's width, with touch: the fields are reached by tapping, Korean is composed syllable by
    syllable, and 게시 commits the post to main."""
    origin, site = origin_and_site
    with published_editor(browser, origin, site, tmp_path, review=False, device=PHONE) as (github, page, cdp, blog):
        before = git(origin, "rev-parse", "main").strip()
        page.goto(blog + "/admin/#/collections/posts/new")
        title = field(page, "title", 0)
        title.tap()
        compose(cdp, TITLE_KO)
        expect(title).to_have_value(TITLE)
        field(page, "translation_key", 0).tap()
        page.keyboard.type(KEY)
        field(page, "author", 0).tap()
        page.locator('[id*="-option-"]').filter(has_text="dr-hong").first.tap()
        # The text in the browser's own text box (preview.js): Decap's editor kept the first jamo here.
        body = field(page, "body", 0)
        expect(body).to_have_js_property("tagName", "TEXTAREA")
        body.scroll_into_view_if_needed()
        body.tap()
        compose(cdp, BODY_KO)
        expect(body).to_have_value("붓기는 보통 며칠 갑니다")
        shot(page, "8-phone")
        page.get_by_role("button", name="게시").first.tap()
        page.get_by_text("지금 게시").tap()
        wait_until(lambda: github.resolve("main") != before, "the commit on main")
    assert git(origin, "diff", "--name-only", before, "main").split() == [f"posts/ko/{KEY}.md"]
    saved = git(origin, "show", f"main:posts/ko/{KEY}.md")
    front = yaml.safe_load(saved.split("---")[1])
    assert front["title"] == TITLE and front["author"] == "dr-hong" and saved.rstrip().endswith("붓기는 보통 며칠 갑니다")


# The elements that stick out past the right edge of the screen (Decap's notices slide in from there).
STICKING_OUT = """() => [...document.querySelectorAll('body *')].filter(e => !e.closest('.Toastify'))
  .map(e => [e, e.getBoundingClientRect()]).filter(([e, box]) => box.width > 0 && box.right > innerWidth + 1)
  .map(([e, box]) => e.tagName + '.' + e.className + ' ' + Math.round(box.left) + '-' + Math.round(box.right))"""


def assert_fits_the_phone(page) -> None:
    """Nothing scrolls sideways, and the page was not laid out wider than the phone and shrunk to fit."""
    assert page.evaluate("[innerWidth, document.documentElement.scrollWidth]") == [PHONE["viewport"]["width"]] * 2
    assert page.evaluate(STICKING_OUT) == []


def test_the_editor_fits_a_phones_screen(browser, origin_and_site, tmp_path):
    """Decap's editor is at least 800px wide (editor.css): at a phone's width the post's fields, the photo
    library, the toolbar of a draft waiting for review with all its buttons, the other language's pane and
    the review board all fit the screen, and the site's first language is shown alone at first."""
    origin, site = origin_and_site
    with published_editor(browser, origin, site, tmp_path, review=True, device=PHONE) as (github, page, cdp, blog):
        page.goto(blog + "/admin/#/collections/posts/new")
        title = field(page, "title", 0)
        expect(title).to_be_visible()
        expect(field(page, "title", 1)).to_have_count(0)  # one pane at first
        assert_fits_the_phone(page)
        title.tap()
        compose(cdp, TITLE_KO)
        field(page, "translation_key", 0).tap()
        page.keyboard.type(KEY)
        page.get_by_title("국제화(i18n) 토글").tap()  # the English pane, under the Korean one
        english = field(page, "title", 1)
        english.tap()
        page.keyboard.type("Swelling after lip filler")
        assert english.bounding_box()["y"] > title.bounding_box()["y"] + title.bounding_box()["height"]
        for pane in (0, 1):
            body = field(page, "body", pane)
            body.scroll_into_view_if_needed()
            body.tap()
            page.keyboard.type("붓기는 보통 며칠 갑니다." if pane == 0 else "Swelling settles in days.")
        assert_fits_the_phone(page)
        page.get_by_role("button", name="이미지 선택").first.tap()  # the photo library, to upload from the phone
        expect(page.get_by_role("button", name="업로드")).to_be_in_viewport()
        assert_fits_the_phone(page)
        page.keyboard.press("Escape")
        page.get_by_role("button", name="저장").tap()
        expect(page.get_by_text("변경사항 저장됨")).to_be_visible()
        width = PHONE["viewport"]["width"]
        for name in ("저장", "상태: 초안", "게시", "게시 안된 항목 삭제"):  # a draft's buttons, every one on screen
            box = page.get_by_role("button", name=name).first.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, name
        page.get_by_role("button", name="상태: 초안").tap()
        expect(page.get_by_role("menuitem", name="검토중")).to_be_in_viewport()
        assert_fits_the_phone(page)
        page.keyboard.press("Escape")
        page.goto(blog + "/admin/#/workflow")
        expect(page.get_by_text(TITLE).first).to_be_visible()
        assert_fits_the_phone(page)


def write_and_save(page, cdp, blog: str, photo: Path) -> None:
    page.goto(blog + "/admin/")
    expect(page.get_by_text("한빛 의원 블로그를 시작합니다")).to_be_visible()  # main's post, read through the API
    page.get_by_role("link", name="새 글").click()
    field(page, "title", 0).click()
    compose(cdp, TITLE_KO)
    expect(field(page, "title", 0)).to_have_value(TITLE)
    field(page, "translation_key", 0).fill(KEY)
    field(page, "description", 0).fill("입술 필러를 맞은 뒤 며칠 동안 붓기가 어떻게 달라지는지, 언제 병원에 연락해야 하는지 "
                                       "의료진이 정리했습니다.")
    field(page, "author", 0).click()
    page.locator('[id*="-option-"]').filter(has_text="dr-hong").first.click()
    page.get_by_role("button", name="이미지 선택").first.click()  # a phone photo, uploaded with the post
    Image.new("RGB", (2400, 1600), (214, 160, 170)).save(photo, quality=90, exif=_camera_exif())
    page.locator('input[type="file"]').set_input_files(str(photo))
    expect(page.get_by_text(photo.name)).to_be_visible()
    page.get_by_role("button", name="선택한 것으로 결정").click()
    field(page, "image_alt", 0).fill("분홍빛 배경 위의 입술 그림")
    field(page, "image_alt", 1).fill("A drawing of lips on a pink background")
    body = page.locator('[data-slate-editor="true"]').first
    body.click()
    page.wait_for_timeout(300)  # Slate takes the caret a moment after the click (test_admin_browser.py)
    compose(cdp, BODY_KO)
    expect(body).to_have_text("붓기는 보통 며칠 갑니다")
    field(page, "title", 1).fill("Swelling after lip filler")
    field(page, "description", 1).fill("How swelling changes in the first days after a lip filler treatment, "
                                       "and when to call the clinic, from our doctors.")
    page.locator('[data-slate-editor="true"]').nth(1).click()
    page.keyboard.type("Swelling usually settles within a few days.")
    page.get_by_role("button", name="저장").click()
    expect(page.get_by_text("변경사항 저장됨")).to_be_visible()


def test_serve_edit_on_a_site_with_a_repository_writes_into_the_local_folder(browser, origin_and_site):
    """The same site on the marketer's laptop: `serve --edit` takes over from GitHub, nothing goes there."""
    origin, site = origin_and_site
    point_editor_at(site, "https://git.clinic.example/api/v3")
    with serving(site, site.parent / "serve", "--edit") as running:
        page = browser.new_page(locale="ko-KR")
        page.set_default_timeout(WAIT_MS)
        page.add_init_script(RECORD_VIOLATIONS)
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(running.url + "admin/")
        page.get_by_role("button", name="로그인", exact=True).click()  # the local folder: no account
        expect(page.get_by_text("한빛 의원 블로그를 시작합니다")).to_be_visible()
        assert not [url for url in requested if "git.clinic.example" in url]
        assert page.evaluate("window.__violations") == []
        page.close()
