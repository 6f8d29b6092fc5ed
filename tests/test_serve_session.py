"""`serve` shows an edited post's page from memory before the site is rebuilt: the page must be the
one the build then writes, come before the build ends, and a broken edit must show its errors at once."""
from __future__ import annotations

import re
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from lxml import html as lxml_html

from conftest import MINIMAL_CONFIG, post_text, run_cli
from generator.build import BUILD_STAGES
from generator.loading import BuildOptions
from generator.serve import session as session_module
from generator.serve.events import ServeEvent
from generator.serve.rebuilder import Rebuilder
from generator.serve.findings import findings_snippet
from generator.serve.page import inject, reload_snippet
from generator.serve.server import LiveSite, make_http_server

WAIT = 20.0
CONFIG = MINIMAL_CONFIG + '\n[series.care]\ntitle = { ko = "관리", en = "Care" }\n'
BROKEN_KEY = "<b>oops</b>: 1"


def part(title: str, number: int, **extra: str) -> str:
    return post_text(title, date=f"2026-0{number}-10", tags="[aftercare, lips]", author="dr-kim",
                     reviewed_by="dr-lee", series="care", series_part=str(number),
                     body=f"Body of {title}.\n\n## Section\n\n- one\n- two\n", **extra)


@pytest.fixture
def site(site_factory):
    return site_factory({
        "posts/en/care-1.md": part("Care One", 1),
        "posts/en/care-2.md": part("Care Two", 2),
        "posts/en/care-3.md": part("Care Three", 3),
        "posts/ko/care-2.md": part("관리 둘", 2),
        "posts/en/other.md": post_text("Other", date="2026-05-01", tags="[botox]"),
        "posts/en/draft.md": post_text("Draft", date="2026-05-02", draft="true"),
    }, CONFIG)


def start(site: Path, tmp_path: Path, base_url: str = "http://127.0.0.1:8000/", **options) -> LiveSite:
    live = LiveSite(BuildOptions(site_dir=site, output_dir=tmp_path / "served", base_url=base_url, future=True,
                                 **options))
    assert live.rebuild().kind == "built"
    return live


def edit(site: Path, relative: str, old: str, new: str) -> None:
    path = site / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def heading(page: bytes | str) -> str:
    return lxml_html.fromstring(page).findtext(".//h1")


EDITS = {  # (file, old, new, the page it shows first, its heading)
    "body": ("posts/en/care-2.md", "Body of Care Two", "A new body", "en/posts/care-2/index.html", "Care Two"),
    "title": ("posts/en/care-2.md", '"Care Two"', '"Care, Part Two"', "en/posts/care-2/index.html", "Care, Part Two"),
    "tags": ("posts/en/care-2.md", "[aftercare, lips]", "[swelling]", "en/posts/care-2/index.html", "Care Two"),
    "slug": ("posts/en/care-2.md", "series:", "slug: second-care\nseries:", "en/posts/second-care/index.html",
             "Care Two"),
    "series part": ("posts/en/care-1.md", "series_part: 1", "series_part: 4", "en/posts/care-1/index.html",
                    "Care One"),
    "translation": ("posts/ko/care-2.md", '"관리 둘"', '"관리 두 번째"', "ko/posts/care-2/index.html", "관리 두 번째"),
    "published": ("posts/en/draft.md", "draft: true", "draft: false", "en/posts/draft/index.html", "Draft"),
}


@pytest.mark.parametrize("change", EDITS, ids=list(EDITS))
def test_previewed_page_is_the_page_the_build_then_writes(site, tmp_path, change):
    relative, old, new, page, title = EDITS[change]
    live = start(site, tmp_path)
    before = live.state.token
    written = (live.root / page).read_bytes() if (live.root / page).exists() else None
    edit(site, relative, old, new)
    event = live.preview((relative,))
    assert (event.kind, event.paths, event.diagnostics) == ("previewed", (relative,), ())
    state = live.state
    assert list(state.fresh) == [page] and state.token != before  # served first, and open tabs reload
    previewed = state.fresh[page][1]
    assert heading(previewed) == title
    assert previewed != written
    assert live.rebuild().kind == "built"
    assert (live.root / page).read_bytes() == previewed
    assert live.state.fresh == {}  # the build's output is served again


