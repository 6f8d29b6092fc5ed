"""`serve --edit`: the editor's side of the preview server. Decap's local-repository protocol keeps to
posts/<language>/ and static/images/, answers only JSON from the preview's own pages, and `check`'s
findings come back for the text being edited, before it is saved."""
from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request

import pytest

from conftest import post_text, run_cli
from generator.serve.editor import EditorError, SiteEditor
from test_serve import serving

POST = "---\ntitle: 안녕하세요\ndate: 2026-07-03\nauthor: dr-kim\n---\n본문입니다.\n"


@pytest.fixture
def editor(site_factory):
    return SiteEditor(site_factory({"posts/ko/hello.md": post_text("안녕하세요"), "static/images/a.png": b"png"}))


def test_a_post_and_its_photo_are_saved_into_the_site(editor):
    photo = base64.b64encode(b"jpeg bytes").decode()
    editor.answer({"action": "persistEntry", "params": {
        "dataFiles": [{"path": "posts/ko/new-post.md", "raw": POST}, {"path": "posts/en/new-post.md", "raw": POST}],
        "assets": [{"path": "static/images/photo.jpg", "content": photo, "encoding": "base64"}]}})
    site = editor.site_dir
    assert (site / "posts/ko/new-post.md").read_text(encoding="utf-8") == POST
    assert (site / "static/images/photo.jpg").read_bytes() == b"jpeg bytes"
    assert oct((site / "posts/ko/new-post.md").stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    listed = editor.answer({"action": "entriesByFolder", "params": {"folder": "posts", "extension": "md", "depth": 2}})
    assert [entry["file"]["path"] for entry in listed] == ["posts/en/new-post.md", "posts/ko/hello.md",
                                                           "posts/ko/new-post.md"]
    media = editor.answer({"action": "getMedia", "params": {"mediaFolder": "static/images"}})
    assert {m["name"]: base64.b64decode(m["content"]) for m in media} == {"a.png": b"png", "photo.jpg": b"jpeg bytes"}


OLDER = ('---\ntitle: "입술 필러 2편"   # part two of the series\ndate: 2026-07-03\ntags: [입술 필러, 히알루로니다제]\n'
         '# who checked it\nreviewed_by: dr-han\nfaq:\n  - question: "녹이면 아픈가요?"\n    answer: 조금 따끔합니다.\n'
         '---\n본문입니다.\n')
# How the editor writes the same post back after the title was changed: every key anew.
SAVED = ("---\ntitle: 입술 필러 2편 (개정)\ndate: 2026-07-03\ntags:\n  - 입술 필러\n  - 히알루로니다제\nreviewed_by: dr-han\n"
         "faq:\n  - question: 녹이면 아픈가요?\n    answer: 조금 따끔합니다.\ntranslation_key: lips-2\n---\n본문입니다.\n고친 문단.\n")


def test_an_older_post_keeps_its_own_front_matter_lines_where_the_editor_changed_nothing(site_factory):
    editor = SiteEditor(site_factory({"posts/ko/lips-2.md": OLDER}))
    editor.answer({"action": "persistEntry", "params": {"dataFiles": [{"path": "posts/ko/lips-2.md", "raw": SAVED}]}})
    saved = (editor.site_dir / "posts/ko/lips-2.md").read_text(encoding="utf-8")
    assert saved == ('---\ntitle: 입술 필러 2편 (개정)\ndate: 2026-07-03\ntags: [입술 필러, 히알루로니다제]\n'
                     '# who checked it\nreviewed_by: dr-han\nfaq:\n  - question: "녹이면 아픈가요?"\n'
                     '    answer: 조금 따끔합니다.\ntranslation_key: lips-2\n---\n본문입니다.\n고친 문단.\n')


@pytest.mark.parametrize("old", ["---\ntitle: a\ntitle: b\n---\nbody\n", "no front-matter\n", "---\n: [\n---\nx\n"],
                         ids=["repeated-key", "no-front-matter", "broken-yaml"])
def test_a_post_whose_front_matter_cannot_be_kept_is_saved_as_the_editor_wrote_it(site_factory, old):
    editor = SiteEditor(site_factory({"posts/ko/lips-2.md": old}))
    editor.answer({"action": "persistEntry", "params": {"dataFiles": [{"path": "posts/ko/lips-2.md", "raw": SAVED}]}})
    assert (editor.site_dir / "posts/ko/lips-2.md").read_text(encoding="utf-8") == SAVED


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("path", ["site.toml", "posts/../site.toml", "posts/ko/../../site.toml", "posts/xx/a.md",
                                  "posts/ko/a.txt", "posts/ko/.hidden.md", "static/images/../../site.toml",
                                  "/etc/passwd", "templates/base.html", "posts/ko/sub/a.md"],
                         ids=["site-toml", "dot-dot", "dot-dot-2", "unknown-language", "not-markdown", "hidden",
                              "images-dot-dot", "absolute", "templates", "sub-folder"])
def test_nothing_outside_posts_and_photos_is_written(editor, path):
    before = {p: p.read_bytes() for p in editor.site_dir.rglob("*") if p.is_file()}
    with pytest.raises(EditorError) as refused:
        editor.answer({"action": "persistEntry", "params": {"dataFiles": [{"path": path, "raw": "x"}], "assets": []}})
    assert refused.value.status in (400, 403)
    assert {p: p.read_bytes() for p in editor.site_dir.rglob("*") if p.is_file()} == before


def test_a_link_out_of_posts_is_not_followed(editor, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("secret", encoding="utf-8")
    (editor.site_dir / "posts/ko/link.md").symlink_to(outside)
    with pytest.raises(EditorError):
        editor.answer({"action": "persistEntry", "params": {"dataFiles": [{"path": "posts/ko/link.md", "raw": "x"}],
                                                            "assets": []}})
    assert outside.read_text(encoding="utf-8") == "secret"
    assert editor.answer({"action": "getEntry", "params": {"path": "posts/ko/link.md"}})["data"] is None


def test_findings_of_check_for_the_post_being_edited(editor):
    found = editor.findings({"slug": "new-post", "data": {
        "title": "입술 필러 시술 후 관리", "date": "2026-07-03", "author": "dr-kim",
        "body": "이 시술은 100% 효과를 보장합니다."},
        "i18n": {"en": {"data": {"title": "Lip filler aftercare", "body": "Results are guaranteed."}}}})["findings"]
    rules = {(f["location"].split(":")[0], f["rule"]) for f in found}
    assert ("posts/ko/new-post.md", "ad-guarantee") in rules
    assert ("posts/en/new-post.md", "ad-guarantee") in rules  # the translation, with the shared date and author
    assert not [f for f in found if f["rule"] == "front-matter"]
    assert not (editor.site_dir / "posts/ko/new-post.md").exists()  # nothing is saved by asking
    clean = editor.findings({"slug": "new-post", "data": {"title": "입술 필러 시술 후 관리 안내", "date": "2026-07-03",
                                                          "body": "결과는 사람마다 다릅니다."}})["findings"]
    assert not [f for f in clean if f["rule"].startswith("ad-")]


def _post(url: str, body: bytes, **headers: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as answer:
        return answer.code, {"body": answer.read().decode("utf-8", "replace")}


def test_only_the_previews_own_pages_may_save_and_only_with_edit(site_factory, tmp_path):
    site = site_factory({"posts/ko/hello.md": post_text("안녕하세요")})
    save = json.dumps({"action": "persistEntry", "params": {"dataFiles": [
        {"path": "posts/ko/planted.md", "raw": POST}], "assets": []}}).encode()
    with serving(site, tmp_path / "plain") as running:  # without --edit nothing may be saved
        assert _post(running.url + "admin/api/v1", save, **{"Content-Type": "application/json"})[0] == 405
    with serving(site, tmp_path / "edit", "--edit") as running:
        api = running.url + "admin/api/v1"
        assert _post(api, save, **{"Content-Type": "text/plain"})[0] == 415  # what a form could send
        assert _post(api, save, **{"Content-Type": "application/json", "Origin": "https://evil.example"})[0] == 403
        assert _post(api, save, **{"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"})[0] == 403
        assert not (site / "posts/ko/planted.md").exists()
        status, answer = _post(api, json.dumps({"action": "info"}).encode(), **{
            "Content-Type": "application/json", "Origin": running.url.rstrip("/")})
        assert status == 200 and answer["type"] == "local_fs"


def test_edit_listens_on_this_computer_only(site_factory):
    site = site_factory({"posts/ko/hello.md": post_text("안녕하세요")})
    result = run_cli("serve", str(site), "--edit", "--host", "0.0.0.0", "--port", "0")
    assert result.code == 2 and "--edit lets the browser save into" in result.err and "remove --host" in result.err
