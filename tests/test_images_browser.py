"""The sample site's photo tour in headless Chromium on a phone: each photo comes in a size that fits
the screen, as WebP, and the page stays light. Playwright drives Debian's /usr/bin/chromium."""
from __future__ import annotations

import pytest

from site_quality import CHROMIUM, CHROMIUM_ARGS, serve

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium; `make test` installs it")

PHOTO_POSTS = ("/en/posts/clinic-tour-first-visit/", "/ko/posts/clinic-tour-first-visit/")
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def origin(sample_site):
    with serve(sample_site) as url:
        yield url


def shown_images(page) -> list[dict]:
    """Every picture of the page after scrolling through it, as the browser chose and shows it."""
    page.evaluate("""async () => {
        for (let y = 0; y < document.body.scrollHeight; y += 400) { window.scrollTo(0, y); await new Promise(r => setTimeout(r, 30)); }
    }""")
    page.wait_for_function("[...document.images].every(img => img.complete && img.naturalWidth > 0)", timeout=20_000)
    return page.evaluate("""() => [...document.querySelectorAll('picture img')].map(img => ({
        src: img.currentSrc, shown: img.getBoundingClientRect().width, natural: img.naturalWidth }))""")


@pytest.mark.parametrize("scale", [1, 3], ids=["1x", "3x"])
@pytest.mark.parametrize("path", PHOTO_POSTS)
def test_a_phone_gets_each_photo_in_a_size_that_fits_its_screen(browser, origin, path, scale):
    context = browser.new_context(viewport=PHONE, device_scale_factor=scale)
    page = context.new_page()
    page.goto(origin + path, wait_until="load")
    images = shown_images(page)
    context.close()
    assert len(images) == 7
    for image in images:
        assert image["src"].endswith(".webp"), image
        assert image["shown"] > 300, image  # the width of the phone, less the margins
        assert image["natural"] <= 2 * image["shown"] * scale, image


@pytest.mark.parametrize("path", PHOTO_POSTS)
def test_the_photo_tour_weighs_well_under_a_megabyte_on_a_phone(browser, origin, path):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sizes: dict[str, int] = {}
    page.on("requestfinished", lambda request: sizes.__setitem__(request.url, request.sizes()["responseBodySize"]))
    page.goto(origin + path, wait_until="load")
    page.wait_for_timeout(300)
    context.close()
    assert any(url.endswith(".webp") for url in sizes)
    assert sum(sizes.values()) < 400_000, sizes
