"""Photos as a clinic publishes them: a fresh `init` site gets phone photos with GPS, camera and
orientation data, a PNG chart with text chunks and an iPhone HEIC; every image the build publishes is
read back with Pillow, pages with lxml, feeds with feedparser, JSON-LD with json."""
from __future__ import annotations

import json
import re
import shutil
import struct
import zlib
from pathlib import Path

import feedparser
import pillow_heif
import pytest
from lxml import html as lxml_html
from PIL import Image, PngImagePlugin

from benchmarks.photos import phone_exif, phone_photo, write_phone_photo
from conftest import MINIMAL_CONFIG, post_text, run_cli

RASTER = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif", ".heic")
# What must never reach a reader: camera, software, place, people, free text.
SECRETS = (b"iPhone", b"Apple", b"17.1.2", b"2026:07:03", b"patient", b"Patient", b"Seoul", b"xmpmeta", b"Exif\x00\x00")
HARMLESS_INFO = {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "progressive", "progression",
                 "background", "loop", "duration", "transparency", "timestamp"}

PHOTO_POST = """\
---
title: "Our treatment room"
date: 2026-07-03
description: "A look at the treatment room and a chart of a first visit, for the tests of this suite."
image: /images/room.jpg
image_alt: "The treatment room"
---
The room, seen from the door.

![The treatment room from the door](/images/room.jpg)

A chart of a visit.

![Minutes of a first visit](/images/chart.png)

A photo from a phone, in the format iPhones use.

![The waiting area](/images/lounge.heic)

[The waiting area, full size](/images/lounge.heic)
"""


def png_with_text(path: Path, size=(800, 400)) -> Path:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Patient Kim")
    info.add_itxt("Description", "Taken in Seoul")
    Image.new("RGBA", size, (31, 78, 95, 200)).save(path, pnginfo=info, exif=phone_exif(1))
    return path


def heic_with_exif(path: Path, size: tuple[int, int] = (1600, 1200)) -> Path:
    heif = pillow_heif.from_pillow(phone_photo(7, size))
    heif.info["exif"] = phone_exif(6).tobytes()
    heif.save(path, quality=70)
    return path


@pytest.fixture(scope="module")
def photo_site(tmp_path_factory) -> Path:
    """A site made by `clinicpress init`, with photos as a phone delivers them, built once."""
    site = tmp_path_factory.mktemp("photos") / "clinic"
    assert run_cli("init", str(site)).code == 0
    images = site / "static" / "images"
    write_phone_photo(images / "room.jpg", seed=1)  # 4032x3024, orientation 6, GPS, comment, XMP
    png_with_text(images / "chart.png")
    heic_with_exif(images / "lounge.heic")
    write_phone_photo(images / "team.jpg", seed=2, size=(800, 600), orientation=1)  # in no post
    (site / "posts" / "en" / "room.md").write_text(PHOTO_POST, encoding="utf-8")
    built = run_cli("build", str(site))
    assert built.code == 0, built.err
    return site


def page(site: Path, path: str):
    return lxml_html.fromstring((site / "output" / path / "index.html").read_bytes())


def published_images(output: Path) -> list[Path]:
    return [p for p in output.rglob("*") if p.suffix.lower() in RASTER]


def assert_clean(file: Path) -> None:
    data = file.read_bytes()
    for secret in SECRETS:
        assert secret not in data, f"{file.name} contains {secret!r}"
    with Image.open(file) as image:
        assert not image.getexif(), file.name
        assert set(image.info) <= HARMLESS_INFO, (file.name, set(image.info) - HARMLESS_INFO)


def test_the_next_build_makes_nothing_again(photo_site):
    """The image records read back from the image cache stand for the same pages as the ones the first
    build made, so a build with nothing changed carries every file over."""
    result = run_cli("build", "-v", str(photo_site))
    assert result.code == 0, result.err
    assert re.search(r"^Made 0 of [\d,]+ files; [\d,]+ carried over unchanged$", result.out, re.M), result.out


def test_no_published_image_carries_metadata(photo_site):
    files = published_images(photo_site / "output")
    assert len(files) > 20
    assert not [f for f in files if f.suffix == ".heic"]
    for file in files:
        assert_clean(file)


def test_the_sources_did_carry_that_metadata(photo_site):
    """The test above would mean nothing if the inputs were clean already."""
    images = photo_site / "static" / "images"
    for name in ("room.jpg", "chart.png", "lounge.heic"):
        data = (images / name).read_bytes()
        assert b"iPhone" in data or b"Patient Kim" in data, name
    with Image.open(images / "room.jpg") as room:
        assert room.getexif().get_ifd(0x8825)[2] == (37.0, 31.0, 12.3)


