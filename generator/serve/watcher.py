"""Watch a site's sources with watchdog and run an action once edits have settled."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from generator.errors import UsageError

WATCHED_DIRS = ("posts", "templates", "static")
WATCHED_FILES = ("site.toml",)
# Editors write swap and backup files next to the real one; they are not content.
_JUNK_SUFFIXES = (".swp", ".swx", ".swo", ".tmp", "~")
_CHANGE_EVENTS = ("created", "deleted", "modified", "moved", "closed")
_WRITTEN_EVENTS = ("closed", "moved")  # the file is complete: closed after writing, or moved into place


class Debouncer:
    """Collect file events and run the action once they have been quiet for `delay` seconds (or the
    delay given with the last event). Events that come while the action runs make it run again."""

    def __init__(self, delay: float, action: Callable[[tuple[str, ...]], None], name: str = "clinicpress-rebuild"):
        self._delay, self._action = delay, action
        self._wake = threading.Condition()
        self._due: float | None = None
        self._paths: set[str] = set()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def poke(self, paths: list[str] | tuple[str, ...], delay: float | None = None) -> None:
        with self._wake:
            self._due = time.monotonic() + (self._delay if delay is None else delay)
            self._paths.update(paths)
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()
        if self._thread.is_alive():
            # Ctrl-C is not kept waiting for a rebuild in progress: a build writes a staging folder and
            # swaps it in whole (write/writer.py), so leaving it when the process ends leaves the last site.
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopped and (self._due is None or time.monotonic() < self._due):
                    self._wake.wait(None if self._due is None else self._due - time.monotonic())
                if self._stopped:
                    return
                paths, self._due = tuple(sorted(self._paths)), None
                self._paths.clear()
            self._action(paths)


class SiteWatcher(FileSystemEventHandler):
    """Watches site.toml and posts/, templates/, static/ (also when one of them is created later) and
    calls on_change(paths, written), written when the event says the files are complete."""

    def __init__(self, site_dir: Path, on_change: Callable[[list[str], bool], None]):
        self.site_dir = site_dir.resolve()
        self.on_change = on_change
        self.observer = Observer()
        self._watches: dict[str, ObservedWatch] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        self.observer.schedule(self, str(self.site_dir), recursive=False)
        for name in WATCHED_DIRS:
            self._watch(name)
        self.observer.start()

    def stop(self) -> None:
        if self.observer.is_alive():
            self.observer.stop()
            self.observer.join(timeout=5)

    def changed_since(self, moment_ns: int) -> list[str]:
        """Files changed since moment_ns (wall clock): edits made before the watcher started."""
        candidates = [self.site_dir / name for name in WATCHED_FILES]
        for name in WATCHED_DIRS:
            candidates += (self.site_dir / name).rglob("*")
        changed = []
        for path in candidates:
            try:
                stat = path.stat()
            except OSError:
                continue
            shown = self._relevant(str(path))
            if shown and not path.is_dir() and max(stat.st_mtime_ns, stat.st_ctime_ns) >= moment_ns:
                changed.append(shown)
        return changed

    def _watch(self, name: str) -> None:
        folder = self.site_dir / name
        with self._lock:
            if name in self._watches or not folder.is_dir():
                return
            try:
                self._watches[name] = self.observer.schedule(self, str(folder), recursive=True)
            except OSError as exc:
                raise UsageError(f"cannot watch {folder} for changes: {exc.strerror or exc} (on Linux, raise "
                                 "fs.inotify.max_user_watches if the limit is reached)") from None

    def _unwatch(self, name: str) -> None:
        """A watched folder was removed or renamed; watch it again if it comes back."""
        with self._lock:
            watch = self._watches.pop(name, None)
        if watch is not None:
            try:
                self.observer.unschedule(watch)
            except (KeyError, OSError):
                pass

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _CHANGE_EVENTS or (event.is_directory and event.event_type in ("modified", "closed")):
            return
        paths = [event.src_path] + ([event.dest_path] if event.event_type == "moved" else [])
        relevant = [shown for shown in map(self._relevant, paths) if shown]
        if event.event_type in ("deleted", "moved") and relevant and relevant[0] in WATCHED_DIRS:
            self._unwatch(relevant[0])
        for shown in relevant:
            if shown in WATCHED_DIRS and (self.site_dir / shown).is_dir():
                try:
                    self._watch(shown)
                except UsageError:
                    pass  # the rebuild below still sees the change; only later edits inside are missed
        if relevant:
            self.on_change(relevant, event.event_type in _WRITTEN_EVENTS)

    def _relevant(self, raw: str | bytes) -> str | None:
        path = Path(raw.decode() if isinstance(raw, bytes) else raw)
        try:
            relative = path.relative_to(self.site_dir)
        except ValueError:
            return None
        parts = relative.parts
        if not parts or any(part.startswith(".") for part in parts) or path.name.endswith(_JUNK_SUFFIXES):
            return None
        if path.name.isdigit():  # vim's write test file (4913)
            return None
        if parts[0] == "posts" and len(parts) > 2 and path.suffix != ".md":  # e.g. sed's temporary files
            return None
        if parts[0] in WATCHED_DIRS or (len(parts) == 1 and parts[0] in WATCHED_FILES):
            return relative.as_posix()
        return None
