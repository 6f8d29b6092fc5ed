"""Markdown nested deeper than MAX_DEPTH levels is a located error found before Python-Markdown reads
it; everything a real post writes, however much it uses lists, emphasis or code, is not."""
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.config.loader import parse_config
from generator.content.models import SourceFile
from generator.content.nesting import MAX_DEPTH, too_deep
from generator.content.posts import parse_post
from generator.errors import BuildError, error
from generator.markup import markdown as markdown_module
from generator.markup.markdown import Origin, make_markdown, render_markdown, render_post_html

from conftest import MINIMAL_CONFIG, REPO, post_text, run_cli

CONFIG = parse_config(MINIMAL_CONFIG, Path("."))
FRONT_MATTER_LINES = post_text(body="").count("\n")  # the body starts on the line after these
ERROR = f"nesting deeper than {MAX_DEPTH} levels"


def indented_list(levels: int, step: str = "  ") -> str:
    return "".join(f"{step * level}- level {level}\n" for level in range(levels))


def errors_of(body: str, **front_matter: str) -> list[str]:
    data = post_text("Deep", body=body, **front_matter).encode("utf-8")
    post, diagnostics = parse_post(SourceFile("posts/en/x.md", "en", "x", data), CONFIG)
    assert (post is None) == bool(diagnostics)
    return [f"{d.path}:{d.line}: {d.message}" for d in diagnostics]


DEEP = {  # body -> 1-based line of the body where it goes too deep
    "dash markers": ("Intro.\n\n" + "- " * 500 + "deep\n", 3),
    "number markers": ("1. " * 500 + "\n", 1),
    "star markers": ("* " * 500 + "deep\n", 1),
    "quote markers": ("> " * 500 + "deep\n", 1),
    "quotes adding one a line": ("".join(">" * n + " text\n" for n in range(1, 60)), MAX_DEPTH + 1),
    "2,000-level list, two spaces a level": (indented_list(2000), 2 * MAX_DEPTH + 1),
    "2,000-level list, four spaces a level": (indented_list(2000, "    "), MAX_DEPTH + 1),
    "list indented with tabs": (indented_list(100, "\t"), MAX_DEPTH + 1),
    "markers, quotes and indentation together": ("- x\n" + "    " * 20 + "> " * 10 + "1. " * 5 + "deep\n", 2),
    "emphasis": ("*a " * 500 + "deep" + " b*" * 500 + "\n", 1),
    "strong emphasis": ("**a " * 40 + "deep\n", 1),
    "underscores": ("_a " * 40 + "deep" + " b_" * 40 + "\n", 1),
    "a long run of asterisks": ("*" * 5000 + "deep" + "*" * 5000 + "\n", 1),
    "brackets": ("[" * 20000 + "deep\n", 1),
    "nested links": ("[" * 500 + "deep" + "](https://example.com/)" * 500 + "\n", 1),
    "images": ("![" * 500 + "deep\n", 1),
    "emphasis over lines": ("Intro.\n\n" + "*a\n" * 40, 2 + MAX_DEPTH + 1),
    "emphasis over lines of full-width spaces": ("*a\n\u3000\n" * 40, 2 * MAX_DEPTH + 1),
    "emphasis in a heading": ("## " + "*a " * 40 + "\n", 1),
    "emphasis in a quote": ("> " + "*a " * 40 + "\n", 1),
    "fence never closed": ("```\n" + indented_list(100, "    "), 1 + MAX_DEPTH + 1),
    "fence closed by a longer fence": ("```\n" + indented_list(100, "    ") + "````\n", 1 + MAX_DEPTH + 1),
    "indented code in a list": ("- item\n\n" + "    " * 40 + "deep\n", 3),
    "code span never closed": ("`" + "[" * 40 + "\n", 1),
}


@pytest.mark.parametrize("body, line", DEEP.values(), ids=DEEP.keys())
def test_nesting_deeper_than_the_limit_is_an_error_on_its_line(body, line):
    assert errors_of(body) == [f"posts/en/x.md:{FRONT_MATTER_LINES + line}: {ERROR}"]


