"""Raw HTML in posts (`unsafe_html = true`) under the Content-Security-Policy, in Chromium: only the hosts
named in [security] script_hosts may run a script; an embed that names any other host stays inert.
The hosts are not reachable from the tests: Playwright answers their requests, and a request the policy
blocked never reaches it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import copy_sample_site
from test_csp_browser import browser, build_into, host, page  # noqa: F401 (fixtures)
from test_comments_browser import CHROMIUM

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium; `make test` installs it")

EMBEDS = """
<div id="embeds">
<script src="https://www.instagram.com/embed.js"></script>
<script src="https://scripts.evil.example/steal.js"></script>
</div>
"""


def site_with_embeds(root: Path, security: str) -> Path:
    site = copy_sample_site(root)
    config = site / "site.toml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^unsafe_html = false", "unsafe_html = true", text)
    assert "unsafe_html = true" in text
    config.write_text(text + security, encoding="utf-8")
    post = site / "posts/en/lip-filler-aftercare.md"
    post.write_text(post.read_text(encoding="utf-8") + EMBEDS, encoding="utf-8")
    return site


def test_only_the_named_script_hosts_run_in_a_post_with_raw_html(page, tmp_path):
    served = tmp_path / "www"
    served.mkdir()
    requested: list[str] = []

    def answer(route):
        requested.append(route.request.url)
        flag = "instagram" if "instagram" in route.request.url else "evil"
        route.fulfill(status=200, content_type="text/javascript", body=f"window.ran_{flag} = true;")

    page.route("https://**/*.js", answer)
    with host(served) as origin:
        site = site_with_embeds(tmp_path / "site", '\n[security]\nscript_hosts = ["https://www.instagram.com"]\n')
        build_into(served, site, origin)
        response = page.goto(origin + "/en/posts/lip-filler-aftercare/")
        policy = response.headers["content-security-policy"]
        assert "https://www.instagram.com" in policy and " https: " not in policy + " "
        page.wait_for_function("window.ran_instagram === true")
        assert page.evaluate("window.ran_evil") is None
        assert requested == ["https://www.instagram.com/embed.js"]
        assert any("scripts.evil.example" in v for v in page.evaluate("window.__violations"))


def test_without_script_hosts_no_embedded_script_runs(page, tmp_path):
    served = tmp_path / "www"
    served.mkdir()
    page.route("https://**/*.js", lambda route: route.fulfill(status=200, content_type="text/javascript",
                                                              body="window.ran_any = true;"))
    with host(served) as origin:
        build_into(served, site_with_embeds(tmp_path / "site", ""), origin)
        page.goto(origin + "/en/posts/lip-filler-aftercare/")
        page.wait_for_function("window.__violations.length >= 2")
        assert page.evaluate("window.ran_any") is None
