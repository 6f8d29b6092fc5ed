"""The [privacy] table of site.toml: what the generated privacy notice (/<lang>/privacy/) needs from the clinic.

A Korean site that collects personal information must publish a privacy notice (개인정보 보호법 제30조)
naming, among other things, the person or department responsible for it and how to reach them, and the
date it takes effect. The services the site uses (comments, visit counting) are described from the
rest of site.toml; what only the clinic knows is written here. `check` asks for it once the site
collects anything (check/site_rules.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from generator.config.localized import LocalizedText


@dataclass(frozen=True, slots=True)
class PrivacyConfig:
    officer: LocalizedText | None = field(default=None, metadata={
        "doc": "개인정보 보호책임자: the person (name and title) or department responsible for personal information"})
    email: str = field(default="", metadata={"doc": "Where readers send privacy requests (default: [clinic] email)"})
    telephone: str = field(default="", metadata={"doc": "Telephone for privacy requests (default: [clinic] telephone)"})
    effective: str = field(default="", metadata={"doc": "The date this notice takes effect, YYYY-MM-DD"})
    text: LocalizedText | None = field(default=None, metadata={
        "doc": "The clinic's own words, added to the notice (paragraphs separated by a blank line)"})

    @property
    def effective_date(self) -> date | None:
        try:
            return date.fromisoformat(self.effective) if self.effective else None
        except ValueError:
            return None


def read_privacy(reader: Any, data: dict) -> PrivacyConfig | None:
    """[privacy] read with the loader's section reader; a date must be one, an address an address."""
    privacy = reader.read(PrivacyConfig, data.get("privacy", {}), ("privacy",))
    if privacy is None:
        return None
    if privacy.effective and privacy.effective_date is None:
        reader.fail(("privacy", "effective"), f"'privacy.effective' must be a date written YYYY-MM-DD, got "
                    f"'{privacy.effective}'", 'e.g. effective = "2026-09-01"')
    if privacy.email and not re.match(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$", privacy.email):
        reader.fail(("privacy", "email"), f"'privacy.email' '{privacy.email}' is not an e-mail address",
                    'e.g. email = "privacy@example-clinic.com"')
    return privacy
