"""UI strings per language (templates/i18n/<lang>.toml), counted strings by CLDR plural rules, and
localized dates, both through Babel."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Mapping, Sequence

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.plural import PluralRule

from generator.config.loader import Language
from generator.errors import BuildError, Diagnostic, error
from generator.incremental.identity import fingerprint
from generator.config.tomlpos import TomlLocator, toml_error_position

DEFAULT_WORDS_PER_MINUTE = {"ko": 200, "ja": 400, "zh": 300}
FALLBACK_WORDS_PER_MINUTE = 230


PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")  # CLDR's names for plural forms


@dataclass(frozen=True, slots=True)
class Strings:
    """The flat key -> text table for one language; a counted string holds one text per plural form."""

    lang: str
    table: Mapping[str, str | Mapping[str, str]]
    plural: PluralRule = PluralRule({})  # the language's CLDR rule: a number -> "one", "other", ...

    def __digest__(self) -> str:
        """The language, every text, and the plural rule by its CLDR conditions (for cache keys)."""
        return fingerprint(self.lang, self.table, sorted(self.plural.rules.items()))

    def __call__(self, key: str, **values: object) -> str:
        text = self.table[key]
        if not isinstance(text, str):
            if "count" not in values:
                raise KeyError(f"UI string '{key}' counts something: give it count=")
            text = text.get(self.plural(values["count"]), text["other"])
        return text.format(**values) if values else text


def load_strings(theme_dirs: list[Path], languages: Sequence[Language], shown_root: Path) -> dict[str, Strings]:
    """Merge i18n/<lang>.toml from the theme and the site (site keys win); every language must have every
    key, and a counted key every plural form its language needs."""
    diagnostics: list[Diagnostic] = []
    tables: dict[str, dict[str, str | Mapping[str, str]]] = {}
    origin: dict[str, str] = {}
    where: dict[tuple[str, str], tuple[str, int]] = {}  # (lang, key) -> file and line the text came from
    for language in languages:
        lang = language.code
        merged: dict[str, str | Mapping[str, str]] = {}
        for directory in theme_dirs:
            path = directory / "i18n" / f"{lang}.toml"
            if not path.is_file():
                continue
            shown = _shown(path, shown_root)
            origin[lang] = shown
            text = path.read_bytes().decode("utf-8-sig", errors="replace")
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                line, message = toml_error_position(str(exc))
                diagnostics.append(error(shown, line, f"invalid TOML: {message}"))
                continue
            locator = TomlLocator(text)
            for parts, value in _flatten(data):
                key, line = ".".join(parts), locator.line(*parts)
                if not _is_text(value):
                    diagnostics.append(error(shown, line, f"string '{key}' must be text, or a table of plural forms "
                                                          'like { one = "...", other = "..." }'))
                elif key not in merged:
                    merged[key] = MappingProxyType(value) if isinstance(value, dict) else value
                    where[lang, key] = (shown, line)
        if not merged:
            diagnostics.append(error(f"templates/i18n/{lang}.toml", None,
                                     f"no UI strings for language '{lang}'",
                                     "copy the theme's i18n/en.toml to templates/i18n/"
                                     f"{lang}.toml in your site and translate it"))
        tables[lang] = merged
    all_keys = set().union(*tables.values()) if tables else set()
    counted = {key for table in tables.values() for key, value in table.items() if not isinstance(value, str)}
    rules = {language.code: _plural_rule(language) for language in languages}
    for lang, table in tables.items():
        if not table:
            continue
        for key in sorted(all_keys - set(table)):
            diagnostics.append(error(origin.get(lang, f"templates/i18n/{lang}.toml"), None,
                                     f"UI string '{key}' is missing for language '{lang}'",
                                     "every language needs the same keys"))
        needed = sorted(rules[lang].tags | {"other"}, key=PLURAL_CATEGORIES.index)
        for key in sorted(counted & set(table)):
            value = table[key]
            forms = {"other"} if isinstance(value, str) else set(value)
            missing = [form for form in needed if form not in forms]
            if missing:
                example = ", ".join(f'{form} = "..."' for form in needed)
                diagnostics.append(error(*where[lang, key],
                                         f"UI string '{key}' counts something, and '{lang}' needs the plural "
                                         f"form{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                                         f'write "{key}" = {{ {example} }}'))
            elif isinstance(value, str):  # one form serves every number in this language
                table[key] = MappingProxyType({"other": value})
    if diagnostics:
        raise BuildError(diagnostics)
    return {lang: Strings(lang, MappingProxyType(table), rules[lang]) for lang, table in tables.items()}


def _is_text(value: object) -> bool:
    """A string, or a table of plural forms (which forms a language needs is checked later)."""
    if isinstance(value, str):
        return True
    return (isinstance(value, dict) and set(value) <= set(PLURAL_CATEGORIES)
            and all(isinstance(form, str) for form in value.values()))


def _plural_rule(language: Language) -> PluralRule:
    """CLDR's plural rule for the language's locale (site.toml has checked that Babel knows it)."""
    try:
        return Locale.parse(language.locale).plural_form
    except (UnknownLocaleError, ValueError):
        return PluralRule({})


def _flatten(data: dict, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], object]]:
    """Key paths and their texts; a table whose keys are plural forms is one text."""
    items: list[tuple[tuple[str, ...], object]] = []
    for key, value in data.items():
        if isinstance(value, dict) and not set(value) & set(PLURAL_CATEGORIES):
            items.extend(_flatten(value, prefix + (key,)))
        else:
            items.append((prefix + (key,), value))
    return items


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def localized_date(value: date | datetime, locale: str) -> str:
    """'2026년 7월 3일' for ko_KR, 'July 3, 2026' for en_US."""
    day = value.date() if isinstance(value, datetime) else value
    return format_date(day, "long", locale=locale)


def reading_minutes(word_count: int, lang: str, words_per_minute: int = 0) -> int:
    """Words, not characters: Korean is read at about 200 words a minute."""
    speed = words_per_minute or DEFAULT_WORDS_PER_MINUTE.get(lang.split("-")[0], FALLBACK_WORDS_PER_MINUTE)
    return max(1, round(word_count / speed))
