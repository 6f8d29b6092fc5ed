"""`clinicpress deploy` end to end with the real git and rsync: the sample site is published to a local bare
repository (cloned back and served over HTTP on 127.0.0.1) or copied into a local folder; IndexNow pings go
to an HTTP server on 127.0.0.1 that records them."""
from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import threading
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest

from lxml import etree, html as lxml_html

from conftest import copy_sample_site, post_text, run_cli, write_tree
from generator.loading import BuildOptions, load_site
from generator.site.urls import slugify

pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("rsync") is None,
                                reason="needs the system git and rsync; `make test` installs them")

EDITED = "posts/en/lip-filler-aftercare.md"
EDITED_PAGE = "en/posts/lip-filler-aftercare/index.html"
GUARANTEE = "We guarantee 100% natural results for every patient.\n"


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def branch_tip(bare: Path, branch: str = "gh-pages") -> str:
    """The branch's commit, or '' while it does not exist."""
    found = subprocess.run(["git", "--git-dir", str(bare), "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"],
                           capture_output=True, text=True)
    return found.stdout.strip()


def changed_files(bare: Path) -> set[str]:
    return set(git("-c", "core.quotePath=false", "--git-dir", str(bare), "diff", "--name-only", "gh-pages~1",
                   "gh-pages").splitlines())


@contextmanager
def serving(folder: Path):
    """The folder over HTTP on 127.0.0.1, as a static host would serve it."""
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def indexnow_endpoint(status: int = 200):
    """An IndexNow stand-in on 127.0.0.1 that records every request."""
    received: list[dict] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"path": self.path, "type": self.headers["Content-Type"], "body": json.loads(body)})
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/indexnow", received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(tmp_path) -> Path:
    return copy_sample_site(tmp_path / "site")


@pytest.fixture
def bare(tmp_path) -> Path:
    repository = tmp_path / "pages.git"
    git("init", "--quiet", "--bare", str(repository))
    return repository


def with_deploy(site: Path, settings: str) -> None:
    config = site / "site.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[deploy]\n" + settings, encoding="utf-8")


def remove_post(site: Path, name: str) -> None:
    """Delete a post in every language, and point the links to it at the language's home instead."""
    for lang in ("en", "ko"):
        (site / f"posts/{lang}/{name}.md").unlink(missing_ok=True)
    for post in (site / "posts").rglob("*.md"):
        text = post.read_text(encoding="utf-8")
        post.write_text(re.sub(rf"\]\(/(\w+)/posts/{name}/\)", r"](/\1/)", text), encoding="utf-8")


def deploy(site: Path, *args: str):
    return run_cli("deploy", str(site), "-j", "1", *args)


# git -------------------------------------------------------------------------------------------------

