"""What `serve` does when files change: edited posts are shown at once, then the site is built."""
from __future__ import annotations

from typing import Protocol

from generator.serve.events import Report, ServeEvent
from generator.serve.watcher import Debouncer

DEBOUNCE_SECONDS = 0.2  # after a file event that may be followed by more writes
SETTLE_SECONDS = 0.01  # after a file was closed or moved into place: written in full


class ServedSite(Protocol):
    """The served site (live.LiveSite)."""

    def preview(self, paths: tuple[str, ...]) -> ServeEvent | None: ...

    def rebuild(self) -> ServeEvent: ...


class Rebuilder:
    """Reacts to saved files: edited posts are previewed at once (in the thread that collects the
    file events), then the site is built in a thread of its own, once more if files changed meanwhile."""

    def __init__(self, live: ServedSite, report: Report):
        self.live, self.report = live, report
        self._changes = Debouncer(DEBOUNCE_SECONDS, self._changed, name="clinicpress-changes")
        self._builds = Debouncer(0, self._build, name="clinicpress-rebuild")

    def start(self) -> None:
        self._builds.start()
        self._changes.start()

    def stop(self) -> None:
        self._changes.stop()
        self._builds.stop()

    def poke(self, paths: list[str], written: bool = False) -> None:
        """Files changed; written: the last event said they are complete, so little wait is needed."""
        self._changes.poke(paths, SETTLE_SECONDS if written else None)

    def _changed(self, paths: tuple[str, ...]) -> None:
        self.report(ServeEvent("changed", paths=paths))
        previewed = self.live.preview(paths)
        if previewed is not None:
            self.report(previewed)
        self._builds.poke(paths)

    def _build(self, paths: tuple[str, ...]) -> None:
        self.report(self.live.rebuild())
