"""The browser editor end to end in Chromium, against the real Decap CMS that `build` copies into /admin/:
`clinicpress serve --edit` on a copy of the sample site, a Korean post typed as a Korean keyboard does
(composition through the DevTools protocol), its English translation, a photo, the findings of `check`
in the preview, and the files that land in posts/. The screenshots it takes illustrate README's guide
(docs/admin/)."""
from __future__ import annotations

import os
import re
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml
from PIL import Image

from conftest import MINIMAL_CONFIG, REPO, copy_sample_site, post_text
from generator.build import BuildOptions, build_site
from generator.config.loader import load_config
from generator.content.models import SourceFile
from generator.content.posts import parse_post
from test_comments_browser import CHROMIUM, CHROMIUM_ARGS
from test_csp_browser import host as static_host
from test_serve import fetch, heading, serving, wait_until

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium; `make test` installs it")

# README's pictures: `UPDATE_SCREENSHOTS=1 pytest tests/test_admin_browser.py` writes them to docs/admin/;
# otherwise they go to tests/artifacts/admin/ (not tracked), so a test run leaves the checkout as it was.
SCREENSHOTS = REPO / ("docs" if os.environ.get("UPDATE_SCREENSHOTS") else "tests/artifacts") / "admin"
WAIT_MS = 20_000
KEY = "lip-filler-first-visit"
# Each syllable as a Korean keyboard composes it, jamo by jamo.
TITLE_KO = [("입술", ["ㅇ", "이", "입", "입ㅅ", "입수", "입술"]), (" 필러", [" ", " ㅍ", " 피", " 필", " 필ㄹ", " 필러"]),
            (" 상담", [" ", " ㅅ", " 사", " 상", " 상ㄷ", " 상다", " 상담"]),
            (" 전에", [" ", " ㅈ", " 저", " 전", " 전ㅇ", " 전에"]), (" 알아", [" ", " ㅇ", " 아", " 알", " 알ㅇ", " 알아"]),
            (" 둘", [" ", " ㄷ", " 두", " 둘"]), (" 것", [" ", " ㄱ", " 거", " 것"])]
BODY_KO = [("붓기는", ["ㅂ", "부", "붓", "붓ㄱ", "붓기", "붓기ㄴ", "붓기느", "붓기는"]),
           (" 보통", [" ", " ㅂ", " 보", " 봍", " 보ㅌ", " 보토", " 보통"]),
           (" 며칠", [" ", " ㅁ", " 며", " 며ㅊ", " 며치", " 며칠"]), (" 갑니다", [" ", " ㄱ", " 가", " 갑", " 갑ㄴ",
                                                                    " 갑니", " 갑니ㄷ", " 갑니다"])]
TITLE = "입술 필러 상담 전에 알아 둘 것"
PHOTO_NAME = "consultation-photo.jpg"


def _camera_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Phone maker", "Phone model"  # Make, Model
    return exif


def compose(cdp, words: list[tuple[str, list[str]]]) -> None:
    """Type as an IME does: the syllable being composed is replaced step by step, then committed."""
    for word, steps in words:
        for step in steps:
            cdp.send("Input.imeSetComposition", {"text": step, "selectionStart": len(step), "selectionEnd": len(step)})
        cdp.send("Input.insertText", {"text": word})


RECORD_VIOLATIONS = ('window.__violations = []; document.addEventListener("securitypolicyviolation",'
                     ' e => window.__violations.push(e.effectiveDirective + " " + e.blockedURI));')


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def editor(browser, tmp_path_factory):
    site = copy_sample_site(tmp_path_factory.mktemp("admin") / "site")
    with serving(site, site.parent / "serve", "--edit") as running:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ko-KR",
                                      timezone_id="Asia/Seoul")
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        yield running, page, context.new_cdp_session(page)
        context.close()


def field(page, name: str, pane: int):
    """The field of the Korean (0) or English (1) side of the editor."""
    return page.locator(f'[id^="{name}-field-"]').nth(pane)


