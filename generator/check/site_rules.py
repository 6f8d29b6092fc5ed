"""Rules that compare posts with each other: translations that are missing, disagree or lag behind,
and titles or descriptions used twice in one language."""
from __future__ import annotations

from pathlib import PurePosixPath
from typing import Callable, Iterator
from urllib.parse import urlsplit

from generator.check.core import Finding, LintContext, front_matter_finding
from generator.content.hints import free_name_among
from generator.content.models import Post
from generator.render.privacy import collected_by, missing_notice_fields
from generator.site.model import series_title


def lint_across_posts(ctx: LintContext) -> Iterator[Finding]:
    site = ctx.site
    if ctx.on("translation-missing") or ctx.on("translation-mismatch") or ctx.on("translation-stale"):
        taken = _FileNames(ctx)
        for versions in site.translations.values():
            yield from _translations([versions[lang] for lang in site.config.language_codes if lang in versions], ctx,
                                     taken)
    for field, rule in (("title", "seo-duplicate-title"), ("description", "seo-duplicate-description")):
        if ctx.on(rule):
            yield from _duplicates(field, rule, ctx)
    if ctx.on("series-undeclared"):
        yield from _undeclared_series(ctx)
    if ctx.on("review-self"):
        for post in site.all_posts():
            if post.reviewed_by and post.reviewed_by == post.author:
                yield front_matter_finding(post, "reviewed_by", "review-self",
                                           f"'{post.reviewed_by}' is both the author and the medical reviewer; "
                                           "a self-review is not a review",
                                           "ask another physician to check the post and name them in reviewed_by:, "
                                           "or leave reviewed_by: out")


FOREIGN_PATIENT_LAW = ("의료법 제56조 제2항 제12호; 의료 해외진출 및 외국인환자 유치 지원에 관한 법률 제6조 "
                       "(외국인환자 유치 의료기관 등록)")


def lint_site_settings(ctx: LintContext, line_of: Callable[..., int | None]) -> Iterator[Finding]:
    """Rules about the site as a whole. line_of(*key_path) is the site.toml line of a key."""
    config = ctx.site.config
    if ctx.on("foreign-patients") and "ko" in config.language_codes and not config.clinic.foreign_patient_registration:
        others = sorted({post.lang for post in ctx.site.all_posts() if post.lang != "ko"})
        if others:
            names = ", ".join(config.language(lang).name for lang in others)
            yield Finding("foreign-patients", "site.toml", line_of("clinic"), None,
                          f"the site has pages in {names}, which advertise to foreign patients; a Korean clinic may "
                          "do that only when registered to receive them, and [clinic] names no registration",
                          "register the clinic as a 외국인환자 유치 의료기관 and add foreign_patient_registration = "
                          "\"...\" under [clinic] (the footer then shows it); if the pages are not meant for patients "
                          "from abroad, turn the rule off in [check.rules]", FOREIGN_PATIENT_LAW)


PRIVACY_LAW = "개인정보 보호법 제30조 (개인정보 처리방침의 수립 및 공개), 같은 법 시행령 제31조"
NOTICE_KEYS = {  # a missing field of the privacy notice -> the line that adds it
    "officer": 'officer = { ko = "개인정보 보호 담당 부서", en = "Privacy office" }',
    "email": 'email = "privacy@{domain}"',
    "effective": 'effective = "{today}"',
}
NOTICE_FIELDS = {"officer": "the person or department responsible (officer)",
                 "email": "a contact for privacy requests (email or telephone)",
                 "effective": "the date it takes effect (effective)"}


def lint_privacy_notice(ctx: LintContext, line_of: Callable[..., int | None]) -> Iterator[Finding]:
    """A site that hands readers' data to a service publishes a privacy notice with the fields the law asks for."""
    config = ctx.site.config
    collected = collected_by(config)
    missing = missing_notice_fields(config) if collected and ctx.on("privacy-notice") else []
    if not missing:
        return
    uses = ", ".join(f"{'comments' if kind == 'comments' else 'visit counting'} with {provider}"
                     for kind, provider in collected)
    kind, _ = collected[0]
    where = line_of("privacy")  # line 1 when there is no [privacy] table: then the service's provider line
    where = where if where and where > 1 else line_of(kind, "provider")
    values = {"{today}": ctx.site.now.date().isoformat(),
              "{domain}": (urlsplit(config.clinic.url or config.site.base_url).hostname or "").removeprefix("www.")}
    yield Finding("privacy-notice", "site.toml", where, None,
                  f"the site collects personal information ({uses}), but its privacy notice "
                  f"({ctx.site.urls.href(ctx.site.urls.privacy(config.site.default_language))}) lacks "
                  f"{', '.join(NOTICE_FIELDS[key] for key in missing)}",
                  "add under [privacy]: " + "; ".join(_filled(NOTICE_KEYS[key], values) for key in missing)
                  + (" ([clinic] email or telephone also serve as the contact)" if "email" in missing else ""),
                  PRIVACY_LAW)


