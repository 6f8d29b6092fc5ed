"""A seeded bilingual corpus in ClinicPress's own format, shaped like a clinic's real blog.

The same (size, seed) always writes byte-identical files, so timings taken on
different days or machines measure the same work. Every post exists in Korean
and English under the same file name (translations of each other), has about
900 words with the Markdown a clinic writer uses (headings, lists, emoji check
lists, tables, images, links to other posts) and front-matter exactly as
README.md "Writing a post" describes. Korean prose is made of Hangul words
built from syllables: not meaningful, but realistic for parsing, word counts
and output size.
"""
from __future__ import annotations

import json
import random
import re
import struct
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .prose import EnglishProse, KoreanProse, Prose

# Builds judge "now" at this moment (SOURCE_DATE_EPOCH); every post is older.
SOURCE_DATE_EPOCH = int(datetime(2027, 1, 1, tzinfo=timezone.utc).timestamp())
FIRST_DATE, LAST_DATE = datetime(2018, 1, 1, 9, 0), datetime(2026, 6, 30, 18, 0)
AUTHORS = ("dr-kim", "dr-lee")
FIGURES, COVERS = 12, 6

# (English, Korean) tag names; the pool every post draws its tags from.
TAGS = (
    ("lip filler", "입술 필러"), ("botox", "보톡스"), ("skin booster", "스킨부스터"), ("lifting", "리프팅"),
    ("thread lift", "실리프팅"), ("hyaluronidase", "히알루로니다제"), ("aftercare", "시술 후 관리"),
    ("acne scars", "여드름 흉터"), ("pigmentation", "색소 침착"), ("laser toning", "레이저 토닝"),
    ("rosacea", "주사비"), ("under-eye filler", "눈밑 필러"), ("jawline", "턱선"), ("nose filler", "코 필러"),
    ("forehead", "이마"), ("skin barrier", "피부 장벽"), ("sunscreen", "자외선 차단제"), ("microneedling", "마이크로니들링"),
    ("hifu", "하이푸"), ("radiofrequency", "고주파"), ("double chin", "이중턱"), ("hair loss", "탈모"),
    ("sweating", "다한증"), ("moles", "점 제거"), ("wrinkles", "주름"), ("pores", "모공"),
    ("consultation", "상담"), ("side effects", "부작용"), ("costs", "비용"), ("men's skin", "남성 피부"),
)
ANGLES = (
    ("guide", "A Practical Guide", "알기 쉬운 안내"), ("recovery", "Recovery, Week by Week", "회복 과정 정리"),
    ("myths", "Five Common Myths", "흔한 오해 다섯 가지"), ("checklist", "A Checklist Before You Book", "예약 전 체크리스트"),
    ("costs", "What Drives the Price", "비용이 달라지는 이유"), ("faq", "Questions We Hear Every Week", "자주 받는 질문"),
    ("risks", "Risks and How We Reduce Them", "위험과 예방법"), ("results", "How Long Results Last", "효과 지속 기간"),
)


@dataclass(frozen=True, slots=True)
class PlannedPost:
    """Everything about one post pair except its prose."""

    index: int
    name: str
    date: str
    updated: str | None
    tags: tuple[int, ...]
    angle: int
    series: tuple[str, int] | None
    author: str
    reviewer: str | None
    cover: int | None
    faq: bool


@dataclass(frozen=True, slots=True)
class Corpus:
    """A generated site: where it is and which post the edit scenarios change."""

    site_dir: Path
    size: int
    seed: int
    names: tuple[str, ...]
    edit_target: str


