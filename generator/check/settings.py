"""The free-form settings of site.toml's [check] table, read and checked: each problem is a
`site.toml:LINE` error, and the rules still run with the defaults."""
from __future__ import annotations

from typing import Any

from generator.check.post_rules import DESCRIPTION_LENGTH, TITLE_LENGTH, bounds
from generator.config.loader import SiteConfig
from generator.config.site_files import input_folder, resolve_input
from generator.config.tomlpos import TomlLocator
from generator.errors import Diagnostic, did_you_mean

SETTINGS = ("procedure_tags", "proper_nouns", "packs", "stale_days", "english_run_words", "title_length",
            "description_length", "claims_model")


def description_bounds(config: SiteConfig, lang: str) -> tuple[int, int]:
    """The length `check` asks of a description in lang: [check] description_length, else the default."""
    return bounds(CheckReader(config).settings()["description_length"], lang)


def tag_config(diagnostic: Diagnostic) -> Diagnostic:
    return Diagnostic(diagnostic.severity, diagnostic.path, diagnostic.line, diagnostic.message, diagnostic.hint,
                      diagnostic.column, "config")


class CheckReader:
    """Reads the free-form settings of [check]; each problem points at its site.toml line."""

    def __init__(self, config: SiteConfig):
        self.config = config
        try:
            self.locator: TomlLocator | None = TomlLocator((config.site_dir / "site.toml").read_text("utf-8-sig"))
        except (OSError, UnicodeDecodeError):
            self.locator = None
        self.diagnostics: list[Diagnostic] = []

    def fail(self, key_path: tuple[str, ...], message: str, hint: str | None = None) -> None:
        line = self.locator.line(*key_path) if self.locator else None
        self.diagnostics.append(Diagnostic("error", "site.toml", line, message, hint, None, "config"))

    def settings(self) -> dict[str, Any]:
        table = dict(self.config.check_settings)
        for key in table:
            if key not in SETTINGS:
                self.fail(("check", key), f"unknown key 'check.{key}'",
                          did_you_mean(key, SETTINGS, f"valid keys: rules, {', '.join(SETTINGS)}"))
        tags = self._strings(table, "procedure_tags", None)
        return {
            "procedure_tags": tuple(t.casefold() for t in tags) if tags is not None else None,
            "proper_nouns": self._strings(table, "proper_nouns", ()),
            "packs": self._packs(table),
            "stale_days": self._number(table, "stale_days", 30, 1),
            "english_run_words": self._number(table, "english_run_words", 8, 2),
            "title_length": self._bounds(table, "title_length", TITLE_LENGTH),
            "description_length": self._bounds(table, "description_length", DESCRIPTION_LENGTH),
            "claims_model": self._flag(table, "claims_model", True),
        }

    def _flag(self, table: dict, key: str, default: bool) -> bool:
        value = table.get(key, default)
        if isinstance(value, bool):
            return value
        self.fail(("check", key), f"'check.{key}' must be true or false, got {value!r}")
        return default

    def _strings(self, table: dict, key: str, default: Any) -> Any:
        if key not in table:
            return default
        value = table[key]
        if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
            return tuple(v.strip() for v in value)
        self.fail(("check", key), f"'check.{key}' must be a list of non-empty strings", f'write {key} = ["...", "..."]')
        return default

    def _packs(self, table: dict) -> tuple[str, ...]:
        site, kept = input_folder(self.config.site_dir, self.config.site_dir, anywhere_in_site=True), []
        for pack in self._strings(table, "packs", ()):
            outside = resolve_input(site, self.config.site_dir / pack, pack)[1]
            if not pack.endswith(".toml"):
                self.fail(("check", "packs"), f"rule pack '{pack}' must be a .toml file", 'packs = ["checks/our-phrases.toml"]')
            elif outside:  # nothing is read from outside the site
                self.fail(("check", "packs"), f"rule pack '{pack}' {outside.message}", outside.hint)
            else:
                kept.append(pack)
        return tuple(kept)

    def _number(self, table: dict, key: str, default: int, minimum: int) -> int:
        value = table.get(key, default)
        if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
            return value
        self.fail(("check", key), f"'check.{key}' must be a whole number of at least {minimum}, got {value!r}")
        return default

    def _bounds(self, table: dict, key: str, defaults: dict) -> dict[str, tuple[int, int]]:
        merged = dict(defaults)
        value = table.get(key, {})
        example = f"{key} = {{ en = [{defaults['en'][0]}, {defaults['en'][1]}] }}"
        if not isinstance(value, dict):
            self.fail(("check", key), f"'check.{key}' must be a table of languages", example)
            return merged
        for lang, pair in value.items():
            if lang not in self.config.language_codes:
                self.fail(("check", key, lang), f"'check.{key}.{lang}': '{lang}' is not a language of site.toml", example)
            elif (isinstance(pair, list) and len(pair) == 2 and all(isinstance(n, int) and not isinstance(n, bool)
                                                                    for n in pair) and 0 <= pair[0] < pair[1]):
                merged[lang] = (pair[0], pair[1])
            else:
                self.fail(("check", key, lang), f"'check.{key}.{lang}' must be [shortest, longest], got {pair!r}", example)
        return merged
