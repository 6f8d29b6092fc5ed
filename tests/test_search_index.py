"""The search stage: Korean words split for the index, the records Pagefind reads, and the bundle it
writes into output/pagefind/ (only published posts, made again only when what it holds changed)."""
from __future__ import annotations

import gzip
import json
import re
import unicodedata

import pytest

from generator.config.search import SearchWeights
from generator.search import bundle as bundle_module
from generator.search.canonical import decode, encode
from generator.search.documents import SearchSource, build_document, html_parts, source_parts
from generator.search.words import (MARK, WordSplitter, analyse, compound_parts, decomposed, hangul_runs, segments,
                                    vocabulary)

from conftest import MINIMAL_CONFIG, post_text, run_cli

KNOWN = frozenset({"실", "리프팅", "입술", "필러", "후기", "턱", "끝"})


def added(splitter: WordSplitter, word: str) -> list[str]:
    return list(splitter.inside(word))


@pytest.mark.parametrize("noun, parts", [
    ("실리프팅", ("실", "리프팅")),
    ("입술필러후기", ("입술", "필러", "후기")),
    ("턱끝필러", ("턱끝", "필러")),  # two one-syllable nouns cost what a stretch unknown as a whole does
    ("리프팅", ()),  # two known words would have to be found in it
    ("필러", ()),  # two syllables: not a compound
    ("스킨부스터", ()),  # nothing known in it
], ids=["thread-lift", "three-parts", "unknown-stretch", "known-whole", "two-syllables", "unknown"])
def test_compound_nouns_are_split_into_nouns_known_elsewhere(noun, parts):
    assert compound_parts(noun, KNOWN) == parts


def test_a_known_noun_of_one_syllable_never_beats_a_word_of_two():
    assert compound_parts("입술필러후기", KNOWN | {"후", "기"}) == ("입술", "필러", "후기")


def test_words_keep_their_form_and_add_nouns_without_particles():
    memo = {"보톡스는": (("보톡스", "NNG"), ("는", "JX")), "실리프팅은": (("실리프팅", "NNP"), ("은", "JX")),
            "필러": (("필러", "NNG"),), "녹였어요": (("녹이", "VV"), ("었", "EP"), ("어요", "EF")),
            "맞은": (("맞", "VV"), ("은", "ETM"))}
    splitter = WordSplitter(memo, KNOWN)
    assert added(splitter, "보톡스는") == ["보톡스"]
    assert added(splitter, "실리프팅은") == ["실리프팅", "실", "리프팅"]
    assert added(splitter, "HA필러") == ["HA", "필러"]  # scripts apart; the whole word is what was written
    assert added(splitter, "녹였어요") == ["녹이"]  # stems of two syllables or more
    assert added(splitter, "맞은") == []  # one-syllable stems and endings add nothing
    assert added(splitter, "필러") == []
    assert splitter.split("보톡스는 HA필러") == f"보톡스는 {MARK}보톡스 HA필러 {MARK}HA {MARK}필러"


def test_runs_of_hangul_are_found_apart_from_other_scripts():
    assert segments("PDO(폴리디옥사논)는") == ["PDO", "폴리디옥사논", "는"]
    assert hangul_runs(["PDO 실은 HA필러를", "lip filler"]) == {"실은", "필러를"}


def test_the_analyzer_splits_particles_off_and_one_syllable_nouns_need_to_stand_alone():
    from generator.check.korean import analyzer
    runs = {"보톡스는", "필러를", "실을", "리프팅은", "실리프팅", "턱이", "턱끝필러를"}
    memo = analyse(runs, analyzer())
    known = vocabulary(memo, runs)
    assert {"실", "턱", "필러", "리프팅"} <= known
    splitter = WordSplitter(memo, known)
    assert "보톡스" in added(splitter, "보톡스는") and "필러" in added(splitter, "필러를")
    assert {"실", "리프팅"} <= set(added(splitter, "실리프팅"))
    assert {"턱끝", "필러"} <= set(added(splitter, "턱끝필러를"))


