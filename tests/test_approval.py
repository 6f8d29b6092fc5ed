"""`clinicpress approve` through main(argv), on real site folders and a real git repository."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import MINIMAL_CONFIG, commit_all, git, run_cli, write_tree
from test_seo import json_ld

CONFIG = MINIMAL_CONFIG.replace('type = "Physician"\n\n[authors.dr-lee]',
                                'type = "Physician"\ngithub = "kim-md"\n\n[authors.dr-lee]') + """\
github = "Lee-MD"

[authors.nurse-park]
name = { ko = "박OO 간호사", en = "Nurse Park" }
github = "park-rn"
"""

# Written as people write them: comments, a block list, quotes, a key order of their own, a --- rule in the body.
EN_POST = """\
---
# Checked with the clinic's dosing table in July.
title: "Lip filler aftercare"   # keep it short
date: 2026-07-03
description: 'What to do in the first days after lip filler, and which signs mean you should call the clinic.'
author: dr-kim  # wrote the first draft
tags:
- lip filler
- aftercare
---
Swelling peaks on the second day.

---

Call us if it gets worse.
"""
KO_POST = """\
---
title: "입술 필러 후 관리"
date: 2026-07-03
description: "입술 필러 시술 후 처음 며칠 동안 해야 할 일과 병원에 연락해야 하는 증상을 설명합니다."
author: dr-kim
tags: [입술 필러]
---
붓기는 이튿날 가장 심합니다.
"""
# A translation found by its translation key, not by its file name.
KO_RENAMED = KO_POST.replace("author: dr-kim\n", "author: dr-kim\ntranslation_key: lip-filler-aftercare\n")
OTHER_POST = KO_POST.replace("입술 필러 후 관리", "보톡스 후 관리")

FILES = {
    "posts/en/lip-filler-aftercare.md": EN_POST,
    "posts/ko/입술-필러-관리.md": KO_RENAMED,
    "posts/ko/botox.md": OTHER_POST,
}


@pytest.fixture
def site(site_factory) -> Path:
    return site_factory(FILES, CONFIG)


def read(site: Path) -> dict[str, bytes]:
    return {relative: (site / relative).read_bytes() for relative in sorted(FILES)}


def with_review(text: str, after: str, reviewer: str = "dr-lee", day: str = "2026-07-20") -> str:
    """text with the review's two lines after the line `after`."""
    assert text.count(after + "\n") == 1
    return text.replace(after + "\n", f"{after}\nreviewed_by: {reviewer}\nlast_reviewed: {day}\n")


def test_approve_marks_the_post_and_its_translation_and_keeps_every_other_byte(site):
    result = run_cli("approve", "posts/en/lip-filler-aftercare.md", "--by", "dr-lee", "--date", "2026-07-20",
                     "--site", str(site))
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "Approved posts/en/lip-filler-aftercare.md: reviewed_by: dr-lee, last_reviewed: 2026-07-20",
        "Approved posts/ko/입술-필러-관리.md: reviewed_by: dr-lee, last_reviewed: 2026-07-20"]
    assert read(site) == {
        "posts/en/lip-filler-aftercare.md": with_review(EN_POST, "author: dr-kim  # wrote the first draft").encode(),
        "posts/ko/입술-필러-관리.md": with_review(KO_RENAMED, "author: dr-kim").encode(),
        "posts/ko/botox.md": OTHER_POST.encode(),
    }


def test_approving_the_korean_post_approves_the_english_one_too(site):
    assert run_cli("approve", str(site / "posts/ko/입술-필러-관리.md"), "--by", "dr-lee", "--date", "2026-07-20",
                   "--site", str(site)).code == 0
    assert (site / "posts/en/lip-filler-aftercare.md").read_text() == with_review(
        EN_POST, "author: dr-kim  # wrote the first draft")


def test_approve_replaces_an_earlier_review_in_place(site_factory):
    earlier = EN_POST.replace("date: 2026-07-03\n", "date: 2026-07-03\nlast_reviewed: 2026-07-04  # first review\n"
                              ).replace("author: dr-kim  # wrote the first draft\n",
                                        "author: dr-kim  # wrote the first draft\nreviewed_by: 'nurse-park'\n")
    site = site_factory({"posts/en/lip-filler-aftercare.md": earlier}, CONFIG)
    assert run_cli("approve", "posts/en/lip-filler-aftercare.md", "--by", "dr-lee", "--date", "2026-07-20",
                   "--site", str(site)).code == 0
    assert (site / "posts/en/lip-filler-aftercare.md").read_text() == earlier.replace(
        "2026-07-04  # first review", "2026-07-20  # first review").replace("'nurse-park'", "'dr-lee'")