@pytest.mark.parametrize("name", ["room.jpg", "room-480w.webp", "lounge.jpg", "lounge-480w.jpg"])
def test_photos_taken_upright_are_published_upright(photo_site, name):
    with Image.open(photo_site / "output" / "images" / name) as image:
        rgb = image.convert("RGB")
        assert image.height > image.width
        corner = image.width // 20
        top_right = rgb.getpixel((image.width - corner, corner))
        bottom_right = rgb.getpixel((image.width - corner, image.height - corner))
    assert top_right[2] > 200 and top_right[0] < 60, top_right  # the blue corner of the sensor's top left
    assert bottom_right[0] > 200 and bottom_right[2] < 60, bottom_right  # the red one of its top right


def srcset_entries(value: str) -> list[tuple[str, int]]:
    return [(url, int(width[:-1])) for url, width in (item.strip().split(" ") for item in value.split(","))]


def test_post_shows_every_photo_as_a_picture_of_real_variants(photo_site):
    tree = page(photo_site, "en/posts/room")
    pictures = tree.cssselect("picture")
    assert len(pictures) == 4  # the cover and three in the text
    for index, picture in enumerate(pictures):
        sources, img = picture.cssselect("source"), picture.cssselect("img")[0]
        assert [s.get("type") for s in sources] == ["image/webp"]
        assert img.get("alt") and img.get("sizes") and img.get("decoding") == "async"
        if index == 0:
            assert picture.getparent().get("class") == "cover"
            assert (img.get("loading"), img.get("fetchpriority")) == ("eager", "high")
        else:
            assert img.get("loading") == "lazy" and img.get("fetchpriority") is None
        entries = srcset_entries(sources[0].get("srcset")) + srcset_entries(img.get("srcset"))
        assert img.get("src") in [url for url, _ in entries]
        for url, width in entries:
            with Image.open(photo_site / "output" / url.lstrip("/")) as variant:
                assert variant.width == width, url
        widest = max(width for _, width in entries)
        with Image.open(photo_site / "output" / entries[-1][0].lstrip("/")) as largest:
            assert (int(img.get("width")), int(img.get("height"))) == largest.size
        assert widest <= 2000
    chart = srcset_entries(pictures[2].cssselect("img")[0].get("srcset"))
    assert [width for _, width in chart] == [480, 800]  # never enlarged past its own 800 pixels
    room = srcset_entries(pictures[1].cssselect("source")[0].get("srcset"))
    assert [width for _, width in room] == [480, 960, 1440, 2000]


def test_no_page_feed_or_sitemap_links_a_heic_file(photo_site):
    for file in (photo_site / "output").rglob("*"):
        if file.suffix in (".html", ".xml", ".txt") or file.name.startswith("_"):
            assert ".heic" not in file.read_text(encoding="utf-8"), file
    link = page(photo_site, "en/posts/room").xpath('//a[contains(., "full size")]')[0]
    assert link.get("href") == "/images/lounge.jpg"


def test_feed_entries_show_one_mid_size_image_with_an_absolute_url(photo_site):
    feed = feedparser.parse((photo_site / "output" / "en" / "feed.xml").read_bytes())
    entry = next(e for e in feed.entries if e.title == "Our treatment room")
    content = lxml_html.fragment_fromstring(entry.content[0].value, create_parent="div")
    assert not content.cssselect("picture")
    sources = [img.get("src") for img in content.cssselect("img")]
    assert sources == [f"https://blog.example.com/images/{name}"
                       for name in ("room-960w.jpg", "room-960w.jpg", "chart.png", "lounge-960w.jpg")]


def test_link_previews_use_a_1200_by_630_crop_of_the_cover(photo_site):
    tree = page(photo_site, "en/posts/room")
    meta = {m.get("property") or m.get("name"): m.get("content") for m in tree.cssselect("meta")}
    url = "https://blog.example.com/images/room-1200x630.jpg"
    assert (meta["og:image"], meta["og:image:width"], meta["og:image:height"]) == (url, "1200", "630")
    assert meta["og:image:alt"] == "The treatment room" and meta["twitter:image"] == url
    with Image.open(photo_site / "output" / "images" / "room-1200x630.jpg") as preview:
        assert (preview.format, preview.size) == ("JPEG", (1200, 630))
    article = next(item for script in tree.xpath('//script[@type="application/ld+json"]')
                   for item in [json.loads(script.text)] if item.get("@type") == "BlogPosting")
    assert article["image"] == [{"@type": "ImageObject", "url": url, "width": 1200, "height": 630}]