def test_html_is_read_as_headings_and_blocks_of_text():
    html = ("<p>First <strong>para</strong>graph.</p><h2>A heading</h2><ul><li>one</li><li>two</li></ul>"
            '<p><img src="a.jpg" alt="A  treatment room"> After.</p><script>x()</script>')
    assert html_parts(html) == [("body", "First paragraph."), ("headings", "A heading"), ("body", "one"),
                                ("body", "two"), ("body", "A treatment room"), ("body", "After.")]


def source(**changes) -> SearchSource:
    fields = dict(url="/ko/posts/a/", lang="ko", title="입술 필러 이야기", date="2026년 7월 3일",
                  description="입술 필러를 설명합니다.", tags=("입술 필러", "PDO 실"), series="입술 필러 바로 알기",
                  body_html="<h2>원리</h2><p>필러는 <em>볼륨</em>을 채웁니다.</p>", faq=(("아픈가요?", "<p>조금 아픕니다.</p>"),))
    return SearchSource(**{**fields, **changes})


def test_a_record_weighs_each_part_and_carries_title_date_tags_and_series():
    record = source()
    page = build_document(record, source_parts(record), SearchWeights(title=9, body=0.5), lambda text: text)
    assert '<html lang="ko">' in page
    weights = re.findall(r'data-pagefind-weight="([\d.]+)">([^<]*)<', page)
    assert [weight for weight, _ in weights] == ["9", "4", "3", "5", "0.5", "2", "2"]
    assert weights[3][1] == "원리" and weights[4][1] == "필러는 볼륨을 채웁니다."
    assert '<span data-pagefind-meta="title">입술 필러 이야기</span>' in page
    assert '<span data-pagefind-meta="date">2026년 7월 3일</span>' in page
    assert page.count('data-pagefind-filter="tag"') == 2 and '<span data-pagefind-filter="series">' in page


def test_a_large_korean_index_is_split_into_chunks(tmp_path):
    """Pagefind splits an index of Hangul syllables into no chunks at all; of jamo (NFD), into small ones."""
    syllables = [chr(0xAC00 + (index * 7919) % 11172) + chr(0xAC00 + (index * 104729) % 11172) for index in range(40000)]
    documents = [(f"/ko/posts/p{number}/", f'<html lang="ko"><body><p>{decomposed(" ".join(syllables[number::40]))}'
                  "</p></body></html>") for number in range(40)]
    bundle_module.write_pages(documents, tmp_path / "pages")
    bundle_module.write_pagefind_bundle(tmp_path / "pages", tmp_path / "files")
    chunks = [path.stat().st_size for path in (tmp_path / "files/index").iterdir()]
    assert len(chunks) > 3 and max(chunks) < 120_000, chunks


def test_pagefinds_cbor_reads_back_as_written():
    value = ["1.5.2", [["ko_1234567", 436], ["ko_89abcde", 70000]], [], [["tag", "ko_fffffff"]], [], ["date"]]
    assert decode(encode(value)) == value


SITE = {
    "posts/ko/botox.md": post_text("보톡스 이야기", date="2026-07-01", tags="[보톡스]",
                                   body="보톡스는 근육을 이완시킵니다. 실리프팅은 실로 당깁니다.\n"),
    "posts/en/botox.md": post_text("About botox", date="2026-07-01", tags="[botox]",
                                   body="Botox relaxes muscles for a while.\n"),
    "posts/en/draft.md": post_text("Secret draft", date="2026-07-02", draft="true", body="Zanzibar unpublished.\n"),
    "posts/en/future.md": post_text("Future post", date="2099-01-01", body="Quetzal from the future.\n"),
}


def fragments(output) -> list[dict]:
    return [json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])
            for path in sorted((output / "pagefind" / "fragment").iterdir())]