def test_approve_keeps_crlf_line_endings_and_a_byte_order_mark(site_factory):
    raw = b"\xef\xbb\xbf" + KO_POST.replace("\n", "\r\n").encode()
    site = site_factory({"posts/ko/crlf.md": raw}, CONFIG)
    assert run_cli("approve", "posts/ko/crlf.md", "--by", "dr-lee", "--date", "2026-07-20", "--site", str(site)).code == 0
    assert (site / "posts/ko/crlf.md").read_bytes() == b"\xef\xbb\xbf" + with_review(
        KO_POST, "author: dr-kim").replace("\n", "\r\n").encode()


def test_a_post_that_is_a_link_stays_one_and_its_file_keeps_its_permissions(site_factory):
    site = site_factory({"drafts/aftercare.md": EN_POST}, CONFIG)
    (site / "posts/en").mkdir(parents=True)
    (site / "posts/en/aftercare.md").symlink_to("../../drafts/aftercare.md")
    (site / "drafts/aftercare.md").chmod(0o640)
    assert run_cli("approve", "posts/en/aftercare.md", "--by", "dr-lee", "--date", "2026-07-20", "--site", str(site)).code == 0
    assert (site / "posts/en/aftercare.md").is_symlink()
    assert (site / "drafts/aftercare.md").read_text() == with_review(EN_POST, "author: dr-kim  # wrote the first draft")
    assert (site / "drafts/aftercare.md").stat().st_mode & 0o777 == 0o640
    assert sorted(path.name for path in (site / "drafts").iterdir()) == ["aftercare.md"], "no temporary file left"


def test_approving_again_changes_nothing_and_says_so(site):
    argv = ("approve", "posts/en/lip-filler-aftercare.md", "--by", "dr-lee", "--date", "2026-07-20", "--site", str(site))
    assert run_cli(*argv).code == 0
    approved = read(site)
    again = run_cli(*argv)
    assert again.code == 0 and read(site) == approved
    assert again.out.splitlines()[0] == ("posts/en/lip-filler-aftercare.md already says reviewed_by: dr-lee, "
                                         "last_reviewed: 2026-07-20")


def test_the_github_login_names_the_physician_whatever_its_case(site):
    result = run_cli("approve", "posts/en/lip-filler-aftercare.md", "--github-login", "lee-md", "--date", "2026-07-20",
                     "--site", str(site))
    assert result.code == 0, result.err
    assert "reviewed_by: dr-lee\n" in (site / "posts/en/lip-filler-aftercare.md").read_text()


def test_the_review_is_dated_today_in_the_site_time_zone_or_by_source_date_epoch(site, monkeypatch):
    # 20:00 in London is already the next morning in Seoul, the site's zone.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 7, 19, 20, 0, tzinfo=timezone.utc).timestamp())))
    assert run_cli("approve", "posts/en/lip-filler-aftercare.md", "--by", "dr-lee", "--site", str(site)).code == 0
    assert "last_reviewed: 2026-07-20\n" in (site / "posts/en/lip-filler-aftercare.md").read_text()


def test_post_paths_may_be_relative_to_the_site_even_where_the_current_folder_has_posts_of_its_own(site, tmp_path,
                                                                                                 monkeypatch):
    elsewhere = write_tree(tmp_path / "elsewhere", {"posts/en/lip-filler-aftercare.md": EN_POST})
    monkeypatch.chdir(elsewhere)
    assert run_cli("approve", "posts/en/lip-filler-aftercare.md", "--by", "dr-lee", "--site", str(site)).code == 0
    assert "reviewed_by" in (site / "posts/en/lip-filler-aftercare.md").read_text()
    assert (elsewhere / "posts/en/lip-filler-aftercare.md").read_text() == EN_POST


