"""The incremental cache and parallel rendering never change what is built."""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import pytest
from lxml import html as lxml_html

from conftest import MINIMAL_CONFIG, REPO, post_text, run_cli, run_cli_apart
from generator.check.core import PostText
from generator.content.models import SourceFile
from generator.incremental import cached_posts as parsing
from generator.incremental import identity
from generator.incremental.cache import CACHE_DIR

PICKLE_START = b"\x80\x05\x95"  # protocol 5, then a frame

CONFIG = MINIMAL_CONFIG + '\n[series.care]\ntitle = { ko = "관리", en = "Care" }\n'


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def mtimes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def site(site_factory):
    files = {}
    for n in range(1, 90):  # enough for worker processes (in a build with a process of its own)
        lang = "en" if n % 3 else "ko"
        files[f"posts/{lang}/post-{n}.md"] = post_text(
            f"Post {n}", date=f"2026-{1 + n % 12:02d}-{1 + n % 27:02d}", tags=f"[topic {n % 5}, shared]",
            author="dr-kim", **({"series": "care", "series_part": str(n)} if n % 10 == 0 else {}),
            body=f"Body of post {n}.\n\n## Section\n\n| a | b |\n|---|---|\n| {n} | x |\n")
    return site_factory(files, CONFIG)


def build(site: Path, *args: str) -> dict[str, bytes]:
    """The files the build wrote: into `-o`'s folder when given, else the site's output/."""
    result = run_cli("build", str(site), *args)
    assert result.code == 0, result.err
    output = Path(args[args.index("-o") + 1]) if "-o" in args else site / "output"
    return tree(output)


EDITS = {
    "body": lambda text: text.replace("Body of post", "Edited body of post"),
    "title": lambda text: text.replace('title: "Post', 'title: "Renamed post'),
    "tags": lambda text: text.replace("topic", "theme"),
    "date": lambda text: text.replace("date: 2026-", "date: 2025-"),
}


@pytest.fixture(params=["files-read", "files-trusted"])
def stat_grace(request, monkeypatch):
    """Run a test both as it happens when posts were just edited (every file read again) and as on
    a site whose files are older than the grace period (unchanged files known by their size and times)."""
    if request.param == "files-trusted":
        monkeypatch.setattr(identity, "STAT_GRACE_NS", 0)
    return request.param


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_cached_rebuild_equals_cold_build(site, tmp_path, edit, stat_grace):
    build(site)
    build(site)  # the second build fills the spare folder too
    target = site / "posts/en/post-20.md"
    target.write_text(EDITS[edit](target.read_text()))
    (site / "posts/en/post-1.md").unlink()
    (site / "posts/ko/new.md").write_text(post_text("새 글", tags="[shared]"))
    cached = build(site)
    assert cached == build(site, "--no-cache", "-o", str(tmp_path / "cold"))


def test_template_and_config_changes_reach_every_page(site):
    build(site)
    (site / "templates/partials").mkdir(parents=True)
    (site / "templates/partials/footer.html").write_text("<footer>new footer</footer>\n")
    site_toml = site / "site.toml"
    site_toml.write_text(site_toml.read_text().replace('title = "Test Blog"', 'title = "Renamed Blog"'))
    output = build(site)
    pages = [path for path in output if path.endswith(".html") and path.startswith(("en/", "ko/"))]
    assert all(b"new footer" in output[path] for path in pages)
    assert b"Renamed Blog" in output["en/posts/post-2/index.html"]


def test_unchanged_files_keep_their_modification_time(site):
    build(site)
    build(site)
    before = mtimes(site / "output")
    target = site / "posts/en/post-2.md"
    target.write_text(target.read_text().replace("Body of post 2.", "Body of post 2, corrected."))
    build(site)
    after = mtimes(site / "output")
    changed = {path for path in before if before[path] != after.get(path)}
    assert "en/posts/post-2/index.html" in changed
    assert "en/posts/post-4/index.html" not in changed
    assert len(changed) < len(before) / 4


def cache_files(site: Path) -> list[Path]:
    return [path for path in (site / CACHE_DIR).rglob("*") if path.is_file()]


def test_corrupted_cache_is_ignored(site, tmp_path):
    build(site)
    for path in cache_files(site):
        path.write_bytes(b"this is not a cache" * 100)
    assert build(site) == build(site, "--no-cache", "-o", str(tmp_path / "cold"))


