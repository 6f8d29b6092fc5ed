"""The search index made bit by bit: an edit makes the record of the post it touched and the index of
its language again, nothing else, and the bundle is byte for byte the one a build from nothing makes."""
from __future__ import annotations

import gzip
import json
import unicodedata
from pathlib import Path

from generator.search import bundle as bundle_module
from generator.search import index as index_module
from generator.search.words import MARK

from conftest import post_text, run_cli

POSTS = {
    "posts/ko/thread.md": post_text("실 이야기", date="2026-07-01", tags="[리프팅]",
                                    body="실리프팅은 처진 볼을 당겨 올립니다.\n"),
    "posts/ko/botox.md": post_text("보톡스 이야기", date="2026-07-02", tags="[보톡스]",
                                   body="보톡스는 근육을 잠시 쉬게 합니다.\n"),
    "posts/en/thread.md": post_text("Thread lifts", date="2026-07-01", tags="[lifting]",
                                    body="Threads lift a sagging cheek.\n"),
    "posts/en/botox.md": post_text("About botox", date="2026-07-02", tags="[botox]",
                                   body="Botox relaxes muscles for a while.\n"),
}


def bundle(output: Path) -> dict[str, bytes]:
    folder = output / "pagefind"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def record(output: Path, url: str) -> str:
    for path in (output / "pagefind" / "fragment").iterdir():
        found = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])
        if found["url"] == url:
            return unicodedata.normalize("NFC", found["content"])
    raise AssertionError(f"no record of {url}")


class Spy:
    """Counts the records made and the languages Pagefind indexed, and lets both run."""

    def __init__(self, monkeypatch):
        self.records, self.languages = 0, []
        make_record, run_pagefind = index_module.build_document, bundle_module.write_pagefind_bundle

        def counted_record(*args, **kwargs):
            self.records += 1
            return make_record(*args, **kwargs)

        def counted_pagefind(pages: Path, folder: Path):
            self.languages.append(pages.name)
            return run_pagefind(pages, folder)
        monkeypatch.setattr(index_module, "build_document", counted_record)
        monkeypatch.setattr(bundle_module, "write_pagefind_bundle", counted_pagefind)


def test_an_edit_makes_its_own_record_and_its_languages_index_only(site_factory, monkeypatch):
    site = site_factory(POSTS)
    assert run_cli("build", str(site), "-j", "1").code == 0
    korean = {name: data for name, data in bundle(site / "output").items() if "ko" in name}
    spy = Spy(monkeypatch)
    (site / "posts/en/botox.md").write_text(post_text("About botox", date="2026-07-02", tags="[botox]",
                                                      body="Botox relaxes frown lines for months.\n"))
    assert run_cli("build", str(site), "-j", "1").code == 0
    assert (spy.records, spy.languages) == (1, ["en"])
    assert "frown" in record(site / "output", "/en/posts/botox/")
    assert {name: data for name, data in bundle(site / "output").items() if "ko" in name} == korean
    assert sorted(json.loads((site / "output/pagefind/pagefind-entry.json").read_text())["languages"]) == ["en", "ko"]


def test_a_new_noun_remakes_the_records_it_splits_and_the_index_matches_one_made_at_once(site_factory, monkeypatch,
                                                                                        tmp_path):
    site = site_factory(POSTS)
    assert run_cli("build", str(site), "-j", "1").code == 0
    assert f"{MARK}리프팅" not in record(site / "output", "/ko/posts/thread/")  # 실 is known nowhere yet
    spy = Spy(monkeypatch)
    # A post where 실 stands alone makes it a known noun: 실리프팅 in the other post splits into 실 + 리프팅.
    (site / "posts/ko/care.md").write_text(post_text("관리", date="2026-07-03", body="실을 녹이는 데 몇 달이 걸립니다.\n"))
    assert run_cli("build", str(site), "-j", "1").code == 0
    assert spy.records == 2 and spy.languages == ["ko"]  # the new post's and the one its noun splits
    assert f"실리프팅은 {MARK}실리프팅 {MARK}실 {MARK}리프팅" in record(site / "output", "/ko/posts/thread/")
    assert run_cli("build", str(site), "--no-cache", "-o", str(tmp_path / "at-once"), "-j", "1").code == 0
    assert bundle(site / "output") == bundle(tmp_path / "at-once")
    # And back: the post goes, and so do its record and the split it brought.
    (site / "posts/ko/care.md").unlink()
    assert run_cli("build", str(site), "-j", "1").code == 0
    assert f"{MARK}리프팅" not in record(site / "output", "/ko/posts/thread/")
    assert run_cli("build", str(site), "--no-cache", "-o", str(tmp_path / "again"), "-j", "1").code == 0
    assert bundle(site / "output") == bundle(tmp_path / "again")
