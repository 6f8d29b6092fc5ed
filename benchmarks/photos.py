"""Phone photos made with Pillow, for the photo benchmark and the tests: 4032x3024 JPEGs of about the
size a phone writes, carrying what a phone puts in them (camera, software, date, GPS position, the
orientation of a photo taken upright) and a comment.

`python -m benchmarks.photos` (and `make bench`, unless given --skip-photos) times a site of 100 such
photos: the cold build on two cores, its peak memory, and a rebuild with nothing changed."""
from __future__ import annotations

import argparse
import functools
import random
import resource
import shutil
import statistics
import sys
from pathlib import Path
from typing import Sequence

from PIL import Image, ImageDraw

PHONE_SIZE = (4032, 3024)
GPS = {1: "N", 2: (37.0, 31.0, 12.3), 3: "E", 4: (127.0, 1.0, 45.6)}  # a street in Seoul


def phone_exif(orientation: int = 6) -> Image.Exif:
    """EXIF as a phone writes it: the camera, software, time, GPS position and orientation."""
    exif = Image.Exif()
    exif[0x010F] = "Apple"  # make
    exif[0x0110] = "iPhone 15 Pro"  # model
    exif[0x0131] = "17.1.2"  # software
    exif[0x0132] = "2026:07:03 10:21:07"  # date and time
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps.update(GPS)
    return exif