def choose(page, name: str, option: str) -> list[str]:
    """Pick an option of a select field on the Korean side; returns every option it offered."""
    field(page, name, 0).click()
    options = page.locator('[id*="-option-"]')
    expect(options.first).to_be_visible()
    offered = options.all_inner_texts()
    options.filter(has_text=option).first.click()
    expect(options).to_have_count(0)
    return offered


def open_fresh(page, url: str) -> None:
    """Load the editor anew at url (a change of the address's #part alone leaves the last entry open),
    signing in to the local folder first when this browser has not yet (a test run on its own)."""
    page.goto("about:blank")
    page.goto(url)
    sign_in = page.get_by_role("button", name="로그인", exact=True)
    expect(sign_in.or_(page.locator('[id^="title-field-"]')).first).to_be_visible()
    if sign_in.is_visible():
        sign_in.click()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_a_korean_post_and_its_translation_written_in_the_editor_land_in_posts_and_build(editor, tmp_path):
    running, page, cdp = editor
    page.goto(running.url + "admin/")
    shot(page, "1-sign-in")
    page.get_by_role("button", name="로그인").click()  # the local folder: no account needed
    expect(page.get_by_text("입술 필러 1편: 필러를 맞았는데 왜 입술이 작아 보일까요?")).to_be_visible()
    shot(page, "2-posts")
    page.get_by_role("link", name="새 글").click()

    field(page, "title", 0).click()
    compose(cdp, TITLE_KO)
    expect(field(page, "title", 0)).to_have_value(TITLE)
    field(page, "translation_key", 0).fill(KEY)
    field(page, "description", 0).fill("입술 필러 상담을 앞두고 궁금한 점, 준비할 것, 시술 뒤 며칠 동안의 변화를 의료진이 정리했습니다.")
    field(page, "tags", 0).fill("입술 필러, 첫 방문")
    assert "이하은 간호사 (nurse-lee)" in choose(page, "author", "박지훈 원장 (dr-park)")
    assert choose(page, "reviewed_by", "한서윤 원장 (dr-han)") == ["한서윤 원장 (dr-han)", "박지훈 원장 (dr-park)"]

    page.get_by_role("button", name="이미지 선택").first.click()  # the cover photo, uploaded from this computer
    photo = tmp_path / PHOTO_NAME  # a phone photo, with the camera's metadata the pipeline strips
    Image.new("RGB", (2400, 1600), (214, 160, 170)).save(photo, quality=90, exif=_camera_exif())
    page.locator('input[type="file"]').set_input_files(str(photo))  # what the file picker of 업로드 hands over
    expect(page.get_by_text(PHOTO_NAME)).to_be_visible()
    page.get_by_role("button", name="선택한 것으로 결정").click()
    field(page, "image_alt", 0).fill("분홍빛 배경 위의 입술 그림")

    body = page.locator('[data-slate-editor="true"]').first
    body.click()
    expect(body).to_be_focused()
    # Decap's rich-text editor (Slate) takes the caret a moment after the click: a composition begun in
    # the same instant lands out of order (' 보통붓기는', 2 runs in 10), never after 150 ms (30 in 30).
    # A writer's first keystroke comes later than that.
    page.wait_for_timeout(300)
    compose(cdp, BODY_KO)
    page.keyboard.type(". ")
    compose(cdp, [("100%", ["100%"]), (" 효과를", [" ", " ㅎ", " 효", " 효ㄱ", " 효과", " 효과ㄹ", " 효과르", " 효과를"]),
                  (" 보장합니다", [" ", " ㅂ", " 보", " 보ㅈ", " 보자", " 보장", " 보장ㅎ", " 보장하", " 보장합",
                                  " 보장합ㄴ", " 보장합니", " 보장합니ㄷ", " 보장합니다"])])
    expect(body).to_have_text("붓기는 보통 며칠 갑니다. 100% 효과를 보장합니다")

    field(page, "title", 1).fill("Before your lip filler consultation")
    field(page, "description", 1).fill("What to ask, what to bring and what the first few days after a lip "
                                       "filler treatment usually look like, from our doctors.")
    field(page, "tags", 1).fill("lip filler, first visit")
    field(page, "image_alt", 1).fill("A drawing of lips on a pink background")
    page.locator('[data-slate-editor="true"]').nth(1).click()
    page.keyboard.type("Swelling usually settles within a few days.")
    shot(page, "3-writing")

    # The preview: the post in the blog's stylesheet, and what `check` finds in it before it is saved.
    page.get_by_title("미리보기 토글").click()
    preview = page.frame_locator("iframe").first
    findings = preview.locator('.editor-findings[data-state="found"]')
    expect(findings.locator("h2")).to_have_text(re.compile(r"clinicpress check: 확인할 점 \d+개"))
    expect(findings).to_contain_text("ad-guarantee")
    expect(findings).to_contain_text("100%")
    expect(preview.locator("h1")).to_have_text(TITLE)
    shot(page, "4-preview-findings")
    assert not list((running.site / "posts" / "ko").glob(f"{KEY}.md"))  # nothing saved yet

    # The claim goes, the finding with it.
    body.click()
    page.wait_for_timeout(300)  # Slate takes the caret a moment after the click (above)
    page.keyboard.press("Control+A")  # the writer selects the text and writes it again
    page.wait_for_function("() => window.getSelection().toString().includes('보장합니다')")
    page.keyboard.type("붓기는 보통 며칠 갑니다. 결과는 사람마다 다릅니다")
    expect(body).to_have_text("붓기는 보통 며칠 갑니다. 결과는 사람마다 다릅니다")
    panel = preview.locator(".editor-findings")
    expect(panel).not_to_contain_text("ad-guarantee")
    expect(panel).not_to_contain_text("missing-image")  # the photo is saved with the post
    page.get_by_title("미리보기 토글").click()

    page.get_by_role("button", name="게시").first.click()
    page.get_by_text("지금 게시").click()
    ko, en = running.site / "posts" / "ko" / f"{KEY}.md", running.site / "posts" / "en" / f"{KEY}.md"
    wait_until(lambda: ko.exists() and en.exists(), "both files")
    shot(page, "5-published")

    config = load_config(running.site / "site.toml")
    for path, lang in ((ko, "ko"), (en, "en")):
        post, problems = parse_post(SourceFile(f"posts/{lang}/{KEY}.md", lang, KEY, path.read_bytes()), config)
        assert post is not None and not [p for p in problems if p.severity == "error"], problems
    front = yaml.safe_load(ko.read_text(encoding="utf-8").split("---")[1])
    assert front["title"] == TITLE and front["translation_key"] == KEY
    assert front["author"] == "dr-park" and front["reviewed_by"] == "dr-han"
    assert front["tags"] == ["입술 필러", "첫 방문"] and front["image"] == f"/images/{PHOTO_NAME}"
    assert "붓기는 보통 며칠 갑니다. 결과는 사람마다 다릅니다" in ko.read_text(encoding="utf-8")
    english = yaml.safe_load(en.read_text(encoding="utf-8").split("---")[1])
    assert english["translation_key"] == KEY and english["title"] == "Before your lip filler consultation"
    assert english["date"] == front["date"] and english["author"] == "dr-park"

    # The preview server rebuilds: both languages' pages are there, linked as translations. The two files land
    # one after the other, so a rebuild may see the Korean one alone; the next one links them.
    link = f'hreflang="en" href="{running.url}en/posts/{KEY}/"'
    page_ko = wait_until(lambda: (r := fetch(running.url + f"ko/posts/{KEY}/")).status == 200 and link in r.body and r,
                         "the ko page linked to its translation")
    assert heading(page_ko.body) == TITLE
    assert re.search(r'srcset="[^"]*/images/consultation-photo[^"]*\.webp 960w', page_ko.body)  # the pipeline's copies
    copy = re.search(r'src="([^"]*/images/consultation-photo[^"]*\.jpg)"', page_ko.body).group(1)
    with urllib.request.urlopen(urllib.parse.urljoin(running.url, copy), timeout=10) as answer:
        published = answer.read()
    assert b"Phone model" in (running.site / "static" / "images" / PHOTO_NAME).read_bytes()
    assert published.startswith(b"\xff\xd8") and b"Phone model" not in published  # the camera's data stripped
    assert heading(fetch(running.url + f"en/posts/{KEY}/").body) == "Before your lip filler consultation"
    assert page.evaluate("window.__violations") == []


