"""The [tags] table of site.toml: a description per topic and language, written by the clinic.

    [tags.en."lip filler"]
    description = "How lip fillers work, how long they last and how they are dissolved safely."

Tag pages and tag feeds use it instead of the generated sentence. The tag is matched the way
posts name it, so "Lip Filler" and "lip filler" are one topic.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

KEYS = ("description",)


@dataclass(frozen=True, slots=True)
class TagDescription:
    lang: str = field(metadata={"doc": "Language table under [tags]"})
    tag: str = field(metadata={"doc": "The tag as posts write it"})
    description: str = field(metadata={"doc": "Meta description, intro and feed description of the tag"})
    line: int = field(default=0, metadata={"doc": "Line in site.toml, for check findings"})


class TableReader(Protocol):
    """What the site.toml reader offers: located failures, table checks and key lines."""

    locator: Any

    def fail(self, key_path: tuple[str, ...], message: str, hint: str | None = None) -> None: ...

    def check_table(self, value: Any, key_path: tuple[str, ...]) -> dict | None: ...

    def unknown_keys(self, table: dict, allowed: list[str], key_path: tuple[str, ...]) -> None: ...


def read_tag_descriptions(reader: TableReader, data: dict, languages: tuple[str, ...]) -> tuple[TagDescription, ...]:
    """[tags.<lang>."<tag>"] tables; languages are the codes of [languages.*] (empty: not known yet)."""
    found: list[TagDescription] = []
    tags = reader.check_table(data.get("tags", {}), ("tags",)) or {}
    for lang, table in tags.items():
        if languages and lang not in languages:
            # [tags.fr."soins"] names no [tags.fr] line of its own: point at its first tag
            first = next(iter(table), None) if isinstance(table, dict) else None
            reader.fail(("tags", lang) + ((first,) if first else ()),
                        f"[tags.{lang}]: '{lang}' is not a language of site.toml",
                        f"use one of the [languages.*] codes: {', '.join(languages)}")
            continue
        for tag, entry in (reader.check_table(table, ("tags", lang)) or {}).items():
            key_path = ("tags", lang, tag)
            hint = f'write [tags.{lang}."{tag}"] and under it description = "..."'
            if not isinstance(entry, dict):
                reader.fail(key_path, f"'tags.{lang}.{tag}' must be a table with a description", hint)
                continue
            reader.unknown_keys(entry, list(KEYS), key_path)
            text = entry.get("description")
            if text is None:
                reader.fail(key_path, f"missing required key 'tags.{lang}.{tag}.description'", hint)
                continue
            if not isinstance(text, str) or not text.strip():
                reader.fail(key_path + ("description",), f"'tags.{lang}.{tag}.description' must be a non-empty "
                                                         "string", hint)
                continue
            found.append(TagDescription(lang, tag, " ".join(text.split()), reader.locator.line(*key_path, "description")))
    return tuple(found)
