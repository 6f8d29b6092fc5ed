"""Text that site.toml gives once for every language, or per language as a table {ko = "...", en = "..."}."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """A string given once, or per language as a table {ko = "...", en = "..."}."""

    values: tuple[tuple[str, str], ...]

    def get(self, lang: str, fallback: str | None = None) -> str:
        mapping = dict(self.values)
        if lang in mapping:
            return mapping[lang]
        if "*" in mapping:
            return mapping["*"]
        if fallback is not None and fallback in mapping:
            return mapping[fallback]
        return self.values[0][1] if self.values else ""