def test_a_deep_faq_answer_is_an_error_at_the_faq_key():
    faq = '\n  - q: "Does it hurt?"\n    a: "' + "- " * 100 + 'deep"'
    assert errors_of("Body.\n", faq=faq) == [f"posts/en/x.md:5: {ERROR}"]  # the line of faq:


FINE = {
    "a rule of 500 dashes": "- " * 500 + "\n",
    "a rule of 500 asterisks": "* " * 500 + "\n",
    "rules": "***\n\n---\n\n___\n\n* * *\n\n- - -\n\n1. - - -\n",
    "bold and italics everywhere": "**bold** *em* ***both*** __bold__ _em_ ~~del~~ " * 200 + "\n",
    "Korean": "입술 필러 **시술 후** 관리: *냉찜질*을 하세요. [예약하기](https://example.com/예약)\n" * 200,
    "emoji check lists": "".join(f"- ✅ 항목 {n} *메모*\n- [ ] 할 일 {n}\n- [x] 완료 {n}\n" for n in range(200)),
    "Korean notes marked with asterisks": "*개인차가 있을 수 있습니다.\n\n" * 100 + "※ 주의 *사항\n\n" * 100,
    "tables": "| 시술 | *가격* | 시간 |\n|:---|---:|:-:|\n" + "| **필러** | 30만원* | [30분](x) |\n" * 200,
    "snake_case and file names": "see my_config_file_name.md and __init__.py " * 200 + "\n",
    "arithmetic": "2*3*4*5 and 10 * 20 and a*b " * 200 + "\n",
    "footnotes and references": "Text[^1] and [link][ref].\n\n[^1]: A note.\n[ref]: https://example.com/\n" * 100,
    "deep indentation in fenced code": "```python\n" + indented_list(200, "    ") + "```\n\nAfter.\n",
    "deep indentation in a tilde fence": "~~~\n" + "    " * 100 + "x\n~~~\n",
    "asterisks and brackets in fenced code": "```c\n" + "int *p = a[i];\n" * 200 + "```\n",
    "indented code after a paragraph": "Intro.\n\n" + "    " * 40 + "deep();\n" + "    int *p = a[i];\n" * 100,
    "asterisks and brackets in code spans": "`*p` and `a[i]` and ``x`` " * 200 + "\n",
    "escaped characters": "\\* \\[ \\_ " * 200 + "\n",
    "a list 32 levels deep": indented_list(MAX_DEPTH, "    "),
    "32 markers": "- " * MAX_DEPTH + "deep\n",
    "32 quotes, then 32 emphases": "> " * MAX_DEPTH + "*a " * MAX_DEPTH + "deep" + " b*" * MAX_DEPTH + "\n",
    "32 brackets": "[" * MAX_DEPTH + "deep" + "](https://example.com/)" * MAX_DEPTH + "\n",
    "many list items, each with an open emphasis": "".join(f"- *note {n}\n" for n in range(200)),
    "many headings, each with an open bracket": "".join(f"## [{n} draft\n" for n in range(200)),
}


@pytest.mark.parametrize("body", FINE.values(), ids=FINE.keys())
def test_ordinary_markdown_is_not_too_deep_and_renders(body):
    assert errors_of(body) == []
    render_markdown(body, CONFIG.markdown)  # what is let through, Python-Markdown renders


@pytest.mark.parametrize("line", ["- " * 2_000_000 + "\n", "- " * 2_000_000 + "x\n", "[" * 4_000_000,
                                  "*a " * 1_000_000, "`" * 1_000_000 + " x " + "`" * 999_999, "> " * 2_000_000])
def test_the_scan_is_quick_on_megabyte_lines(line):
    """The scan reads a line once: a few tenths of a second here. The bound only catches a scan that
    goes back over the line (minutes on these), and leaves room for a machine busy with other tests."""
    started = time.perf_counter()
    too_deep(line)
    assert time.perf_counter() - started < 10


