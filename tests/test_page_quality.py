"""The default theme's pages pass the Nu Html Checker and axe-core, in both languages, on a phone and a desktop.

The checkers come from the repository's package.json (`npm ci`, run by `make test`): vnu.jar runs on
Java, axe-core is injected into Debian's Chromium through Playwright. Lighthouse is slower and lives in
`make audit` (tests/audit_lighthouse.py).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import urllib.parse
from pathlib import Path

import pytest

from conftest import copy_sample_site
from generator.build import BuildOptions, build_site
from site_quality import (AXE_JS, CHROMIUM, CHROMIUM_ARGS, PAGES, REPO, SEARCH_RESULTS, VIEWPORTS, VNU_JAR, serve,
                          with_analytics)

NPM_HINT = "run `make test`, which runs `npm ci` for the checkers in package.json"
needs_vnu = pytest.mark.skipif(
    shutil.which("java") is None or not VNU_JAR.exists(),
    reason=f"needs java and {VNU_JAR.relative_to(REPO)}; {NPM_HINT} and installs default-jre-headless")
needs_axe = pytest.mark.skipif(
    not CHROMIUM.exists() or not AXE_JS.exists(),
    reason=f"needs /usr/bin/chromium and node_modules/axe-core; {NPM_HINT} and installs chromium")

# axe-core's default rules (WCAG 2.x A and AA, best practices) plus the WCAG 2.2 target-size rule,
# which axe leaves off by default: phone readers tap these links.
AXE_OPTIONS = {"rules": {"target-size": {"enabled": True}}, "resultTypes": ["violations"]}


def run_vnu(*paths: Path) -> list[dict]:
    """The Nu Html Checker's error messages for the given HTML (and, with --also-check-css, CSS) files."""
    done = subprocess.run(["java", "-jar", str(VNU_JAR), "--errors-only", "--also-check-css", "--format", "json",
                           "--stdout", "--exit-zero-always", *map(str, paths)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return [m for m in json.loads(done.stdout)["messages"] if m["type"] in ("error", "non-document-error")]


def describe_vnu(messages: list[dict], root: Path) -> str:
    lines = []
    for m in messages:
        where = urllib.parse.unquote(m.get("url", "")).removeprefix("file:").removeprefix(str(root))
        lines.append(f"{where}:{m.get('firstLine', m.get('lastLine', '?'))}:{m.get('firstColumn', '?')}: {m['message']}")
    return "\n".join(lines)


@needs_vnu
def test_nu_html_checker_finds_no_errors_in_any_built_page(sample_site):
    files = sorted(sample_site.rglob("*.html")) + sorted(sample_site.rglob("*.css"))
    assert len(files) > 20
    errors = run_vnu(*files)
    assert not errors, "Nu Html Checker errors:\n" + describe_vnu(errors, sample_site)


@needs_vnu
def test_nu_html_checker_reports_broken_markup(tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text('<!doctype html><html lang="en"><title>x</title><p><div></p>', encoding="utf-8")
    assert any("div" in m["message"] for m in run_vnu(broken))


@pytest.fixture(scope="module")
def origin(sample_site):
    with serve(sample_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        yield chromium
        chromium.close()


@pytest.fixture(scope="module", params=list(VIEWPORTS), ids=list(VIEWPORTS))
def tab(request, browser):
    # axe is added to each page as an inline script, which the pages' Content-Security-Policy refuses
    # (tests/test_csp_browser.py checks the policy itself).
    context = browser.new_context(viewport=VIEWPORTS[request.param], bypass_csp=True)
    yield context.new_page()
    context.close()


def axe_violations(tab, url: str) -> list[dict]:
    response = tab.goto(url)
    assert response is not None and response.ok, f"{url} answered {response and response.status}"
    tab.add_script_tag(path=str(AXE_JS))
    return tab.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]


def describe_axe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = " ".join(line.strip() for line in node["failureSummary"].splitlines())
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary[:300]}")
    return "\n".join(lines)


@needs_axe
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_accessibility_violations(tab, origin, path):
    violations = axe_violations(tab, origin + urllib.parse.quote(path))
    assert not violations, f"axe-core on {path} at {tab.viewport_size['width']} px:\n" + describe_axe(violations)


@needs_axe
@pytest.mark.parametrize("path", SEARCH_RESULTS)
def test_axe_finds_no_accessibility_violations_in_search_results(tab, origin, path):
    response = tab.goto(origin + urllib.parse.quote(path, safe="/?="))
    assert response is not None and response.ok
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["q"][0]
    tab.wait_for_function("q => document.querySelector('[data-search]').getAttribute('data-search-done') === q",
                          arg=query)
    tab.add_script_tag(path=str(AXE_JS))
    violations = tab.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
    assert not violations, f"axe-core on {path} at {tab.viewport_size['width']} px:\n" + describe_axe(violations)


@needs_axe
def test_axe_reports_an_image_without_alt_text(tab, tmp_path):
    (tmp_path / "probe.html").write_text(
        '<!doctype html><html lang="en"><title>probe</title><main><img src="x.png"></main></html>', encoding="utf-8")
    with serve(tmp_path) as probe_origin:
        assert "image-alt" in {v["id"] for v in axe_violations(tab, probe_origin + "/probe.html")}


# With a visit counter that asks first: the question shows at the foot of every page, beside the share buttons.
WITH_ANALYTICS = ("/en/", "/ko/posts/lip-filler-migration/", "/en/posts/lip-flip-vs-lip-filler/", "/", "/ko/privacy/")


@pytest.fixture(scope="module")
def analytics_site(tmp_path_factory):
    site = with_analytics(copy_sample_site(tmp_path_factory.mktemp("analytics-site")),
                          'provider = "ga4"\nload = "consent"\nmeasurement_id = "G-ABC123DEF4"')
    build_site(BuildOptions(site_dir=site, use_cache=False))
    return site / "output"


@needs_vnu
def test_nu_html_checker_finds_no_errors_with_the_consent_question(analytics_site):
    files = [analytics_site / urllib.parse.unquote(path.lstrip("/")) / "index.html" for path in WITH_ANALYTICS]
    errors = run_vnu(*files)
    assert not errors, "Nu Html Checker errors:\n" + describe_vnu(errors, analytics_site)


@needs_axe
@pytest.mark.parametrize("path", WITH_ANALYTICS)
def test_axe_finds_no_violations_with_the_consent_question_showing(tab, analytics_site, path):
    with serve(analytics_site) as site_origin:
        violations = axe_violations(tab, site_origin + urllib.parse.quote(path))
        assert tab.locator("[data-analytics-consent]").is_visible(), "the question shows while axe looks"
    assert not violations, f"axe-core on {path} at {tab.viewport_size['width']} px:\n" + describe_axe(violations)
