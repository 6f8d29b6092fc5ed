"""Valid input that arrives in awkward shapes builds: BOMs and Windows line endings, Hangul and emoji
everywhere, tags with slashes and dots, and sizes far beyond a normal clinic blog."""
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import feedparser
from lxml import html as lxml_html

from conftest import MINIMAL_CONFIG, post_text, run_cli

SERIES_CONFIG = MINIMAL_CONFIG + '\n[series.filler-diary]\ntitle = { ko = "필러 일기", en = "Filler diary" }\n'


def build(site: Path, *args: str) -> Path:
    result = run_cli("build", str(site), *args)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    return site / "output"


def page(output: Path, path: str):
    return lxml_html.fromstring((output / path).read_bytes())


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def assert_links_resolve(output: Path, tree, selector: str) -> None:
    for link in tree.cssselect(selector):
        target = output / unquote(link.get("href")).lstrip("/")
        assert (target / "index.html").is_file() or target.is_file(), link.get("href")


def test_bom_and_windows_line_endings_in_config_and_posts(site_factory):
    config = "\ufeff" + MINIMAL_CONFIG.replace("\n", "\r\n")
    crlf = "\ufeff" + post_text("Lip filler aftercare", tags="[aftercare, lips]",
                                body="First paragraph.\n\nSecond paragraph.\n").replace("\n", "\r\n")
    old_mac = post_text("Botox basics", body="One line.\n\nAnother line.\n").replace("\n", "\r")
    site = site_factory({"posts/en/aftercare.md": crlf.encode("utf-8"), "posts/en/botox.md": old_mac.encode("utf-8")},
                        config=config)
    output = build(site)
    tree = page(output, "en/posts/aftercare/index.html")
    assert tree.findtext(".//h1") == "Lip filler aftercare"
    assert [p.text for p in tree.cssselect(".post-body p")] == ["First paragraph.", "Second paragraph."]
    assert [a.text for a in tree.cssselect(".tags a")] == ["#aftercare", "#lips"]
    assert page(output, "en/posts/botox/index.html").findtext(".//h1") == "Botox basics"
    assert not any(b"\r" in path.read_bytes() for path in files_under(output) if path.suffix in (".html", ".xml"))


def test_hangul_and_emoji_in_titles_tags_and_file_names(site_factory):
    nfd_name = unicodedata.normalize("NFD", "보톡스-효과")  # how macOS may hand over a Hangul file name
    site = site_factory({
        "posts/ko/입술-필러-관리.md": post_text("입술 필러 💋 관리 가이드", tags='["입술 필러", "💉 시술 후기", "붓기 😢"]'),
        f"posts/ko/{nfd_name}.md": post_text("보톡스 효과는 언제? 👩‍⚕️ 원장 칼럼", tags='["입술 필러"]'),
        "posts/en/💉-filler-faq.md": post_text("Filler FAQ 💉✨", slug="filler-faq", tags='["💉 injections"]'),
    })
    output = build(site)
    post = page(output, "ko/posts/입술-필러-관리/index.html")
    assert post.findtext(".//h1") == "입술 필러 💋 관리 가이드"
    assert [a.text for a in post.cssselect(".tags a")] == ["#입술 필러", "#💉 시술 후기", "#붓기 😢"]
    assert_links_resolve(output, post, ".tags a")
    assert page(output, "ko/posts/보톡스-효과/index.html").findtext(".//h1") == "보톡스 효과는 언제? 👩‍⚕️ 원장 칼럼"
    assert not (output / "ko/posts" / nfd_name).exists()
    assert {p.name for p in (output / "ko/tags").iterdir() if p.is_dir()} == {"입술-필러", "시술-후기", "붓기"}
    assert page(output, "en/posts/filler-faq/index.html").findtext(".//h1") == "Filler FAQ 💉✨"
    feed = feedparser.parse((output / "ko/feed.xml").read_bytes())
    assert not feed.bozo
    assert {entry.title for entry in feed.entries} == {"입술 필러 💋 관리 가이드", "보톡스 효과는 언제? 👩‍⚕️ 원장 칼럼"}


def test_tags_with_dots_and_escapes_stay_inside_the_tags_folder(site_factory):
    tags = ["v2.0", ".hidden", "C:temp", "%2e%2e%2f", "~ssh", "#보톡스 💉"]
    site = site_factory({"posts/en/odd-tags.md": post_text("Odd tags", tags="[" + ", ".join(f"'{t}'" for t in tags) + "]")})
    outside_before = sorted(p.name for p in site.parent.iterdir())
    output = build(site)
    assert {p.name for p in (output / "en/tags").iterdir() if p.is_dir()} == {
        "v2-0", "hidden", "c-temp", "2e-2e-2f", "ssh", "보톡스"}
    for path in output.rglob("*"):
        assert path.resolve().is_relative_to(output.resolve()), path
    assert sorted(p.name for p in site.parent.iterdir()) == outside_before
    assert sorted(p.name for p in site.iterdir() if not p.name.startswith(".")) == ["output", "posts", "site.toml"]
    tree = page(output, "en/posts/odd-tags/index.html")
    assert [a.text for a in tree.cssselect(".tags a")] == ["#v2.0", "#.hidden", "#C:temp", "#%2e%2e%2f", "#~ssh", "#보톡스 💉"]
    assert_links_resolve(output, tree, ".tags a")
    assert page(output, "en/tags/보톡스/index.html").findtext(".//h1").strip() == "Posts about “보톡스 💉”"