def test_damaged_values_in_the_cache_are_rebuilt(site, tmp_path):
    """Every value the cache stored (the pickles in its database) is damaged: each is made again."""
    build(site)
    damaged = 0
    for path in cache_files(site):
        data = bytearray(path.read_bytes())
        start = data.find(PICKLE_START)
        while start != -1:
            data[start + 2:start + 12] = b"\xff" * 10  # the frame's length and first opcode
            damaged += 1
            start = data.find(PICKLE_START, start + 12)
        path.write_bytes(bytes(data))
    assert damaged > 89
    (site / "posts/en/post-2.md").write_text(post_text("Post two again", body="Changed.\n"))
    assert build(site) == build(site, "--no-cache", "-o", str(tmp_path / "cold"))


def test_a_cache_written_by_other_code_is_not_trusted(site, tmp_path):
    """Another version of the generator (here: one whose Markdown tables get another class) builds the
    site first; the cache it leaves must not change what this version builds, nor the other way round."""
    other = tmp_path / "other"
    shutil.copytree(REPO / "generator", other / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "templates", other / "templates")
    markdown_py = other / "generator/markup/markdown.py"
    markdown_py.write_text(markdown_py.read_text().replace('"table-scroll"', '"table-scroll-other"'))

    def build_with_other_code(*args: str) -> dict[str, bytes]:
        subprocess.run([sys.executable, "-m", "generator", "build", str(site), *args], cwd=other, check=True,
                       env={**os.environ, "PYTHONPATH": str(other)}, capture_output=True)
        return tree(Path(args[-1]) if args else site / "output")

    by_other = build_with_other_code()
    assert b"table-scroll-other" in by_other["en/posts/post-2/index.html"]
    assert build(site) == build(site, "--no-cache", "-o", str(tmp_path / "cold"))
    assert b"table-scroll-other" not in tree(site / "output")["en/posts/post-2/index.html"]
    assert build_with_other_code() == by_other


def test_the_code_identity_changes_with_a_library_version(monkeypatch):
    """A library that shapes the output (Markdown, Jinja, Babel...) in another version: nothing cached is reused."""
    from importlib import metadata

    before = identity.code_identity()
    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: "0.0-other" if name == "markdown" else real(name))
    identity.code_identity.cache_clear()
    try:
        assert identity.code_identity() != before
    finally:
        monkeypatch.undo()
        identity.code_identity.cache_clear()
    assert identity.code_identity() == before


def count_reads(monkeypatch) -> list[str]:
    reads: list[str] = []
    original = SourceFile.read

    def counting(source: SourceFile) -> bytes:
        if source.data is None:  # read from disk
            reads.append(source.path)
        return original(source)
    monkeypatch.setattr(SourceFile, "read", counting)
    return reads


def test_rebuild_reads_only_the_posts_whose_files_changed(site, monkeypatch):
    monkeypatch.setattr(identity, "STAT_GRACE_NS", 0)
    build(site)
    target = site / "posts/en/post-2.md"
    target.write_text(target.read_text().replace("Body of post 2.", "Body of post 2, corrected."))
    reads = count_reads(monkeypatch)
    output = build(site)
    assert reads == ["posts/en/post-2.md"]
    assert b"Body of post 2, corrected." in output["en/posts/post-2/index.html"]


def test_a_file_touched_but_not_changed_is_not_parsed_again(site, monkeypatch):
    monkeypatch.setattr(identity, "STAT_GRACE_NS", 0)
    before = build(site)
    os.utime(site / "posts/en/post-2.md")
    parsed = []
    original = parsing.parse_post
    monkeypatch.setattr(parsing, "parse_post", lambda source, config: parsed.append(source.path) or original(source, config))
    assert build(site, "-j", "1") == before  # one process: a post parsed again would be seen by the spy
    assert parsed == []


