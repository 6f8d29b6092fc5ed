"""What the preview server tells the command line, which prints it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from generator.build import BuildResult
from generator.errors import Diagnostic


@dataclass(frozen=True, slots=True)
class ServeEvent:
    """What the server tells the command line: kind is fetching (the editor's code, see admin/fetch.py), serving,
    built, failed, changed, previewed (an edited post's page shown before the build, or its errors) or
    request."""

    kind: str
    url: str = ""
    result: BuildResult | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    paths: tuple[str, ...] = ()
    message: str = ""
    kept_previous: bool = False  # failed: an earlier build is still being served
    seconds: float = 0.0  # previewed: the time taken to make the pages


Report = Callable[[ServeEvent], None]
