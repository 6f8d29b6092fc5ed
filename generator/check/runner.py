"""The content linter behind `clinicpress check` (the gate) and `build` and `serve` (which only count and show findings).

Rules are small generator functions in lint_rules, lint_language and lint_site_rules;
this module knows their ids, reads the [check] table of site.toml and the rule packs,
runs the enabled rules once over every post, and applies severities and ignore comments.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import chain
from typing import Iterable
from urllib.parse import urlsplit
from pathlib import Path
from types import MappingProxyType

from generator.incremental.identity import code_identity, fingerprint
from generator.config.loader import SiteConfig
from generator.content.posts import is_published
from generator.errors import Diagnostic, did_you_mean, raise_if_errors
from generator.check.core import Finding, LintContext, LintSettings, Matchers, PostText
from generator.check.example_rules import lint_config_examples, lint_post_examples
from generator.check.korean import analyzer_loaded, analyzer_version
from generator.check.language import lint_post_words, reads_with_model
from generator.check.lookups import SiteLookups
from generator.check.memo import FindingsMemo, FreshFindings
from generator.check.model_rule import ProseReading, prepared_model, read_prose
from generator.check.packs import PackSet, load_packs
from generator.check.page_rules import RememberedDescriptions, lint_page_descriptions
from generator.check.post_rules import DESCRIPTION_LENGTH, TITLE_LENGTH, lint_post_seo
from generator.check.settings import CheckReader, tag_config
from generator.check.site_rules import lint_across_posts, lint_privacy_notice, lint_site_settings
from generator.content.models import Post, SourceFile
from generator.errors import BuildError
from generator.site.model import Site
from generator.site.pages import Page, plan_pages
from generator.site.strings import load_strings
from generator.outputs.addresses import published_addresses
from generator.outputs.static import discover_static_files
from generator.render.descriptions import PageDescriber, display_width
from generator.render.theme import theme_dirs
from generator.images.facts import ImageFacts
from generator.images.pipeline import discover_images
from generator.workers import MIN_PARALLEL_ITEMS, iter_parallel


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: str  # the default
    description: str


RULES = (
    Rule("config", "error", "site.toml, its [check] table and rule packs are valid (the build's own validation)"),
    Rule("front-matter", "error", "every post's file and front-matter are valid (the build's own validation)"),
    Rule("check-comment", "warning", "a <!-- check: ignore ... --> comment names rules that exist"),
    Rule("translation-missing", "info", "a post has no version in one of the site's other languages"),
    Rule("translation-mismatch", "warning", "translations disagree on series, series_part, date or number of tags"),
    Rule("translation-stale", "warning", "one version was changed more than stale_days after its translation"),
    Rule("series-undeclared", "warning", "every series used by posts has a [series.<id>] table with its titles in site.toml"),
    Rule("seo-title-length", "warning", "title length within the language's bounds (en {}-{}, ko {}-{} characters)"
         .format(*TITLE_LENGTH["en"], *TITLE_LENGTH["ko"])),
    Rule("seo-description", "warning", "description present and within bounds (en {}-{}, ko {}-{} characters)"
         .format(*DESCRIPTION_LENGTH["en"], *DESCRIPTION_LENGTH["ko"])),
    Rule("seo-h1-in-body", "warning", "no level-1 heading (# or <h1>, or a #hashtag line) in the body"),
    Rule("seo-heading-skip", "warning", "headings do not skip a level (## then ####)"),
    Rule("seo-image-alt", "warning", "every image in the body has alt text"),
    Rule("seo-duplicate-title", "warning", "no two posts of a language share a title"),
    Rule("seo-duplicate-description", "warning", "no two posts of a language share a description"),
    Rule("tag-duplicate", "warning", "no tag is given twice in a post (letter case and a leading # aside)"),
    Rule("seo-page-description", "warning", "every list page's and the root's meta description is 50-160 units "
                                            "wide (Hangul counts two) and no two pages share one"),
    Rule("broken-link", "error", "internal links point to a page of the site that is published"),
    Rule("missing-image", "error", "images (body and cover) point to a file under static/"),
    Rule("image-oversized", "warning", "no photo is much wider than the widest size the site shows ([images] widths)"),
    Rule("image-cover-small", "warning", "an image: cover is at least 1200 pixels wide, for sharp link previews"),
    Rule("lang-stray-hangul", "warning", "no Korean text left in a post of another language"),
    Rule("lang-long-english", "warning", "no long English passage (english_run_words words in a row) in a Korean post"),
    Rule("procedure-reviewer", "warning", "a post about a procedure names a physician as medical reviewer"),
    Rule("procedure-risks", "warning", "a post about a procedure mentions possible side effects or risks"),
    Rule("review-self", "warning", "a post's medical reviewer is not its own author (a self-review is no review)"),
    Rule("example-value", "error", "no example value that `clinicpress init` or `new` wrote (example.com addresses, the "
                                   "000-0000 number, the sample names, placeholder text) is left in site.toml or a post"),
    Rule("foreign-patients", "warning", "a Korean clinic's site with pages in other languages states its "
                                          "foreign-patient registration ([clinic] foreign_patient_registration)"),
    Rule("privacy-notice", "error", "a site with comments or visit counting gives its privacy notice the person "
                                    "responsible, a contact and the date it takes effect ([privacy])"),
)
FIXED = ("config", "front-matter")  # the build's own validation: it cannot go on without them

def rule_catalog(packs: PackSet) -> list[Rule]:
    """Built-in rules, then the rule packs' rules, each id once."""
    rules = list(RULES)
    for rule_id in packs.rule_ids():
        declared = packs.declared(rule_id)
        rules.append(Rule(rule_id, declared.severity, declared.description))
    return rules