def test_same_size_edit_with_its_modification_time_put_back_is_seen(site):
    build(site)
    target = site / "posts/en/post-2.md"
    stamp = target.stat()
    target.write_text(target.read_text().replace("Body of post 2.", "Body of post 9."))  # same size
    os.utime(target, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert b"Body of post 9." in build(site)["en/posts/post-2/index.html"]


def test_output_edited_by_hand_is_not_trusted(site):
    cold = build(site)
    (site / "output/en/posts/post-2/index.html").write_text("tampered")
    (site / "output/.clinicpress-build").write_text("tampered\n")
    assert build(site) == cold


@pytest.mark.parametrize("jobs", ["1", "2", "3"])
def test_output_does_not_depend_on_the_number_of_workers(site, tmp_path, jobs):
    """The builds run in their own process: in the test runner, a thread an earlier test left (a server)
    makes every build do its work itself, and the workers would not be tested."""
    reference = build(site, "--no-cache", "-j", "1", "-o", str(tmp_path / "one"))
    assert len(reference) > 300
    apart = run_cli_apart("build", str(site), "--no-cache", "-j", jobs, "-o", str(tmp_path / f"n{jobs}"))
    assert apart.code == 0, apart.err
    assert tree(tmp_path / f"n{jobs}") == reference


def test_remembered_check_findings_match_a_fresh_check(site):
    first = run_cli("build", "-v", str(site))
    again = run_cli("build", "-v", str(site))
    assert first.code == again.code == 0 and first.err == again.err
    target = site / "posts/en/post-2.md"
    target.write_text(target.read_text().replace("Body of post 2.", "Results are guaranteed, 100% of the time."))
    result = run_cli("build", "-v", str(site))
    assert result.code == 0 and result.err.count("[ad-guarantee]") == 2
    assert result.err == run_cli("build", "-v", "--no-cache", "-o", str(site.parent / "cold"), str(site)).err
    target.write_text(target.read_text().replace("Results are guaranteed, 100% of the time.", "Body of post 2."))
    assert run_cli("build", "-v", str(site)).err == first.err


def test_remembered_page_descriptions_match_fresh_ones(site):
    """The meta descriptions of list pages, which a build's findings judge, are remembered by page signature."""
    too_short = "[seo-page-description] /ko/series/care/: the meta description is 48 units wide"
    assert too_short in run_cli("build", "-v", str(site)).err  # '관리 — 총 2편의 연재 글입니다. Post 30 · Post 60'
    target = site / "posts/ko/post-30.md"
    target.write_text(target.read_text().replace('title: "Post 30"', 'title: "Post 30, retitled"'))
    cached = run_cli("build", "-v", str(site)).err
    assert too_short not in cached
    assert cached == run_cli("build", "-v", "--no-cache", "-o", str(site.parent / "cold"), str(site)).err


def test_files_changed_within_the_grace_period_are_not_known_by_their_times(tmp_path, monkeypatch):
    """Two edits inside the clock's resolution could leave size and times alike: such a file is read."""
    path = tmp_path / "post.md"
    path.write_text("fresh")
    assert identity.file_identity(path, os.stat(path).st_mtime_ns) == ""
    monkeypatch.setattr(identity, "STAT_GRACE_NS", 0)
    assert identity.file_identity(path, os.stat(path).st_mtime_ns) != ""


def test_the_cache_forgets_removed_posts(site):
    """Posts come and go; what the cache keeps of the old ones goes with them, so it stops growing
    (it may hold two generations for a moment, as new entries are stored before old ones are dropped)."""
    for path in sorted((site / "posts").rglob("*.md")):  # posts of some length: they are most of the cache
        path.write_text(path.read_text() + "\nA paragraph of ordinary length about aftercare.\n" * 40)
    build(site)
    sizes = [sum(path.stat().st_size for path in cache_files(site))]
    for round_ in range(3):
        for path in sorted((site / "posts").rglob("*.md")):  # each post renamed, with another body
            text = path.read_text().replace("Body of post", f"Round {round_}: body of post")
            path.unlink()
            path.with_name(f"r{round_}-{path.name}").write_text(text)
        build(site)
        sizes.append(sum(path.stat().st_size for path in cache_files(site)))
    assert sizes[3] - sizes[1] < sizes[0] / 4, sizes  # keeping every generation would add one per round


def test_publishing_drafts_later_renders_them_as_a_cold_build_does(site, tmp_path):
    """Drafts are parsed but not rendered; a later build with --drafts renders them from the cache's posts."""
    (site / "posts/en/draft.md").write_text(post_text("Draft", draft="true", body="A *draft* body.\n"))
    assert "en/posts/draft/index.html" not in build(site)
    cached = build(site, "--drafts")
    assert b"<em>draft</em>" in cached["en/posts/draft/index.html"]
    assert cached == build(site, "--drafts", "--no-cache", "-o", str(tmp_path / "cold"))


def count_checked_posts(monkeypatch) -> list[str]:
    """The posts whose text the content rules read (a few posts are checked in this process)."""
    checked: list[str] = []
    original = PostText.__init__

    def counting(text: PostText, post) -> None:
        checked.append(post.source)
        original(text, post)
    monkeypatch.setattr(PostText, "__init__", counting)
    return checked


def test_a_new_post_is_checked_without_checking_every_other_post_again(site, monkeypatch):
    build(site)
    (site / "posts/en/brand-new.md").write_text(post_text("Brand new", body="Nothing links here.\n"))
    checked = count_checked_posts(monkeypatch)
    assert "en/posts/brand-new/index.html" in build(site)
    assert checked == ["posts/en/brand-new.md"]


def test_a_link_breaks_when_the_post_it_points_to_is_removed(site, monkeypatch):
    (site / "posts/en/linking.md").write_text(post_text("Linking", body="See [post five](/en/posts/post-5/).\n"))
    build(site)
    (site / "posts/en/post-5.md").unlink()
    checked = count_checked_posts(monkeypatch)
    result = run_cli("build", "-v", str(site))
    assert result.code == 0 and "posts/en/linking.md:6:5: error: [broken-link]" in result.err
    assert "posts/en/linking.md" in checked and len(checked) < 10  # only posts that looked at post-5's address
    (site / "posts/en/post-5.md").write_text(post_text("Post 5 again"))
    assert "[broken-link]" not in run_cli("build", "-v", str(site)).err


def test_links_to_later_pages_of_an_author_are_not_broken(site):
    (site / "posts/en/linking.md").write_text(post_text("Linking", body="[More](/en/authors/dr-kim/page/2/)\n"))
    result = run_cli("build", str(site))
    assert result.code == 0, result.err
    assert (site / "output/en/authors/dr-kim/page/2/index.html").exists()


def test_a_post_leaving_a_tag_beyond_the_feed_limit_updates_what_counts_the_tag(site_factory, tmp_path):
    """The tag feed shows one post ([feeds] limit = 1); the older post, which it does not show, loses the
    tag: the tag page and the topic index, which count the tag's posts, must say so, as a cold build does."""
    site = site_factory({"posts/en/older.md": post_text("Older", date="2026-07-01", tags="[care, skin]"),
                         "posts/en/newer.md": post_text("Newer", date="2026-07-02", tags="[care]")},
                        MINIMAL_CONFIG + "\n[feeds]\nlimit = 1\n")
    build(site)
    (site / "posts/en/older.md").write_text(post_text("Older", date="2026-07-01", tags="[skin]"))
    cached = build(site)
    feed = feedparser.parse(cached["en/tags/care/feed.xml"])
    assert [entry.title for entry in feed.entries] == ["Newer"]
    tag_page = lxml_html.fromstring(cached["en/tags/care/index.html"])
    assert tag_page.cssselect(".intro")[0].text == "1 article on “care” from Test Blog."
    topics = lxml_html.fromstring(cached["en/tags/index.html"]).text_content()
    assert "1 article" in topics and "2 articles" not in topics
    assert cached == build(site, "--no-cache", "-o", str(tmp_path / "cold"))


def files_opened_during(folder: Path, action) -> set[str]:
    """The files under folder that any process opened while action ran (inotify, through watchdog)."""
    from watchdog.events import FileOpenedEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    opened: set[str] = set()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if isinstance(event, FileOpenedEvent):
                opened.add(Path(event.src_path).relative_to(folder).as_posix())

    observer = Observer()
    observer.schedule(Handler(), str(folder), recursive=True)
    observer.start()
    try:
        time.sleep(0.2)
        action()
        time.sleep(0.5)  # let the last events arrive
    finally:
        observer.stop()
        observer.join()
    return opened


def test_static_files_are_copied_again_only_when_they_change(site_factory, tmp_path, monkeypatch):
    monkeypatch.setattr(identity, "STAT_GRACE_NS", 0)  # files older than the grace period
    site = site_factory({"posts/en/a.md": post_text("A"), "static/docs/consent.pdf": b"%PDF first" * 100,
                         "static/docs/price-list.pdf": b"%PDF" * 500})
    build(site)
    (site / "static/docs/consent.pdf").write_bytes(b"%PDF other" * 100)  # the same size
    opened = files_opened_during(site / "static", lambda: build(site))
    assert opened == {"docs/consent.pdf"}  # the unchanged file is not even opened
    output = build(site)
    assert output["docs/consent.pdf"] == b"%PDF other" * 100
    assert output["docs/price-list.pdf"] == b"%PDF" * 500
    (site / "static/docs/price-list.pdf").unlink()
    output = build(site)
    assert "docs/price-list.pdf" not in output
    assert output == build(site, "--no-cache", "-o", str(tmp_path / "cold"))


def test_a_build_at_another_address_reuses_the_parsed_posts(site, monkeypatch, tmp_path):
    """`serve` builds at 127.0.0.1: neither it nor the next `build` parses every post again."""
    monkeypatch.setattr(identity, "STAT_GRACE_NS", 0)
    build(site, "-j", "1")
    parsed = []
    original = parsing.parse_post
    monkeypatch.setattr(parsing, "parse_post", lambda source, config: parsed.append(source.path) or original(source, config))
    preview = build(site, "-j", "1", "--base-url", "http://127.0.0.1:8123/")
    assert parsed == []
    assert b"<link>http://127.0.0.1:8123/en/</link>" in preview["en/feed.xml"]
    assert preview == build(site, "--no-cache", "-o", str(tmp_path / "cold"), "--base-url", "http://127.0.0.1:8123/")
    checked = count_checked_posts(monkeypatch)
    build(site, "-j", "1")
    assert parsed == [] and checked == []  # nor does it check every post again