def test_deploy_commits_the_site_to_a_branch_that_serves_it(site, bare, tmp_path):
    with_deploy(site, f'repository = "{bare}"\nbranch = "gh-pages"\ncname = "blog.balancelab-clinic.example"\n')
    result = deploy(site)
    assert result.code == 0, result.err
    assert f"Published to branch gh-pages of {bare}" in result.out
    clone = tmp_path / "clone"
    git("clone", "--quiet", "--branch", "gh-pages", str(bare), str(clone))
    assert (clone / ".nojekyll").read_bytes() == b""
    assert (clone / "CNAME").read_text() == "blog.balancelab-clinic.example\n"
    assert not (clone / ".clinicpress-build").exists(), "the build marker is not part of the site"
    published = {p.relative_to(clone).as_posix() for p in clone.rglob("*") if p.is_file() and ".git" not in p.parts}
    built = {p.relative_to(site / "output").as_posix() for p in (site / "output").rglob("*") if p.is_file()}
    assert published == built - {".clinicpress-build"} | {".nojekyll", "CNAME", ".clinicpress-deployed"}
    with serving(clone) as origin:
        with urllib.request.urlopen(origin + "/en/posts/lip-filler-aftercare/") as response:
            page = lxml_html.fromstring(response.read())
        assert page.findtext(".//h1") == "Lip Filler Part 3: Aftercare, Day by Day"
        with urllib.request.urlopen(origin + "/sitemap.xml") as response:
            sitemap = etree.fromstring(response.read())
    locs = [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://blog.balancelab-clinic.example/en/posts/lip-filler-aftercare/" in locs
    published_posts = len(load_site(BuildOptions(site_dir=site))[1].all_posts())
    assert git("--git-dir", str(bare), "log", "--format=%s", "gh-pages") == f"Publish {published_posts} posts"


def test_second_deploy_after_one_edit_changes_only_that_post_and_the_feeds_that_carry_it(site, bare):
    with_deploy(site, f'repository = "{bare}"\n')
    assert deploy(site).code == 0
    first = branch_tip(bare)
    edited = site / EDITED
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more aftercare tip.\n", encoding="utf-8")
    result = deploy(site)
    assert result.code == 0, result.err
    assert git("--git-dir", str(bare), "rev-parse", "gh-pages~1") == first, "one new commit on top of the branch"
    tags = re.search(r"^tags: \[(.*)\]$", edited.read_text(encoding="utf-8"), re.MULTILINE).group(1).split(", ")
    changed = changed_files(bare)
    # The search index holds the post's text: its record has a new name, so the list of published files
    # (.clinicpress-deployed) changes with it.
    search = {path for path in changed if path.startswith("pagefind/")}
    assert search and all(re.fullmatch(r"pagefind/((index|fragment)/en_\w+\.pf_\w+|pagefind\.en_\w+\.pf_meta|"
                                       r"pagefind-entry\.json)", path) for path in search), search
    assert changed - search - {".clinicpress-deployed"} == {EDITED_PAGE, "en/feed.xml", "en/atom.xml",
                                *(f"en/tags/{slugify(tag)}/feed.xml" for tag in tags)}
    message = git("--git-dir", str(bare), "log", "-1", "--format=%B", "gh-pages")
    assert message.startswith('Publish "Lip Filler Part 3: Aftercare, Day by Day"')
    assert f"changed: {EDITED}" in message

    again = deploy(site, "-m", "nothing new")
    assert again.code == 0 and "Nothing to publish" in again.out
    assert git("--git-dir", str(bare), "log", "-1", "--format=%s", "gh-pages") != "nothing new"


def test_dry_run_lists_the_changes_and_publishes_nothing(site, bare):
    with_deploy(site, f'repository = "{bare}"\n')
    assert deploy(site).code == 0
    tip = branch_tip(bare)
    edited = site / EDITED
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAnother tip.\n", encoding="utf-8")
    remove_post(site, "lip-flip-vs-lip-filler")
    write_tree(site, {"posts/en/new-post.md": post_text("A new post about aftercare questions")})
    result = deploy(site, "--dry-run")
    assert result.code == 0, result.err
    lines = set(result.out.splitlines())
    assert {"  + en/posts/new-post/index.html", f"  ~ {EDITED_PAGE}",
            "  - en/posts/lip-flip-vs-lip-filler/index.html"} <= lines
    assert branch_tip(bare) == tip


def test_error_finding_refuses_the_deploy_and_leaves_the_branch_as_it_was(site, bare):
    with_deploy(site, f'repository = "{bare}"\n')
    assert deploy(site).code == 0
    tip = branch_tip(bare)
    write_tree(site, {"posts/en/promise.md": post_text("Our promise to every patient here", body=GUARANTEE)})
    result = deploy(site)
    assert result.code == 1
    assert re.search(r"^posts/en/promise\.md:6:14: error: \[ad-guarantee\] '100%'", result.err, re.MULTILINE), result.err
    assert "Deploy refused" in result.err and "--force" in result.err
    assert "Traceback" not in result.err
    assert branch_tip(bare) == tip


def test_a_missing_cover_refuses_the_deploy_naming_the_post_and_its_image_line(site, bare):
    """A cover that is not in static/ would publish a broken picture and a link preview pointing at nothing."""
    with_deploy(site, f'repository = "{bare}"\n')
    write_tree(site, {"posts/en/cover.md": post_text("Our new waiting room, in pictures", image="/images/room.jpg",
                                                     image_alt="The waiting room")})
    result = deploy(site)
    assert result.code == 1
    assert re.search(r"^posts/en/cover\.md:5:1: error: \[missing-image\] image '/images/room\.jpg' does not exist",
                     result.err, re.MULTILINE), result.err
    assert "Deploy refused" in result.err
    assert branch_tip(bare) == ""


def test_force_publishes_despite_errors(site, bare):
    """A scheduled post with an error stops every deploy until it is fixed; --force publishes the rest."""
    with_deploy(site, f'repository = "{bare}"\n')
    write_tree(site, {"posts/en/promise.md": post_text("Our promise to every patient here", date="2099-01-01",
                                                       body=GUARANTEE)})
    assert deploy(site).code == 1
    assert branch_tip(bare) == ""
    result = deploy(site, "--force")
    assert result.code == 0, result.err
    assert "Publishing despite 2 errors (--force)" in result.err
    assert "en/posts/lip-filler-aftercare/index.html" in git("--git-dir", str(bare), "ls-tree", "-r", "--name-only",
                                                             "gh-pages").splitlines()


def test_a_site_without_posts_is_published_only_with_force(site, bare):
    with_deploy(site, f'repository = "{bare}"\n')
    shutil.rmtree(site / "posts")
    result = deploy(site)
    assert result.code == 1
    assert "warning: no post is published" in result.err
    assert "error: the site has no published post" in result.err and "--force" in result.err
    assert "Nothing was published." in result.err
    assert branch_tip(bare) == ""
    forced = deploy(site, "--force")
    assert forced.code == 0, forced.err
    assert branch_tip(bare) != ""


def test_rejected_push_is_an_error_with_gits_own_message(site, bare):
    with_deploy(site, f'repository = "{bare}"\nindexnow = true\nindexnow_endpoint = "http://127.0.0.1:9/indexnow"\n')
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are frozen during the audit' >&2\nexit 1\n")
    hook.chmod(0o755)
    result = deploy(site)
    assert result.code == 1
    assert "pushes are frozen during the audit" in result.err
    assert "Nothing was published." in result.err
    assert "Sent" not in result.out and "IndexNow was not told" not in result.err
    assert branch_tip(bare) == ""


def test_vanishing_address_is_warned_with_the_alias_that_keeps_it(site, bare, tmp_path):
    with_deploy(site, f'repository = "{bare}"\n')
    assert deploy(site).code == 0
    old, new = site / "posts/en/lip-flip-vs-lip-filler.md", site / "posts/en/lip-flip-or-lip-filler.md"
    old.rename(new)
    for post in (site / "posts/en").glob("*.md"):  # the sample's own links follow the rename
        post.write_text(post.read_text(encoding="utf-8").replace("/en/posts/lip-flip-vs-lip-filler/",
                                                                 "/en/posts/lip-flip-or-lip-filler/"), encoding="utf-8")
    warned = deploy(site, "--dry-run")
    assert warned.code == 0, warned.err
    assert ("posts/en/lip-flip-or-lip-filler.md: warning: /en/posts/lip-flip-vs-lip-filler/ was published and "
            "would disappear") in warned.err
    assert "hint: add `aliases: [/en/posts/lip-flip-vs-lip-filler/]` to posts/en/lip-flip-or-lip-filler.md" in warned.err

    text = new.read_text(encoding="utf-8").replace("aliases: [", "aliases: [/en/posts/lip-flip-vs-lip-filler/, ", 1)
    new.write_text(text, encoding="utf-8")
    result = deploy(site)
    assert result.code == 0, result.err
    assert "would disappear" not in result.err
    clone = tmp_path / "clone"
    git("clone", "--quiet", "--branch", "gh-pages", str(bare), str(clone))
    assert "/en/posts/lip-flip-vs-lip-filler/ /en/posts/lip-flip-or-lip-filler/ 301" in (clone / "_redirects").read_text()
    with serving(clone) as origin:
        with urllib.request.urlopen(origin + "/en/posts/lip-flip-vs-lip-filler/") as response:
            moved = lxml_html.fromstring(response.read())
    target = "https://blog.balancelab-clinic.example/en/posts/lip-flip-or-lip-filler/"
    assert moved.xpath("string(//meta[@http-equiv='refresh']/@content)") == f"0; url={target}"
    assert moved.xpath("string(//link[@rel='canonical']/@href)") == target


def test_deploy_publishes_to_the_site_repositorys_origin_by_default(site, bare):
    git("init", "--quiet", cwd=site)
    git("remote", "add", "origin", str(bare), cwd=site)
    result = deploy(site, "--branch", "pages")
    assert result.code == 0, result.err
    assert branch_tip(bare, "pages")


def test_without_repository_or_origin_the_deploy_says_what_to_set(site):
    result = deploy(site)
    assert result.code == 1
    assert "set repository = " in result.err and "--repository" in result.err


# rsync -----------------------------------------------------------------------------------------------

def test_rsync_copies_the_site_into_a_folder_and_removes_what_left_it(site, tmp_path):
    www = tmp_path / "www"
    with_deploy(site, 'target = "rsync"\ndestination = "../www/"\n')
    result = deploy(site)
    assert result.code == 0, result.err
    built = {p.relative_to(site / "output").as_posix(): p.read_bytes()
             for p in (site / "output").rglob("*") if p.is_file()}
    copied = {p.relative_to(www).as_posix(): p.read_bytes() for p in www.rglob("*") if p.is_file()}
    assert copied.keys() - built.keys() == {".clinicpress-deployed"}
    assert {path: copied[path] for path in built if path in copied} == {
        path: data for path, data in built.items() if path != ".clinicpress-build"}

    remove_post(site, "lip-flip-vs-lip-filler")
    dry = deploy(site, "--dry-run")
    assert "  - en/posts/lip-flip-vs-lip-filler/index.html" in dry.out.splitlines(), dry.out + dry.err
    assert (www / "en/posts/lip-flip-vs-lip-filler/index.html").exists()
    assert "/en/posts/lip-flip-vs-lip-filler/ was published and would disappear" in dry.err
    assert deploy(site).code == 0
    assert not (www / "en/posts/lip-flip-vs-lip-filler").exists()
    assert deploy(site).out.splitlines()[-1] == f"Nothing to publish: {www}/ already has this site."


def test_rsync_refuses_a_folder_of_other_files(site, tmp_path):
    keep = write_tree(tmp_path / "documents", {"tax-2025.pdf": b"%PDF"})
    result = deploy(site, "--target", "rsync", "--destination", str(keep))
    assert result.code == 1
    assert "refusing to publish into" in result.err
    assert (keep / "tax-2025.pdf").exists()


# IndexNow --------------------------------------------------------------------------------------------

def test_indexnow_gets_the_changed_addresses_only(site, bare, tmp_path):
    with indexnow_endpoint() as (endpoint, received):
        with_deploy(site, f'repository = "{bare}"\nindexnow = true\nindexnow_endpoint = "{endpoint}"\n')
        first = deploy(site)
        assert first.code == 0, first.err
        (key_file,) = (site / "static").glob("*.txt")
        key = key_file.stem
        assert f"Created static/{key}.txt" in first.out
        clone = tmp_path / "clone"
        git("clone", "--quiet", "--branch", "gh-pages", str(bare), str(clone))
        assert (clone / f"{key}.txt").read_text().strip() == key

        edited = site / EDITED
        edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more aftercare tip.\n", encoding="utf-8")
        remove_post(site, "gangnam-clinic-choosing-tips")
        second = deploy(site)
        assert second.code == 0, second.err
    assert len(received) == 2
    body = received[1]["body"]
    assert received[1]["type"] == "application/json; charset=utf-8"
    base = "https://blog.balancelab-clinic.example/"
    assert (body["host"], body["key"], body["keyLocation"]) == ("blog.balancelab-clinic.example", key, f"{base}{key}.txt")
    # the pages this deploy added, changed or removed (a removed post takes its only tag's pages along)
    pages = {base + quote(re.sub(r"index\.html$", "", f)) for f in changed_files(bare) if f.endswith(".html")}
    assert set(body["urlList"]) == pages and len(body["urlList"]) == len(pages)
    assert {f"{base}en/posts/lip-filler-aftercare/", f"{base}ko/posts/gangnam-clinic-choosing-tips/"} <= pages
    assert f"Sent {len(pages)} changed addresses to IndexNow." in second.out
    assert f"{base}en/posts/lip-flip-vs-lip-filler/" not in pages, "unchanged pages are not announced"
    assert f"{base}en/posts/lip-filler-aftercare/" in received[0]["body"]["urlList"]
    assert len(received[0]["body"]["urlList"]) > 30, "the first deploy announces every page"


def test_failed_indexnow_ping_is_a_warning_not_a_failed_deploy(site, bare):
    (site / "static" / "0123456789abcdef0123456789abcdef.txt").write_text("0123456789abcdef0123456789abcdef\n")
    with indexnow_endpoint(status=500) as (endpoint, received):
        with_deploy(site, f'repository = "{bare}"\nindexnow = true\nindexnow_endpoint = "{endpoint}"\n')
        result = deploy(site)
    assert result.code == 0, result.err
    assert received and received[0]["body"]["key"] == "0123456789abcdef0123456789abcdef"
    assert "warning: IndexNow was not told about the changes" in result.err and "500" in result.err
    assert branch_tip(bare)
    assert list((site / "static").glob("*.txt")) == [site / "static" / "0123456789abcdef0123456789abcdef.txt"]


# settings --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("settings, expected", [
    ('targt = "git"\n', "unknown key 'deploy.targt'"),
    ('target = "ftp"\n', "'deploy.target' must be \"git\" or \"rsync\", got 'ftp'"),
    ('target = "rsync"\n', "missing required key 'deploy.destination' for target = \"rsync\""),
    ('cname = "https://blog.example.com/"\n', "'deploy.cname' must be a domain name"),
    ('branch = "gh pages"\n', "'deploy.branch' 'gh pages' is not a valid branch name"),
    ('indexnow = "yes"\n', "'deploy.indexnow' must be true or false"),
    ('repository = "--upload-pack=touch /tmp/x"\n', "cannot start with '-'"),
], ids=["unknown-key", "target", "rsync-destination", "cname", "branch", "indexnow-type", "option-injection"])
def test_invalid_deploy_settings_are_located_errors(site, settings, expected):
    with_deploy(site, settings)
    line = (site / "site.toml").read_text(encoding="utf-8").splitlines().index("[deploy]") + 1
    result = deploy(site, "--dry-run")
    assert result.code == 1
    # the key's line, or the table's when the key is missing
    assert re.search(rf"^site\.toml:({line}|{line + 1}): error: .*{re.escape(expected)}", result.err, re.MULTILINE), \
        result.err
    assert "Traceback" not in result.err


def test_failed_copy_is_an_error_with_rsyncs_own_message(site, tmp_path):
    result = deploy(site, "--target", "rsync", "--destination", str(tmp_path / "missing" / "parent" / "www"))
    assert result.code == 1
    assert "rsync to " in result.err and "failed (exit code" in result.err
    assert "No such file or directory" in result.err, "rsync's own words"
    assert "Nothing was published." in result.err and "Published" not in result.out