@pytest.mark.parametrize("argv, expected", [
    (["posts/en/lip-filler-aftercare.md", "--by", "dr-kim"],
     ["posts/en/lip-filler-aftercare.md:6: error: 'dr-kim' wrote this post and cannot approve it: a self-review is "
      "not a review", "  hint: ask another physician to approve it: dr-lee",
      "posts/ko/입술-필러-관리.md:5: error: 'dr-kim' wrote this post and cannot approve it: a self-review is not a "
      "review", "  hint: ask another physician to approve it: dr-lee"]),
    (["posts/en/lip-filler-aftercare.md", "--github-login", "KIM-MD"],
     ["posts/en/lip-filler-aftercare.md:6: error: 'dr-kim' wrote this post and cannot approve it: a self-review is "
      "not a review", "  hint: ask another physician to approve it: dr-lee",
      "posts/ko/입술-필러-관리.md:5: error: 'dr-kim' wrote this post and cannot approve it: a self-review is not a "
      "review", "  hint: ask another physician to approve it: dr-lee"]),
    (["posts/en/lip-filler-aftercare.md", "--by", "nurse-park"],
     ["site.toml:37: error: 'nurse-park' is not a physician (type = \"Person\"): only a physician's approval makes "
      "a post medically reviewed", "  hint: physicians in site.toml: dr-kim, dr-lee; if nurse-park is one, write "
      "type = \"Physician\" under [authors.nurse-park]"]),
    (["posts/en/lip-filler-aftercare.md", "--github-login", "park-rn"],
     ["site.toml:37: error: 'nurse-park' is not a physician (type = \"Person\"): only a physician's approval makes "
      "a post medically reviewed", "  hint: physicians in site.toml: dr-kim, dr-lee; if nurse-park is one, write "
      "type = \"Physician\" under [authors.nurse-park]"]),
    (["posts/en/lip-filler-aftercare.md", "--by", "dr-leee"],
     ["site.toml:25: error: no author 'dr-leee' in site.toml", "  hint: did you mean 'dr-lee'?"]),
    (["posts/en/lip-filler-aftercare.md", "--github-login", "octocat"],
     ["site.toml:25: error: no author in site.toml has github = \"octocat\"",
      "  hint: add github = \"octocat\" to [authors.dr-kim] or [authors.dr-lee], whichever physician uses that "
      "GitHub account"]),
    (["site.toml", "posts/en/missing.md", "--by", "dr-lee"],
     ["posts/en/missing.md: error: no such post", "  hint: give the path of a post, e.g. posts/en/lip-filler-aftercare.md",
      "site.toml:1: error: not a post of this site: approve marks posts in posts/<language>/<name>.md",
      "  hint: give the path of a post, e.g. posts/en/lip-filler-aftercare.md"]),
], ids=["self-review", "self-review-by-github-login", "not-a-physician", "not-a-physician-by-github-login",
        "unknown-author", "unknown-github-login", "not-posts"])
def test_approve_refuses_with_located_errors_and_touches_nothing(site, monkeypatch, argv, expected):
    monkeypatch.chdir(site)
    before = read(site)
    result = run_cli("approve", *argv)
    assert result.code == 1
    assert result.err.splitlines() == expected + [f"{len(expected) // 2} error{'s' if len(expected) > 2 else ''} "
                                                  "found; nothing was written."]
    assert "Traceback" not in result.err and read(site) == before


def test_a_post_that_does_not_build_is_not_approved(site_factory):
    broken = KO_POST.replace("date: 2026-07-03", "date: 2026-13-03")
    site = site_factory({"posts/en/lip-filler-aftercare.md": EN_POST, "posts/ko/lip-filler-aftercare.md": broken},
                        CONFIG)
    result = run_cli("approve", "posts/en/lip-filler-aftercare.md", "--by", "dr-lee", "--site", str(site))
    assert result.code == 1 and result.err.startswith("posts/ko/lip-filler-aftercare.md:3:")
    assert (site / "posts/en/lip-filler-aftercare.md").read_text() == EN_POST


@pytest.mark.parametrize("argv, message", [
    (["posts/en/lip-filler-aftercare.md", "--by", "dr-lee", "--date", "2099-01-01"], "--date 2099-01-01 is after today"),
    (["posts/en/lip-filler-aftercare.md", "--by", "dr-lee", "--date", "20.7.2026"], "--date must be the day"),
    (["posts/en/lip-filler-aftercare.md", "--by", "dr-lee", "--date", "2026-02-30"], "not a day of the calendar"),
    (["--by", "dr-lee"], "name the posts to approve"),
    (["posts/en/lip-filler-aftercare.md"], "one of the arguments --by --github-login is required"),
    (["posts/en/lip-filler-aftercare.md", "--by", "dr-lee", "--github-login", "lee-md"], "not allowed with"),
], ids=["future-date", "date-format", "impossible-date", "no-posts", "no-reviewer", "two-reviewers"])
def test_approve_usage_errors_exit_2(site, argv, message):
    before = read(site)
    result = run_cli("approve", *argv, "--site", str(site))
    assert result.code == 2 and message in result.err
    assert read(site) == before


