"""Stable output: the same input builds byte-identical files in any process; feed ids survive title
changes; and builds running at the same time into one output folder take turns instead of mixing."""
import os
import subprocess
import sys
from pathlib import Path

import feedparser

from generator.content.models import OutputFile
from generator.write.writer import SiteWriter, digest, write_site

from conftest import MINIMAL_CONFIG, REPO, post_text, run_cli, write_tree
from conftest import copy_sample_site as copy_repository_sample

EPOCH = "1795000000"  # 2026-11-18: the sample site's future posts stay in the future


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def start_build(site: Path, *args: str, hash_seed: str = "0") -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": EPOCH, "PYTHONHASHSEED": hash_seed}
    return subprocess.Popen([sys.executable, "-m", "generator", "build", str(site), "-q", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> str:
    out, err = process.communicate()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    return err


def copy_sample_site(target: Path) -> Path:
    target.mkdir()
    return copy_repository_sample(target)


def small_site(root: Path, version: int) -> Path:
    files = {"site.toml": MINIMAL_CONFIG}
    for n in range(1, 41):
        files[f"posts/{'en' if n % 2 else 'ko'}/post-{n}.md"] = post_text(
            f"Post {n} (v{version})", date=f"2026-05-{1 + n % 28:02d}", tags=f"[topic {n % 4}]",
            body=f"Version {version}.\n")
    return write_tree(root, files)


# Determinism ----------------------------------------------------------------------------------

def test_the_sample_site_builds_byte_identical_in_separate_processes(tmp_path):
    site = copy_sample_site(tmp_path / "site")
    first = start_build(site, "-o", str(tmp_path / "one"), "--no-cache", "-j", "1", hash_seed="1")
    second = start_build(site, "-o", str(tmp_path / "two"), "-j", "2", hash_seed="2")
    finish(first), finish(second)
    again = start_build(site, "-o", str(tmp_path / "two"), hash_seed="3")  # a cached rebuild over the same folder
    finish(again)
    reference = tree(tmp_path / "one")
    assert len(reference) > 50
    assert tree(tmp_path / "two") == reference


def feed_ids(output: Path) -> dict[tuple[str, str], str]:
    ids = {}
    for path in sorted(output.rglob("*.xml")):
        if path.name in ("feed.xml", "atom.xml"):
            for entry in feedparser.parse(path.read_bytes()).entries:
                ids[str(path.relative_to(output)), entry.link] = entry.id
    return ids


def test_renaming_every_title_changes_no_feed_id(site_factory):
    posts = {f"posts/{lang}/care-{n}.md": post_text(f"Aftercare {n} {lang}", tags="[aftercare, lips]",
                                                    date=f"2026-06-{n:02d}") for n in range(1, 6) for lang in ("en", "ko")}
    site = site_factory(posts)
    assert run_cli("build", str(site)).code == 0
    before = feed_ids(site / "output")
    for path in (site / "posts").rglob("*.md"):
        path.write_text(path.read_text().replace('title: "Aftercare', 'title: "Lip filler aftercare, renamed'))
    assert run_cli("build", str(site)).code == 0
    after = feed_ids(site / "output")
    assert len(before) == 5 * 2 * 4  # five posts in two languages, in RSS, Atom and two tag feeds
    assert after == before


# Builds at the same time ----------------------------------------------------------------------------

def test_the_same_build_run_twice_at_once_takes_turns(tmp_path):
    site = small_site(tmp_path / "site", 1)
    finish(start_build(site, "-o", str(tmp_path / "reference"), "--no-cache"))
    reference = tree(tmp_path / "reference")
    for _ in range(4):
        builds = [start_build(site), start_build(site)]
        for process in builds:
            finish(process)
        assert tree(site / "output") == reference
        assert not list(site.glob(".output.staging-*"))


def test_two_different_builds_into_one_folder_never_mix(tmp_path):
    sites = {version: small_site(tmp_path / f"site-{version}", version) for version in (1, 2)}
    references = {}
    for version, site in sites.items():
        finish(start_build(site, "-o", str(tmp_path / f"reference-{version}"), "--no-cache"))
        references[version] = tree(tmp_path / f"reference-{version}")
    shared = tmp_path / "shared" / "output"
    for round_number in range(4):
        order = (1, 2) if round_number % 2 else (2, 1)
        builds = [start_build(sites[version], "-o", str(shared)) for version in order]
        for process in builds:
            finish(process)
        assert tree(shared) in (references[1], references[2])
        assert not list(shared.parent.glob(".output.staging-*"))


def test_a_build_does_not_reuse_files_another_build_has_replaced(tmp_path):
    output = tmp_path / "output"
    write_site([OutputFile("index.html", b"version one")], output)
    # This build looked at output/ while it held version one, and found index.html unchanged...
    late = SiteWriter(output, live_digests={"index.html": digest(b"version one")})
    # ...but before it could write, another build put version two in place.
    write_site([OutputFile("index.html", b"version two")], output)
    with late as writer:
        assert not writer.keep("index.html")  # so it writes its own copy instead of linking the live one
        writer.write(OutputFile("index.html", b"version one"))
        writer.commit()
    assert (output / "index.html").read_bytes() == b"version one"


def test_a_fresh_staging_folder_never_writes_through_a_file_shared_with_the_live_site(tmp_path):
    """A fresh staging folder creates files in place; one that is already there (a hard link to the
    live site) is replaced, not overwritten, so the live site keeps its bytes."""
    from generator.write.writer import StagingFolder
    live, staging = tmp_path / "live", tmp_path / "staging"
    (live / "en").mkdir(parents=True)
    (live / "en/index.html").write_bytes(b"live page")
    (staging / "en").mkdir(parents=True)
    os.link(live / "en/index.html", staging / "en/index.html")
    folder = StagingFolder(staging, live, {}, {}, fresh=True)
    folder.write(OutputFile("en/index.html", b"new page"))
    folder.write(OutputFile("en/other.html", b"other page"))
    assert (live / "en/index.html").read_bytes() == b"live page"
    assert (staging / "en/index.html").read_bytes() == b"new page"
    assert (staging / "en/other.html").read_bytes() == b"other page"