def test_only_published_posts_are_indexed_even_when_drafts_and_future_posts_are_built(site_factory):
    site = site_factory(SITE)
    assert run_cli("build", str(site), "--drafts", "--future", "-j", "1").code == 0
    output = site / "output"
    assert (output / "en/posts/draft/index.html").is_file()  # built, but not searchable
    found = fragments(output)
    assert sorted(fragment["url"] for fragment in found) == ["/en/posts/botox/", "/ko/posts/botox/"]
    text = " ".join(fragment["content"] for fragment in found)
    assert "Zanzibar" not in text and "Quetzal" not in text
    korean = next(fragment for fragment in found if fragment["url"] == "/ko/posts/botox/")
    assert f"보톡스는 {MARK}보톡스" in unicodedata.normalize("NFC", korean["content"])
    assert "보톡스" not in korean["content"] and "보톡스" not in korean["meta"]["title"]  # held as jamo (NFD)
    assert unicodedata.normalize("NFC", korean["meta"]["title"]) == "보톡스 이야기"
    assert korean["filters"] == {"tag": ["보톡스"]}  # shown, never searched: as written
    entry = json.loads((output / "pagefind/pagefind-entry.json").read_text())
    assert sorted(entry["languages"]) == ["en", "ko"]
    assert not (output / "pagefind/pagefind-ui.js").exists()  # Pagefind's own interfaces are not published


def test_the_bundle_is_made_again_only_when_what_it_holds_changed(site_factory, monkeypatch):
    site = site_factory(SITE)
    assert run_cli("build", str(site), "-j", "1").code == 0
    before = {p.name for p in (site / "output/pagefind/fragment").iterdir()}

    def refuse(*args):
        raise AssertionError("Pagefind ran although nothing it indexes changed")
    monkeypatch.setattr(bundle_module, "write_pagefind_bundle", refuse)
    (site / "posts/en/draft.md").write_text(post_text("Secret draft", draft="true", body="Edited, still a draft.\n"))
    assert run_cli("build", str(site), "-j", "1").code == 0
    monkeypatch.undo()
    (site / "posts/en/botox.md").write_text(post_text("About botox", date="2026-07-01", body="Botox, edited.\n"))
    assert run_cli("build", str(site), "-j", "1").code == 0
    after = {p.name for p in (site / "output/pagefind/fragment").iterdir()}
    assert len(after - before) == 1 and len(before - after) == 1


def test_search_off_makes_no_index_no_search_page_and_no_search_box(site_factory):
    site = site_factory(SITE, MINIMAL_CONFIG + "\n[search]\nenabled = false\n")
    assert run_cli("build", str(site), "-j", "1").code == 0
    output = site / "output"
    assert not (output / "pagefind").exists() and not (output / "ko/search").exists()
    assert 'role="search"' not in (output / "en/index.html").read_text()
    assert "the site search (Pagefind)" not in (output / "_headers").read_text()
    assert "wasm-unsafe-eval" not in (output / "en/index.html").read_text()  # the blog's policy (the editor's has it)


def test_the_same_posts_make_the_same_bundle_byte_for_byte(site_factory, tmp_path):
    site = site_factory(SITE)
    for name in ("one", "two"):
        assert run_cli("build", str(site), "--no-cache", "-o", str(tmp_path / name), "-j", "1").code == 0
    files = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in (tmp_path / "one/pagefind").rglob("*") if p.is_file()}
    assert files and files == {p.relative_to(tmp_path / "two"): p.read_bytes()
                               for p in (tmp_path / "two/pagefind").rglob("*") if p.is_file()}


def test_the_sample_sites_index_holds_every_post_page_it_built(sample_site):
    urls = sorted(fragment["url"] for fragment in fragments(sample_site))
    pages = sorted("/" + page.parent.relative_to(sample_site).as_posix() + "/"
                   for page in sample_site.glob("*/posts/*/index.html")
                   if 'http-equiv="refresh"' not in page.read_text())  # an alias's redirect page
    assert urls == pages and len(urls) > 10