def test_a_build_after_approval_shows_the_review_in_json_ld(site):
    assert run_cli("approve", "posts/en/lip-filler-aftercare.md", "--by", "dr-lee", "--date", "2026-07-20",
                   "--site", str(site)).code == 0
    built = run_cli("build", str(site))
    assert built.code == 0, built.err
    for page, name in (("en/posts/lip-filler-aftercare/index.html", "Dr. Lee"),
                       ("ko/posts/입술-필러-관리/index.html", "이OO 원장")):
        items = {item["@type"]: item for item in json_ld(site / "output", page)}
        reviewed = items["MedicalWebPage"]
        assert reviewed["lastReviewed"] == "2026-07-20"
        assert reviewed["reviewedBy"]["@type"] == "Physician" and reviewed["reviewedBy"]["name"] == name
    other = {item["@type"] for item in json_ld(site / "output", "ko/posts/botox/index.html")}
    assert "MedicalWebPage" not in other


# --changed-since: a real repository ----------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs the system git")


@pytest.fixture
def repository(site_factory) -> Path:
    """A site on main with two posts (one of them translated), and a branch cms/posts/new as the editor
    makes: it adds a post in both languages and changes one; main moves on meanwhile."""
    site = site_factory({"posts/en/lip-filler-aftercare.md": EN_POST, "posts/ko/lip-filler-aftercare.md": KO_POST,
                         "posts/ko/botox.md": OTHER_POST}, CONFIG)
    git(site, "init", "--quiet", "--initial-branch=main")
    commit_all(site, "The site")
    git(site, "checkout", "--quiet", "-b", "cms/posts/new")
    write_tree(site, {"posts/en/new-post.md": EN_POST.replace("Lip filler aftercare", "New post"),
                      "posts/ko/new-post.md": KO_POST.replace("입술 필러 후 관리", "새 글"),
                      "posts/ko/botox.md": OTHER_POST.replace("붓기는", "붓기가"),
                      "static/images/photo.txt": "not a post"})
    commit_all(site, "Create posts “new-post”")
    git(site, "checkout", "--quiet", "main")
    write_tree(site, {"posts/en/lip-filler-aftercare.md": EN_POST + "\nA later change on main.\n"})
    commit_all(site, "A change on main")
    git(site, "checkout", "--quiet", "cms/posts/new")
    return site


@needs_git
def test_changed_since_approves_the_posts_the_branch_changed_and_their_translations(repository):
    before = {path: path.read_bytes() for path in (repository / "posts").rglob("*.md")}
    result = run_cli("approve", "--github-login", "lee-md", "--changed-since", "main", "--date", "2026-07-20",
                     "--site", str(repository))
    assert result.code == 0, result.err
    assert result.out.splitlines() == [f"Approved {path}: reviewed_by: dr-lee, last_reviewed: 2026-07-20" for path in
                                       ("posts/en/new-post.md", "posts/ko/botox.md", "posts/ko/new-post.md")]
    changed = sorted(line for line in git(repository, "status", "--porcelain", "-z").split("\0") if line)
    assert changed == [" M posts/en/new-post.md", " M posts/ko/botox.md", " M posts/ko/new-post.md"]
    assert (repository / "posts/ko/botox.md").read_text() == with_review(
        OTHER_POST.replace("붓기는", "붓기가"), "author: dr-kim")
    assert (repository / "posts/en/lip-filler-aftercare.md").read_bytes() == \
        before[repository / "posts/en/lip-filler-aftercare.md"], "main's change is not the branch's"


@needs_git
def test_changed_since_with_no_post_changed_approves_nothing(repository):
    git(repository, "checkout", "--quiet", "main")
    result = run_cli("approve", "--by", "dr-lee", "--changed-since", "HEAD", "--site", str(repository))
    assert (result.code, result.out) == (0, "No post changed since HEAD: nothing to approve.\n")
    assert git(repository, "status", "--porcelain") == ""


@needs_git
def test_changed_since_refuses_the_self_review_of_any_changed_post(repository):
    result = run_cli("approve", "--by", "dr-kim", "--changed-since", "main", "--site", str(repository))
    assert result.code == 1 and "posts/ko/botox.md:5: error: 'dr-kim' wrote this post" in result.err
    assert git(repository, "status", "--porcelain") == ""


@needs_git
@pytest.mark.parametrize("ref", ["origin/main", "--output=x"], ids=["unknown-ref", "option-as-ref"])
def test_changed_since_reports_a_ref_git_cannot_compare(repository, ref):
    result = run_cli("approve", "--by", "dr-lee", f"--changed-since={ref}", "--site", str(repository))
    assert result.code == 2 and "--changed-since" in result.err and "Traceback" not in result.err
    assert git(repository, "status", "--porcelain") == ""