def test_a_rebuild_encodes_nothing_again_and_matches_a_clean_build(photo_site, tmp_path):
    cache = photo_site / ".clinicpress-cache" / "images"

    def files(folder: Path) -> dict[str, tuple[int, int]]:
        return {str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns)
                for p in folder.rglob("*") if p.suffix in RASTER}

    encoded, published = files(cache), files(photo_site / "output")
    assert run_cli("build", str(photo_site)).code == 0
    assert files(cache) == encoded
    assert {k: v[1] for k, v in files(photo_site / "output").items()} == {k: v[1] for k, v in published.items()}
    write_phone_photo(photo_site / "static" / "images" / "team.jpg", seed=3, size=(800, 600), orientation=1)
    assert run_cli("build", str(photo_site)).code == 0
    changed = {name for name, stat in files(cache).items() if encoded.get(name) != stat}
    assert len(changed) == 4  # team.jpg's four files only: 480 and 800 pixels wide, as WebP and JPEG
    clean = tmp_path / "clean"
    shutil.copytree(photo_site, clean, ignore=shutil.ignore_patterns("output", ".clinicpress-cache", ".output*"))
    assert run_cli("build", str(clean), "--no-cache").code == 0

    def tree(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
                if p.is_file() and p.name != ".clinicpress-build"}

    assert tree(photo_site / "output") == tree(clean / "output")  # no file more, none less, none different


