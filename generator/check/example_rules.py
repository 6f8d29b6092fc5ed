"""Rule example-value: the example values a new site starts with (config/examples.py) are not the clinic's,
and none may be published: each one still in site.toml or in a post is reported where it stands."""
from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any, Callable, Iterator

from generator.check.core import Finding, LintContext, PostText, front_matter_finding
from generator.config.examples import Example, find_examples
from generator.config.loader import LocalizedText, SiteConfig

RULE = "example-value"


def lint_config_examples(ctx: LintContext, line_of: Callable[..., int | None]) -> Iterator[Finding]:
    """Example values in site.toml, at the line of their key. line_of(*key_path) is the site.toml line of a key."""
    if not ctx.on(RULE):
        return
    config = ctx.site.config
    for key_path, value, optional in _config_texts(config):
        lang = key_path[1] if key_path[0] == "languages" else config.site.default_language
        for example, start, end in find_examples(value, "in_config"):
            yield Finding(RULE, "site.toml", line_of(*key_path), 1,
                          f"'{'.'.join(key_path)}' still has {_found(example, value[start:end])}",
                          _hint(example, config, lang) + (", or remove the line" if optional else ""))


def lint_post_examples(text: PostText, ctx: LintContext) -> Iterator[Finding]:
    """Example values in a post's title, description and body."""
    if not ctx.on(RULE):
        return
    post, config = text.post, ctx.site.config
    for key in ("title", "description"):
        value = getattr(post, key)
        for example, start, end in find_examples(value, "in_posts"):
            yield front_matter_finding(post, key, RULE, f"the {key} still has {_found(example, value[start:end])}",
                                       _hint(example, config, post.lang))
    for example, start, end in find_examples(text.code, "in_posts"):
        yield text.finding(RULE, start, f"this line still has {_found(example, text.code[start:end])}",
                           _hint(example, config, post.lang), end=end)


def _found(example: Example, text: str) -> str:
    return f"{example.what} '{text}'" + (f" ({example.note})" if example.note else "")


def _hint(example: Example, config: SiteConfig, lang: str) -> str:
    """What to write instead: the clinic's own name or number once site.toml has it."""
    own = {"clinic": config.clinic.name.get(lang, config.site.default_language),
           "telephone": config.clinic.telephone}.get(example.kind, "")
    if own and not any(find_examples(own, "in_config")):
        return f"write '{own}' ({example.instead}, as site.toml gives it) in its place"
    return f"write {example.instead} in its place"


def _config_texts(config: SiteConfig) -> Iterator[tuple[tuple[str, ...], str, bool]]:
    """(key path, text, whether the key may be left out) of every text in the tables init writes."""
    yield ("site", "base_url"), config.site.base_url, False
    for language in config.languages:
        yield from _record_texts(("languages", language.code), language)
    yield from _record_texts(("clinic",), config.clinic)
    for author in config.authors:
        yield from _record_texts(("authors", author.id), author)
    yield ("deploy", "cname"), config.deploy.cname, True


def _record_texts(prefix: tuple[str, ...], record: Any) -> Iterator[tuple[tuple[str, ...], str, bool]]:
    for field in fields(record):
        value = getattr(record, field.name)
        texts = [text for _, text in value.values] if isinstance(value, LocalizedText) else \
            [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] \
            if isinstance(value, tuple) else []
        optional = field.default is not MISSING or field.default_factory is not MISSING
        for text in texts:
            yield prefix + (field.name,), text, optional
