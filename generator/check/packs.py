"""Medical-advertising rule packs: TOML phrase lists per language, loaded, validated and merged.

The phrases live in data (generator/check/rules/<lang>.toml plus a site's own packs) so
that compliance staff can extend them without touching code.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from generator.errors import Diagnostic, did_you_mean, error
from generator.check.matching import LanguageMatcher, PackRule, phrase_regex
from generator.config.tomlpos import TomlLocator, toml_error_position

BUILTIN_DIR = Path(__file__).parent / "rules"
SEVERITIES = ("info", "warning", "error")
RULE_KEYS = ("id", "severity", "description", "message", "hint", "reference", "phrases", "patterns", "allow")
EXTEND_KEYS = ("id", "phrases", "patterns", "allow")
PACK_KEYS = ("lang", "procedure", "rule")
PROCEDURE_KEYS = ("tags", "risk_words")
RULE_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_RULE_HEADER = re.compile(r"^\s*\[\[\s*rule\s*\]\]")


@dataclass(frozen=True, slots=True)
class PackSet:
    """Every pack, merged: rule declarations plus per-language procedure words."""

    rules: tuple[PackRule, ...]
    procedure: tuple[tuple[str | None, tuple[str, ...], tuple[str, ...]], ...]  # (lang, tags, risk words)

    def rule_ids(self) -> list[str]:
        return list(dict.fromkeys(rule.id for rule in self.rules))

    def declared(self, rule_id: str) -> PackRule:
        return next(rule for rule in self.rules if rule.id == rule_id)

    def matcher(self, lang: str, procedure_tags: tuple[str, ...] | None, enabled: frozenset[str]) -> LanguageMatcher:
        """The enabled rules for one language (a rule switched off costs nothing), merged over every pack."""
        merged: dict[str, PackRule] = {}
        for rule in self.rules:
            if rule.lang not in (None, lang) or rule.id not in enabled:
                continue
            first = merged.setdefault(rule.id, rule)
            if first is not rule:  # several packs may add to one id
                merged[rule.id] = replace(first, expressions=first.expressions + rule.expressions,
                                          allow=first.allow + rule.allow)
        tags: list[str] = []
        risks: list[str] = []
        for pack_lang, pack_tags, pack_risks in self.procedure:
            if pack_lang in (None, lang):
                tags += pack_tags
                risks += pack_risks
        chosen = procedure_tags if procedure_tags is not None else tuple(tags)
        return LanguageMatcher(list(merged.values()), tuple(t.casefold() for t in chosen), tuple(risks), lang)


def load_packs(site_packs: list[tuple[Path, str]], languages: tuple[str, ...]) -> tuple[PackSet, list[Diagnostic]]:
    """Built-in packs first, then the site's own (path, shown path) in order; problems are located errors."""
    loader = _PackLoader(languages)
    for path in sorted(BUILTIN_DIR.glob("*.toml")):
        loader.load(path, f"generator/check/rules/{path.name}", builtin=True)
    for path, shown in site_packs:
        loader.load(path, shown, builtin=False)
    return PackSet(tuple(loader.rules), tuple(loader.procedure)), loader.diagnostics


class _PackLoader:
    def __init__(self, languages: tuple[str, ...]):
        self.languages = languages
        self.rules: list[PackRule] = []
        self.procedure: list[tuple[str | None, tuple[str, ...], tuple[str, ...]]] = []
        self.diagnostics: list[Diagnostic] = []

    def load(self, path: Path, shown: str, builtin: bool) -> None:
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            self.diagnostics.append(error(shown, None, "rule pack not found",
                                          "check the path in [check] packs of site.toml (relative to the site folder)"))
            return
        except UnicodeDecodeError:
            self.diagnostics.append(error(shown, 1, "rule pack is not valid UTF-8 text", "save it as UTF-8"))
            return
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line, message = toml_error_position(str(exc))
            self.diagnostics.append(error(shown, line, f"invalid TOML: {message}",
                                          'strings need quotes: phrases = ["특가", "limited offer"]'))
            return
        locator = TomlLocator(text)
        rule_lines = [n for n, line in enumerate(text.splitlines(), start=1) if _RULE_HEADER.match(line)]
        pack = _Pack(self, shown, locator)
        pack.unknown(data, PACK_KEYS, ())
        if builtin and data.get("lang") not in self.languages:
            return  # a built-in pack for a language the site does not have
        lang = pack.lang(data.get("lang"))
        procedure = data.get("procedure", {})
        if not isinstance(procedure, dict):
            pack.fail(locator.line("procedure"), "'procedure' must be a table like [procedure]")
        else:
            pack.unknown(procedure, PROCEDURE_KEYS, ("procedure",))
            tags = pack.strings(procedure, "tags", locator.line("procedure", "tags"))
            risks = pack.strings(procedure, "risk_words", locator.line("procedure", "risk_words"))
            if tags or risks:
                self.procedure.append((lang, tags, risks))
        rules = data.get("rule", [])
        if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
            pack.fail(locator.line("rule"), "'rule' must be a list of [[rule]] tables")
            return
        for number, table in enumerate(rules):
            line = rule_lines[number] if number < len(rule_lines) else locator.line("rule")
            rule = pack.rule(table, line, lang, builtin)
            if rule is not None:
                self.rules.append(rule)


