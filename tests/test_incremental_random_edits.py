"""Random ordinary edits to a small bilingual site; after every edit the cached build must equal a build
from nothing, byte for byte, file for file (STYLE.md section 10: incremental work is derived, so this
holds for edits nobody listed)."""
from __future__ import annotations

import difflib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from conftest import REPO, run_cli
from generator.incremental import identity

LANGS = ("ko", "en")
NAMES = ("aftercare", "fillers", "peel", "sleep", "laser")
TITLES = ("Aftercare for the first days", "입술 필러 관리", "Tips & <tricks> for \"sleep\"", "Laser care")
TAGS = ("care", "Care", "lips", "skin care")
SERIES = ("care", "lip-filler")  # declared in site.toml, and not
START = datetime(2026, 7, 1, tzinfo=timezone.utc)
DAY = 86_400
FOOTER = (REPO / "templates/partials/footer.html").read_text(encoding="utf-8")


@dataclass(frozen=True)
class PostSpec:
    title: str
    day: int  # days after START; later than the build's clock: a future post
    tags: tuple[str, ...] = ()
    body: str = "Some text about care.\n"
    draft: bool = False
    translation_key: str = ""
    series: str = ""
    part: int = 0

    def text(self) -> str:
        day = datetime.fromtimestamp(START.timestamp() + self.day * DAY, timezone.utc).date()
        lines = [f"title: {json.dumps(self.title, ensure_ascii=False)}", f"date: {day}",
                 'description: "A description of fifty characters or more, for the tests here."',
                 f"tags: [{', '.join(self.tags)}]", "author: dr-kim"]
        if self.draft:
            lines.append("draft: true")
        if self.translation_key:
            lines.append(f"translation_key: {self.translation_key}")
        if self.series:
            lines += [f"series: {self.series}", f"series_part: {self.part}"]
        return "---\n" + "\n".join(lines) + "\n---\n" + self.body


@dataclass(frozen=True)
class Settings:
    author_en: str = "Dr. Kim"
    feeds_limit: int = 2
    per_page: int = 2
    title_en: str = "Test Blog"

    def text(self) -> str:
        return f"""\
[site]
base_url = "https://blog.example-clinic.com/"
default_language = "ko"
timezone = "Asia/Seoul"
posts_per_page = {self.per_page}

[languages.ko]
name = "한국어"
locale = "ko_KR"
title = "테스트 블로그"
description = "테스트용 블로그입니다."

[languages.en]
name = "English"
locale = "en_US"
title = "{self.title_en}"
description = "A blog for tests."

[clinic]
name = {{ ko = "테스트 의원", en = "Test Clinic" }}
url = "https://example-clinic.com/"

[authors.dr-kim]
name = {{ ko = "김OO 원장", en = "{self.author_en}" }}
type = "Physician"

[feeds]
limit = {self.feeds_limit}

[series.care]
title = {{ ko = "관리", en = "Care" }}
"""


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def first_difference(cached: dict[str, bytes], cold: dict[str, bytes]) -> str:
    """The first file that differs (the build marker, which sums up the others, last), with a diff."""
    for path in sorted(cached.keys() | cold.keys(), key=lambda path: (path == ".clinicpress-build", path)):
        if cached.get(path) == cold.get(path):
            continue
        if path not in cached or path not in cold:
            return f"{path}: only in the {'cold' if path in cold else 'cached'} build"
        diff = difflib.unified_diff(cold[path].decode("utf-8", "replace").splitlines(),
                                    cached[path].decode("utf-8", "replace").splitlines(),
                                    "cold/" + path, "cached/" + path, lineterm="", n=1)
        return "\n".join(list(diff)[:40])
    return ""