@functools.lru_cache(maxsize=2)
def _texture(size: tuple[int, int]) -> Image.Image:
    """Grain and soft light, like a photo of a room: random, but the same for every photo of a run."""
    small = (size[0] // 2, size[1] // 2)
    channels = [Image.effect_noise(small, sigma).convert("L") for sigma in (64, 72, 80)]
    grain = Image.merge("RGB", channels).resize(size, Image.Resampling.BICUBIC)
    light = Image.radial_gradient("L").resize(size).convert("RGB")
    return Image.blend(grain, light, 0.3)


def phone_photo(seed: int, size: tuple[int, int] = PHONE_SIZE) -> Image.Image:
    """A sensor-oriented photo (to be shown turned by EXIF orientation 6): shapes over a grainy texture,
    different for every seed. Its top-left corner is marked blue, its top-right red, to test turning."""
    rng = random.Random(seed)
    photo = _texture(size).copy()
    draw = ImageDraw.Draw(photo)
    for _ in range(24):
        x, y, r = rng.randrange(size[0]), rng.randrange(size[1]), rng.randrange(size[1] // 20, size[1] // 4)
        colour = tuple(rng.randrange(60, 240) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        else:
            draw.rectangle((x - r, y - r // 2, x + r, y + r // 2), fill=colour)
    corner = size[1] // 8
    draw.rectangle((0, 0, corner, corner), fill=(0, 0, 255))
    draw.rectangle((size[0] - corner, 0, size[0], corner), fill=(255, 0, 0))
    return photo


def write_phone_photo(path: Path, seed: int, size: tuple[int, int] = PHONE_SIZE, orientation: int = 6) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    phone_photo(seed, size).save(path, "JPEG", quality=92, exif=phone_exif(orientation),
                                 comment=b"IMG_0412 - patient consent on file", xmp=b"<x:xmpmeta>Seoul</x:xmpmeta>")
    return path


# The benchmark ------------------------------------------------------------------------------------
PHOTOS, PHOTOS_PER_POST = 100, 5
SITE_TOML = """\
[site]
base_url = "https://blog.example-clinic.com/"
default_language = "en"

[languages.en]
name = "English"
locale = "en_US"
title = "Photo benchmark"

[clinic]
name = "Benchmark Clinic"
"""


def write_photo_site(site_dir: Path, photos: int = PHOTOS) -> None:
    """A site of photos/PHOTOS_PER_POST posts, each showing PHOTOS_PER_POST photos, the first as its cover."""
    (site_dir / "site.toml").parent.mkdir(parents=True, exist_ok=True)
    (site_dir / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    for number in range(1, photos + 1):
        write_phone_photo(site_dir / "static" / "photos" / f"photo-{number:03d}.jpg", number)
    for post in range(photos // PHOTOS_PER_POST):
        numbers = range(post * PHOTOS_PER_POST + 1, (post + 1) * PHOTOS_PER_POST + 1)
        body = "\n\n".join(f"Room {n}, seen from the door.\n\n![Treatment room {n}](/photos/photo-{n:03d}.jpg)"
                           for n in numbers)
        (site_dir / "posts" / "en").mkdir(parents=True, exist_ok=True)
        (site_dir / "posts" / "en" / f"rooms-{post + 1:02d}.md").write_text(
            f'---\ntitle: "Our rooms, part {post + 1}"\ndate: 2026-07-{post % 28 + 1:02d}\n'
            f'description: "Photos of the treatment rooms of the clinic, part {post + 1} of the tour."\n'
            f"image: /photos/photo-{numbers[0]:03d}.jpg\nimage_alt: \"Treatment room {numbers[0]}\"\n---\n{body}\n",
            encoding="utf-8")


def bench_photos(work: Path, jobs: int, repeat: int, command: list[str]) -> list[tuple[str, str]]:
    """(figure, value) rows: cold build with `jobs` workers, its peak memory, the no-change rebuild."""
    from .run import timed  # the same timing and memory sampling as the post benchmarks

    source = work / "photos" / "site"
    if not (source / "site.toml").exists():
        print(f"Generating {PHOTOS} phone photos ({PHOTOS_PER_POST} a post) in {source} ...", flush=True)
        shutil.rmtree(source.parent, ignore_errors=True)
        write_photo_site(source)
    site = work / "photos" / "run"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(source, site)
    log = work / "logs" / "photos.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    build = command + ["build", str(site), "-j", str(jobs)]
    before = _children_cpu()
    cold = timed(build, work, log)
    cpu = _children_cpu() - before  # of the build and its workers: unlike wall time, not stretched by other load
    print(f"  {PHOTOS} photos  cold build (-j {jobs})  {cold.seconds:.1f} s ({cpu:.1f} s of CPU)  "
          f"{cold.peak_rss_kib / 1024:.0f} MiB largest process, {cold.peak_tree_kib / 1024:.0f} MiB all", flush=True)
    rebuilds = [timed(build, work, log).seconds for _ in range(repeat)]
    unchanged = statistics.median(rebuilds)
    print(f"  {PHOTOS} photos  rebuild, nothing changed  {unchanged:.2f} s", flush=True)
    nightly = _nightly_run(source, site, work, build, log, timed)
    print(f"  {PHOTOS} photos  nightly CI run: fresh checkout, .clinicpress-cache restored  {nightly:.1f} s "
          f"(without the cache: the cold build)", flush=True)
    size = sum(f.stat().st_size for f in (source / "static").rglob("*.jpg"))
    written = [f for f in (site / "output").rglob("*") if f.suffix in (".jpg", ".webp", ".avif", ".png")]
    return [
        (f"cold build, {PHOTOS} photos of {_mb(size)} ({jobs} workers)", f"{cold.seconds:.1f} s"),
        ("cold build, CPU time of all processes", f"{cpu:.1f} s"),
        ("rebuild, nothing changed", f"{unchanged:.2f} s"),
        ("nightly CI run: fresh checkout, no output, .clinicpress-cache restored (without it: the cold build)",
         f"{nightly:.1f} s"),
        ("peak memory (RSS, largest process)", f"{cold.peak_rss_kib / 1024:,.0f} MiB"),
        ("peak memory (RSS, all processes)", f"{cold.peak_tree_kib / 1024:,.0f} MiB"),
        ("image files written", f"{len(written):,}, {_mb(sum(f.stat().st_size for f in written))}"),
    ]


def _nightly_run(source: Path, built: Path, work: Path, build: list[str], log: Path, timed) -> float:
    """What the workflows `init` writes do each night: a fresh checkout (new paths, new file times, no
    output/) with the cache of the last run restored (actions/cache, GitLab cache:)."""
    checkout = work / "photos" / "nightly"
    shutil.rmtree(checkout, ignore_errors=True)
    shutil.copytree(source, checkout, copy_function=shutil.copy)  # copy, not copy2: the checkout's own times
    shutil.copytree(built / ".clinicpress-cache", checkout / ".clinicpress-cache")
    command = [str(checkout) if part == str(built) else part for part in build]
    return timed(command, work, log).seconds


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def format_photo_table(rows: list[tuple[str, str]]) -> str:
    return "| photos | figure | ClinicPress |\n| ---: | --- | ---: |\n" + "".join(
        f"| {PHOTOS} | {figure} | {value} |\n" for figure, value in rows)


def _mb(size: int) -> str:
    return f"{size / 1e6:,.0f} MB"


def main(argv: Sequence[str] | None = None) -> int:
    from .run import WORK, clinicpress_command

    parser = argparse.ArgumentParser(prog="python -m benchmarks.photos", description=__doc__.split("\n\n")[1])
    parser.add_argument("--jobs", "-j", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--repeat", type=int, default=3, help="median of K no-change rebuilds (default 3)")
    parser.add_argument("--clinicpress", help="the ClinicPress command to time")
    args = parser.parse_args(argv)
    rows = bench_photos(WORK, args.jobs, args.repeat, clinicpress_command(args))
    table = format_photo_table(rows)
    (WORK / "photos.md").write_text(table, encoding="utf-8")
    print("\n" + table + f"\n(also written to {WORK / 'photos.md'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
