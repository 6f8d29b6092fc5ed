"""The benchmark corpus: the same seed writes the same files, and ClinicPress builds them without a warning."""
import sys
from pathlib import Path

from conftest import REPO, run_cli

if str(REPO) not in sys.path:  # `pytest` run without `python -m` does not put the repository on the path
    sys.path.insert(0, str(REPO))

from benchmarks.corpus import SOURCE_DATE_EPOCH, TAGS, generate_corpus  # noqa: E402
from benchmarks.pelican import convert_corpus  # noqa: E402


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_corpus_generator_is_deterministic(tmp_path):
    first = generate_corpus(tmp_path / "a", 20, seed=7)
    second = generate_corpus(tmp_path / "b", 20, seed=7)
    generate_corpus(tmp_path / "c", 20, seed=8)
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")
    assert snapshot(tmp_path / "a") != snapshot(tmp_path / "c")
    assert first.names == second.names and first.edit_target in first.names


def test_corpus_has_translations_sharing_file_names_and_realistic_posts(tmp_path):
    corpus = generate_corpus(tmp_path, 20, seed=1)
    ko = sorted(p.name for p in (tmp_path / "posts/ko").iterdir())
    assert ko == sorted(p.name for p in (tmp_path / "posts/en").iterdir()) and len(ko) == 10
    korean = (tmp_path / f"posts/ko/{corpus.names[0]}.md").read_text(encoding="utf-8")
    english = (tmp_path / f"posts/en/{corpus.names[0]}.md").read_text(encoding="utf-8")
    for text in (korean, english):
        body = text.split("---\n", 2)[2]
        assert 850 <= len(body.split()) <= 1100
        assert "\n## " in body and "\n### " in body and "| --- |" in body and "✔ " in body and "](/images/" in body
    hangul = sum("\uac00" <= char <= "\ud7a3" for char in korean.split("---\n", 2)[2])
    assert hangul > 1500
    assert "](/en/posts/" in english and "](/ko/posts/" in korean
    assert "[series." in (tmp_path / "site.toml").read_text(encoding="utf-8")


def test_generated_corpus_builds_without_warnings(tmp_path, monkeypatch):
    corpus = generate_corpus(tmp_path / "site", 20, seed=1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(SOURCE_DATE_EPOCH))
    result = run_cli("build", str(tmp_path / "site"))
    assert result.code == 0, result.err
    assert result.err == ""
    output = tmp_path / "site/output"
    for name in corpus.names:
        assert (output / f"ko/posts/{name}/index.html").is_file() and (output / f"en/posts/{name}/index.html").is_file()
    english = (output / f"en/posts/{corpus.names[0]}/index.html").read_text(encoding="utf-8")
    assert f'hreflang="ko" href="https://blog.example-clinic.com/ko/posts/{corpus.names[0]}/"' in english
    assert list((output / "en/series").iterdir()) and (output / "ko/feed.xml").is_file()


def test_pelican_conversion_links_translations_by_slug(tmp_path):
    corpus = generate_corpus(tmp_path / "site", 4, seed=1)
    convert_corpus(tmp_path / "site", tmp_path / "pelican")
    name = corpus.names[0]
    ko = (tmp_path / f"pelican/content/ko/{name}.md").read_text(encoding="utf-8")
    en = (tmp_path / f"pelican/content/en/{name}.md").read_text(encoding="utf-8")
    assert "Lang: ko\n" in ko and "Lang: en\n" in en
    assert f"Slug: {name}\n" in ko and f"Slug: {name}\n" in en
    assert any(f"Tags: {TAGS[i][0]}" in en for i in range(len(TAGS)))
    assert (tmp_path / "pelican/content/images/figure-01.png").is_file()
