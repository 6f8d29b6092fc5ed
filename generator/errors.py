"""Diagnostics: located, actionable messages collected across a whole build."""
from __future__ import annotations

import difflib

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Excerpt:
    """The flagged words of a finding, as readers see them on the post's page."""

    text: str  # as written in the post
    field: str  # where the page shows it: "body", "title", "faq"; "description", "image_alt" are not shown as text
    occurrence: int  # how many times the same text (ignoring case and spacing) comes earlier in that field

    def __reduce__(self) -> tuple:  # its fields in order: `check`'s workers send thousands back
        return Excerpt, (self.text, self.field, self.occurrence)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in the input, printed compiler-style."""

    severity: str  # "error" | "warning" | "info"
    path: str  # as shown to the user, relative to the site folder when possible
    line: int | None
    message: str
    hint: str | None = None
    column: int | None = None
    rule: str | None = None
    reference: str | None = None  # the law or guidance a content rule relates to
    excerpt: Excerpt | None = None

    def __reduce__(self) -> tuple:  # its fields in order, as Excerpt's
        return Diagnostic, (self.severity, self.path, self.line, self.message, self.hint, self.column, self.rule,
                            self.reference, self.excerpt)

    @property
    def location(self) -> str:
        location = self.path
        if self.line is not None:
            location += f":{self.line}"
            if self.column is not None:
                location += f":{self.column}"
        return location

    @property
    def full_hint(self) -> str | None:
        """The hint with the reference it relies on, as printed."""
        if self.reference:
            return f"{self.hint} (see {self.reference})" if self.hint else f"see {self.reference}"
        return self.hint

    def format(self) -> str:
        rule = f"[{self.rule}] " if self.rule else ""
        text = f"{self.location}: {self.severity}: {rule}{self.message}"
        if self.full_hint:
            text += "\n  hint: " + self.full_hint.replace("\n", "\n        ")  # a table to copy keeps its lines
        return text

    def sort_key(self) -> tuple:
        return (self.path, self.line or 0, self.column or 0, self.message)


class BuildError(Exception):
    """Raised by a stage when the input has errors; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]):
        self.diagnostics = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
        super().__init__("\n".join(d.format() for d in self.diagnostics))

    def __reduce__(self) -> tuple:  # raised in a worker process, it reaches the build with its diagnostics
        return BuildError, (self.diagnostics,)


class UsageError(Exception):
    """A command-line or environment problem (exit code 2): bad output folder, missing site."""


def display_path(path: Path, site_dir: Path) -> str:
    """Path relative to the site folder, so messages stay short and editor-clickable."""
    try:
        return str(path.resolve().relative_to(site_dir.resolve()))
    except ValueError:
        return str(path)


def error(path: str, line: int | None, message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic("error", path, line, message, hint)


def warning(path: str, line: int | None, message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic("warning", path, line, message, hint)


def raise_if_errors(diagnostics: list[Diagnostic]) -> None:
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors:
        raise BuildError(errors)


def did_you_mean(word: str, choices, otherwise: str | None = None, cutoff: float = 0.6) -> str | None:
    """The hint for a misspelt name: the closest valid choice, else `otherwise`."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return f"did you mean '{close[0]}'?" if close else otherwise


class DeployError(Exception):
    """Publishing failed (git, rsync or the host refused): the message includes the tool's own words."""
