"""Nothing outside the site folder is read or published: links in static/, templates/ and posts/ are
resolved first, and one that leads out (or into a loop) stops `build`, `check` and `serve` alike with a
located error, leaving output/ as it was. The sites here are real folders with real links."""
from __future__ import annotations

import os
import re
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import post_text, run_cli, write_tree
from generator.errors import Diagnostic
from generator.loading import BuildOptions
from generator.render.renderer import PageRenderer, make_environment
from generator.render.theme import default_theme_dir
from generator.serve.server import LiveSite
from test_invalid_inputs import state

SECRET = "SECRET-7f3a9c"  # in every file outside the site and in the draft: it must never reach output/


@pytest.fixture
def site(site_factory) -> Path:
    """A site built once, with a draft whose source must stay unpublished."""
    root = site_factory({
        "posts/en/hello.md": post_text("Hello", body="Hello there.\n\n![A photo](/photos/clinic.png)\n"),
        "posts/ko/hello.md": post_text("안녕하세요"),
        "posts/en/plan.md": post_text("Plan", draft="true", body=f"Not yet: {SECRET}\n"),
        "static/notes/kept.txt": "published\n",
        "static/photos/clinic.png": _png(),
    })
    result = run_cli("build", str(root))
    assert result.code == 0, result.err
    return root


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder beside the site, with a secret in every file."""
    return write_tree(tmp_path / "outside", {
        "secret.txt": SECRET, "base.html": f"<html>{SECRET}</html>", "footer.html": f"<p>{SECRET}</p>",
        "en.toml": f'home = "{SECRET}"\n', "pack.toml": f'[[rule]]\nid = "ad-secret"\nphrases = ["{SECRET}"]\n',
        "photo.png": _png() + SECRET.encode(), "posts/en/notes.md": post_text(SECRET),
    })


def _png() -> bytes:
    from io import BytesIO
    from PIL import Image
    stream = BytesIO()
    Image.new("RGB", (8, 8), "white").save(stream, "PNG")
    return stream.getvalue()


def real(path: Path) -> str:
    return os.path.realpath(path)


def printed(text: str) -> set[str]:
    """The lines of a command's report, without the rule ids that only check and site.toml errors carry."""
    return {re.sub(r" error: \[[a-z-]+\] ", " error: ", line) for line in text.splitlines()}


def assert_refused(site: Path, *expected: str) -> None:
    """build (twice: the incremental cache must not hide the error), check and serve report every
    expected `path: error: message` line; output/ keeps every byte it had and holds no secret."""
    before = state(site / "output")
    for _ in range(2):
        started = time.perf_counter()
        result = run_cli("build", str(site))
        assert result.code == 1, result.err
        assert "Traceback" not in result.err and "internal error" not in result.err
        assert set(expected) <= printed(result.err), result.err
        assert time.perf_counter() - started < 20  # a loop is reported, not followed
    assert state(site / "output") == before
    assert not any(SECRET.encode() in path.read_bytes() for path in (site / "output").rglob("*") if path.is_file())
    assert not list(site.glob(".output.staging-*"))  # where the writer stages (beside output/)
    checked = run_cli("check", str(site))
    assert checked.code == 1 and "Traceback" not in checked.out + checked.err
    assert set(expected) <= printed(checked.out), checked.out
    served = LiveSite(BuildOptions(site_dir=site, output_dir=site.parent / "served")).rebuild()
    assert served.kind == "failed"
    assert set(expected) <= printed("\n".join(d.format() for d in served.diagnostics))
    assert not (site.parent / "served").exists()


@pytest.mark.parametrize("link, target", [
    ("static", ""),  # the link is the folder itself
    ("static/notes/shared", ""),
    ("templates", ""),
    ("posts", "posts"),
])
def test_a_folder_that_links_outside_the_site_is_refused(site, outside, link, target):
    path = site / link
    if path.exists():
        os.rename(path, path.with_name(path.name + "-was"))
    path.symlink_to(outside / target, target_is_directory=True)
    assert_refused(site, f"{link}: error: links to {real(outside / target)}, which is outside the site")


@pytest.mark.parametrize("link, target", [
    ("static/notes/leak.txt", "secret.txt"),
    ("static/photos/clinic.png", "photo.png"),  # an image a post shows, processed by the image stage
    ("templates/static/leak.txt", "secret.txt"),
    ("templates/partials/footer.html", "footer.html"),  # Jinja's own loader would print it on every page
    ("templates/i18n/en.toml", "en.toml"),  # UI strings end up in every page
])
def test_a_file_that_links_outside_the_site_is_refused(site, outside, link, target):
    path = site / link
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.symlink_to(outside / target)
    assert_refused(site, f"{link}: error: links to {real(outside / target)}, which is outside the site")


# Links inside the site --------------------------------------------------------------------------