def _filled(text: str, values: dict[str, str]) -> str:
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


class _FileNames:
    """The file names of each language's posts (case-folded), listed once: thousands of posts may lack a
    translation."""

    def __init__(self, ctx: LintContext):
        self.ctx = ctx
        self.by_lang: dict[str, frozenset[str]] = {}

    def __call__(self, lang: str) -> frozenset[str]:
        if lang not in self.by_lang:
            site = self.ctx.site
            self.by_lang[lang] = frozenset(PurePosixPath(p.source).name.casefold() for p in (*site.all_posts(), *site.unpublished)
                                           if p.lang == lang)
        return self.by_lang[lang]


def _translations(versions: list[Post], ctx: LintContext, taken: _FileNames) -> Iterator[Finding]:
    config = ctx.site.config
    default = config.site.default_language
    original = next((p for p in versions if p.lang == default), versions[0])
    if ctx.on("translation-missing"):
        # A version that has errors is not missing: its errors are reported, and say what to fix.
        missing = [lang for lang in config.language_codes if all(p.lang != lang for p in versions)
                   and (lang, original.translation_key) not in ctx.unread]
        if missing:
            names = ", ".join(config.language(lang).name for lang in missing)
            yield front_matter_finding(
                original, "title", "translation-missing",
                f"no {names} version of this post (translation_key '{original.translation_key}')",
                f"add {_free_post_path(original, missing[0], taken)} with translation_key: {original.translation_key}")
    for post in versions:
        if post is original:
            continue
        if ctx.on("translation-mismatch"):
            yield from _mismatches(post, original)
        if ctx.on("translation-stale"):
            yield from _stale(post, original, ctx.settings.stale_days)


def _free_post_path(original: Post, lang: str, taken: _FileNames) -> str:
    """Where the translation of original can go: its file name in lang's folder, unless a post has it."""
    folder, stem = original.source.rsplit("/", 2)[0], PurePosixPath(original.source).stem
    return f"{folder}/{lang}/{free_name_among(stem, taken(lang))}"


def _mismatches(post: Post, original: Post) -> Iterator[Finding]:
    def differs(key: str, mine: object, theirs: object, hint: str) -> Iterator[Finding]:
        if mine != theirs:
            yield front_matter_finding(post, key, "translation-mismatch",
                                       f"{key} is {_shown(mine)} here but {_shown(theirs)} in {original.source}", hint)

    yield from differs("series", post.series, original.series, "translations belong to the same series")
    if post.series and post.series == original.series:
        yield from differs("series_part", post.series_part, original.series_part, "translations are the same part")
    yield from differs("date", post.date.date(), original.date.date(),
                       "give translations the publication date of the original")
    if len(post.tags) != len(original.tags):
        yield front_matter_finding(post, "tags", "translation-mismatch",
                                   f"{len(post.tags)} tags here but {len(original.tags)} in {original.source}",
                                   "translate every tag, so both versions are listed under the same topics")


def _shown(value: object) -> str:
    return "not set" if value is None else f"'{value}'"


def _stale(post: Post, original: Post, days: int) -> Iterator[Finding]:
    newer, older = (post, original) if post.modified > original.modified else (original, post)
    lag = (newer.modified - older.modified).days
    if lag > days:
        key = "updated" if "updated" in older.key_lines else "date"
        yield front_matter_finding(
            older, key, "translation-stale",
            f"last changed {older.modified.date()}, {lag} days before its translation {newer.source} "
            f"({newer.modified.date()}): it may be out of date",
            f"bring it up to date and set updated: {newer.modified.date()}")


def _duplicates(field: str, rule: str, ctx: LintContext) -> Iterator[Finding]:
    for lang, posts in ctx.site.posts.items():
        seen: dict[str, Post] = {}
        for post in sorted(posts, key=lambda p: p.source):
            value = " ".join(getattr(post, field).split()).casefold()
            if not value:
                continue
            first = seen.setdefault(value, post)
            if first is not post:
                yield front_matter_finding(post, field, rule, f"same {field} as {first.source}",
                                           f"each page needs its own {field}, or search engines show only one of them")


def _undeclared_series(ctx: LintContext) -> Iterator[Finding]:
    """One finding per series id that posts use but site.toml does not declare, at its first part."""
    config = ctx.site.config
    first_parts: dict[str, Post] = {}
    for lang in sorted(config.language_codes, key=lambda code: code != config.site.default_language):
        for group in ctx.site.series[lang]:
            if config.series_info(group.key) is None:
                first_parts.setdefault(group.key, group.posts[0])
    for series_id, post in sorted(first_parts.items()):
        title = series_title(series_id)
        titles = ", ".join(f'{lang} = "{title}"' for lang in config.language_codes)
        yield front_matter_finding(
            post, "series", "series-undeclared",
            f"series '{series_id}' is not declared in site.toml, so its pages call it '{title}'",
            f"add its titles to site.toml (and a description if you like):\n"
            f"[series.{series_id}]\ntitle = {{ {titles} }}")
