"""Per-post rules about words: language mix-ups, medical-advertising phrases, procedures without review or risks."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from generator.check.core import Finding, LintContext, PostText, excerpt_at, front_matter_finding
from generator.check.model_rule import ProseReading, model_findings, overruled, prose_model, sentence_around
from generator.check.matching import Match
from generator.check.packs import LanguageMatcher
from generator.content.models import Post
from generator.errors import Excerpt

_HANGUL_CHARS = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
_HANGUL = re.compile(f"[{_HANGUL_CHARS}]")
# Patterns start with a single character class (not a repeat), so that the re module
# can skip quickly over text that cannot start a match.
_HANGUL_RUN = re.compile(f"[{_HANGUL_CHARS}][{_HANGUL_CHARS}]*(?:[ \t]+[{_HANGUL_CHARS}]+)*")
_LATIN = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
_HASHTAG = re.compile(r"#(?<![\w&]#)[^\s#]+")
_SEPARATOR = r"""[ \t,.;:!?()"“”'’/&%+0-9–—-]+"""


@lru_cache(maxsize=8)
def _english_run(words: int) -> re.Pattern:
    return re.compile(f"[A-Za-z][A-Za-z]*(?:{_SEPARATOR}[A-Za-z]+){{{words - 1},}}")


def _segments(post: Post) -> list[tuple[str, str]]:
    """Front-matter text readers see: (key, text)."""
    found = [("title", post.title), ("description", post.description), ("image_alt", post.image_alt)]
    for item in post.faq:
        found += [("faq", item.question), ("faq", item.answer)]
    return [(key, value) for key, value in found if value]


def lint_post_words(text: PostText, ctx: LintContext, reading: ProseReading | None = None) -> Iterator[Finding]:
    """reading: the claims model's reading of the post's prose, when it was read with other posts'."""
    post = text.post
    primary = post.lang.split("-")[0]
    if primary != "ko" and ctx.on("lang-stray-hangul"):
        yield from _stray_hangul(text, ctx)
    if primary == "ko" and ctx.on("lang-long-english"):
        yield from _long_english(text, ctx)
    matcher = ctx.matchers.get(post.lang)
    claims = None
    if matcher is not None and matcher.active:
        # The claims in the prose (of the enabled rules, which are the matcher's), found once: the
        # advertising rules report them, and a risk word inside one is no mention of the risks.
        claims = list(matcher.matches(text.prose, matcher.rule_ids))
        yield from _advertising(text, matcher, ctx, reading, claims)
    if matcher is not None and (ctx.on("procedure-reviewer") or ctx.on("procedure-risks")):
        yield from _procedure(text, matcher, ctx, claims)


def reads_with_model(post: Post, ctx: LintContext) -> bool:
    """Whether lint_post_words reads the post's prose with the claims model."""
    matcher = ctx.matchers.get(post.lang)
    return ctx.settings.claims_model and matcher is not None and matcher.active


def _without_names(value: str, nouns: tuple[str, ...]) -> str:
    """Proper nouns and hashtags are not language mix-ups: blank them, keeping offsets."""
    for noun in nouns:
        if noun in value:
            value = value.replace(noun, " " * len(noun))
    if "#" in value:
        value = _HASHTAG.sub(lambda m: " " * len(m.group()), value)
    return value


def _stray_hangul(text: PostText, ctx: LintContext) -> Iterator[Finding]:
    post = text.post
    nouns = tuple(n for n in ctx.settings.proper_nouns if _HANGUL.search(n))
    language = ctx.site.config.language(post.lang).name
    hint = "translate it, or list it under proper_nouns in [check] of site.toml if it is a name"
    segments = _segments(post)
    for index, (key, value) in enumerate(segments):
        for start, run in _hangul_runs(_without_names(value, nouns)):
            yield front_matter_finding(post, key, "lang-stray-hangul",
                                       f"Korean text '{run}' in the {key} of a post in {language}", hint,
                                       excerpt=field_excerpt(segments, index, start, start + len(run)))
            break
    if not _HANGUL.search(text.prose):
        return
    reported: set[int] = set()
    for start, run in _hangul_runs(_without_names(text.prose, nouns)):
        finding = text.finding("lang-stray-hangul", start, f"Korean text '{run}' in a post in {language}", hint,
                               end=start + len(run))
        if finding.line not in reported:
            reported.add(finding.line)
            yield finding


def _hangul_runs(value: str) -> Iterator[tuple[int, str]]:
    for match in _HANGUL_RUN.finditer(value):
        start, end = match.span()
        if value[start - 1:start] == "(" and value[end:end + 1] == ")":
            continue  # a gloss such as "Gangnam (강남)"
        yield start, match.group()


def _long_english(text: PostText, ctx: LintContext) -> Iterator[Finding]:
    post = text.post
    limit = ctx.settings.english_run_words
    nouns = tuple(n for n in ctx.settings.proper_nouns if _LATIN.search(n))
    pattern = _english_run(limit)
    hint = "translate the passage, or list names under proper_nouns in [check] of site.toml"

    def runs(value: str) -> Iterator[tuple[int, str, int]]:
        for match in pattern.finditer(_without_names(value, nouns)):
            count = len(_WORD.findall(match.group()))
            if count >= limit:
                yield match.start(), match.group(), count

    segments = _segments(post)
    for index, (key, value) in enumerate(segments):
        for start, run, count in runs(value):
            yield front_matter_finding(post, key, "lang-long-english",
                                       f"{count} English words in a row in the {key} of a Korean post: '{_short(run)}'", hint,
                                       excerpt=field_excerpt(segments, index, start, start + len(run)))
            break
    if not _LATIN.search(text.prose):
        return
    for start, run, count in runs(text.prose):
        line_start = text.prose.rfind("\n", 0, start) + 1
        if text.body.startswith("[^", line_start):
            continue  # footnotes cite English sources
        yield text.finding("lang-long-english", start, f"{count} English words in a row in a Korean post: '{_short(run)}'", hint,
                           end=start + len(run))


def _short(run: str) -> str:
    run = " ".join(run.split())
    return run if len(run) <= 60 else run[:57] + "..."


def _advertising(text: PostText, matcher: LanguageMatcher, ctx: LintContext,
                 reading: ProseReading | None, matches: list[Match]) -> Iterator[Finding]:
    """matches: the claims in the prose."""
    post = text.post
    segments = _segments(post)
    joined = "\n".join(value.replace("\n", " ") for _, value in segments)  # one scan for all of them
    for match in matcher.matches(joined, ctx.enabled):
        index = joined.count("\n", 0, match.start)
        key = segments[index][0]
        segment_start = joined.rfind("\n", 0, match.start) + 1
        excerpt = field_excerpt(segments, index, match.start - segment_start, match.end - segment_start)
        yield front_matter_finding(post, key, match.rule.id, _ad_message(match.text, match.rule.message, key),
                                   match.rule.hint, reference=match.rule.reference or None, excerpt=excerpt)
    model = prose_model(post.lang) if ctx.settings.claims_model else None
    flagged = [(match.start, match.end, match.rule.id) for match in matches]
    by_sentence: dict[tuple[int, int], list[str]] = {}  # each flagged sentence and the rules that matched in it
    for match in matches:
        by_sentence.setdefault(sentence_around(text.prose, match.start), []).append(match.rule.id)
    readings = {span: overruled(model, " ".join(text.prose[span[0]:span[1]].split()), rule_ids)
                for span, rule_ids in by_sentence.items()}
    for match in matches:
        honest = readings[sentence_around(text.prose, match.start)]
        message = _ad_message(match.text, match.rule.message)
        if honest is not None:
            message += f"; but the claims model reads the sentence as honest ({honest:.0%}), so this is info: read it once more"
        yield text.finding(match.rule.id, match.start, message, match.rule.hint, end=match.end,
                           reference=match.rule.reference or None, cap="info" if honest is not None else None)
    if model is not None:
        yield from model_findings(text, matcher, ctx, flagged, reading)


def field_excerpt(segments: list[tuple[str, str]], index: int, start: int, end: int) -> Excerpt:
    """segments[index][1][start:end] as an Excerpt of its field: the FAQ's questions and answers are one field."""
    key, value = segments[index]
    field = "\n".join([v for k, v in segments[:index] if k == key] + [value])
    offset = len(field) - len(value)
    return excerpt_at(field, offset + start, offset + min(end, len(value)), key)


def _ad_message(found: str, message: str, key: str | None = None) -> str:
    where = f" in the {key}" if key else ""
    return f"'{' '.join(found.split())}'{where}: {message}"


def _procedure(text: PostText, matcher: LanguageMatcher, ctx: LintContext,
               claims: list[Match] | None) -> Iterator[Finding]:
    """claims: the claims in the prose, which has the body's offsets (None: not looked for)."""
    post = text.post
    tags = matcher.procedure_tags
    about = next((tag for tag in post.tags if any(word in tag.casefold() for word in tags)), None)
    if about is None:
        return
    if ctx.on("procedure-reviewer"):
        reviewer = ctx.site.config.author(post.reviewed_by) if post.reviewed_by else None
        if not post.reviewed_by:
            physicians = [a.id for a in ctx.site.config.authors if a.type == "Physician"]
            yield front_matter_finding(post, "tags", "procedure-reviewer",
                                       f"post about a procedure ('{about}') has no medical reviewer",
                                       f"add reviewed_by: with the id of the physician who checked it (physicians in "
                                       f"site.toml: {', '.join(physicians)})" if physicians else
                                       "add the physician who checked it to site.toml as [authors.<id>] with "
                                       "type = \"Physician\", then reviewed_by: <id> to the post")
        elif reviewer is not None and reviewer.type != "Physician":
            yield front_matter_finding(post, "reviewed_by", "procedure-reviewer",
                                       f"reviewer '{post.reviewed_by}' is not a physician (type = \"{reviewer.type}\" "
                                       "in site.toml)", "ask a physician to review posts about procedures")
    if ctx.on("procedure-risks") and matcher.risk_words:
        if not (matcher.mentions_risk(text.body, claims)
                or any(matcher.mentions_risk(value) for value in (post.description, *(item.answer for item in post.faq)))):
            line = post.body_line
            heading = "## 부작용과 주의사항" if post.lang.startswith("ko") else "## Possible side effects and risks"
            yield Finding("procedure-risks", post.source, line, 1,
                          f"post about a procedure ('{about}') does not mention possible side effects or risks",
                          f"add a section such as '{heading}'")