def test_a_link_in_static_to_the_site_folder_is_a_loop_and_is_not_followed(site):
    (site / "static/loop").symlink_to("..", target_is_directory=True)
    assert_refused(site, "static/loop: error: links to the site folder, a folder that holds the link: a loop")


def test_a_link_in_static_to_a_folder_above_it_is_a_loop(site):
    (site / "static/notes/again").symlink_to("..", target_is_directory=True)
    assert_refused(site, "static/notes/again: error: links to static/, a folder that holds the link: a loop")


def test_links_that_lead_to_each_other_are_a_loop(site):
    (site / "static/notes/a").symlink_to("b")
    (site / "static/notes/b").symlink_to("a")
    assert_refused(site, "static/notes/a: error: the link leads round in a loop of links",
                   "static/notes/b: error: the link leads round in a loop of links")


@pytest.mark.parametrize("target, shown", [("../../posts/en/plan.md", "posts/en/plan.md"),
                                           ("../../site.toml", "site.toml"),
                                           ("../../posts", "posts/"),
                                           ("../../.clinicpress-cache", ".clinicpress-cache/")])
def test_static_publishes_only_what_is_really_in_it(site, target, shown):
    """A link in static/ to a post's source, site.toml or the cache would publish them."""
    assert (site / "static/notes" / target).exists()
    (site / "static/notes/source").symlink_to(target)
    assert_refused(site, f"static/notes/source: error: links to {shown}, which is outside static/")


def test_a_static_folder_linking_elsewhere_in_the_site_is_refused(site):
    os.rename(site / "static", site / "assets")
    (site / "static").symlink_to("assets", target_is_directory=True)
    assert_refused(site, "static: error: links to assets/, which is outside static/")


def test_links_that_stay_inside_static_are_published(site):
    (site / "static/also").symlink_to("notes", target_is_directory=True)
    (site / "static/notes/copy.txt").symlink_to("kept.txt")
    result = run_cli("build", str(site))
    assert result.code == 0, result.err
    assert (site / "output/also/kept.txt").read_text() == "published\n"
    assert (site / "output/notes/copy.txt").read_text() == "published\n"


def test_a_site_toml_that_links_outside_the_site_is_refused(site, outside):
    (outside / "site.toml").write_bytes((site / "site.toml").read_bytes())
    (site / "site.toml").unlink()
    (site / "site.toml").symlink_to(outside / "site.toml")
    assert_refused(site, f"site.toml: error: links to {real(outside / 'site.toml')}, which is outside the site")


@pytest.mark.parametrize("pack", ["../outside/pack.toml", "checks/pack.toml"])
def test_a_rule_pack_outside_the_site_is_refused(site, outside, pack):
    (site / "checks").mkdir()
    (site / "checks/pack.toml").symlink_to(outside / "pack.toml")
    text = (site / "site.toml").read_text(encoding="utf-8") + f'\n[check]\npacks = ["{pack}"]\n'
    (site / "site.toml").write_text(text, encoding="utf-8")
    assert_refused(site, f"site.toml:{text.count(chr(10))}: error: rule pack '{pack}' links to "
                         f"{real(outside / 'pack.toml')}, which is outside the site")


def test_posts_that_link_to_each_other_are_a_loop_not_a_crash(site):
    (site / "posts/en/a.md").symlink_to("b.md")
    (site / "posts/en/b.md").symlink_to("a.md")
    assert_refused(site, "posts/en/a.md: error: the link leads round in a loop of links",
                   "posts/en/b.md: error: the link leads round in a loop of links")


@pytest.mark.parametrize("name", ["partials/footer.html", "page.html", "child.html"])
def test_the_template_loader_does_not_follow_a_link_out_of_the_theme(tmp_path, outside, name):
    """Also for includes and extends, and without falling back to the default theme's template of
    that name; PageRenderer reports it as the build reports the walk's findings."""
    site = write_tree(tmp_path / "site", {"templates/page.html": '{% include "partials/footer.html" %}',
                                          "templates/child.html": '{% extends "base.html" %}'})
    (site / "templates/partials").mkdir()
    (site / "templates/partials/footer.html").symlink_to(outside / "footer.html")
    (site / "templates/base.html").symlink_to(outside / "base.html")
    dirs = [site / "templates", default_theme_dir()]
    renderer = PageRenderer(lambda page: {}, make_environment(dirs, site), dirs, site)
    made = renderer.render(SimpleNamespace(template=name, post=None, path="en/"))
    shown = "templates/base.html" if name == "child.html" else "templates/partials/footer.html"
    target = real(outside / ("base.html" if name == "child.html" else "footer.html"))
    assert isinstance(made, Diagnostic), made
    assert made.format().split("\n")[0] == f"{shown}: error: links to {target}, which is outside the site"
