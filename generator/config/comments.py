"""The [comments] settings: the built-in providers, what each one's table must hold, and its checks."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Callable, Mapping

from generator.config.tomlpos import TomlLocator
from generator.errors import Diagnostic, did_you_mean, error

BUILTIN_PROVIDERS = ("none", "isso", "giscus", "utterances", "disqus", "remark42")
ABSOLUTE_URL = re.compile(r"^https?://[^/\s]+")


@dataclass(frozen=True, slots=True)
class CommentsConfig:
    provider: str = field(default="none", metadata={"doc": "none, isso, giscus, utterances, disqus, remark42 or a custom template"})
    thread: str = field(default="shared", metadata={"doc": "shared or per-language"})
    load: str = field(default="click", metadata={"doc": "click, scroll or eager"})
    settings: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), metadata={"doc": "[comments.<provider>] table"})
    provider_line: int = field(default=0, metadata={"doc": "Line of comments.provider in site.toml, for messages"})


def _absolute_url(value: str) -> str | None:
    if ABSOLUTE_URL.match(value):
        return None
    return f"must be an absolute URL such as \"https://comments.example-clinic.com/\", got '{value}'"


def _repository(value: str) -> str | None:
    if re.match(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", value):
        return None
    return f"must be a GitHub repository written as \"owner/name\", got '{value}'"


def _shortname(value: str) -> str | None:
    if re.match(r"^[a-z0-9-]+$", value):
        return None
    return f"must be the Disqus shortname, lower-case letters, digits and '-', got '{value}'"


def _one_of(*choices: str) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        if value in choices:
            return None
        return f"must be {' or '.join(repr(c) for c in choices)}, got '{value}'"
    return check


@dataclass(frozen=True, slots=True)
class Setting:
    """One key of a [comments.<provider>] table."""

    type: type  # str or bool
    default: Any = None  # None: required
    check: Callable[[str], str | None] | None = None  # returns a problem or None
    example: str = '"..."'  # shown in the hint for a missing key


@dataclass(frozen=True, slots=True)
class Provider:
    settings: Mapping[str, Setting] = field(default_factory=dict)


PROVIDERS: Mapping[str, Provider] = MappingProxyType({
    "none": Provider(),
    "isso": Provider({
        "url": Setting(str, check=_absolute_url, example='"https://comments.example-clinic.com/"'),
        "css": Setting(bool, True),
        "avatar": Setting(bool, True),
        "vote": Setting(bool, True),
    }),
    "giscus": Provider({
        "repo": Setting(str, check=_repository, example='"owner/name"'),
        "repo_id": Setting(str, example='"R_kgDO..."'),
        "category": Setting(str, example='"Comments"'),
        "category_id": Setting(str, example='"DIC_kwDO..."'),
        "theme": Setting(str, "preferred_color_scheme"),
        "reactions_enabled": Setting(bool, True),
        "input_position": Setting(str, "bottom", _one_of("top", "bottom")),
        "strict": Setting(bool, True),
        "emit_metadata": Setting(bool, False),
    }),
    "utterances": Provider({
        "repo": Setting(str, check=_repository, example='"owner/name"'),
        "label": Setting(str, ""),
        "theme": Setting(str, "github-light"),
    }),
    "disqus": Provider({
        "shortname": Setting(str, check=_shortname, example='"balancelab"'),
    }),
    "remark42": Provider({
        "host": Setting(str, check=_absolute_url, example='"https://remark42.example-clinic.com"'),
        "site_id": Setting(str, example='"balancelab"'),
        "theme": Setting(str, "light", _one_of("light", "dark")),
    }),
})


def check_provider_settings(comments: CommentsConfig, locator: TomlLocator,
                            shown: str) -> tuple[Mapping[str, Any], list[Diagnostic]]:
    """Validate [comments.<provider>] of a built-in provider; return its settings with defaults filled in.

    A custom provider's table is passed to its template as it is.
    """
    provider = PROVIDERS.get(comments.provider)
    if provider is None:
        return comments.settings, []
    table, name = comments.settings, comments.provider
    diagnostics: list[Diagnostic] = []
    allowed = list(provider.settings)

    def fail(key_path: tuple[str, ...], message: str, hint: str | None = None) -> None:
        diagnostics.append(error(shown, locator.line("comments", *key_path), message, hint))

    if not table and any(s.default is None for s in provider.settings.values()):
        needed = [key for key, s in provider.settings.items() if s.default is None]
        lines = "; ".join(f"{key} = {provider.settings[key].example}" for key in needed)
        diagnostics.append(error(shown, locator.line("comments", "provider"),
                                 f"comments.provider is '{name}' but there is no [comments.{name}] table",
                                 f"add [comments.{name}] with {lines}"))
        return table, diagnostics
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in provider.settings:
            hint = did_you_mean(key, allowed, f"valid keys: {', '.join(allowed)}")
            fail((name, key), f"unknown key 'comments.{name}.{key}'", hint)
    for key, setting in provider.settings.items():
        where = f"comments.{name}.{key}"
        if key not in table:
            if setting.default is None:
                fail((name,), f"missing required key '{where}'",
                     f"add {key} = {setting.example} under [comments.{name}]")
            else:
                values[key] = setting.default
            continue
        value = table[key]
        if setting.type is bool and not isinstance(value, bool):
            fail((name, key), f"'{where}' must be true or false, got {value!r}")
        elif setting.type is str and not isinstance(value, str):
            fail((name, key), f"'{where}' must be a string, got {value!r}",
                 f'strings need quotes: {key} = "{value}"')
        elif setting.type is str and not value.strip():
            fail((name, key), f"'{where}' is empty", f"add {key} = {setting.example}")
        elif setting.check and (problem := setting.check(value)):
            fail((name, key), f"'{where}' {problem}")
        else:
            values[key] = value
    if "url" in values and name == "isso":
        values["url"] = values["url"].rstrip("/") + "/"
    if "host" in values and name == "remark42":
        values["host"] = values["host"].rstrip("/")
    return MappingProxyType(values), diagnostics


def read_comments(reader: Any, data: dict) -> CommentsConfig | None:
    """[comments] read with the loader's section reader, with its provider's table checked."""
    table = reader.check_table(data.get("comments", {}), ("comments",)) or {}
    provider_tables = {k: v for k, v in table.items() if isinstance(v, dict)}
    comments = reader.read(CommentsConfig, table, ("comments",), preset={"settings": None, "provider_line": 0},
                           skip=tuple(provider_tables))
    if comments is None:
        return None
    for name in provider_tables:
        if name != comments.provider:
            reader.fail(("comments", name), f"[comments.{name}] is set but comments.provider is '{comments.provider}'",
                        f'set provider = "{name}" or remove the [comments.{name}] table')
    if comments.thread not in ("shared", "per-language"):
        reader.fail(("comments", "thread"), f"'comments.thread' must be \"shared\" or \"per-language\", got '{comments.thread}'")
    if comments.load not in ("click", "scroll", "eager"):
        reader.fail(("comments", "load"), f"'comments.load' must be \"click\", \"scroll\" or \"eager\", got '{comments.load}'")
    if not re.match(r"^[a-z0-9][a-z0-9_-]*$", comments.provider):
        reader.fail(("comments", "provider"), f"'comments.provider' '{comments.provider}' is not a valid provider name",
                    f"built-in providers: {', '.join(BUILTIN_PROVIDERS)}")
    settings = MappingProxyType(dict(provider_tables.get(comments.provider, {})))
    comments = CommentsConfig(provider=comments.provider, thread=comments.thread, load=comments.load, settings=settings,
                              provider_line=reader.locator.line("comments", "provider"))
    settings, problems = check_provider_settings(comments, reader.locator, reader.path)
    reader.diagnostics.extend(problems)
    return replace(comments, settings=settings)