def test_a_new_post_is_previewed(site, tmp_path):
    live = start(site, tmp_path)
    (site / "posts/en/new.md").write_text(part("Brand New", 4), encoding="utf-8")
    assert live.preview(("posts/en/new.md",)).kind == "previewed"
    previewed = live.state.fresh["en/posts/new/index.html"][1]
    live.rebuild()
    assert (live.root / "en/posts/new/index.html").read_bytes() == previewed


class Gate:
    """Holds a build at its start while armed (BuildOptions.progress is called as each stage begins)."""

    def __init__(self, stage: str = "reading posts"):
        self.stage, self.armed = stage, False
        self.reached, self.release = threading.Event(), threading.Event()

    def arm(self) -> None:
        self.reached.clear()
        self.release.clear()
        self.armed = True

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.armed and stage == self.stage and total == len(BUILD_STAGES):  # not the progress within a stage
            self.armed = False
            self.reached.set()
            assert self.release.wait(WAIT)


class Served:
    """A LiveSite behind the real HTTP handler on 127.0.0.1, with the Rebuilder that serve uses."""

    def __init__(self, site: Path, tmp_path: Path):
        self.events, self.built, self.gate = [], threading.Event(), Gate()
        self.httpd = make_http_server("127.0.0.1", 0, self.report)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.live = self.httpd.live = start(site, tmp_path, base_url=self.url, progress=self.gate)
        self.rebuilder = Rebuilder(self.live, self.report)

    def report(self, event: ServeEvent) -> None:
        if event.kind != "request":
            self.events.append(event)
        if event.kind in ("built", "failed"):
            self.built.set()

    def fetch(self, path: str) -> bytes:
        try:
            with urllib.request.urlopen(self.url + quote(path), timeout=10) as answer:
                return answer.read()
        except urllib.error.HTTPError as answer:
            return answer.read()

    def as_served(self, path: Path, relative: str, nonce: str) -> bytes:
        """A file the build wrote, as the server serves it: a page gets its findings and the reload script,
        which carry the response's nonce; the editor (admin/) gets neither: a reload would lose its edits."""
        data = path.read_bytes()
        if path.suffix != ".html" or relative.startswith("admin/"):
            return data
        state = self.live.state
        findings = state.page_findings.get(relative, ())
        return inject(data, findings_snippet(findings, state.site_findings, nonce)
                      + reload_snippet(state.token, state.diagnostics, nonce))


