"""`clinicpress new` and `clinicpress init`: start a post or a whole site from the command line.

Both only ever create files: an existing post or a non-empty folder is refused, never overwritten.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from string import Template
from zoneinfo import ZoneInfo

from generator.check.settings import description_bounds
from generator.config.examples import INIT_VALUES, NEW_POST_BODY
from generator.config.loader import SiteConfig, load_config
from generator.content.posts import SAFE_SEGMENT, parse_post
from generator.errors import BuildError, UsageError, display_path
from generator.content.models import Post, SourceFile
from generator.deploy.ci import ci_files
from generator.site.romanization import romanize_hangul
from generator.site.urls import slugify

SLUG_MAX = 60



@dataclass(frozen=True, slots=True)
class NewPostRequest:
    """What `clinicpress new` was asked for."""

    title: str
    lang: str
    slug: str | None = None
    series: str | None = None
    part: int | None = None
    translation_of: Path | None = None


def slug_from_title(title: str) -> str | None:
    """'Lip Filler: Aftercare' -> 'lip-filler-aftercare', '보톡스 시술 후 관리' -> 'botokseu-sisul-hu-gwalli' (Korean
    in Revised Romanization); None when the title holds letters of another script (Japanese, Chinese, ...)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", romanize_hangul(unicodedata.normalize("NFC", title)))
                    if not unicodedata.combining(c))
    if any(c.isalpha() and not c.isascii() for c in plain):
        return None
    words = re.sub(r"['’]", "", plain.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", words).strip("-")
    if len(slug) > SLUG_MAX:
        slug = slug[:SLUG_MAX + 1].rsplit("-", 1)[0] if "-" in slug[:SLUG_MAX + 1] else slug[:SLUG_MAX]
    return slug or None


def write_new_post(site_dir: Path, request: NewPostRequest, now: datetime | None = None) -> Path:
    """Create posts/<lang>/<slug>.md with front-matter filled in; returns the new file's path."""
    config = load_config(site_dir / "site.toml")
    title = request.title.strip()
    if not title:
        raise UsageError("the title is empty; write it in quotes: clinicpress new \"My post\" --lang en")
    if request.lang not in config.language_codes:
        raise UsageError(f"--lang {request.lang} is not a language of this site "
                         f"(site.toml has: {', '.join(config.language_codes)})")
    original = _load_original(site_dir, request, config) if request.translation_of else None
    name = _file_name(request, title, original)
    series, part = _series(request, config, original)
    folder = site_dir / "posts" / request.lang
    if original is not None:
        _refuse_second_translation(site_dir, folder, original, request.lang, config)
    zone = ZoneInfo(config.site.timezone)
    moment = (now or datetime.now(zone)).astimezone(zone).replace(second=0, microsecond=0)
    text = _post_text(title, moment, request.lang, config, original, series, part)
    path = folder / f"{name}.md"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise UsageError(f"{display_path(path, site_dir)} already exists and was left as it is; "
                         "choose another name with --slug") from None
    return path


def _load_original(site_dir: Path, request: NewPostRequest, config: SiteConfig) -> Post:
    """The post being translated, parsed with the site's own rules."""
    given = request.translation_of
    candidates = [given, site_dir / given] if not given.is_absolute() else [given]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise UsageError(f"--translation-of {given}: no such post; give its path, e.g. posts/ko/welcome.md")
    posts_dir = (site_dir / "posts").resolve()
    resolved = path.resolve()
    if resolved.parent.parent != posts_dir or resolved.suffix != ".md":
        raise UsageError(f"--translation-of {given}: not a post of this site (posts/<lang>/<name>.md)")
    lang = resolved.parent.name
    if lang not in config.language_codes:
        raise UsageError(f"--translation-of {given}: '{lang}' is not a language in site.toml")
    if lang == request.lang:
        raise UsageError(f"--translation-of {given} is already in '{lang}'; choose the other language with --lang")
    source = SourceFile(path=display_path(resolved, site_dir), lang=lang, name=resolved.stem, data=resolved.read_bytes())
    post, diagnostics = parse_post(source, config)
    if post is None:
        raise BuildError(diagnostics)
    return post


def _file_name(request: NewPostRequest, title: str, original: Post | None) -> str:
    if request.slug is not None:
        if not SAFE_SEGMENT.fullmatch(request.slug):
            cleaned = slugify(request.slug)
            suggestion = cleaned if SAFE_SEGMENT.fullmatch(cleaned) else "lip-filler-aftercare"
            raise UsageError(f"--slug '{request.slug}' must be one URL segment of letters (Hangul too), digits and "
                             f"'-', e.g. --slug {suggestion}")
        return request.slug
    if original is not None:  # translations share the file name, as the sample site's posts do
        return Path(original.source).stem
    slug = slug_from_title(title)
    if slug is None:
        raise UsageError(f"cannot make a web address (slug) from the title \"{title}\": add --slug with a short "
                         "name in Latin letters or Hangul, such as --slug lip-filler-aftercare or --slug 입술-필러-관리, "
                         "or --translation-of posts/<lang>/<name>.md when this post translates another one")
    return slug


def _series(request: NewPostRequest, config: SiteConfig, original: Post | None) -> tuple[str | None, int | None]:
    if request.series is None and request.part is not None:
        raise UsageError("--part needs --series, e.g. --series lip-filler --part 2")
    if request.series is None:
        return (original.series, original.series_part) if original else (None, None)
    if not SAFE_SEGMENT.fullmatch(request.series):
        raise UsageError(f"--series '{request.series}' must be one URL segment of letters, digits and '-', "
                         "e.g. --series lip-filler")
    if request.part is None:
        raise UsageError(f"--series needs --part, the number of this part, e.g. --series {request.series} --part 1")
    if request.part < 1:
        raise UsageError(f"--part must be 1 or more, got {request.part}")
    return request.series, request.part


def _refuse_second_translation(site_dir: Path, folder: Path, original: Post, lang: str, config: SiteConfig) -> None:
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        source = SourceFile(path=display_path(path, site_dir), lang=lang, name=path.stem, data=path.read_bytes())
        post, _ = parse_post(source, config)
        if post is not None and post.translation_key == original.translation_key:
            raise UsageError(f"{source.path} already translates {original.source} "
                             f"(translation_key: {original.translation_key}); edit that file instead")


def _quoted(text: str) -> str:
    """A YAML double-quoted string (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _post_text(title: str, moment: datetime, lang: str, config: SiteConfig, original: Post | None,
               series: str | None, part: int | None) -> str:
    low, high = description_bounds(config, lang)  # what `check` will ask of it
    lines = [f"title: {_quoted(title)}", f"date: {moment.isoformat()}",
             f'description: ""  # one or two sentences, {low}-{high} characters, for search results and feeds']
    tags = original.tags if original else ()
    tags_line = f"tags: [{', '.join(_quoted(t) for t in tags)}]"
    if original is not None:
        lines.append(f"translation_key: {original.translation_key}  # links it to {original.source}")
        tags_line += f"  # copied from the {original.lang} version; translate them" if tags else ""
    lines.append(tags_line)
    if series:
        lines += [f"series: {series}", f"series_part: {part}"]
    ids = [a.id for a in config.authors]
    if not ids:
        lines.append("# author:  # add [authors.<id>] to site.toml, then write the id here")
    else:
        by = f"the {original.lang} version is by {original.author}; " if original and original.author else ""
        lines.append(f"# author: {original.author if original and original.author else ids[0]}"
                     f"  # who wrote it ({by}ids in site.toml: {', '.join(ids)}); remove the # to set it")
        lines.append("# reviewed_by:  # optional: the doctor who checked the post medically")
    body = NEW_POST_BODY.get(lang, NEW_POST_BODY["en"])
    return "---\n" + "\n".join(lines) + "\n---\n" + body


def write_site_skeleton(target: Path, now: datetime | None = None) -> list[Path]:
    """A new site that builds as is, its example values (config/examples.py) for `check` to ask for;
    refuses a folder that has files."""
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} is a file; choose a new folder for the site")
    if target.is_dir() and any(target.iterdir()):
        raise UsageError(f"{target} is not empty; choose a new or empty folder so no file is overwritten")
    zone = ZoneInfo(SKELETON_TIMEZONE)
    today = (now or datetime.now(zone)).astimezone(zone).date().isoformat()
    files = {
        "site.toml": Template(SKELETON_CONFIG).substitute(INIT_VALUES),
        "posts/ko/welcome.md": Template(WELCOME_KO).substitute(INIT_VALUES, date=today),
        "posts/en/welcome.md": Template(WELCOME_EN).substitute(INIT_VALUES, date=today),
        "static/images/.gitkeep": "",
        # output/ and what a build keeps beside it: the lock, the staging and the previous site; the
        # editor's code that the publish workflow fetches
        ".gitignore": "output/\n.output.*\n.clinicpress-cache/\nnode_modules/\n",
        **ci_files(SKELETON_TIMEZONE),  # publishing on push, nightly (posts dated in the future) and by hand
    }
    written = []
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(text)
        written.append(path)
    return written


SKELETON_TIMEZONE = "Asia/Seoul"

SKELETON_CONFIG = '''\
# site.toml: the settings of this blog. Lines starting with # are notes and switched-off examples;
# remove the # in front of a key to use it. Text goes in "quotes".
# The clinic, its addresses, its number and the author below are examples: `clinicpress check` lists each
# one still here (and in posts/), and nothing is published until all of them are your own.

[site]
base_url = "$base_url"  # the address the blog will be published at (absolute, ends with /)
default_language = "ko"                 # the language of the front page and of x-default in search engines
timezone = "Asia/Seoul"                 # post dates without a time zone are read in this zone
posts_per_page = 10                     # posts on each page of the home and topic lists

# One [languages.<code>] table per language; <code> is the folder name under posts/ and the start of
# every address (/ko/, /en/). Their order is the order in the language switcher.
[languages.ko]
name = "한국어"                # shown in the language switcher
locale = "ko_KR"              # dates and search-engine locale
title = "$clinic_ko 블로그"       # the blog's title in this language
description = "$clinic_ko 의료진이 진료실에서 자주 받는 질문에 답합니다."  # home page and feed description
# words_per_minute = 0        # reading speed for "N min read"; 0 uses the language's usual speed

[languages.en]
name = "English"
locale = "en_US"
title = "$clinic_en Blog"
description = "Doctors at $clinic_en answer the questions patients ask most often."
# words_per_minute = 0

# The clinic publishes the blog: search engines show it as the publisher of every post.
[clinic]
name = { ko = "$clinic_ko", en = "$clinic_en" }  # one text, or one per language as here
url = "$clinic_url"                  # the clinic's main website
contact_url = "$contact_url"   # contact or booking page, linked on every page
telephone = "$telephone"                      # shown with a call button; remove the line to hide it
# logo = "/images/logo.png"                       # put the file in static/images/; used by search engines
# address = { ko = "서울특별시 ...", en = "..., Seoul" }  # street address in the footer
# email = "$email"                     # contact e-mail
# kakao_channel = "https://pf.kakao.com/_..."     # KakaoTalk channel, linked under posts and in the footer
# A Korean clinic whose blog has pages in other languages advertises to patients from abroad; that needs its
# registration as a 외국인환자 유치 의료기관 (의료법 제56조 제2항 제12호). The footer shows the number.
# foreign_patient_registration = ""               # the registration number; `check` asks for it

# Authors are referenced from posts by their id: author: dr-hong, reviewed_by: dr-hong.
[authors.dr-hong]
name = { ko = "$author_ko 원장", en = "Dr. $author_en" }        # display name
job_title = { ko = "피부과 전문의", en = "Board-certified dermatologist" }  # credentials under the name
type = "Physician"                    # "Physician" for doctors, "Person" for everyone else
# url = "$author_url"   # profile page on the clinic's website
# image = "/images/dr-hong.jpg"                  # portrait, from static/images/
# bio = { ko = "...", en = "..." }               # a sentence or two on the author page
# medical_specialty = "Dermatology"              # schema.org name, e.g. PlasticSurgery, Dermatology
# same_as = ["https://www.linkedin.com/in/..."]  # other profiles that confirm who the author is
# github = "..."                                 # their GitHub login: approving a post there marks it reviewed

# A series groups posts in parts (series: lip-filler and series_part: 1 in a post).
# [series.lip-filler]
# title = { ko = "입술 필러 바로 알기", en = "Lip Filler, Explained" }  # shown on the series page and each part
# description = { ko = "...", en = "..." }                            # shown on the series page

# Your own words for a topic (tag), per language: its page, search results and its feed use them
# instead of a sentence naming the topic, its number of posts and the blog.
# [tags.ko."병원 소식"]
# description = "..."

[comments]
provider = "none"   # none, isso, giscus, utterances, disqus or remark42; settings go in [comments.<provider>]
thread = "shared"   # shared: one thread for all translations of a post; per-language: one each
load = "click"      # click: nothing loads from the comment service until a reader asks; scroll; eager

# Visit counting, with taps on the phone number, contact page and KakaoTalk channel counted as conversions.
[analytics]
provider = "none"   # none, plausible (domain), umami (website_id), goatcounter (code), ga4 (measurement_id), naver (site_id)
load = "consent"    # consent: nothing is sent until the reader agrees; always

# The privacy notice (/ko/privacy/, /en/privacy/) is written from [comments] and [analytics]. Once the blog
# collects anything, `check` asks for these (개인정보 보호법 제30조):
# [privacy]
# officer = { ko = "...", en = "..." }   # the person or department responsible for personal information
# effective = "2026-01-01"               # the date the notice takes effect
# email = "..."                          # for privacy requests; default: [clinic] email or telephone

# Ownership codes from Google Search Console, Naver Search Advisor and Bing Webmaster Tools.
[verification]
# google = ""   # content of the google-site-verification meta tag
# naver = ""    # content of the naver-site-verification meta tag
# bing = ""     # content of the msvalidate.01 meta tag

[feeds]
limit = 20            # posts in each RSS and Atom feed
full_content = true   # the whole post in feeds; false: only the description

[markdown]
line_breaks = false   # true: a single line break in a post is kept (handy for text pasted from other blogs)
unsafe_html = false   # false: HTML written inside posts is cleaned to a safe list of tags

# Photos in static/ (JPEG, PNG, WebP, GIF, iPhone HEIC) are published without their metadata (GPS
# position, camera, dates), upright, and in smaller copies so that phones download only what they show.
[images]
widths = [480, 960, 1440, 2000]   # pixel widths of the copies; a photo is never enlarged
formats = ["webp", "original"]     # offered in this order; "avif" is smaller but slow to make
# quality = 80                     # 1-100: higher is sharper and heavier
# sizes = "(min-width: 42rem) 40rem, calc(100vw - 4rem)"   # how wide your theme shows a photo (<img sizes>)

# Site search: /ko/search/ and /en/search/, a search box in the header, and an index that finds Korean
# words with their particles (보톡스 finds 보톡스는). Nothing loads until a reader searches.
[search]
enabled = true          # false: no search page, no search box, no index
# [search.weights]      # how much a word counts where it stands, 0-10
# title = 7.0           # the post's title
# headings = 5.0        # headings in the body
# tags = 4.0            # tags and series
# description = 3.0     # the description
# faq = 2.0             # FAQ questions and answers
# body = 1.0            # the rest of the text

# 'clinicpress check' also reads every sentence no rule flagged with the claims model, which warns about
# claims in words no rule lists; claims_model = false turns it off.
# [check]
# claims_model = true

# Adjust the rules of 'clinicpress check': rule-id = "off", "info", "warning" or "error".
# [check.rules]

# The browser editor at /admin/ (Decap CMS): posts written and translated in the browser, photos uploaded,
# and what `clinicpress check` finds shown before anything is saved. On this computer, run
# `clinicpress serve --edit` and open http://127.0.0.1:8000/admin/: posts are saved into posts/.
# To write from anywhere, give the GitHub repository the publish workflow runs in (README: "Writing in
# the browser"); "Publish" then commits the post there, and the workflow checks, builds and publishes it.
[admin]
enabled = true                # false: no /admin/
# repository = "clinic/blog"  # owner/name of the repository on GitHub
# branch = "main"             # the branch the publish workflow runs on
# auth_url = "https://..."    # the GitHub sign-in service (an OAuth app's small helper, see README)
# api_url = "https://github.example.com/api/v3"  # GitHub Enterprise Server only: its API address
# review = false              # true: a post waits as a pull request until a doctor approves it, and the
                              # approval writes reviewed_by and last_reviewed (.github/workflows/approve.yml)

# Where `clinicpress deploy` publishes (.github/workflows/publish.yml publishes to GitHub Pages without it).
# [deploy]
# target = "git"                                 # git: commit the site to a branch; rsync: copy it to a server
# repository = "git@github.com:clinic/blog.git"  # default: this repository's origin
# branch = "gh-pages"                           # the branch the built site is committed to
# cname = "$cname"                     # your own domain, written to the CNAME file
# destination = "deploy@host:/var/www/blog/"     # for target = "rsync": a server folder or a local folder
# indexnow = false                               # after a deploy, tell Naver and Bing which addresses changed
# indexnow_endpoint = "https://api.indexnow.org/indexnow"  # the IndexNow service the search engines share
'''

WELCOME_KO = '''\
---
title: "$clinic_ko 블로그를 시작합니다"
date: $date
description: "$clinic_ko 블로그에서 어떤 글을 읽을 수 있는지, 의료진이 글을 어떻게 쓰고 다시 확인하는지 소개합니다."
tags: [병원 소식]
author: dr-hong
---
블로그에 오신 것을 환영합니다. 이곳에서는 진료실에서 자주 받는 질문에 의료진이 쉬운 말로 답합니다.

## 이런 글을 싣습니다

- 흔히 받는 시술이 어떻게 작용하는지, 할 수 있는 일과 할 수 없는 일
- 내원을 준비할 때와 내원한 뒤에 알아 두면 좋은 점
- 독자분들이 보내 주신 질문에 대한 답

## 이렇게 씁니다

모든 글은 저희 의원 의사가 직접 쓰고, 진료 지침이 바뀌면 다시 확인합니다. 사람마다 상태가 달라서 글이 진료를 대신할 수는 없습니다. 결과는 사람마다 다르고 어떤 시술이든 부작용이 생길 수 있으니, 담당 의사와 충분히 상담해 주세요.

### 다루었으면 하는 주제가 있나요?

궁금한 주제가 있다면 언제든 알려 주세요. 다음 글을 고를 때 참고하겠습니다.
'''

WELCOME_EN = '''\
---
title: "Welcome to the $clinic_en blog"
date: $date
description: "What you will find on the $clinic_en blog, and how our doctors write every article and check it again when medical guidance changes."
tags: [clinic news]
author: dr-hong
---
Thank you for visiting. This is where our doctors answer, in plain words, the questions we hear most often in the consulting room.

## What you will find here

- How common treatments work, and what they can and cannot do
- What is useful to know when you prepare for a visit, and in the days after it
- Answers to questions sent in by readers

## How we write

Every article is written by a doctor at the clinic and checked again when medical guidance changes. Everyone is different, so an article cannot replace a consultation: results vary from person to person, and any treatment can have side effects, so please talk them through with your doctor.

### Is there a topic you would like us to cover?

Let us know at any time. Your questions help us choose what to write next.
'''
