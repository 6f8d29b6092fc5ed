"""Any post file, however its front-matter and Markdown are written, builds or is refused with located
errors (the post's path and a line): never an internal error, never a traceback.

Front-matter values are made of YAML's own characters, bodies of Markdown's, with Korean, emoji, tabs
and runs long enough to go past the nesting limit. Derandomized and without a database, so every
machine runs the same examples; the build is the project's own, in this process."""
import string
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from generator.build import build_site
from generator.content.posts import FRONT_MATTER_KEYS
from generator.errors import BuildError
from generator.loading import BuildOptions

from conftest import FIXED_NOW, MINIMAL_CONFIG, post_text, write_tree

POST = "posts/en/fuzz.md"
KOREAN = "입술필러시술후관리가나다한국어붓기"
EMOJI = ["✅", "💉", "😊", "👩‍⚕️", "✨", "❤️", "1️⃣"]
MARKDOWN = ["- ", "* ", "+ ", "1. ", "2) ", "> ", ">", "*", "**", "***", "_", "__", "[", "]", "(", ")", "![",
            "](/x)", "[x](", "`", "``", "```", "~~~", "#", "## ", "|", "|---|", "---", "\n", "\n\n", " ", "    ",
            "\t", "\\", "<", "&amp;", ":", "[^1]", "\n[^1]: ", '<div markdown="1">', "</div>", "<!--", "-->",
            "{: .note}", "\n[x]: /y", "\n:   ", "http://example.com/a_b"]


def mostly(usual: st.SearchStrategy, other: st.SearchStrategy, one_in: int = 4) -> st.SearchStrategy:
    """`other` one time in `one_in`, else `usual` (st.one_of would draw each as often)."""
    return st.integers(1, one_in).flatmap(lambda n: other if n == one_in else usual)


WORDS = st.text(alphabet=string.ascii_letters + KOREAN + "0123456789.,!?", min_size=1, max_size=6)
PIECE = st.one_of(st.sampled_from(MARKDOWN), st.sampled_from(EMOJI), WORDS)
RUN = st.tuples(PIECE, st.integers(1, 3)).map(lambda run: run[0] * run[1])
# One piece of a body in eight nests, just past the nesting limit or far past Python's recursion limit:
# markers, emphasis and brackets in a row, or a list indented one step more on each line.
NESTERS = ["- ", "* ", "+ ", "1. ", "> ", "*", "**", "_", "*a ", "_a ", "**a ", "b* ", "[", "![", "[a](", "](b) "]
DEEP = st.one_of(st.tuples(st.sampled_from(NESTERS), st.sampled_from([40, 500])).map(lambda run: run[0] * run[1]),
                 st.sampled_from([40, 400]).map(lambda levels: "".join(f"{'    ' * n}- x\n" for n in range(levels))))
BODY = st.lists(mostly(RUN, DEEP, one_in=8), max_size=30).map("".join)

YAML_CHARACTERS = ":#'\"-[]{}&*!|>%@`,?~\\ \t\n"
VALUE = st.text(alphabet=YAML_CHARACTERS + string.ascii_letters + KOREAN + "".join(EMOJI), max_size=24)
QUOTED = st.text(alphabet=string.ascii_letters + KOREAN + "".join(EMOJI) + " :#-[]{}*&!|>'", min_size=1,
                 max_size=24).map(lambda text: f'"{text}"')
# Values YAML reads three times in four, so that many posts get as far as their Markdown.
TEXT_VALUE = mostly(QUOTED, VALUE)
TAGS = mostly(st.lists(QUOTED, max_size=3).map(lambda tags: "[" + ", ".join(tags) + "]"), VALUE)
DATE = mostly(st.sampled_from(["2026-07-03", "2026-07-03T10:00:00+09:00", "2026-7-3 09:30"]),
              st.one_of(st.sampled_from(["2026-02-30", "2026-07-03 25:00", "3 July 2026", "[2026]"]), VALUE))
OTHER_KEYS = st.sampled_from([key for key in FRONT_MATTER_KEYS if key not in ("title", "date")] + ["titel", "태그"])
FRONT_MATTER = st.fixed_dictionaries({"title": TEXT_VALUE, "date": DATE},
                                     optional={"description": TEXT_VALUE, "tags": TAGS,
                                               "others": st.lists(st.tuples(OTHER_KEYS, TEXT_VALUE), max_size=2)})
FUZZ = settings(max_examples=100, derandomize=True, database=None, deadline=None,
                phases=(Phase.generate, Phase.shrink), suppress_health_check=[HealthCheck.too_slow,
                                                                              HealthCheck.data_too_large])


def front_matter_lines(front_matter: dict) -> str:
    lines = [f"{key}: {value}" for key, value in front_matter.items() if key != "others"]
    return "\n".join(lines + [f"{key}: {value}" for key, value in front_matter.get("others", [])])


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return write_tree(tmp_path_factory.mktemp("fuzz") / "site", {"site.toml": MINIMAL_CONFIG, POST: post_text(),
                                                                "posts/ko/hello.md": post_text("안녕하세요")})


@FUZZ
@given(front_matter=FRONT_MATTER, body=BODY)
def test_any_front_matter_builds_or_is_a_located_error(site, front_matter, body):
    build_or_locate(site, f"---\n{front_matter_lines(front_matter)}\n---\n{body}")


@settings(FUZZ, max_examples=120)
@given(title=QUOTED, body=BODY, answer=BODY)
def test_any_markdown_builds_or_is_a_located_error(site, title, body, answer):
    """Front-matter that is valid, so that the Markdown of the body and of an FAQ answer is rendered."""
    faq = '\nfaq:\n  - q: "Does it hurt?"\n    a: "Yes. ' + answer.replace("\\", "/").replace('"', "'") + '"'
    build_or_locate(site, post_text(title.strip('"'), body=body).replace("\n---\n", faq + "\n---\n", 1))


def build_or_locate(site: Path, post: str) -> None:
    (site / POST).write_text(post, encoding="utf-8")
    try:
        with recursion_limit_of_the_command_line():
            build_site(BuildOptions(site_dir=site, jobs=1, now=FIXED_NOW))
        event("built")
    except BuildError as exc:
        assert exc.diagnostics
        for diagnostic in exc.diagnostics:
            event("refused: " + diagnostic.message[:30])  # what the examples reach: --hypothesis-show-statistics
            assert (diagnostic.path, diagnostic.severity) == (POST, "error"), diagnostic.format()
            assert diagnostic.line is not None and diagnostic.line >= 1, diagnostic.format()


@contextmanager
def recursion_limit_of_the_command_line():
    """Hypothesis raises Python's recursion limit while a test runs: input that stops `clinicpress build`
    would pass here."""
    raised = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        yield
    finally:
        sys.setrecursionlimit(raised)