def generate_corpus(site_dir: Path, size: int, seed: int = 1) -> Corpus:
    """Write site.toml, posts/ko, posts/en and static/images for `size` posts in total (half per language)."""
    if size < 2 or size % 2:
        raise ValueError(f"the corpus size must be an even number of posts, at least 2 (got {size})")
    plan, series = plan_posts(size // 2, seed)
    vocabulary = random.Random(f"{seed}:hangul")
    writers: dict[str, Prose] = {"en": EnglishProse(), "ko": KoreanProse(vocabulary)}
    (site_dir / "posts").mkdir(parents=True, exist_ok=True)
    _write(site_dir / "site.toml", site_toml(series))
    for lang, writer in writers.items():
        folder = site_dir / "posts" / lang
        folder.mkdir(exist_ok=True)
        for post in plan:
            rng = random.Random(f"{seed}:{lang}:{post.index}")
            _write(folder / f"{post.name}.md", render_post(post, plan, lang, writer, rng))
    _write_images(site_dir / "static" / "images")
    names = tuple(p.name for p in plan)
    # A recent post: on the first home page, in its tags' first pages and in every feed.
    return Corpus(site_dir, size, seed, names, names[max(0, len(names) - 3)])


def plan_posts(count: int, seed: int) -> tuple[list[PlannedPost], dict[str, int]]:
    """Dates, names, tags, series and people for `count` post pairs; series maps id -> first tag."""
    rng = random.Random(f"{seed}:plan")
    span = (LAST_DATE - FIRST_DATE) / max(1, count)
    plan: list[PlannedPost] = []
    series: dict[str, int] = {}
    current: tuple[str, int, int] | None = None  # (id, parts, tag)
    part = 0
    for index in range(count):
        if current is None and count - index >= 3 and (not series or rng.random() < 0.1):
            tag = rng.randrange(len(TAGS))
            series_id = f"{_segment(TAGS[tag][0])}-series-{len(series) + 1:03d}"
            current, part = (series_id, rng.randint(3, 5), tag), 0
            series[series_id] = tag
        main_tag = current[2] if current else rng.randrange(len(TAGS))
        tags = [main_tag] + [t for t in rng.sample(range(len(TAGS)), rng.randint(1, 3)) if t != main_tag]
        moment = FIRST_DATE + span * index
        date = f"{moment:%Y-%m-%d}" if rng.random() < 0.7 else f"{moment:%Y-%m-%dT%H:%M:00}"
        updated = moment.date() + timedelta(days=rng.randint(5, 200))
        angle = rng.randrange(len(ANGLES))
        in_series = None
        if current:
            part += 1
            in_series = (current[0], part)
            if part == current[1] or index == count - 1:
                current = None
        author = rng.choice(AUTHORS)
        plan.append(PlannedPost(
            index=index, name=f"{_segment(TAGS[main_tag][0])}-{ANGLES[angle][0]}-{index + 1:05d}", date=date,
            updated=f"{updated:%Y-%m-%d}" if rng.random() < 0.25 and updated <= LAST_DATE.date() else None,
            tags=tuple(tags), angle=angle, series=in_series, author=author,
            reviewer=AUTHORS[1 - AUTHORS.index(author)],  # every post about a procedure is medically reviewed
            cover=rng.randrange(COVERS) + 1 if rng.random() < 0.4 else None, faq=rng.random() < 0.15,
        ))
    return plan, series


def site_toml(series: dict[str, int]) -> str:
    """The corpus site's configuration: two languages, two doctors, every series declared."""
    lines = [
        "# A generated benchmark site; see benchmarks/README.md.", "",
        "[site]", 'base_url = "https://blog.example-clinic.com/"', 'default_language = "ko"',
        'timezone = "Asia/Seoul"', "posts_per_page = 10", "",
        "[languages.ko]", 'name = "한국어"', 'locale = "ko_KR"', 'title = "벤치마크 의원 블로그"',
        'description = "피부와 필러 시술을 의료진이 차근차근 설명하는 블로그입니다."', "",
        "[languages.en]", 'name = "English"', 'locale = "en_US"', 'title = "Benchmark Clinic Journal"',
        'description = "Doctors explain skin and filler treatments, one step at a time."', "",
        "[clinic]", 'name = { ko = "벤치마크 의원", en = "Benchmark Clinic" }', 'url = "https://example-clinic.com/"',
        'logo = "/images/cover-01.png"', 'telephone = "+82-2-3144-0170"',
        'contact_url = "https://example-clinic.com/contact"', 'foreign_patient_registration = "서울-2026-0170"', "",
        "[authors.dr-kim]", 'name = { ko = "김OO 원장", en = "Dr. Kim" }',
        'job_title = { ko = "성형외과 전문의", en = "Board-certified plastic surgeon" }', 'type = "Physician"',
        'medical_specialty = "PlasticSurgery"', 'url = "https://example-clinic.com/doctors/kim"', "",
        "[authors.dr-lee]", 'name = { ko = "이OO 원장", en = "Dr. Lee" }',
        'job_title = { ko = "피부과 전문의", en = "Board-certified dermatologist" }', 'type = "Physician"',
        'medical_specialty = "Dermatology"', 'url = "https://example-clinic.com/doctors/lee"', "",
    ]
    for series_id, tag in series.items():
        number = int(series_id.rsplit("-", 1)[1])
        en, ko = TAGS[tag]
        lines += [f"[series.{series_id}]",
                  f'title = {{ ko = "{ko} 시리즈 {number}", en = "{en.title()}, Series {number}" }}',
                  f'description = {{ ko = "{ko}에 대해 자주 받는 질문을 여러 편에 나눠 차근차근 설명합니다.", '
                  f'en = "A series of posts about {en}, one question at a time." }}', ""]
    lines += ["[comments]", 'provider = "none"', "", "[feeds]", "limit = 20", "full_content = true", "",
              "[markdown]", "line_breaks = true", "unsafe_html = false", ""]
    return "\n".join(lines)


def post_title(post: PlannedPost, lang: str) -> str:
    en, ko = TAGS[post.tags[0]]
    _, en_angle, ko_angle = ANGLES[post.angle]
    if post.series:
        return f"{en.title()} Part {post.series[1]}: {en_angle}" if lang == "en" else f"{ko} {post.series[1]}편: {ko_angle}"
    return f"{en.title()}: {en_angle}" if lang == "en" else f"{ko}, {ko_angle}"


def render_post(post: PlannedPost, plan: list[PlannedPost], lang: str, writer: Prose, rng: random.Random) -> str:
    """One post file: YAML front-matter, then about 900 words of Markdown."""
    tag_names = [TAGS[t][0 if lang == "en" else 1] for t in post.tags]
    lines = ["---", f"title: {_quote(post_title(post, lang))}", f"date: {post.date}"]
    if post.updated:
        lines.append(f"updated: {post.updated}")
    lines += [f"description: {_quote(writer.description(rng, tag_names[0]))}", f"tags: [{', '.join(tag_names)}]"]
    if post.series:
        lines += [f"series: {post.series[0]}", f"series_part: {post.series[1]}"]
    lines.append(f"author: {post.author}")
    if post.reviewer:
        lines.append(f"reviewed_by: {post.reviewer}")
    if post.cover:
        lines += [f"image: /images/cover-{post.cover:02d}.png", f"image_alt: {_quote(writer.alt_text(rng))}"]
    if post.faq:
        lines.append("faq:")
        for _ in range(2):
            lines += [f"  - q: {_quote(writer.question(rng, tag_names[0]))}", f"    a: {_quote(writer.sentence(rng))}"]
    others = [p.name for p in rng.sample(plan, min(4, len(plan))) if p.name != post.name] or [post.name]
    links = [(writer.link_text(rng), f"/{lang}/posts/{name}/") for name in others]
    lines += ["---", writer.body(rng, tag_names, links, FIGURES)]
    return "\n".join(lines)


def _segment(text: str) -> str:
    return text.replace(" ", "-").replace("'", "")


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid double-quoted YAML scalar


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def _write_images(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(1, FIGURES + 1):
        (folder / f"figure-{number:02d}.png").write_bytes(_png(64, 40, (40 + 15 * number, 150, 160)))
    for number in range(1, COVERS + 1):
        (folder / f"cover-{number:02d}.png").write_bytes(_png(120, 63, (200, 120 + 20 * number, 140)))


def edit_title(path: Path, suffix: str) -> None:
    """Append `suffix` to a post's title, as a writer fixing a title would."""
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'^title: "(.*)"$', lambda m: f'title: "{m.group(1)}{suffix}"', text, count=1, flags=re.M),
                    encoding="utf-8")


def append_paragraph(path: Path, paragraph: str) -> None:
    """Add a paragraph at the end of a post's body (the same in ClinicPress's and Pelican's format)."""
    with open(path, "a", encoding="utf-8") as stream:
        stream.write(f"\n{paragraph}\n")
