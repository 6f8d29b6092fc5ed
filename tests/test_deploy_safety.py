"""deploy deletes only what it published: the real rsync over a stand-in for ssh (RSYNC_RSH runs the
server's side here, with the server's / mapped to a folder), local folders, and a local bare repository."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import copy_sample_site, run_cli, write_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("rsync") is None,
                                reason="needs the system git and rsync; `make test` installs them")

MARKER = ".clinicpress-deployed"
# Stands in for ssh: runs the server's rsync in this machine, with the server's / at $FAKE_ROOT and the
# login's home folder at $FAKE_ROOT/home/deploy (rsync calls it as: rsh -l USER HOST rsync --server ...).
FAKE_SSH = """#!/bin/sh
while [ "$1" = "-l" ]; do shift 2; done
shift
cd "$FAKE_ROOT/home/deploy" || exit 1
for arg in "$@"; do
  case $arg in /*) arg="$FAKE_ROOT$arg";; esac
  set -- "$@" "$arg"; shift
done
exec "$@"
"""


@pytest.fixture
def site(tmp_path) -> Path:
    return copy_sample_site(tmp_path / "site")


@pytest.fixture
def server(tmp_path, monkeypatch) -> Path:
    """A server's file system: its root folder, with system files and the deploy login's home."""
    root = write_tree(tmp_path / "server", {"etc/passwd": "root:x:0:0::/root:/bin/sh\n",
                                            "home/deploy/.ssh/authorized_keys": "ssh-ed25519 AAAA\n",
                                            "home/deploy/notes.txt": "keep me\n", "var/www/index.html": "nginx"})
    ssh = tmp_path / "fake-ssh"
    ssh.write_text(FAKE_SSH)
    ssh.chmod(0o755)
    monkeypatch.setenv("RSYNC_RSH", str(ssh))
    monkeypatch.setenv("FAKE_ROOT", str(root))
    return root


def deploy(site: Path, *args: str):
    return run_cli("deploy", str(site), "-j", "1", *args)


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


# rsync to a server ------------------------------------------------------------------------------------

@pytest.mark.parametrize("destination", ["deploy@server:", "deploy@server:/", "deploy@server:.", "deploy@server:~",
                                         "deploy@server:~/", "deploy@server:/home/deploy", "deploy@server:/var",
                                         "deploy@server:/etc/", "deploy@server://", "deploy@server:../",
                                         "server::", "rsync://server/"])
def test_a_root_home_or_system_folder_on_the_server_is_refused_and_nothing_is_touched(site, server, destination):
    before = files_under(server)
    result = deploy(site, "--target", "rsync", "--destination", destination, "--force")
    assert result.code == 1, result.out + result.err
    assert "refusing to publish to" in result.err and "Nothing was published." in result.err
    assert files_under(server) == before


def test_a_folder_in_the_logins_home_is_published_and_marked(site, server):
    result = deploy(site, "--target", "rsync", "--destination", "deploy@server:blog/")
    assert result.code == 0, result.err
    published = files_under(server / "home/deploy/blog")
    built = files_under(site / "output")
    assert published.keys() == built.keys() - {".clinicpress-build"} | {MARKER}
    listed = published[MARKER].decode().splitlines()
    assert "en/index.html" in listed and MARKER not in listed
    assert (server / "home/deploy/notes.txt").read_text() == "keep me\n"


def test_files_the_site_did_not_publish_survive_later_deploys(site, server):
    blog = server / "var/www/blog"
    assert deploy(site, "--target", "rsync", "--destination", "deploy@server:/var/www/blog/").code == 0
    # Put there by others after the first deploy: a search engine's verification file and an uploads folder.
    write_tree(blog, {"google1234.html": "google-site-verification\n", "uploads/menu.pdf": "%PDF"})
    for lang in ("en", "ko"):
        (site / f"posts/{lang}/lip-flip-vs-lip-filler.md").unlink()
    for post in (site / "posts").rglob("*.md"):
        post.write_text(post.read_text(encoding="utf-8").replace("/posts/lip-flip-vs-lip-filler/", "/"),
                        encoding="utf-8")
    dry = deploy(site, "--target", "rsync", "--destination", "deploy@server:/var/www/blog/", "--dry-run")
    assert "  - en/posts/lip-flip-vs-lip-filler/index.html" in dry.out.splitlines()
    assert "google1234.html" not in dry.out and "uploads" not in dry.out
    result = deploy(site, "--target", "rsync", "--destination", "deploy@server:/var/www/blog/")
    assert result.code == 0, result.err
    assert not (blog / "en/posts/lip-flip-vs-lip-filler").exists()
    assert (blog / "google1234.html").read_text() == "google-site-verification\n"
    assert (blog / "uploads/menu.pdf").read_text() == "%PDF"


def test_a_server_folder_with_other_files_needs_force_and_dry_run_lists_what_would_go(site, server):
    shop = write_tree(server / "var/www/shop", {"index.php": "<?php shop();", "orders/2026.csv": "1,2\n"})
    destination = "deploy@server:/var/www/shop/"
    refused = deploy(site, "--target", "rsync", "--destination", destination)
    assert refused.code == 1
    assert f"refusing to publish to {destination}" in refused.err and "--force" in refused.err
    assert files_under(shop) == {"index.php": b"<?php shop();", "orders/2026.csv": b"1,2\n"}

    dry = deploy(site, "--target", "rsync", "--destination", destination, "--dry-run")
    assert dry.code == 0, dry.err
    assert "  - index.php" in dry.out.splitlines() and "  - orders/2026.csv" in dry.out.splitlines()
    assert "a real deploy is refused unless you pass --force" in dry.err
    assert (shop / "index.php").exists()

    forced = deploy(site, "--target", "rsync", "--destination", destination, "--force")
    assert forced.code == 0, forced.err
    assert "replacing everything in" in forced.err
    assert not (shop / "index.php").exists() and (shop / MARKER).is_file()


# rsync to a local folder ------------------------------------------------------------------------------

def test_a_home_folder_or_the_root_is_refused_locally(site, tmp_path, monkeypatch):
    home = write_tree(tmp_path / "home/anna", {"thesis.docx": "draft"})
    monkeypatch.setenv("HOME", str(home))
    for destination in (str(home), "/", str(home.parent)):
        result = deploy(site, "--target", "rsync", "--destination", destination, "--force")
        assert result.code == 1, destination
        assert "refusing to publish into" in result.err
    assert (home / "thesis.docx").read_text() == "draft"


def test_an_empty_local_folder_needs_no_force_and_a_marked_one_is_updated(site, tmp_path):
    www = tmp_path / "www"
    www.mkdir()
    assert deploy(site, "--target", "rsync", "--destination", str(www)).code == 0
    assert (www / MARKER).is_file()
    (site / "posts/en/lip-filler-aftercare.md").write_text(
        (site / "posts/en/lip-filler-aftercare.md").read_text(encoding="utf-8") + "\nOne more line.\n",
        encoding="utf-8")
    again = deploy(site, "--target", "rsync", "--destination", str(www))
    assert again.code == 0, again.err
    assert "replacing everything" not in again.err


# git ----------------------------------------------------------------------------------------------------

@pytest.fixture
def bare(tmp_path) -> Path:
    repository = tmp_path / "pages.git"
    git("init", "--quiet", "--bare", str(repository))
    return repository


def push_branch(bare: Path, work: Path, branch: str, files: dict[str, str]) -> str:
    """Someone else's commit on branch, pushed to the bare repository."""
    write_tree(work, files)
    git("init", "--quiet", "-b", branch, cwd=work)
    git("add", "-A", cwd=work)
    git("-c", "user.name=Someone", "-c", "user.email=someone@example.com", "commit", "--quiet", "-m", "sources",
        cwd=work)
    git("push", "--quiet", str(bare), f"{branch}:{branch}", cwd=work)
    return git("rev-parse", "HEAD", cwd=work)


def test_a_branch_with_other_history_is_refused_unless_forced(site, bare, tmp_path):
    tip = push_branch(bare, tmp_path / "sources", "main", {"app.py": "print('clinic app')\n"})
    refused = deploy(site, "--repository", str(bare), "--branch", "main")
    assert refused.code == 1
    assert "refusing to publish to branch main of" in refused.err and "--force" in refused.err
    assert git("--git-dir", str(bare), "rev-parse", "main") == tip

    forced = deploy(site, "--repository", str(bare), "--branch", "main", "--force")
    assert forced.code == 0, forced.err
    assert git("--git-dir", str(bare), "rev-parse", "main~1") == tip


def test_files_committed_to_the_pages_branch_by_others_are_kept(site, bare, tmp_path):
    assert deploy(site, "--repository", str(bare)).code == 0
    clone = tmp_path / "clone"
    git("clone", "--quiet", "-b", "gh-pages", str(bare), str(clone))
    write_tree(clone, {"naver1234.html": "naver-site-verification\n"})
    git("add", "-A", cwd=clone)
    git("-c", "user.name=Someone", "-c", "user.email=someone@example.com", "commit", "--quiet", "-m", "verify",
        cwd=clone)
    git("push", "--quiet", "origin", "gh-pages", cwd=clone)
    (site / "posts/en/lip-filler-aftercare.md").write_text(
        (site / "posts/en/lip-filler-aftercare.md").read_text(encoding="utf-8") + "\nOne more line.\n",
        encoding="utf-8")
    result = deploy(site, "--repository", str(bare))
    assert result.code == 0, result.err
    listed = git("--git-dir", str(bare), "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert "naver1234.html" in listed and MARKER in listed and "en/index.html" in listed