def test_the_editor_refuses_paths_outside_posts_and_photos(editor):
    running, page, _ = editor
    page.goto(running.url + "admin/")
    answer = page.evaluate("""async () => {
        const r = await fetch("/admin/api/v1", {method: "POST", headers: {"Content-Type": "application/json"},
            body: JSON.stringify({action: "persistEntry", params: {dataFiles: [{path: "site.toml", raw: "x"}],
                                                                   assets: []}})});
        return [r.status, (await r.json()).error];
    }""")
    assert answer[0] == 403 and "posts/<language>/" in answer[1]
    assert "x" != (running.site / "site.toml").read_text(encoding="utf-8")


THIRD_LANGUAGE = """
[languages.ja]
name = "日本語"
locale = "ja_JP"
title = "テストブログ"

[authors.dr-choi]
name = { ko = "최OO 원장", en = "Dr. Choi", ja = "チェ医師" }
type = "Physician"

[series.botox]
title = { ko = "보톡스 바로 알기", en = "Botox, Explained", ja = "ボトックス" }

[admin]
repository = "clinic/blog"
review = true
"""


def test_decap_accepts_the_configuration_of_a_changed_site_toml_on_a_static_host(browser, site_factory, tmp_path):
    """Decap validates its configuration against its own schema when it starts (it ships no schema file):
    the published /admin/ of a site with a third language, a new author and series, GitHub and review
    starts to its sign-in page, under the policy _headers gives it; a configuration it refuses does not."""
    site = site_factory({"posts/ko/hello.md": post_text("안녕하세요")}, MINIMAL_CONFIG + THIRD_LANGUAGE)
    (site / "templates" / "i18n").mkdir(parents=True)
    (site / "templates" / "i18n" / "ja.toml").write_bytes((REPO / "templates" / "i18n" / "en.toml").read_bytes())
    output = tmp_path / "public"
    build_site(BuildOptions(site_dir=site, output_dir=output, use_cache=False))
    broken = tmp_path / "broken"  # the control: the same site with a field Decap cannot have
    shutil.copytree(output, broken)
    config = (broken / "admin" / "config.yml").read_text(encoding="utf-8")
    (broken / "admin" / "config.yml").write_text(config.replace("widget: select", "widget: select\n      options: []", 1),
                                                 encoding="utf-8")
    for folder, valid in ((output, True), (broken, False)):
        with static_host(folder) as origin:
            page = browser.new_page(locale="ko-KR")
            page.add_init_script(RECORD_VIOLATIONS)
            answer = page.goto(origin + "/admin/")
            assert answer.headers["x-robots-tag"] == "noindex, nofollow"
            assert "'unsafe-eval'" in answer.headers["content-security-policy"]  # the editor's policy, alone
            if valid:
                expect(page.get_by_role("button", name=re.compile("GitHub"))).to_be_visible(timeout=WAIT_MS)
                assert page.evaluate("window.__violations") == []
            else:
                expect(page.get_by_text(re.compile("Config Errors|설정 오류", re.I))).to_be_visible(timeout=WAIT_MS)
            page.close()