def test_tags_that_look_like_paths_are_refused_before_anything_is_written(site_factory):
    climbing = ["../../../etc", "a/../../b", "..hidden", "C:\\temp"]  # '..' and '\\' could leave tags/
    tags = ["before/after", *climbing, "~/.ssh"]  # a slash alone is a word break: tags/before-after/
    site = site_factory({"posts/en/odd-tags.md": post_text("Odd tags", tags="[" + ", ".join(f"'{t}'" for t in tags) + "]")})
    result = run_cli("build", str(site))
    assert result.code == 1 and "Traceback" not in result.err
    refused = [line for line in result.err.splitlines() if line.startswith("posts/en/odd-tags.md:5: error: tag ")]
    assert [line.split("'")[1] for line in refused] == sorted(climbing)
    assert not (site / "output").exists()


def test_a_tag_given_twice_in_other_letter_case_is_one_topic_and_check_names_the_repeat(site_factory):
    site = site_factory({"posts/en/care.md": post_text("Care", tags="[Aftercare, lips, aftercare, '#Lips']")})
    output = build(site)
    tree = page(output, "en/posts/care/index.html")
    assert [a.text for a in tree.cssselect(".tags a")] == ["#Aftercare", "#lips"]
    assert [a.text for a in page(output, "en/tags/aftercare/index.html").cssselect(".card h2 a, .card h3 a")] == ["Care"]
    checked = run_cli("check", str(site))
    repeats = {line for line in checked.out.splitlines() if "[tag-duplicate]" in line}
    assert repeats == {
        "posts/en/care.md:5:1: warning: [tag-duplicate] tag 'aftercare' is the tag 'Aftercare' again (letter case and "
        "a leading # make no other topic): the post is listed under 'Aftercare' once",
        "posts/en/care.md:5:1: warning: [tag-duplicate] tag '#Lips' is the tag 'lips' again (letter case and "
        "a leading # make no other topic): the post is listed under 'lips' once"}


def test_two_tags_of_one_post_that_make_one_address_are_an_error_naming_both(site_factory):
    site = site_factory({"posts/en/code.md": post_text("Code", tags="['C++', C]")})
    result = run_cli("build", str(site))
    assert result.code == 1
    assert result.err.splitlines()[0] == ("posts/en/code.md:5: error: tags 'C++' and 'C' of this post both become "
                                          "the address tags/c/")


def test_a_five_megabyte_post_builds(site_factory):
    paragraph = "입술 필러는 시간이 지나면서 자연스럽게 흡수됩니다. Fillers soften over months; **touch-ups** are common.\n\n"
    body = paragraph * (5_000_000 // len(paragraph.encode()) + 1) + "The last paragraph.\n"
    assert len(body.encode()) >= 5_000_000
    site = site_factory({"posts/en/long-read.md": post_text("A very long read", body=body)})
    output = build(site)
    text = (output / "en/posts/long-read/index.html").read_text(encoding="utf-8")
    assert text.count("<strong>touch-ups</strong>") == body.count("**touch-ups**")
    assert "<p>The last paragraph.</p>" in text
    assert not feedparser.parse((output / "en/feed.xml").read_bytes()).bozo


def test_a_post_with_500_tags_builds(site_factory):
    tags = [f"topic {n}" for n in range(500)]
    site = site_factory({"posts/en/tagged.md": post_text("Tagged", tags="[" + ", ".join(tags) + "]"),
                         "posts/en/other.md": post_text("Other", tags="[topic 7]")})
    output = build(site)
    assert len([p for p in (output / "en/tags").iterdir() if p.is_dir()]) == 500
    tree = page(output, "en/posts/tagged/index.html")
    assert len(tree.cssselect(".tags a")) == 500
    assert len(page(output, "en/tags/topic-7/index.html").cssselect(".card")) == 2
    feed = feedparser.parse((output / "en/tags/topic-499/feed.xml").read_bytes())
    assert [entry.title for entry in feed.entries] == ["Tagged"]


def test_a_series_of_1000_posts_builds_in_order(site_factory):
    posts = {f"posts/en/part-{n}.md": post_text(f"Part {n}", date="2026-01-01", series="filler-diary",
                                                 series_part=str(n), body=f"Entry {n}.\n")
             for n in range(1, 1001)}
    site = site_factory(posts, SERIES_CONFIG)
    output = build(site)
    series = page(output, "en/series/filler-diary/index.html")
    assert [a.text for a in series.cssselect(".card-title a")] == [f"Part {n}" for n in range(1, 1001)]
    last = page(output, "en/posts/part-1000/index.html")
    assert last.cssselect('.series-nav a[rel="prev"]')[0].get("href") == "/en/posts/part-999/"
    assert not last.cssselect('.series-nav a[rel="next"]')