@pytest.fixture
def served(site, tmp_path):
    running = Served(site, tmp_path)
    thread = threading.Thread(target=running.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    running.rebuilder.start()
    try:
        yield running
    finally:
        running.gate.release.set()
        running.rebuilder.stop()
        running.live.stop()
        running.httpd.shutdown()
        running.httpd.server_close()


def test_edited_page_is_served_while_the_build_has_not_finished(served, site):
    served.gate.arm()
    edit(site, "posts/en/care-2.md", '"Care Two"', '"Care, Edited"')
    served.rebuilder.poke(["posts/en/care-2.md"], written=True)
    assert served.gate.reached.wait(WAIT)  # the build has started and is held: it cannot have written anything
    assert heading(served.fetch("en/posts/care-2/")) == "Care, Edited"
    assert heading((served.live.root / "en/posts/care-2/index.html").read_bytes()) == "Care Two"
    assert [event.kind for event in served.events] == ["changed", "previewed"]
    served.gate.release.set()
    assert served.built.wait(WAIT) and served.events[-1].kind == "built"
    assert heading((served.live.root / "en/posts/care-2/index.html").read_bytes()) == "Care, Edited"
    assert served.live.state.fresh == {}


def test_broken_edit_shows_the_errors_at_once(served, site):
    served.gate.arm()
    edit(site, "posts/en/care-2.md", "date:", f"{BROKEN_KEY}\ndate:")
    served.rebuilder.poke(["posts/en/care-2.md"], written=True)
    assert served.gate.reached.wait(WAIT)
    page = served.fetch("en/posts/care-2/").decode()
    assert "clinicpress-error-overlay" in page and heading(page) == "Care Two"  # the last good page underneath
    assert "posts/en/care-2.md:3: error: unknown front-matter key &#x27;&lt;b&gt;oops&lt;/b&gt;&#x27;" in page
    assert "<b>oops</b>" not in page
    served.gate.release.set()
    assert served.built.wait(WAIT) and served.events[-1].kind == "failed"
    served.built.clear()
    edit(site, "posts/en/care-2.md", f"{BROKEN_KEY}\n", "")  # fixed: the overlay goes at once too
    served.gate.arm()
    served.rebuilder.poke(["posts/en/care-2.md"], written=True)
    assert served.gate.reached.wait(WAIT)
    page = served.fetch("en/posts/care-2/").decode()
    assert "clinicpress-error-overlay" not in page and heading(page) == "Care Two"
    served.gate.release.set()
    assert served.built.wait(WAIT) and served.events[-1].kind == "built"


def test_served_site_equals_what_build_writes_after_the_build(served, site, tmp_path):
    edit(site, "posts/en/care-2.md", '"Care Two"', '"Care, Edited"')
    edit(site, "posts/ko/care-2.md", "[aftercare, lips]", "[swelling]")
    served.rebuilder.poke(["posts/en/care-2.md", "posts/ko/care-2.md"], written=True)
    assert served.built.wait(WAIT) and [e.kind for e in served.events] == ["changed", "previewed", "built"]
    result = run_cli("build", str(site), "-o", str(tmp_path / "built"), "--base-url", served.url, "--future")
    assert result.code == 0, result.err
    files = sorted(p for p in (tmp_path / "built").rglob("*") if p.is_file() and not p.name.startswith("."))
    assert len(files) > 20
    for path in files:
        relative = path.relative_to(tmp_path / "built").as_posix()
        page = served.fetch(relative)
        nonce = re.search(rb'<script nonce="([^"]+)"', page)
        assert page == served.as_served(path, relative, nonce and nonce.group(1).decode()), relative


def test_edits_made_while_a_build_runs_stay_in_the_preview(site, tmp_path):
    gate = Gate(stage="writing files")  # after the build has read the posts
    live = start(site, tmp_path, progress=gate)
    gate.arm()
    build = threading.Thread(target=live.rebuild)
    build.start()
    assert gate.reached.wait(WAIT)
    edit(site, "posts/en/care-1.md", '"Care One"', '"Care, First"')
    assert live.preview(("posts/en/care-1.md",)).kind == "previewed"
    gate.release.set()
    build.join(WAIT)
    edit(site, "posts/en/care-2.md", "Body of Care Two", "Another body")
    assert live.preview(("posts/en/care-2.md",)).kind == "previewed"
    part_two = live.state.fresh["en/posts/care-2/index.html"][1]
    assert "Care, First" in part_two.decode()  # the series list knows part one's new title
    live.rebuild()
    assert (live.root / "en/posts/care-2/index.html").read_bytes() == part_two


def test_other_changes_wait_for_the_build(site, tmp_path):
    live = start(site, tmp_path)
    (site / "static").mkdir()
    (site / "static/notes.txt").write_text("hours\n")
    assert live.preview(("static/notes.txt",)) is None
    edit(site, "posts/en/care-2.md", "Body of", "Changed body of")
    assert live.preview(("posts/en/care-2.md",)) is None  # nothing is trusted until the next build
    assert live.rebuild().kind == "built"
    assert live.preview(("posts/en/care-2.md",)).kind == "previewed"


@pytest.mark.parametrize("change", ["deleted", "made a draft", "many", "sub-folder", "unknown language"])
def test_changes_the_preview_does_not_take_in_are_left_to_the_build(site, tmp_path, change):
    live = start(site, tmp_path)
    if change == "deleted":
        (site / "posts/en/other.md").unlink()
        paths = ("posts/en/other.md",)
    elif change == "made a draft":
        edit(site, "posts/en/other.md", "date:", "draft: true\ndate:")
        paths = ("posts/en/other.md",)
    elif change == "many":
        paths = tuple(f"posts/en/extra-{n}.md" for n in range(session_module.QUICK_LIMIT + 1))
        for path in paths:
            (site / path).write_text(post_text("Extra"), encoding="utf-8")
    elif change == "sub-folder":
        (site / "posts/en/more").mkdir()
        (site / "posts/en/more/inner.md").write_text(post_text("Inner"), encoding="utf-8")
        paths = ("posts/en/more/inner.md",)
    else:
        (site / "posts/fr").mkdir()
        (site / "posts/fr/salut.md").write_text(post_text("Salut"), encoding="utf-8")
        paths = ("posts/fr/salut.md",)
    assert live.preview(paths) is None
    assert live.state.fresh == {}


def test_errors_of_another_file_keep_the_edit_for_the_build(site, tmp_path):
    live = start(site, tmp_path)
    edit(site, "posts/en/other.md", "date:", f"{BROKEN_KEY}\ndate:")
    assert live.preview(("posts/en/other.md",)).diagnostics
    assert live.rebuild().kind == "failed"
    edit(site, "posts/en/care-2.md", "Body of", "Changed body of")
    assert live.preview(("posts/en/care-2.md",)) is None  # the site has errors only a build can clear
    edit(site, "posts/en/other.md", f"{BROKEN_KEY}\n", "")
    assert live.rebuild().kind == "built"


def test_a_clash_with_a_draft_is_an_error_at_once(site, tmp_path):
    live = start(site, tmp_path)
    edit(site, "posts/en/other.md", "date:", "slug: draft\ndate:")
    event = live.preview(("posts/en/other.md",))
    assert [d.message for d in event.diagnostics] == [
        "same URL 'draft' as posts/en/draft.md: two en posts cannot share a slug"]
    assert live.state.diagnostics == event.diagnostics


DEEP_BODIES = {  # Markdown that would stop a build, and the error that shows at once instead
    "nested too deeply": ("- " * 500 + "one\n", "posts/en/care-2.md:15: error: nesting deeper than 32 levels"),
    "too deep for Python-Markdown": ('<div markdown="1">\n' * 2000 + "one\n" + "</div>\n" * 2000,
                                     "posts/en/care-2.md:11: error: the Markdown is nested too deeply to be rendered"),
}


@pytest.mark.parametrize("body, expected", DEEP_BODIES.values(), ids=DEEP_BODIES.keys())
def test_markdown_too_deep_to_render_is_an_error_at_once(site, tmp_path, body, expected):
    live = start(site, tmp_path)
    edit(site, "posts/en/care-2.md", "- one\n", body)
    event = live.preview(("posts/en/care-2.md",))
    assert [d.format().split("\n")[0] for d in event.diagnostics] == [expected]
    assert live.rebuild().kind == "failed" and live.state.diagnostics == event.diagnostics


def test_pictures_are_previewed_and_a_new_cover_waits_for_its_link_preview_crop(site, tmp_path):
    from PIL import Image

    (site / "static/images").mkdir(parents=True)
    Image.new("RGB", (1600, 900), "teal").save(site / "static/images/room.jpg", quality=80)
    live = start(site, tmp_path)
    edit(site, "posts/en/care-2.md", "## Section", "![The treatment room](/images/room.jpg)\n\n## Section")
    assert live.preview(("posts/en/care-2.md",)).kind == "previewed"
    previewed = live.state.fresh["en/posts/care-2/index.html"][1]
    assert lxml_html.fromstring(previewed).xpath("//article//picture/source")  # the photo's sizes and formats
    edit(site, "posts/en/other.md", "date:", 'image: /images/room.jpg\nimage_alt: "The treatment room"\ndate:')
    assert live.preview(("posts/en/other.md",)) is None  # the build crops it for link previews first
    assert live.rebuild().kind == "built"
    assert (live.root / "en/posts/care-2/index.html").read_bytes() == previewed
    edit(site, "posts/en/other.md", "Some text.", "Other text.")
    assert live.preview(("posts/en/other.md",)).kind == "previewed"
    previewed = live.state.fresh["en/posts/other/index.html"][1]
    live.rebuild()
    assert (live.root / "en/posts/other/index.html").read_bytes() == previewed