def test_a_post_left_untranslated_saves_no_file_for_the_other_language(editor):
    """Decap writes a file per language; an English side left empty would hold only the shared fields
    (date, author) and stop the build. The editor leaves it out."""
    running, page, _ = editor
    open_fresh(page, running.url + "admin/#/collections/posts/new")
    field(page, "title", 0).fill("한국어로만 쓴 공지 사항입니다")
    choose(page, "author", "박지훈 원장 (dr-park)")
    page.locator('[data-slate-editor="true"]').first.click()
    page.keyboard.type("다음 주 진료 시간이 바뀝니다.")
    page.get_by_role("button", name="게시").first.click()
    page.get_by_text("지금 게시").click()
    expect(page.get_by_text("새 글에는 주소 이름이 필요합니다")).to_be_visible()  # a new post names its files
    field(page, "translation_key", 0).fill("korean-only-notice")
    page.get_by_role("button", name="게시").first.click()
    page.get_by_text("지금 게시").click()
    saved = running.site / "posts" / "ko" / "korean-only-notice.md"
    wait_until(saved.exists, "the Korean file")
    expect(page.get_by_text("변경사항 저장됨")).to_be_visible()
    assert not (running.site / "posts" / "en" / "korean-only-notice.md").exists()
    wait_until(lambda: fetch(running.url + "ko/posts/korean-only-notice/").status == 200, "the page")
    assert fetch(running.url + "en/posts/korean-only-notice/").status == 404


