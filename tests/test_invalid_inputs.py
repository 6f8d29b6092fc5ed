"""Bad input, run through the real command line: exit 1, one located message per problem, no
traceback, and the site that was built before left exactly as it was.

Each folder in tests/fixtures/invalid/ is one case: its files are laid over a small site that has
already been built (MINIMAL_CONFIG plus a post per language; a case's own site.toml replaces the
configuration), and its expected.txt holds what the build prints before the closing
"Build failed" line (lines starting with '#' describe the case)."""
import os
import re
import shutil
import tomllib
from pathlib import Path

import pytest

from generator.config.loader import parse_config
from generator.errors import BuildError
from generator.content.posts import parse_post
from generator.content.models import SourceFile

from conftest import MINIMAL_CONFIG, post_text, run_cli, write_tree

CASES_DIR = Path(__file__).parent / "fixtures" / "invalid"
CASES = sorted(path.name for path in CASES_DIR.iterdir() if (path / "expected.txt").is_file())
BASE_FILES = {
    "site.toml": MINIMAL_CONFIG,
    "posts/en/hello.md": post_text("Hello", tags="[welcome]"),
    "posts/ko/hello.md": post_text("안녕하세요", tags="[인사]"),
}


def state(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and modification time, and every folder: what 'untouched' means."""
    found: dict[str, tuple[bytes, int]] = {}
    for path in sorted(folder.rglob("*")):
        relative = str(path.relative_to(folder))
        found[relative] = (path.read_bytes() if path.is_file() else b"<dir>", path.lstat().st_mtime_ns)
    return found


def expected_lines(case: str) -> list[str]:
    text = (CASES_DIR / case / "expected.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if not line.startswith("#")]


@pytest.fixture(scope="module")
def built_site(tmp_path_factory) -> Path:
    root = write_tree(tmp_path_factory.mktemp("base") / "site", BASE_FILES)
    result = run_cli("build", str(root))
    assert result.code == 0, result.err
    return root


def test_the_catalogue_covers_every_kind_of_bad_input():
    prefixes = {case.split("-")[0] for case in CASES}
    assert len(CASES) >= 40
    assert {"yaml", "type", "date", "unknown", "slug", "tags", "toml"} <= prefixes


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_reported_and_the_previous_site_kept(case, built_site, tmp_path):
    files = {source.relative_to(CASES_DIR / case): source.read_bytes() for source in sorted((CASES_DIR / case).rglob("*"))
             if source.is_file() and source.name != "expected.txt"}
    assert_reported_and_kept(built_site, tmp_path, files, expected_lines(case))


def test_a_2000_level_list_is_reported_and_the_previous_site_kept(built_site, tmp_path):
    """A case made here rather than kept in fixtures/invalid/: its indentation alone is 4 MB."""
    body = "".join(f"{'  ' * level}- level {level}\n" for level in range(2000))
    files = {Path("posts/en/deep.md"): post_text("Deep", body=body).encode("utf-8")}
    line = post_text(body="").count("\n") + 65  # level 64: 32 levels of indentation, then a list marker
    expected = [f"posts/en/deep.md:{line}: error: nesting deeper than 32 levels",
                "  hint: lists, > quotes and indentation go at most 32 levels deep; "
                "a line of pasted list markers or spaces is the usual cause"]
    assert_reported_and_kept(built_site, tmp_path, files, expected)


def assert_reported_and_kept(built_site: Path, tmp_path: Path, files: dict[Path, bytes], expected: list[str]) -> None:
    """`files` laid over a copy of the built site make the build fail with `expected`, and `check` too."""
    site = tmp_path / "site"
    shutil.copytree(built_site, site, symlinks=True)
    before = state(site / "output")
    for relative, data in files.items():
        target = site / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    result = run_cli("build", str(site))

    assert result.code == 1, result.out
    assert "Traceback" not in result.err
    printed = result.err.rstrip("\n").split("\n")
    assert printed[-1].startswith("Build failed: "), result.err
    assert printed[:-1] == expected
    assert state(site / "output") == before
    assert not list(tmp_path.glob("site/.output.staging-*"))
    checked = run_cli("check", str(site))  # `check` finds the same problems without building
    assert checked.code == 1 and "Traceback" not in checked.out + checked.err


@pytest.mark.parametrize("case", [case for case in CASES if case.startswith("yaml-")])
def test_front_matter_messages_do_not_depend_on_the_yaml_parser(case, yaml_parser):
    """libyaml and pure-Python PyYAML word their errors differently: the messages are ClinicPress's own."""
    config = parse_config(MINIMAL_CONFIG, Path("."))
    printed = []
    for source in sorted((CASES_DIR / case).rglob("*.md")):
        relative = source.relative_to(CASES_DIR / case)
        _, diagnostics = parse_post(SourceFile(str(relative), relative.parts[1], relative.stem, source.read_bytes()),
                                    config)
        printed += [line for diagnostic in diagnostics for line in diagnostic.format().split("\n")]
    assert printed == expected_lines(case)


@pytest.mark.parametrize("case", [case for case in CASES if case.startswith("toml-")
                                  and "invalid TOML" in (CASES_DIR / case / "expected.txt").read_text()])
def test_toml_messages_do_not_depend_on_tomllibs_wording(case, monkeypatch):
    """tomllib's messages belong to one Python version: reworded, the explanations stay the same."""
    loads = tomllib.loads

    def reworded(text: str) -> dict:
        try:
            return loads(text)
        except tomllib.TOMLDecodeError as exc:
            position = re.search(r"\(at line \d+, column \d+\)|\(at end of document\)", str(exc)).group()
            raise tomllib.TOMLDecodeError(f"Something else entirely {position}") from None

    monkeypatch.setattr(tomllib, "loads", reworded)
    with pytest.raises(BuildError) as caught:
        parse_config((CASES_DIR / case / "site.toml").read_text(encoding="utf-8"), Path("."))
    printed = [line for diagnostic in caught.value.diagnostics for line in diagnostic.format().split("\n")]
    assert printed == expected_lines(case)


def test_missing_site_toml_is_one_clear_error(tmp_path):
    site = write_tree(tmp_path / "site", {"posts/en/hello.md": post_text("Hello")})
    result = run_cli("build", str(site))
    assert result.code == 1
    assert result.err.splitlines()[0] == "site.toml: error: site.toml not found"
    assert result.err.splitlines()[-1] == "Build failed: 1 error; nothing was written."  # there was no output
    assert not (site / "output").exists()


# Output folders whose replacement would destroy the marketer's own files -----------------------

@pytest.mark.parametrize("target", ["{site}", "{site}/posts", "{site}/posts/en", "{site}/templates",
                                    "{site}/static", "{site}/..", "{home}", "{home}/Documents", "/"],
                         ids=["site-root", "posts", "language-folder", "templates", "static", "site-parent",
                              "home", "folder-in-home", "root"])
def test_build_refuses_an_output_folder_that_holds_the_users_files(site_factory, tmp_path, monkeypatch, target):
    home = write_tree(tmp_path / "home", {"Documents/notes.txt": "keep me", ".bashrc": "# mine\n"})
    monkeypatch.setenv("HOME", str(home))
    site = site_factory({"posts/en/hello.md": post_text("Hello"), "templates/partials/footer.html": "<footer></footer>\n",
                         "static/images/logo.png": b"\x89PNG"})
    before_site, before_home, before_parent = state(site), state(home), sorted(os.listdir(site.parent))

    result = run_cli("build", str(site), "-o", target.format(site=site, home=home))

    assert result.code == 2
    assert "refusing to build into" in result.err and "Traceback" not in result.err
    assert state(site) == before_site and state(home) == before_home
    assert sorted(os.listdir(site.parent)) == before_parent  # not even a lock file


def test_a_symlink_to_the_posts_folder_cannot_be_the_output(site_factory, tmp_path):
    site = site_factory({"posts/en/hello.md": post_text("Hello")})
    (tmp_path / "sneaky").symlink_to(site / "posts")
    before = state(site)
    result = run_cli("build", str(site), "-o", str(tmp_path / "sneaky"))
    assert result.code == 2 and state(site) == before


# Links that lead out of the site -------------------------------------------------------------

def test_a_post_linking_outside_the_site_is_refused(site_factory, tmp_path):
    secret = write_tree(tmp_path / "elsewhere", {"secret.md": post_text("Private notes")})
    site = site_factory({"posts/en/hello.md": post_text("Hello")})
    (site / "posts/en/notes.md").symlink_to(secret / "secret.md")
    result = run_cli("build", str(site))
    assert result.code == 1
    assert result.err.splitlines()[0] == (f"posts/en/notes.md: error: links to {(secret / 'secret.md').resolve()}, "
                                          "which is outside the site")
    assert not (site / "output").exists()


def test_a_language_folder_linking_outside_the_site_is_refused(site_factory, tmp_path):
    outside = write_tree(tmp_path / "shared-posts", {"secret.md": post_text("Private notes")})
    site = site_factory({"posts/ko/hello.md": post_text("안녕하세요")})
    (site / "posts/en").symlink_to(outside, target_is_directory=True)
    result = run_cli("build", str(site))
    assert result.code == 1
    assert result.err.splitlines()[0] == f"posts/en: error: links to {outside.resolve()}, which is outside the site"


def test_links_that_stay_inside_the_site_are_fine(site_factory):
    site = site_factory({"drafts/hello.md": post_text("Hello from a link")})
    (site / "posts/en").mkdir(parents=True)
    (site / "posts/en/hello.md").symlink_to(site / "drafts/hello.md")
    result = run_cli("build", str(site))
    assert result.code == 0, result.err
    assert (site / "output/en/posts/hello/index.html").is_file()


def test_a_link_to_a_missing_post_is_an_error(site_factory):
    site = site_factory({"posts/en/hello.md": post_text("Hello")})
    (site / "posts/en/gone.md").symlink_to(site / "posts/en/renamed-since.md")
    result = run_cli("build", str(site))
    assert result.code == 1 and "Traceback" not in result.err
    assert result.err.splitlines()[0] == "posts/en/gone.md:1: error: post is a link to a file that does not exist"


def test_a_post_renamed_while_the_build_runs_is_an_error_not_a_traceback(tmp_path):
    config = parse_config(MINIMAL_CONFIG, tmp_path)
    vanished = SourceFile(path="posts/en/gone.md", lang="en", name="gone", file=tmp_path / "posts/en/gone.md")
    post, diagnostics = parse_post(vanished, config)
    assert post is None
    assert diagnostics[0].format().startswith("posts/en/gone.md:1: error: the file could not be read")
