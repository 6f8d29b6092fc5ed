"""What `build` prints: a summary line, a progress bar only on a terminal, quiet means quiet."""
from __future__ import annotations

import io
import threading
import time

import pytest

from conftest import post_text, run_cli
from generator.cli import ProgressBar


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as stderr does in an interactive shell."""

    def isatty(self) -> bool:
        return True


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


# Posts that every rule of `check` passes.
EN_POST = post_text("Hello from the clinic's new blog")
KO_POST = ('---\ntitle: "클리닉 블로그를 시작합니다"\ndate: 2026-07-03\n'
           'description: "시술 후 처음 며칠 동안 냉찜질부터 수면 자세까지 알아 두면 좋은 내용을 정리했습니다."\n---\n본문입니다.\n')


def test_build_with_timings_says_how_long_each_step_took(site_factory):
    site = site_factory({"posts/en/lips.md": post_text("Lips")})
    result = run_cli("build", str(site), "--timings")
    assert result.code == 0
    steps = [line.split()[:-2] for line in result.out.splitlines()[1:]]
    assert [" ".join(words) for words in steps] == ["reading and checking input", "photos", "Markdown", "search index",
                                                    "content rules", "pages and files"]
    assert all(line.endswith(" s") for line in result.out.splitlines()[1:])


def test_build_prints_one_summary_line_and_no_progress_bar_when_not_a_terminal(site_factory):
    site = site_factory({"posts/en/hello.md": EN_POST, "posts/ko/hello.md": KO_POST})
    result = run_cli("build", str(site))
    assert result.code == 0
    assert result.out.count("\n") == 1
    assert result.out.startswith("Built 8 pages (ko 4, en 4) in ")  # a home, the post, the privacy notice and the search page each
    assert result.out.endswith(" s — no errors or warnings found by check\n")
    assert "\r" not in result.err and "\033" not in result.err


def test_quiet_build_prints_nothing_but_verbose_lists_the_findings(site_factory):
    site = site_factory({"posts/en/hello.md": "---\ntitle: Hello\ndate: 2026-07-03\n---\nText.\n"})
    quiet = run_cli("build", "-q", str(site))
    assert (quiet.code, quiet.out, quiet.err) == (0, "", "")
    plain = run_cli("build", str(site))
    assert plain.err == "" and plain.out.endswith(" — 2 warnings found by check (-v lists them)\n")
    verbose = run_cli("build", "-v", str(site))
    assert "posts/en/hello.md:2:1: warning: [seo-description] no 'description'" in verbose.err
    assert "posts/en/hello.md:2:1: warning: [seo-title-length] title is 5 characters" in verbose.err
    assert "info: [translation-missing]" in verbose.err  # -v lists every finding; the line counts what check judges
    assert verbose.out.endswith(" — 2 warnings found by check\n")


@pytest.mark.parametrize("body, counted", [
    ("It is painless.\n", "1 error found by check (-v lists it)"),
    ("It is painless and guaranteed.\n\n# A second title\n", "2 errors, 1 warning found by check (-v lists them)"),
    ("We are the best clinic.\n\n# A second title\n", "2 warnings found by check (-v lists them)"),
], ids=["one-error", "errors-and-a-warning", "warnings"])
def test_summary_counts_findings_by_severity_in_plain_words(site_factory, body, counted):
    site = site_factory({"posts/en/hello.md": post_text("Hello from the clinic's new blog", body=body),
                         "posts/ko/hello.md": KO_POST})
    result = run_cli("build", str(site))
    assert result.code == 0 and result.err == ""
    assert result.out.endswith(f" — {counted}\n")


def test_progress_bar_shows_the_stage_on_a_terminal_then_clears_its_line():
    terminal = Terminal()
    threads = threading.active_count()
    with ProgressBar(terminal, enabled=True) as progress:
        # Drawn by the build's own progress calls once a second has passed; no thread of its own,
        # so the build's worker processes are never forks of a threaded process.
        wait_for(lambda: progress("rendering pages", 1, 3) or "rendering pages" in terminal.getvalue())
        assert threading.active_count() == threads
    shown = terminal.getvalue()
    assert "\r[########................] rendering pages" in shown
    assert shown.endswith("\r\033[K")  # the summary line then starts on a clean line


def test_progress_bar_stays_hidden_for_quick_builds_and_when_disabled():
    for enabled in (True, False):
        terminal = Terminal()
        with ProgressBar(terminal, enabled=enabled) as progress:
            progress("reading posts", 0, 3)
        assert terminal.getvalue() == ""


def test_an_unexpected_bug_gives_one_line_not_a_traceback(site_factory, monkeypatch):
    import generator.build

    site = site_factory({"posts/en/a.md": post_text("A")})

    def broken(options):
        raise RuntimeError("something impossible happened")

    monkeypatch.setattr(generator.build, "build_site", broken)
    monkeypatch.delenv("CLINICPRESS_DEBUG", raising=False)
    result = run_cli("build", str(site))
    assert result.code == 1
    assert "internal error: RuntimeError: something impossible happened" in result.err
    assert "Traceback" not in result.err


def _check_in_a_shell(site, pipe: str):
    import subprocess
    import sys

    from conftest import REPO

    return subprocess.run(f"'{sys.executable}' -m generator check '{site}' --no-cache {pipe}", shell=True, cwd=REPO,
                          capture_output=True, text=True, executable="/bin/bash")


def test_check_leaves_at_once_with_everything_printed_and_its_exit_code(site_factory):
    """`check` ends without freeing the site object by object; what it printed is all there, and its exit
    code says whether it found errors."""
    files = {f"posts/en/post-{n}.md": post_text(f"A post about aftercare number {n}") for n in range(70)}
    files["posts/en/bad.md"] = "---\ntitle: Broken\ndate: not a date\n---\nBody.\n"
    site = site_factory(files)
    done = _check_in_a_shell(site, "--format json; echo \"exit $?\"")
    import json

    body, _, code = done.stdout.rpartition("exit ")
    assert code.strip() == "1" and done.stderr == ""
    findings = json.loads(body)
    assert any(f["path"].endswith("bad.md") and f["severity"] == "error" for f in findings)


def test_check_read_by_a_pager_that_stops_early_says_nothing_is_wrong(site_factory):
    """`clinicpress check | head -1` prints the first line and no 'internal error'."""
    files = {f"posts/en/post-{n}.md": "---\ntitle: Aftercare\ndate: 2026-07-03\n---\nNo pain at all, 100% guaranteed.\n"
             for n in range(300)}
    site = site_factory(files)
    done = _check_in_a_shell(site, "| head -1")
    assert len(done.stdout.splitlines()) == 1 and "internal error" not in done.stderr
    assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr
