"""The editor's code for a site without node_modules (a pip install): fetched from a registry over HTTP,
refused unless it matches the pinned digest, installed whole or not at all, by `serve --edit` and by the
publish workflow's `python -m generator.admin.fetch`. The registry here is http.server on 127.0.0.1
serving a tarball made of the Decap CMS files that `npm ci` installed."""
from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import threading
import urllib.request
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from lxml import html as lxml_html

from conftest import MINIMAL_CONFIG, REPO, run_cli
from generator.admin.fetch import COMMAND, INTEGRITY_VARIABLE, URL_VARIABLE, EditorFetchError, fetch_editor
from generator.admin.files import CMS_PACKAGE, CMS_VERSION, find_cms
from generator.build import BuildOptions, build_site
from test_serve import serving

DIST = REPO / "node_modules" / "decap-cms" / "dist"  # as `npm ci` installs it


def sri(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def tarball(path: Path, files: dict[str, bytes]) -> str:
    """An npm package archive holding files; returns its integrity string."""
    with tarfile.open(path, "w:gz", compresslevel=1) as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            archive.addfile(info, io.BytesIO(data))
    return sri(path.read_bytes())


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass(frozen=True)
class Registry:
    root: Path  # the folder it serves
    base: str  # http://127.0.0.1:PORT/
    url: str  # the editor's tarball
    integrity: str
    installed: tuple[str, ...]  # the names a fetch must install: the tarball's dist/ without source maps


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """A tarball of Decap CMS's bundle, a chunk, a WebAssembly file, the licence notice, a source map and
    the package's other files, served over HTTP on 127.0.0.1 for the whole module."""
    if not (DIST / "decap-cms.js").is_file():
        pytest.skip("needs node_modules/decap-cms; `make test` runs npm ci")
    root = tmp_path_factory.mktemp("registry")
    chunk, wasm = sorted(DIST.glob("*.decap-cms.js"))[0], sorted(DIST.glob("*.wasm"))[0]
    installed = (DIST / "decap-cms.js", DIST / "decap-cms.js.LICENSE.txt", chunk, wasm)
    files = {f"package/dist/{path.name}": path.read_bytes() for path in installed}
    files[f"package/dist/{chunk.name}.map"] = (DIST / f"{chunk.name}.map").read_bytes()
    files["package/package.json"] = json.dumps({"name": "decap-cms", "version": CMS_VERSION}).encode()
    files["package/README.md"] = b"readme"
    integrity = tarball(root / "decap-cms.tgz", files)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield Registry(root, base, base + "decap-cms.tgz", integrity, tuple(sorted(p.name for p in installed)))
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def closed_url() -> str:
    """An address on 127.0.0.1 where nothing listens: what a computer without a connection gets."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/decap-cms.tgz"


@pytest.fixture(scope="module")
def pip_installed(tmp_path_factory) -> Path:
    """ClinicPress as pip installs it: the generator package with the theme inside and no node_modules
    anywhere near; `python -m generator` run from this folder uses it."""
    root = tmp_path_factory.mktemp("site-packages")
    shutil.copytree(REPO / "generator", root / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "templates", root / "generator" / "theme")
    return root


def test_fetch_editor_installs_the_dist_without_source_maps_and_the_build_copies_it(site_factory, registry):
    site = site_factory()
    folder = fetch_editor(site, registry.url, registry.integrity)
    assert folder == site / CMS_PACKAGE and find_cms(site) == folder
    assert tuple(sorted(path.name for path in folder.iterdir())) == registry.installed  # no .map, no README
    assert [path.name for path in folder.parent.iterdir()] == ["dist"]  # no staging folder left behind
    build_site(BuildOptions(site_dir=site, use_cache=False))
    admin = site / "output" / "admin"
    assert (admin / "decap-cms.js").read_bytes() == (DIST / "decap-cms.js").read_bytes()
    assert not list(admin.glob("*.map")) and list(admin.glob("*.wasm"))
    assert '<script src="decap-cms.js"></script>' in (admin / "index.html").read_text(encoding="utf-8")


def test_fetching_again_replaces_the_earlier_copy_whole(site_factory, registry):
    site = site_factory()
    stale = site / CMS_PACKAGE / "stale.decap-cms.js"
    stale.parent.mkdir(parents=True)
    stale.write_text("old", encoding="utf-8")
    fetch_editor(site, registry.url, registry.integrity)
    assert tuple(sorted(path.name for path in (site / CMS_PACKAGE).iterdir())) == registry.installed
    assert [path.name for path in (site / CMS_PACKAGE).parent.iterdir()] == ["dist"]


def test_a_wrong_digest_is_refused_and_installs_nothing(site_factory, registry):
    site = site_factory()
    with pytest.raises(EditorFetchError, match="does not match the digest ClinicPress pins") as refused:
        fetch_editor(site, registry.url)  # the pinned digest: not this test's archive's
    assert registry.url in str(refused.value) and "try again" in str(refused.value)
    assert not (site / "node_modules").exists()


@pytest.mark.parametrize("name, files, message", [
    ("no-bundle.tgz", {"package/README.md": b"readme"}, "holds no package/dist/decap-cms.js"),
    ("outside.tgz", {"package/dist/decap-cms.js": b"cms", "package/dist/../../../outside.js": b"x"},
     "is not a package archive"),
], ids=["no-bundle", "path-out-of-the-folder"])
def test_an_archive_that_is_not_the_editor_installs_nothing(site_factory, registry, name, files, message):
    site = site_factory()
    integrity = tarball(registry.root / name, files)
    with pytest.raises(EditorFetchError, match=message):
        fetch_editor(site, registry.base + name, integrity)
    assert not (site / "node_modules").exists() and not (site.parent / "outside.js").exists()


def test_no_connection_says_so_and_what_to_do(site_factory, closed_url):
    site = site_factory()
    with pytest.raises(EditorFetchError) as failed:
        fetch_editor(site, closed_url, sri(b""))
    message = str(failed.value)
    assert message.startswith(f"could not download the editor (Decap CMS {CMS_VERSION}) from 127.0.0.1:")
    assert "refused" in message and message.endswith("connect to the internet and run the command again")
    assert not (site / "node_modules").exists()


def test_an_http_error_names_the_status(site_factory, registry):
    with pytest.raises(EditorFetchError, match=r"answered 404 .*missing\.tgz; check the address CLINICPRESS_EDITOR_URL gives"):
        fetch_editor(site_factory(), registry.base + "missing.tgz", registry.integrity)


def _fetch_module(site: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator.admin.fetch", str(site)], cwd=REPO,
                          env={**_environ(), **env}, capture_output=True, text=True, timeout=60)


def _environ() -> dict[str, str]:
    """This process's environment without the variables that point the fetch elsewhere."""
    return {key: value for key, value in os.environ.items() if key not in (URL_VARIABLE, INTEGRITY_VARIABLE)}


def test_the_module_exits_1_with_one_line_on_error(site_factory, closed_url, tmp_path):
    site = site_factory()
    result = _fetch_module(site, {URL_VARIABLE: closed_url})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: could not download the editor") and "connect to the internet" in line
    assert not (site / "node_modules").exists()
    elsewhere = _fetch_module(tmp_path / "not-a-site", {URL_VARIABLE: closed_url})
    assert (elsewhere.returncode, elsewhere.stderr.splitlines()) == (
        1, [f"error: {tmp_path / 'not-a-site'} has no site.toml; give the site's folder"])


def test_the_publish_workflows_fetch_the_editor_with_the_module(tmp_path, registry):
    site = tmp_path / "new-clinic"
    assert run_cli("init", str(site)).code == 0
    workflow = yaml.safe_load((site / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    (step,) = [s for s in workflow["jobs"]["build"]["steps"] if s.get("name") == "Fetch the editor"]
    gitlab = yaml.safe_load((site / ".gitlab-ci.yml").read_text(encoding="utf-8"))["pages"]["script"]
    assert step["run"] == gitlab[1] == COMMAND
    # As CI runs it in the checked-out site, with ClinicPress installed: refused with another digest...
    command = COMMAND.replace("python", sys.executable, 1)
    env = {**_environ(), "PYTHONPATH": str(REPO), URL_VARIABLE: registry.url}
    tampered = subprocess.run(command, shell=True, cwd=site, capture_output=True, text=True, timeout=60,
                              env={**env, INTEGRITY_VARIABLE: sri(b"another file")})
    assert tampered.returncode == 1 and "does not match the digest" in tampered.stderr
    assert not (site / "node_modules").exists()
    # ...and installed where the build finds it with the right one.
    fetched = subprocess.run(command, shell=True, cwd=site, capture_output=True, text=True, timeout=60,
                             env={**env, INTEGRITY_VARIABLE: registry.integrity})
    assert fetched.returncode == 0, fetched.stderr
    assert find_cms(site) == site / CMS_PACKAGE
    assert fetched.stdout.splitlines()[0] == (f"Fetching the editor (Decap CMS {CMS_VERSION}) from "
                                              f"{registry.base[7:-1]}, checked against the digest "
                                              f"{INTEGRITY_VARIABLE} gives")


def _admin_page(path: Path) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang, words", [("ko", "인터넷에 연결된 상태로"), ("en", "while connected to the internet")],
                         ids=["korean", "english"])
def test_without_the_editor_the_admin_page_says_how_to_get_it(site_factory, pip_installed, lang, words):
    site = site_factory(config=MINIMAL_CONFIG.replace('default_language = "ko"', f'default_language = "{lang}"'))
    built = subprocess.run([sys.executable, "-m", "generator", "build", str(site)], cwd=pip_installed,
                           env=_environ(), capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    page = _admin_page(site / "output" / "admin" / "index.html")
    assert page.get("lang") == lang and not page.findall(".//script")
    text = "".join(page.find(".//p").itertext())
    assert words in text and "npm" not in text
    assert [code.text for code in page.iter("code")] == ["clinicpress serve --edit", "clinicpress init"]


def test_serve_edit_fetches_the_missing_editor_once_and_admin_has_it(site_factory, pip_installed, registry,
                                                                      tmp_path, monkeypatch):
    site = site_factory()
    monkeypatch.setenv(URL_VARIABLE, registry.url)
    monkeypatch.setenv(INTEGRITY_VARIABLE, registry.integrity)
    with serving(site, tmp_path / "serve", "--edit", cwd=pip_installed) as running:
        first = running.output().splitlines()[0]
        assert first == (f"Fetching the editor (Decap CMS {CMS_VERSION}) from {registry.base[7:-1]}, "
                         "checked against the digest CLINICPRESS_EDITOR_INTEGRITY gives")
        with urllib.request.urlopen(running.url + "admin/", timeout=10) as answer:
            assert b'<script src="decap-cms.js"></script>' in answer.read()
        with urllib.request.urlopen(running.url + "admin/decap-cms.js", timeout=10) as answer:
            assert answer.read() == (DIST / "decap-cms.js").read_bytes()
    assert find_cms(site) == site / CMS_PACKAGE  # the next `serve --edit` finds it and fetches nothing


def test_serve_edit_without_a_connection_exits_1_with_the_reason(site_factory, pip_installed, closed_url):
    site = site_factory()
    result = subprocess.run([sys.executable, "-m", "generator", "serve", str(site), "--edit", "--port", "0"],
                            cwd=pip_installed, env={**_environ(), URL_VARIABLE: closed_url},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: could not download the editor") and "connect to the internet" in line
    host = closed_url.split("/")[2]
    assert result.stdout.splitlines() == [f"Fetching the editor (Decap CMS {CMS_VERSION}) from {host}, checked "
                                          "against the digest ClinicPress pins"]  # and nothing is served
    assert not (site / "node_modules").exists()
