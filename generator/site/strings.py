"""UI strings per language (templates/i18n/<lang>.toml) and localized dates through Babel."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from babel.dates import format_date

from generator.errors import BuildError, Diagnostic, error
from generator.config.tomlpos import TomlLocator, toml_error_position

DEFAULT_WORDS_PER_MINUTE = {"ko": 200, "ja": 400, "zh": 300}
FALLBACK_WORDS_PER_MINUTE = 230


@dataclass(frozen=True, slots=True)
class Strings:
    """The flat key -> text table for one language."""

    lang: str
    table: Mapping[str, str]

    def __call__(self, key: str, **values: object) -> str:
        return self.table[key].format(**values) if values else self.table[key]


def load_strings(theme_dirs: list[Path], languages: tuple[str, ...], shown_root: Path) -> dict[str, Strings]:
    """Merge i18n/<lang>.toml from the theme and the site (site keys win); every language must have every key."""
    diagnostics: list[Diagnostic] = []
    tables: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    for lang in languages:
        merged: dict[str, str] = {}
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
            for key, value in _flatten(data):
                if not isinstance(value, str):
                    diagnostics.append(error(shown, locator.line(*key.split(".")), f"string '{key}' must be text"))
                else:
                    merged.setdefault(key, value)
        if not merged:
            diagnostics.append(error(f"templates/i18n/{lang}.toml", None,
                                     f"no UI strings for language '{lang}'",
                                     "copy the theme's i18n/en.toml to templates/i18n/"
                                     f"{lang}.toml in your site and translate it"))
        tables[lang] = merged
    all_keys = set().union(*tables.values()) if tables else set()
    for lang, table in tables.items():
        if table:
            for key in sorted(all_keys - set(table)):
                diagnostics.append(error(origin.get(lang, f"templates/i18n/{lang}.toml"), None,
                                         f"UI string '{key}' is missing for language '{lang}'",
                                         "every language needs the same keys"))
    if diagnostics:
        raise BuildError(diagnostics)
    return {lang: Strings(lang, MappingProxyType(table)) for lang, table in tables.items()}


def _flatten(data: dict, prefix: str = "") -> list[tuple[str, object]]:
    items: list[tuple[str, object]] = []
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            items.extend(_flatten(value, full + "."))
        else:
            items.append((full, value))
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
