"""Every hint that names a file, an id or a line to write is followed here, to the letter, and the
site then builds: a hint that leads to the next error is a bug."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import MINIMAL_CONFIG, post_text, run_cli

KO_POST = ('---\ntitle: "시술 후 처음 며칠 동안의 관리"\ndate: 2026-07-03\n'
           'description: "시술 후 처음 며칠 동안 냉찜질부터 수면 자세까지 알아 두면 좋은 내용을 정리했습니다."\n---\n본문입니다.\n')


def hints(stderr: str) -> list[str]:
    """The hints printed under the diagnostics, each with its continuation lines."""
    found = []
    for block in re.findall(r"\n  hint: (.*(?:\n {8}.*)*)", "\n" + stderr):
        found.append("\n".join(line.removeprefix(" " * 8) for line in block.split("\n")))
    return found


def set_front_matter(post: Path, key: str, value: str) -> None:
    text = post.read_text("utf-8")
    post.write_text(re.sub(rf"(?m)^{key}:.*$", f"{key}: {value}", text, count=1), "utf-8")


@pytest.mark.parametrize("written, expected", [
    ("Dr. Hong", "add [authors.dr-hong] to site.toml and write reviewed_by: dr-hong in the post"),
    ("홍길동 원장", "add [authors.reviewer] to site.toml and write reviewed_by: reviewer in the post"),
    ("dr-jang", "add [authors.dr-jang] to site.toml"),
], ids=["name-with-a-dot", "hangul-name", "valid-id"])
def test_unknown_reviewer_hint_suggests_a_valid_id_and_following_it_builds(site_factory, written, expected):
    config = MINIMAL_CONFIG.replace("[authors.dr-lee]", "[authors.dr-lee-2]")  # no near id to suggest instead
    site = site_factory({"posts/en/aftercare.md": post_text("Aftercare", reviewed_by=f'"{written}"'),
                         "posts/ko/aftercare.md": KO_POST}, config)
    failed = run_cli("build", str(site))
    assert failed.code == 1
    hint, = hints(failed.err)
    first, *table = hint.split("\n")
    assert first == expected + ":"
    with open(site / "site.toml", "a", encoding="utf-8") as toml:
        toml.write("\n" + "\n".join(table) + "\n")
    written_line = re.search(r"write (reviewed_by): (\S+) in the post", first)
    if written_line:
        set_front_matter(site / "posts/en/aftercare.md", *written_line.groups())
    built = run_cli("build", str(site))
    assert built.code == 0, built.err


def test_reviewer_written_as_the_name_of_a_known_id_is_pointed_at_the_id(site_factory):
    config = MINIMAL_CONFIG + '\n[authors.dr-hong]\nname = "Dr. Hong"\n'
    site = site_factory({"posts/en/aftercare.md": post_text("Aftercare", reviewed_by='"Dr. Hong"'),
                         "posts/ko/aftercare.md": KO_POST}, config)
    hint, = hints(run_cli("build", str(site)).err)
    assert hint in ("write reviewed_by: dr-hong", "did you mean 'dr-hong'?")
    set_front_matter(site / "posts/en/aftercare.md", "reviewed_by", "dr-hong")
    assert run_cli("build", str(site)).code == 0


def move_as_told(site: Path, stderr: str) -> None:
    """Follows every 'move it to X' and 'rename it to X' hint, for the files the diagnostics name."""
    for path, hint in re.findall(r"^(\S+?):\d+: error: .*\n  hint: (?:move|rename) it to (\S+)$", stderr, re.M):
        source = site / path
        target = site / hint if "/" in hint else source.with_name(hint)
        assert not target.exists(), f"the hint moves {path} onto {hint}, which exists"
        target.parent.mkdir(parents=True, exist_ok=True)
        source.rename(target)


@pytest.mark.parametrize("files", [
    {"posts/en/sub/aftercare.md": post_text("A post in a sub-folder")},
    {"posts/en/sub/aftercare.md": post_text("A post in a sub-folder"),
     "posts/en/old/aftercare.md": post_text("Another post in a sub-folder")},
    {"posts/en/sub/aftercare.markdown": post_text("A post in a sub-folder")},
    {"posts/en/aftercare.markdown": post_text("A post with another ending"),
     "posts/en/aftercare-2.md": post_text("A post that has the next name")},
    {"posts/aftercare.md": post_text("A post outside the language folders")},
], ids=["sub-folder", "two-sub-folders", "sub-folder-markdown", "other-ending", "outside-language-folders"])
def test_move_hint_never_names_a_file_that_exists_and_following_it_builds(site_factory, files):
    taken = {"posts/en/aftercare.md": post_text("The post that has the name"),
             "posts/ko/aftercare.md": KO_POST}
    site = site_factory({**taken, **files})
    failed = run_cli("build", str(site))
    assert failed.code == 1
    move_as_told(site, failed.err)
    built = run_cli("build", str(site))
    assert built.code == 0, built.err
    for path, text in taken.items():
        assert (site / path).read_text("utf-8") == text


def test_colliding_tags_name_both_files_and_one_spelling_builds(site_factory):
    site = site_factory({"posts/en/cpp.md": post_text("Tags one", date="2026-07-04", tags="[C++]"),
                         "posts/en/c.md": post_text("Tags two", tags="[C]"), "posts/ko/c.md": KO_POST})
    failed = run_cli("build", str(site))
    assert ("posts/en/c.md:5: error: tag 'C' of this post and tag 'C++' of posts/en/cpp.md both become the "
            "address tags/c/") in failed.err
    hint, = hints(failed.err)
    assert hint == "use one spelling in both posts, or another word for one of them"
    set_front_matter(site / "posts/en/c.md", "tags", "[C++]")
    assert run_cli("build", str(site)).code == 0


def test_missing_translation_hint_names_a_free_file_and_following_it_links_the_two(site_factory):
    english = post_text("Sleep after a treatment", translation_key="sleep")  # has the name, translates another post
    site = site_factory({"posts/ko/aftercare.md": KO_POST, "posts/en/aftercare.md": english,
                         "posts/ko/sleep.md": KO_POST.replace("관리", "수면")})
    checked = run_cli("check", str(site))
    hint, = re.findall(r"^posts/ko/aftercare.md:2:1: info: \[translation-missing\] .*\n  hint: (.*)$", checked.out, re.M)
    path, key = re.fullmatch(r"add (\S+) with translation_key: (\S+)", hint).groups()
    assert path == "posts/en/aftercare-2.md"
    (site / path).write_text(post_text("Aftercare for the first days", translation_key=key), "utf-8")
    checked = run_cli("check", str(site))
    assert "translation-missing" not in checked.out
    assert run_cli("build", str(site)).code == 0


def test_missing_reviewer_hint_lists_the_physicians_of_the_site(site_factory):
    config = MINIMAL_CONFIG + '\n[authors.manager]\nname = "Park"\n'  # a Person, not a physician
    english = post_text("Lip filler aftercare", tags="[lip filler]", author="manager",
                        body="## Possible side effects\n\nSwelling is common.\n")
    site = site_factory({"posts/en/aftercare.md": english, "posts/ko/aftercare.md": KO_POST}, config)
    checked = run_cli("check", str(site))
    hint, = re.findall(r"\[procedure-reviewer\] .*\n  hint: (.*)$", checked.out, re.M)
    assert hint == "add reviewed_by: with the id of the physician who checked it (physicians in site.toml: dr-kim, dr-lee)"
    set_front_matter(site / "posts/en/aftercare.md", "author", "manager\nreviewed_by: dr-lee")
    assert "procedure-reviewer" not in run_cli("check", str(site)).out


@pytest.mark.parametrize("folder, expected", [
    ("EN", "rename the folder to posts/en"),
    ("english", "languages are: ko, en; rename the folder to one of them"),
], ids=["letter-case", "not-a-language-code"])
def test_unknown_language_folder_hint_never_suggests_a_table_site_toml_refuses(site_factory, folder, expected):
    site = site_factory({f"posts/{folder}/aftercare.md": post_text("Aftercare for the first days"),
                         "posts/ko/aftercare.md": KO_POST})
    hint, = hints(run_cli("build", str(site)).err)
    assert hint == expected
    (site / "posts" / folder).rename(site / "posts/en.tmp")  # two steps: macOS and Windows ignore letter case
    (site / "posts/en.tmp").rename(site / "posts/en")
    assert run_cli("build", str(site)).code == 0