def test_a_2000_level_list_is_refused_quickly_by_build_and_check(site_factory):
    site = site_factory({"posts/en/deep.md": post_text("Deep", body=indented_list(2000)),
                         "posts/ko/hello.md": post_text("안녕하세요")})
    started = time.perf_counter()
    built = run_cli("build", str(site))
    assert time.perf_counter() - started < 10  # refused before Python-Markdown goes level by level
    expected = f"posts/en/deep.md:{FRONT_MATTER_LINES + 2 * MAX_DEPTH + 1}: error: {ERROR}"
    assert built.code == 1 and built.err.splitlines()[0] == expected, built.err
    assert not (site / "output").exists()
    checked = run_cli("check", str(site))
    assert checked.code == 1 and expected.replace(": error:", ":1: error: [front-matter]") in checked.out


# Defence in depth: what Python-Markdown still gives up on names the post --------------------------

DIVS = '<div markdown="1">\n' * 2000 + "deep\n" + "</div>\n" * 2000  # HTML blocks are not counted as nesting


def test_markdown_that_python_markdown_gives_up_on_is_an_error_naming_the_post(site_factory):
    site = site_factory({"posts/en/hello.md": post_text("Hello"), "posts/ko/hello.md": post_text("안녕하세요")})
    assert run_cli("build", str(site)).code == 0
    before = sorted((path, path.stat().st_mtime_ns) for path in (site / "output").rglob("*"))
    (site / "posts/en/divs.md").write_text(post_text("Divs", body="Intro.\n\n" + DIVS), encoding="utf-8")
    result = run_cli("build", str(site))
    assert result.code == 1 and "Traceback" not in result.err and "internal error" not in result.err
    assert result.err.splitlines()[0] == (f"posts/en/divs.md:{FRONT_MATTER_LINES + 1}: error: "
                                          "the Markdown is nested too deeply to be rendered")
    assert sorted((path, path.stat().st_mtime_ns) for path in (site / "output").rglob("*")) == before


def test_the_error_comes_back_from_a_worker_process(site_factory):
    posts = {f"posts/en/post-{n}.md": post_text(f"Post {n}") for n in range(70)}  # enough to use workers
    site = site_factory({**posts, "posts/en/post-40.md": post_text("Divs", body=DIVS)})
    # In a process of its own: a pool whose worker raised what cannot be unpickled waits forever.
    result = subprocess.run([sys.executable, "-m", "generator", "build", str(site), "--jobs", "2"], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "internal error" not in result.stderr
    assert result.stderr.splitlines()[0].startswith(f"posts/en/post-40.md:{FRONT_MATTER_LINES + 1}: error: ")


def test_a_build_error_keeps_its_diagnostics_across_processes():
    raised = BuildError([error("posts/en/x.md", 7, "too deep"), error("posts/en/a.md", 2, "bad")])
    assert pickle.loads(pickle.dumps(raised)).diagnostics == raised.diagnostics


@pytest.mark.parametrize("failure", [RecursionError, MemoryError])
def test_running_out_of_stack_or_memory_in_an_faq_answer_names_the_faq_line(site_factory, monkeypatch, failure):
    render = markdown_module.render_markdown

    def failing(text, *args):
        if text == "The answer.":
            raise failure()
        return render(text, *args)

    monkeypatch.setattr(markdown_module, "render_markdown", failing)
    faq = '\n  - q: "Does it hurt?"\n    a: "The answer."'
    site = site_factory({"posts/en/faq.md": post_text("FAQ", faq=faq)})
    result = run_cli("build", str(site), "--jobs", "1")
    assert result.code == 1 and "internal error" not in result.err
    assert result.err.splitlines()[0].startswith("posts/en/faq.md:5: error: the Markdown ")


def test_a_markdown_instance_renders_as_before_after_giving_up():
    """`serve` keeps one Markdown instance from build to build, and renders every preview with it."""
    md, samples = make_markdown(CONFIG.markdown), ["- a\n- b\n\n    code\n", "> q\n\n1. x\n2. y\n", DIVS[-100:]]
    before = [render_markdown(text, CONFIG.markdown, md).html for text in samples]
    for deep in ["1. " * 500, DIVS]:
        with pytest.raises(BuildError):
            render_post_html(deep, (), CONFIG.markdown, md, Origin("posts/en/x.md", 6, 6))
        assert [render_markdown(text, CONFIG.markdown, md).html for text in samples] == before
