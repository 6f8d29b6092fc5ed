"""What `check`, `build` and `serve` remember of each post's findings between runs (the build cache's side)."""
from __future__ import annotations

from typing import Protocol

from generator.errors import Diagnostic


class FindingsMemo(Protocol):
    """Per-post findings remembered between builds (the build cache)."""

    # key -> (the post's findings, the site's environment then; see check/lookups.py)
    def lint_findings(self, keys: list[str]) -> dict[str, tuple[list[Diagnostic], str]]: ...

    # key -> what the post looked up in the site when its findings were stored
    def lint_lookups(self, keys: list[str]) -> dict[str, list]: ...

    def store_lint_findings(self, items: dict[str, tuple[list[Diagnostic], list, str]], keep: set[str] | None) -> None: ...

    # digest of what a page's renderer receives -> (meta description, display width), for pages that list posts
    def page_descriptions(self) -> dict[str, tuple[str, int]]: ...

    def store_page_descriptions(self, items: dict[str, tuple[str, int]], keep: set[str]) -> None: ...


class FreshFindings:
    """Findings made or confirmed in this run, stored in the memo a few hundred posts at a time: a cold
    run over 10,000 posts would otherwise hold (and pickle) every post's lookups at once."""

    BATCH = 500

    def __init__(self, memo: FindingsMemo | None, environment: str) -> None:
        self.memo, self.environment = memo, environment
        self.found: dict[str, list[Diagnostic]] = {}
        self.batch: dict[str, tuple[list[Diagnostic], list, str]] = {}

    def add(self, key: str, found: list[Diagnostic], looked_up: list) -> None:
        self.found[key] = found
        if self.memo is not None:
            self.batch[key] = (found, looked_up, self.environment)
            if len(self.batch) >= self.BATCH:
                self.store()

    def store(self, keep: set[str] | None = None) -> None:
        """Write the batch; keep (at the end): forget the findings of posts that are gone, when anything changed."""
        if self.memo is not None and (self.batch or (keep is not None and self.found)):
            self.memo.store_lint_findings(self.batch, keep)
            self.batch = {}