def lint_for_build(site: Site, drafts: bool, future: bool, memo: FindingsMemo | None = None, jobs: int = 0,
                   planned: tuple[tuple[Page, str | None], ...] | None = None) -> tuple[Diagnostic, ...]:
    """What `build` and `serve` check: every finding of the published site, to count and show. Findings never
    stop a build; only an invalid [check] table or rule pack does (BuildError), as invalid site.toml does.
    planned is the build's page plan, each page with the digest of what its renderer receives."""
    findings = lint_site(site, drafts=drafts, future=future, memo=memo, jobs=jobs, planned=planned)
    raise_if_errors([f for f in findings if f.rule in FIXED])
    return tuple(findings)


@dataclass(frozen=True, slots=True)
class LintSetup:
    """The [check] settings and rule packs of a site, with its matchers (compiled on first use)."""

    settings: LintSettings
    packs: PackSet
    problems: tuple[Diagnostic, ...]  # reported; the rules still run
    enabled: frozenset[str]
    matchers: Matchers
    probed: bool = False  # the first Korean posts were read for whether they need the analyzer


def lint_setup(config: SiteConfig) -> LintSetup:
    settings, packs, problems = load_lint_settings(config)
    enabled = frozenset(rule for rule, level in settings.severities.items() if level != "off" and rule not in FIXED)
    return LintSetup(settings, packs, tuple(problems), enabled,
                     Matchers(tuple(config.language_codes),
                              lambda lang: packs.matcher(lang, settings.procedure_tags, enabled)))


def prepared_for(config: SiteConfig, sources: list[SourceFile], remembers: bool = True) -> LintSetup:
    """lint_setup() with the matchers of the posts' languages compiled, their claims models loaded and,
    when the first Korean posts need it, the morphological analyzer loaded: what checking every post
    needs, done while the posts are parsed rather than after (their files are read as they are).
    remembers: the findings will be kept in the build cache, whose keys start with code_identity()."""
    setup = lint_setup(config)
    if remembers:
        code_identity()  # hashes the generator's files once a process
    for lang in {source.lang for source in sources}:
        matcher = setup.matchers.get(lang)
        if setup.settings.claims_model and matcher is not None and matcher.active:
            prepared_model(lang)
    if len(sources) < MIN_PARALLEL_ITEMS:
        return setup  # checked in this process: the analyzer loads if a post needs it
    _load_analyzer_if_needed(setup.matchers, setup.enabled, (
        (source.lang, source.read().decode("utf-8", "replace")) for source in sources))
    return replace(setup, probed=True)