def test_check_warns_about_an_oversized_photo_and_a_cover_too_small_for_previews(photo_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(photo_site, site, ignore=shutil.ignore_patterns("output", ".clinicpress-cache", ".output*"))
    (site / "posts" / "ko" / "chart.md").write_text(post_text(
        "방문 시간 안내 그래프", body="![방문 시간](/images/chart.png)\n", image="/images/chart.png",
        image_alt='"방문 시간 그래프"'), encoding="utf-8")
    result = run_cli("check", str(site), "--format", "json")
    findings = {(f["rule"], f["path"], f["line"]): f["message"] for f in json.loads(result.out)}
    assert findings[("image-oversized", "posts/en/room.md", 5)] == (
        "image '/images/room.jpg' is 3,024×4,032 pixels "
        f"({(site / 'static/images/room.jpg').stat().st_size / 1e6:.1f} MB), but the site shows it at most 2,000 pixels wide")
    assert ("image-oversized", "posts/en/room.md", 10) in findings
    assert findings[("image-cover-small", "posts/ko/chart.md", 5)] == (
        "cover image '/images/chart.png' is 800 pixels wide: link previews (1200×630) of this post will be blurry")
    assert not [key for key in findings if key[0] == "image-oversized" and "chart" in findings[key]]


# Bad input ---------------------------------------------------------------------------------------

def _truncated_jpeg() -> bytes:
    from io import BytesIO
    out = BytesIO()
    phone_photo(4, (640, 480)).save(out, "JPEG", quality=90)
    return out.getvalue()[: len(out.getvalue()) // 2]


def _tiff() -> bytes:
    from io import BytesIO
    out = BytesIO()
    Image.new("RGB", (64, 64), (1, 2, 3)).save(out, "TIFF")
    return out.getvalue()


def _bomb_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A PNG header for a huge image, with next to no data: what a decompression bomb looks like."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b"")


BAD_IMAGES = {
    "corrupt": (bytes(range(256)) * 8,
                "image '/images/x.jpg' (static/images/x.jpg) is not an image ClinicPress can read, or it is damaged"),
    "truncated": (_truncated_jpeg(),
                  "image '/images/x.jpg' (static/images/x.jpg) cannot be read: the file is damaged or incomplete (truncated)"),
    "unsupported-format": (_tiff(),
                           "image '/images/x.jpg' (static/images/x.jpg) is a TIFF image, which browsers do not show "
                           "and ClinicPress does not publish"),
    "decompression-bomb": (_bomb_png(),
                           "image '/images/x.jpg' (static/images/x.jpg) is 20,000×20,000 pixels (400 megapixels), "
                           "more than the 89 megapixels an image may have"),
}


@pytest.mark.parametrize("case", BAD_IMAGES, ids=str)
def test_a_bad_image_is_a_located_error_and_the_site_stays(site_factory, case):
    data, message = BAD_IMAGES[case]
    good = post_text("Photo", body="Before the photo.\n\n![A photo](/images/x.jpg)\n")
    site = site_factory({"posts/en/photo.md": good, "static/images/x.jpg": phone_photo_bytes()})
    assert run_cli("build", str(site)).code == 0
    before = {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()}
    (site / "static" / "images" / "x.jpg").write_bytes(data)
    result = run_cli("build", str(site))
    assert result.code == 1
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert result.err.splitlines()[0] == f"posts/en/photo.md:8: error: {message}"
    assert {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()} == before


def test_a_bad_image_in_no_post_is_reported_on_the_file(site_factory):
    site = site_factory({"posts/en/a.md": post_text("A post"), "static/images/broken.png": b"\x89PNG\r\n\x1a\nnot really"})
    result = run_cli("build", str(site))
    assert result.code == 1
    assert result.err.startswith("static/images/broken.png: error: image cannot be read: the file is damaged")


def test_a_missing_image_is_a_located_error_that_check_stops_on_while_the_preview_still_builds(site_factory):
    site = site_factory({"posts/en/a.md": post_text("A post", body="Text.\n\n![Gone](/images/gone.jpg)\n")})
    result = run_cli("build", "-v", str(site))
    assert result.code == 0 and " — 1 error, 1 warning found by check\n" in result.out  # and the title's length
    assert "posts/en/a.md:8:1: error: [missing-image] image '/images/gone.jpg' does not exist" in result.err
    checked = run_cli("check", str(site))
    assert checked.code == 1
    assert "posts/en/a.md:8:1: error: [missing-image] image '/images/gone.jpg' does not exist" in checked.out


def test_a_missing_cover_stops_check_naming_the_file_and_the_image_line(site_factory):
    cover = post_text("A post", image="/images/cover.jpg", image_alt="The waiting room")
    site = site_factory({"posts/en/a.md": cover})
    checked = run_cli("check", str(site))
    assert checked.code == 1
    assert "posts/en/a.md:5:1: error: [missing-image] image '/images/cover.jpg' does not exist" in checked.out


def test_heic_and_its_jpeg_twin_cannot_both_be_published(site_factory, tmp_path):
    site = site_factory({"posts/en/a.md": post_text("A post"), "static/images/x.jpg": phone_photo_bytes()})
    heic_with_exif(site / "static" / "images" / "x.heic", (320, 240))
    result = run_cli("build", str(site))
    assert result.code == 1
    assert "static/images/x.heic: error: the copy /images/x.jpg made from this image would replace /images/x.jpg" \
        in result.err


@pytest.mark.parametrize("table, message", [
    ("widths = [480, 0]", "site.toml:2: error: 'images.widths' has 0; widths go from 16 to 8192 pixels"),
    ('formats = ["webp", "jpeg2000"]', "site.toml:2: error: 'images.formats' has 'jpeg2000', which is not one of "
                                       "avif, webp, original"),
    ("widths = 480", "site.toml:2: error: 'images.widths' must be a list of whole numbers, got a number 480"),
    ("quality = 101", "site.toml:2: error: 'images.quality' must be from 1 to 100, got 101"),
    ("width = [480]", "site.toml:2: error: unknown key 'images.width'"),
])
def test_images_settings_are_checked(site_factory, table, message):
    site = site_factory({"posts/en/a.md": post_text("A post")}, config=f"[images]\n{table}\n" + MINIMAL_CONFIG)
    result = run_cli("build", str(site))
    assert result.code == 1 and result.err.startswith(message), result.err


def test_avif_is_offered_first_when_configured(site_factory):
    config = MINIMAL_CONFIG + '\n[images]\nwidths = [320, 640]\nformats = ["avif", "webp", "original"]\n'
    site = site_factory({"posts/en/a.md": post_text("A post", body="![Room](/images/x.jpg)\n"),
                         "static/images/x.jpg": phone_photo_bytes()}, config=config)
    assert run_cli("build", str(site)).code == 0
    picture = page(site, "en/posts/a").cssselect("picture")[0]
    assert [s.get("type") for s in picture.cssselect("source")] == ["image/avif", "image/webp"]
    avif = picture.cssselect("source")[0].get("srcset").split(",")[0].split()[0]
    with Image.open(site / "output" / avif.lstrip("/")) as image:
        assert (image.format, image.width) == ("AVIF", 320)
        assert not image.getexif()


def phone_photo_bytes() -> bytes:
    from io import BytesIO
    out = BytesIO()
    phone_photo(5, (900, 675)).save(out, "JPEG", quality=85, exif=phone_exif(6))
    return out.getvalue()


# The sample site ---------------------------------------------------------------------------------

def test_sample_site_images_are_clean_and_the_photo_tour_uses_pictures(sample_site):
    for file in published_images(sample_site):
        assert_clean(file)
    for lang in ("en", "ko"):
        tree = lxml_html.fromstring((sample_site / lang / "posts" / "clinic-tour-first-visit" / "index.html").read_bytes())
        pictures = tree.cssselect("picture")
        assert len(pictures) == 7  # the cover, five photos and a chart
        assert all(p.cssselect("img")[0].get("width") and p.cssselect("source") for p in pictures)
        assert re.search(r"-480w\.webp 480w", pictures[1].cssselect("source")[0].get("srcset"))