def test_a_post_written_before_the_editor_is_saved_with_what_it_had(editor):
    """A sample post (no translation_key: its file name is its key; updated, series and a reviewer) edited in
    the browser keeps every key, and both languages still build."""
    running, page, _ = editor
    name = "dissolving-filler-hyaluronidase"
    ko, en = (running.site / "posts" / lang / f"{name}.md" for lang in ("ko", "en"))
    before = {lang: path.read_text(encoding="utf-8").split("---")[1] for lang, path in (("ko", ko), ("en", en))}
    assert not any("translation_key:" in text for text in before.values())  # as the writer left them
    open_fresh(page, running.url + f"admin/#/collections/posts/entries/{name}")
    title = field(page, "title", 0)
    expect(title).to_have_value("입술 필러 2편: 히알루로니다제로 필러 녹이기")
    page.wait_for_timeout(500)  # the entry's other languages load after its first
    title.fill("입술 필러 2편: 히알루로니다제로 필러 녹이기 (개정)")
    page.get_by_role("button", name="게시").first.click()
    page.get_by_text("지금 게시").click()
    # Both files are written by one save; the test reads them once both are there in full.
    wait_until(lambda: "(개정)" in ko.read_text(encoding="utf-8")
               and all("translation_key:" in path.read_text(encoding="utf-8") for path in (ko, en)), "the saved post")
    front = yaml.safe_load(ko.read_text(encoding="utf-8").split("---")[1])
    assert front["translation_key"] == name  # written out: the key it already had
    assert (front["series"], front["series_part"], front["reviewed_by"]) == ("lip-filler", 2, "dr-han")
    assert str(front["updated"]) == "2026-07-28" and str(front["last_reviewed"]) == "2026-07-28"
    # The lines the writer had stay as they were, in their order: only the title changed.
    kept = [line for line in before["ko"].splitlines() if not line.startswith("title:")]
    saved_lines = ko.read_text(encoding="utf-8").split("---")[1].splitlines()
    assert [line for line in saved_lines if line in kept] == kept, saved_lines
    english_lines = en.read_text(encoding="utf-8").split("---")[1].splitlines()
    assert [line for line in english_lines if line in before["en"].splitlines()] == before["en"].splitlines()
    english = yaml.safe_load(en.read_text(encoding="utf-8").split("---")[1])
    assert None not in english.values() and english["translation_key"] == name
    page_ko = wait_until(lambda: (r := fetch(running.url + f"ko/posts/{name}/")).status == 200
                         and "(개정)" in r.body and r, "the rebuilt page")
    assert f'hreflang="en" href="{running.url}en/posts/{name}/"' in page_ko.body
    assert "site could not be rebuilt" not in page_ko.body