def lint_site(site: Site, *, drafts: bool = False, future: bool = False, memo: FindingsMemo | None = None,
              jobs: int = 0, planned: tuple[tuple[Page, str | None], ...] | None = None,
              unread: frozenset[tuple[str, str]] = frozenset(), setup: LintSetup | None = None) -> list[Diagnostic]:
    """Run the enabled rules; drafts/future say what a build publishes, for links to posts that are not out yet.
    Posts are checked in `jobs` worker processes (0: one per core) when there are many. unread: (language,
    translation key) of the posts that could not be read, whose errors are reported already. setup: the
    site's lint_setup(), when it was made already."""
    config = site.config
    setup = setup or lint_setup(config)
    settings, packs, problems, enabled = setup.settings, setup.packs, list(setup.problems), setup.enabled
    if not enabled:
        return sorted(problems, key=Diagnostic.sort_key)
    needs_pages = bool(enabled & {"broken-link", "missing-image"})
    # The site's pages, planned once for the links and the page descriptions (a build passes its plan).
    pages = tuple(page for page, _ in planned) if planned is not None else (
        plan_pages(site)[0] if needs_pages or "seo-page-description" in enabled else ())
    ctx = LintContext(
        site=site, settings=settings, enabled=enabled,
        matchers=setup.matchers,
        pages=MappingProxyType(published_addresses(site, pages) if needs_pages else {}),
        static=frozenset(_static_paths(config.site_dir) if needs_pages else ()),
        published=lambda post: is_published(post, site.now, drafts, future),
        unread=unread,
    )
    facts = None
    if enabled & {"image-oversized", "image-cover-small"}:
        facts = ImageFacts(discover_images(config.site_dir, theme_dirs(config.site_dir)))
        ctx = replace(ctx, image_facts=facts)
    known = set(settings.severities)
    diagnostics: list[Diagnostic] = list(problems)
    commented: dict[str, PostText] = {}  # posts with check comments, for the findings that compare posts
    # A post's own findings depend on the post, on what this key covers and on what the post looked
    # up in the rest of the site (recorded with them): a rebuild re-checks only the posts for which
    # one of those changed.
    lookups = SiteLookups(ctx.pages, ctx.static, ctx.published, site.all_posts(), facts)
    if memo is not None:
        context_key = fingerprint(code_identity(), analyzer_version(), _what_rules_read(config), settings, packs,
                                  sorted(enabled))
        keys = {post.source: fingerprint(context_key, post.digest, post.source) for post in site.all_posts()}
        environment = lookups.environment()
    else:  # nothing is remembered or kept (check --no-cache): a post's path is key enough
        keys, environment = {post.source: post.source for post in site.all_posts()}, ""
    remembered = memo.lint_findings(list(keys.values())) if memo else {}
    # The site's pages changed since these were found: what did their posts look up then?
    moved = [key for key, (_, then) in remembered.items() if then != environment]
    looked_up_then = memo.lint_lookups(moved) if memo and moved else {}
    fresh = FreshFindings(memo, environment)
    to_check = []
    for post in site.all_posts():
        key = keys[post.source]
        entry = remembered.get(key)
        if entry is None or b"<!--" in post.body_data:
            to_check.append(post)
        elif entry[1] != environment:  # are this post's answers the same in the site as it is now?
            looked_up = looked_up_then.get(key)
            if looked_up is not None and lookups.still_true(looked_up):
                fresh.add(key, entry[0], looked_up)
            else:
                to_check.append(post)
    _load_for_workers(ctx, to_check, setup.probed)
    # Workers get the posts by their place in to_check (forked, they have them): no post is pickled.
    # Larger calls score faster; a site of a hundred posts still gives each worker several.
    # A worker checks the posts of one language where it can: the claims model learns each word it
    # meets once a process, and a language's posts share their words.
    size = max(_FEWEST_AT_ONCE, min(_MOST_AT_ONCE, len(to_check) // 8))
    of_language: dict[str, list[int]] = {}
    for at, post in enumerate(to_check):
        of_language.setdefault(post.lang, []).append(at)
    batches = [batch for places in of_language.values() for batch in _batches(places, size)]
    # The pages other than posts are read by this process while the workers check the posts.
    page_findings: list[Diagnostic] = []
    read_pages = (lambda: page_findings.extend(_page_findings(ctx, settings, pages, planned, memo))) \
        if ctx.on("seo-page-description") else None
    checked = (result for batch in iter_parallel(_check_posts, (ctx, known, lookups, to_check), batches, jobs,
                                                  min_items=-(-MIN_PARALLEL_ITEMS // _FEWEST_AT_ONCE), chunk_size=1,
                                                  meanwhile=read_pages, group=lambda batch: to_check[batch[0]].lang)
               for result in batch)
    for post, (found, has_comments, looked_up) in zip((to_check[at] for batch in batches for at in batch), checked):
        if has_comments:
            commented[post.source] = PostText(post)
        fresh.add(keys[post.source], found, looked_up)
    fresh.store(keep=set(keys.values()))
    for post in site.all_posts():
        key = keys[post.source]
        diagnostics += fresh.found[key] if key in fresh.found else remembered[key][0]
    locator = CheckReader(config).locator
    line_of = locator.line if locator else lambda *key_path: None
    for finding in chain(lint_across_posts(ctx), lint_site_settings(ctx, line_of), lint_privacy_notice(ctx, line_of),
                         lint_config_examples(ctx, line_of)):
        text = commented.get(finding.path)
        if text is None or not text.silences(finding):
            diagnostics.append(_diagnostic(finding, settings))
    if read_pages is not None and not to_check:
        read_pages()  # no post to check: iter_parallel never ran it
    return sorted(diagnostics + page_findings, key=Diagnostic.sort_key)


def _what_rules_read(config: SiteConfig) -> SiteConfig:
    """The rules read the site's address only for its path, to tell links inside the site from others:
    `serve` (at 127.0.0.1) and `build` share the findings they remember when the paths agree."""
    return replace(config, site=replace(config.site, base_url=urlsplit(config.site.base_url).path or "/"))


def _page_findings(ctx: LintContext, settings: LintSettings, pages: tuple[Page, ...],
                   planned: tuple[tuple[Page, str | None], ...] | None, memo: FindingsMemo | None) -> list[Diagnostic]:
    """The findings about pages other than posts, which need the UI strings the pages are made with."""
    config = ctx.site.config
    try:
        strings = load_strings(theme_dirs(config.site_dir), config.languages, config.site_dir)
    except BuildError as exc:
        return [tag_config(d) for d in exc.diagnostics]
    locator = CheckReader(config).locator
    describer = PageDescriber(config, strings)
    describe, width = describer.describe, display_width
    if planned is not None and memo is not None:
        remembered = RememberedDescriptions(planned, describer, memo)
        describe, width = remembered.describe, remembered.width
    return [_diagnostic(f, settings) for f in lint_page_descriptions(
        ctx, strings, locator.line if locator else lambda *key_path: None, pages, describe, width)]


def _load_for_workers(ctx: LintContext, posts: list[Post], probed: bool = False) -> None:
    """Worker processes forked later share what this process has loaded: the matchers of the posts'
    languages, the claims models with their word tables (loaded once here, not once a worker) and, when
    the first Korean posts need it, the morphological analyzer (about a second and 250 MB), loaded here
    once rather than in every worker; the sentences analysed on the way stay in its cache for them.
    probed: prepared_for() read the first Korean posts for that already."""
    if len(posts) < MIN_PARALLEL_ITEMS:
        return  # checked in this process anyway
    for lang in {post.lang for post in posts}:
        ctx.matchers.get(lang)
    for lang in {post.lang for post in posts if reads_with_model(post, ctx)}:
        prepared_model(lang)
    if not probed:
        _load_analyzer_if_needed(ctx.matchers, ctx.enabled, ((post.lang, PostText(post).prose) for post in posts))


def _load_analyzer_if_needed(matchers: Matchers, enabled: frozenset[str], texts: Iterable[tuple[str, str]],
                             probe: int = 64) -> None:
    """Read the first `probe` Korean texts ((language, text)) with the rules until one needs the analyzer,
    which then stays loaded for the workers forked later."""
    read = 0
    for lang, text in texts:
        if read == probe or analyzer_loaded():
            return
        matcher = matchers.get(lang) if lang.split("-")[0] == "ko" else None
        if matcher is not None and matcher.active:
            read += 1
            for _ in matcher.matches(text, enabled):
                pass


# The claims model scores the sentences of this many posts in one call (a task of a worker).
_FEWEST_AT_ONCE, _MOST_AT_ONCE = 16, 64


def _batches(places: list[int], size: int) -> list[list[int]]:
    """A language's posts (their places) in batches of `size`, its last 2 x size posts in quarter batches:
    a worker done with its own language takes the last batches of another's, each of whose words it must
    learn first, and the smaller those are, the sooner both workers are done."""
    small = max(size // 4, 1)
    tail = max(len(places) - 2 * size, 0)
    return ([places[at:min(at + size, tail)] for at in range(0, tail, size)]
            + [places[at:at + small] for at in range(tail, len(places), small)])


def _check_posts(state: tuple[LintContext, set[str], SiteLookups, list[Post]],
                 indices: list[int]) -> list[tuple[list[Diagnostic], bool, list]]:
    """_check_post() of some posts (in a worker process on large sites), their prose read by the claims
    model together."""
    site_ctx, _, lookups, posts = state
    texts = [PostText(posts[index]) for index in indices]
    modelled = [at for at, text in enumerate(texts) if reads_with_model(text.post, site_ctx)]
    readings = dict(zip(modelled, read_prose([texts[at] for at in modelled])))
    return [_check_post(state, text, readings.get(at)) for at, text in enumerate(texts)]


def _check_post(state: tuple[LintContext, set[str], SiteLookups, list[Post]], text: PostText,
                reading: ProseReading | None) -> tuple[list[Diagnostic], bool, list]:
    """One post's own findings, whether it has check comments, and what it looked up in the rest of the site."""
    site_ctx, known, lookups, _ = state
    looked_up: list = []
    pages, static, published, image_facts = lookups.recording(looked_up)
    ctx = replace(site_ctx, pages=pages, static=static, published=published, image_facts=image_facts)
    findings = [*lint_post_seo(text, ctx), *lint_post_words(text, ctx, reading), *lint_post_examples(text, ctx),
                *_comment_findings(text, known, ctx)]
    return ([_diagnostic(f, ctx.settings) for f in findings if not text.silences(f)], bool(text.comments),
            list(dict.fromkeys(looked_up)))  # a post often asks the same thing twice


_RANK = {"info": 0, "warning": 1, "error": 2}


def _diagnostic(finding: Finding, settings: LintSettings) -> Diagnostic:
    severity = settings.severities[finding.rule]
    if finding.cap is not None and _RANK[severity] > _RANK[finding.cap]:
        severity = finding.cap
    return Diagnostic(severity, finding.path, finding.line, finding.message, finding.hint,
                      finding.column, finding.rule, finding.reference, finding.excerpt)


def _comment_findings(text: PostText, known: set[str], ctx: LintContext) -> list[Finding]:
    if not text.comments or not ctx.on("check-comment"):
        return []
    findings = []
    for comment in text.comments:
        if not comment.rules:
            findings.append(Finding("check-comment", text.post.source, comment.line, comment.column,
                                    "this check comment names no rule", "write <!-- check: ignore rule-id -->"))
        for rule in comment.rules:
            if rule not in known:
                findings.append(Finding("check-comment", text.post.source, comment.line, comment.column,
                                        f"unknown rule '{rule}' in a check comment, so nothing is silenced",
                                        did_you_mean(rule, sorted(known), "see the rule ids in README.md")))
    return findings


def _static_paths(site_dir: Path) -> set[str]:
    """Names of the static files a build publishes, listed the way the build lists them."""
    try:
        return {file.path for file in discover_static_files(site_dir, theme_dirs(site_dir))}
    except BuildError:  # a link leads out of a static folder: run_checks reports it
        return set()


def load_lint_settings(config: SiteConfig) -> tuple[LintSettings, PackSet, list[Diagnostic]]:
    """Validate [check] of site.toml and load the rule packs; problems are `site.toml:LINE` errors."""
    reader = CheckReader(config)
    values = reader.settings()
    site_packs = [(config.site_dir / p, p) for p in values["packs"]]
    packs, problems = load_packs(site_packs, config.language_codes)
    reader.diagnostics += [tag_config(d) for d in problems]
    severities = {rule.id: rule.severity for rule in rule_catalog(packs)}
    for rule_id, level in config.check_rules.items():
        if rule_id not in severities:
            reader.fail(("check", "rules", rule_id), f"unknown rule '{rule_id}' in [check.rules]",
                        did_you_mean(rule_id, severities, "see the rule ids in README.md"))
        elif rule_id in FIXED and level != "error":
            reader.fail(("check", "rules", rule_id), f"rule '{rule_id}' cannot be changed: a build needs valid input",
                        f"remove {rule_id} from [check.rules]")
        else:
            severities[rule_id] = level
    settings = LintSettings(
        severities=MappingProxyType(severities), procedure_tags=values["procedure_tags"],
        proper_nouns=values["proper_nouns"], stale_days=values["stale_days"],
        english_run_words=values["english_run_words"], title_length=MappingProxyType(values["title_length"]),
        description_length=MappingProxyType(values["description_length"]), claims_model=values["claims_model"])
    return settings, packs, reader.diagnostics