class SiteEdits(RuleBasedStateMachine):
    """The model: posts per (lang, name), the settings in site.toml, the clock, a template override and
    a static file. Every change is written to disk the way an editor would."""

    def __init__(self):
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="clinicpress-edits-"))
        self.site = self.root / "site"
        self.posts: dict[tuple[str, str], PostSpec] = {}
        self.settings = Settings()
        self.clock = 10  # days after START
        self.saved_grace = identity.STAT_GRACE_NS
        self.saved_epoch = os.environ.get("SOURCE_DATE_EPOCH")

    @initialize(trust_file_times=st.booleans())
    def start(self, trust_file_times):
        # Either every post is read again (as right after editing), or unchanged files are known by
        # their size and times (as on a site whose files are older than the grace period).
        identity.STAT_GRACE_NS = 0 if trust_file_times else self.saved_grace
        self.write_settings()
        for lang in LANGS:
            self.save(lang, "aftercare", PostSpec("Aftercare for the first days", 1, ("care",)))
        self.save("en", "fillers", PostSpec("Fillers", 2, ("lips", "care"), series="care", part=1))
        self.change_static_file(b"first")

    # the files -------------------------------------------------------------------------
    def save(self, lang: str, name: str, spec: PostSpec) -> None:
        self.posts[lang, name] = spec
        path = self.site / "posts" / lang / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(spec.text(), encoding="utf-8")

    def remove(self, lang: str, name: str) -> PostSpec:
        (self.site / "posts" / lang / f"{name}.md").unlink()
        return self.posts.pop((lang, name))

    def write_settings(self) -> None:
        self.site.mkdir(parents=True, exist_ok=True)
        (self.site / "site.toml").write_text(self.settings.text(), encoding="utf-8")

    def pick(self, data) -> tuple[str, str]:
        return data.draw(st.sampled_from(sorted(self.posts)), label="post")

    def free_part(self, lang: str, series: str, key: tuple[str, str]) -> int:
        taken = {spec.part for other, spec in self.posts.items() if other != key and other[0] == lang
                 and spec.series == series}
        return min(set(range(1, 10)) - taken)

    # edits -------------------------------------------------------------------------------
    @precondition(lambda self: len(self.posts) < 8)
    @rule(lang=st.sampled_from(LANGS), name=st.sampled_from(NAMES), title=st.sampled_from(TITLES),
          day=st.integers(0, 20), tags=st.lists(st.sampled_from(TAGS), max_size=2, unique=True))
    def add_post(self, lang, name, title, day, tags):
        if (lang, name) not in self.posts:
            self.save(lang, name, PostSpec(title, day, tuple(tags)))

    @precondition(lambda self: self.posts)
    @rule(data=st.data())
    def delete_post(self, data):
        self.remove(*self.pick(data))

    @precondition(lambda self: self.posts)
    @rule(data=st.data(), name=st.sampled_from(NAMES))
    def rename_post(self, data, name):
        lang, old = self.pick(data)
        if (lang, name) not in self.posts:
            self.save(lang, name, self.remove(lang, old))

    @precondition(lambda self: self.posts)
    @rule(data=st.data(), title=st.sampled_from(TITLES))
    def retitle(self, data, title):
        key = self.pick(data)
        self.save(*key, replace(self.posts[key], title=title))

    @precondition(lambda self: self.posts)
    @rule(data=st.data(), tags=st.lists(st.sampled_from(TAGS), max_size=3, unique=True))
    def retag(self, data, tags):  # an empty list untags
        key = self.pick(data)
        self.save(*key, replace(self.posts[key], tags=tuple(tags)))

    @precondition(lambda self: self.posts)
    @rule(data=st.data(), words=st.integers(1, 400))
    def rewrite_body(self, data, words):
        key = self.pick(data)
        self.save(*key, replace(self.posts[key], body=" ".join(["care"] * words) + "\n"))

    @precondition(lambda self: self.posts)
    @rule(data=st.data())
    def toggle_draft(self, data):
        key = self.pick(data)
        self.save(*key, replace(self.posts[key], draft=not self.posts[key].draft))

    @precondition(lambda self: self.posts)
    @rule(data=st.data(), day=st.integers(0, 30))
    def change_date(self, data, day):
        key = self.pick(data)
        self.save(*key, replace(self.posts[key], day=day))

    @rule(days=st.integers(1, 10))
    def let_time_pass(self, days):  # a post dated in the future appears once its day has come
        self.clock += days

    @precondition(lambda self: self.posts)
    @rule(data=st.data())
    def link_translations(self, data):
        """Give a Korean and an English post the same translation key (and no other post of theirs)."""
        ko = data.draw(st.sampled_from(sorted(k for k in self.posts if k[0] == "ko") or [None]), label="ko")
        en = data.draw(st.sampled_from(sorted(k for k in self.posts if k[0] == "en") or [None]), label="en")
        for key, spec in list(self.posts.items()):
            if spec.translation_key == "pair":
                self.save(*key, replace(spec, translation_key=""))
        for key in (ko, en):
            if key is not None:
                self.save(*key, replace(self.posts[key], translation_key="pair"))

    @precondition(lambda self: any(spec.translation_key for spec in self.posts.values()))
    @rule(data=st.data())
    def unlink_translation(self, data):
        key = data.draw(st.sampled_from(sorted(k for k, s in self.posts.items() if s.translation_key)))
        self.save(*key, replace(self.posts[key], translation_key=""))

    @precondition(lambda self: self.posts)
    @rule(data=st.data(), series=st.sampled_from(SERIES + ("",)))
    def change_series(self, data, series):
        key = self.pick(data)
        part = self.free_part(key[0], series, key) if series else 0
        self.save(*key, replace(self.posts[key], series=series, part=part))

    @rule(name=st.sampled_from(("Dr. Kim", "Dr. Kim Jiwoo", "Kim & Partners")))
    def rename_author(self, name):
        self.settings = replace(self.settings, author_en=name)
        self.write_settings()

    @rule(limit=st.integers(1, 3))
    def change_feed_limit(self, limit):
        self.settings = replace(self.settings, feeds_limit=limit)
        self.write_settings()

    @rule(per_page=st.integers(1, 3))
    def change_posts_per_page(self, per_page):
        self.settings = replace(self.settings, per_page=per_page)
        self.write_settings()

    @rule(title=st.sampled_from(("Test Blog", "Balance Lab", "Care <Notes>")))
    def retitle_language(self, title):
        self.settings = replace(self.settings, title_en=title)
        self.write_settings()

    @rule(present=st.booleans())
    def override_footer(self, present):
        path = self.site / "templates/partials/footer.html"
        if present:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(FOOTER.replace("</footer>", "<p>Our own footer</p></footer>"), encoding="utf-8")
        else:
            path.unlink(missing_ok=True)

    @rule(content=st.sampled_from((None, b"first", b"second", b"other!")))
    def change_static_file(self, content):
        path = self.site / "static/notes/opening-hours.txt"
        if content is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)

    # the property ------------------------------------------------------------------------
    @invariant()
    def cached_build_equals_a_build_from_nothing(self):
        os.environ["SOURCE_DATE_EPOCH"] = str(int(START.timestamp()) + self.clock * DAY)
        cached = run_cli("build", str(self.site))
        cold = run_cli("build", str(self.site), "--no-cache", "-o", str(self.root / "cold"))
        assert cached.code == cold.code == 0, cached.err + cold.err
        difference = first_difference(tree(self.site / "output"), tree(self.root / "cold"))
        assert not difference, "the cached build differs from the cold one:\n" + difference

    def teardown(self):
        identity.STAT_GRACE_NS = self.saved_grace
        if self.saved_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = self.saved_epoch
        shutil.rmtree(self.root, ignore_errors=True)


SiteEdits.TestCase.settings = settings(
    # Derandomized and without a database: the same edits on every machine. No shrinking: the steps
    # of a failing run are few enough to read, and shrinking a run of builds takes minutes.
    max_examples=6, stateful_step_count=8, derandomize=True, database=None, deadline=None,
    phases=(Phase.generate,), suppress_health_check=[HealthCheck.too_slow])
test_cached_builds_equal_cold_builds_after_random_edits = SiteEdits.TestCase