class _Pack:
    """Validation of one pack file; every problem is recorded with the pack's line."""

    def __init__(self, loader: _PackLoader, shown: str, locator: TomlLocator):
        self.loader, self.shown, self.locator = loader, shown, locator

    def fail(self, line: int | None, message: str, hint: str | None = None) -> None:
        self.loader.diagnostics.append(error(self.shown, line, message, hint))

    def unknown(self, table: dict, allowed: tuple[str, ...], where: tuple[str, ...], line: int | None = None) -> None:
        for key in table:
            if key not in allowed:
                hint = did_you_mean(key, allowed, f"valid keys: {', '.join(allowed)}")
                self.fail(line or self.locator.line(*where, key), f"unknown key '{'.'.join(where + (key,))}'", hint)

    def lang(self, value: Any) -> str | None:
        if value is None:
            return None
        if value not in self.loader.languages:
            self.fail(self.locator.line("lang"), f"'lang' is {value!r}, which is not a language of site.toml",
                      f"use one of {', '.join(self.loader.languages)}, or leave lang out for every language")
        return str(value)

    def strings(self, table: dict, key: str, line: int) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(line, f"'{key}' must be a list of non-empty strings", f'write {key} = ["...", "..."]')
            return ()
        return tuple(v.strip() for v in value)

    def rule(self, table: dict, line: int, lang: str | None, builtin: bool) -> PackRule | None:
        rule_id = table.get("id")
        if not isinstance(rule_id, str) or not RULE_ID.match(rule_id):
            self.fail(line, "every [[rule]] needs an id of lower-case letters, digits and '-'", 'add id = "ad-our-phrases"')
            return None
        existing = next((r for r in self.loader.rules if r.id == rule_id), None)
        extending = existing is not None and not builtin
        if extending and set(table) & (set(RULE_KEYS) - set(EXTEND_KEYS)):
            self.fail(line, f"rule '{rule_id}' is already defined; a pack can only add phrases, patterns and allow to it",
                      f'change its severity in site.toml instead: [check.rules] {rule_id} = "error"')
            return None
        self.unknown(table, EXTEND_KEYS if extending else RULE_KEYS, ("rule",), line)
        strings = {key: self._text(table, key, line, required=not extending and key in ("severity", "message"))
                   for key in ("severity", "description", "message", "hint", "reference")}
        if not extending and strings["severity"] and strings["severity"] not in SEVERITIES:
            self.fail(line, f"rule '{rule_id}': severity must be \"info\", \"warning\" or \"error\", got {strings['severity']!r}")
            return None
        expressions = [phrase_regex(p) for p in self.strings(table, "phrases", line)]
        expressions += self._patterns(table, "patterns", line, rule_id, builtin)
        allow = self._patterns(table, "allow", line, rule_id, builtin)
        if not expressions:
            self.fail(line, f"rule '{rule_id}' has no phrases or patterns", 'add phrases = ["..."]')
            return None
        base = existing if extending else None
        if base is None and not (strings["severity"] and strings["message"]):
            return None
        return PackRule(rule_id, base.severity if base else strings["severity"],
                        base.description if base else strings["description"] or strings["message"],
                        base.message if base else strings["message"], base.hint if base else strings["hint"],
                        base.reference if base else strings["reference"], lang, tuple(expressions), tuple(allow))

    def _text(self, table: dict, key: str, line: int, required: bool) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            self.fail(line, f"'{key}' must be text")
            return ""
        if required and not value.strip():
            self.fail(line, f"rule '{table['id']}' needs '{key}'", f'add {key} = "..."')
        return value.strip()

    def _patterns(self, table: dict, key: str, line: int, rule_id: str, builtin: bool) -> list[str]:
        """The valid patterns: a site's own are compiled here to say which is not, at its line; the
        built-in packs' are valid (the tests compile each one) and compile when a post needs them."""
        if builtin:
            return list(self.strings(table, key, line))
        valid = []
        for pattern in self.strings(table, key, line):
            try:
                re.compile(f"(?P<x>{pattern})", re.I)
            except re.error as exc:
                self.fail(line, f"rule '{rule_id}': {key} {pattern!r} is not a valid regular expression ({exc})",
                          "escape special characters with a backslash, or use phrases for plain text")
                continue
            valid.append(pattern)
        return valid
