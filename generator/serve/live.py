"""The served site: the last build that succeeded, what it found, the pages of posts edited since,
and a token that changes with every attempt so that open tabs reload. Shared by the rebuild thread
and the request threads."""
from __future__ import annotations

import secrets
import threading
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from generator.build import BuildOptions, build_site
from generator.errors import BuildError, Diagnostic, UsageError, error
from generator.serve.events import ServeEvent
from generator.serve.findings import count_by_severity, findings_by_page
from generator.serve.page import built_policy
from generator.serve.session import PreviewSession


@dataclass(frozen=True, slots=True)
class State:
    """One build attempt's outcome; the token changes with every attempt so open tabs reload."""

    token: str
    has_site: bool = False
    diagnostics: tuple[Diagnostic, ...] = ()
    # Of the site being served (the last one that built): output path of a post page -> its findings,
    # and the whole site's findings by severity.
    page_findings: Mapping[str, tuple[Diagnostic, ...]] = field(default_factory=dict)
    site_findings: Mapping[str, int] = field(default_factory=dict)
    # Pages of edited posts served before the build that includes them: output path -> (attempt, HTML).
    fresh: Mapping[str, tuple[int, bytes]] = field(default_factory=dict)
    policy: str = ""  # the Content-Security-Policy of the site being served (page.built_policy)


class LiveSite:
    """The served build and its state, shared by the rebuild thread and the request threads."""

    def __init__(self, build_options: BuildOptions):
        self.build_options = build_options
        self.session = secrets.token_hex(4)  # a restarted server makes open tabs reload too
        self.previews = PreviewSession(build_options)
        self.stopped = False
        self._changed = threading.Condition()
        self._one_build_at_a_time = threading.Lock()
        self._generation = 0
        self._state = State(token=f"{self.session}-0", policy=built_policy(self.root))

    @property
    def root(self) -> Path:
        return self.build_options.output_dir

    @property
    def state(self) -> State:
        with self._changed:
            return self._state

    def rebuild(self) -> ServeEvent:
        """Build once; on failure keep the last good output and remember the diagnostics."""
        with self._one_build_at_a_time:
            return self._rebuild()

    def _rebuild(self) -> ServeEvent:
        with self._changed:
            covered = self._generation  # fresh pages up to here show edits this build reads
        try:
            result = build_site(self.build_options, keep=self.previews.keeper())
            event, diagnostics = ServeEvent("built", result=result), ()
            policy = built_policy(self.root)
        except BuildError as exc:
            diagnostics = exc.diagnostics
            event = ServeEvent("failed", diagnostics=diagnostics)
        except UsageError as exc:
            diagnostics = (error("build", None, str(exc)),)
            event = ServeEvent("failed", diagnostics=diagnostics)
        except Exception as exc:  # a bug in one rebuild must not stop the preview
            diagnostics = (error("build", None, f"unexpected {type(exc).__name__}: {exc}",
                                 "please report this together with the change that caused it"),)
            event = ServeEvent("failed", diagnostics=diagnostics, message=traceback.format_exc())
        with self._changed:
            self._generation += 1
            kept_previous = self._state.has_site and event.kind == "failed"
            has_site = self._state.has_site or event.kind == "built"
            if event.result is not None:
                page_findings = findings_by_page(event.result)
                site_findings = count_by_severity(event.result.findings)
            else:
                page_findings, site_findings = self._state.page_findings, self._state.site_findings
                policy = self._state.policy
            fresh = {path: page for path, page in self._state.fresh.items() if page[0] > covered}
            self._state = State(f"{self.session}-{self._generation}", has_site, diagnostics, page_findings,
                                 site_findings, MappingProxyType(fresh), policy)
            self._changed.notify_all()
        return replace(event, kept_previous=kept_previous)

    def preview(self, paths: tuple[str, ...]) -> ServeEvent | None:
        """Show the pages of edited posts (or their errors) at once, before the build; None when the
        change is not one the preview session can show (then only the build does)."""
        made = self.previews.preview(paths, self.state.diagnostics)
        if made is None:
            return None
        with self._changed:
            self._generation += 1
            state = self._state
            fresh = {**state.fresh, **{path: (self._generation, page) for path, page in made.pages.items()}}
            # Errors of other files (found meanwhile by a build) stay until a build says they are fixed.
            diagnostics = made.diagnostics or tuple(d for d in state.diagnostics if d.path not in made.sources)
            self._state = State(f"{self.session}-{self._generation}", state.has_site, diagnostics,
                                 state.page_findings, state.site_findings, MappingProxyType(fresh), state.policy)
            self._changed.notify_all()
        return ServeEvent("previewed", paths=made.sources, diagnostics=made.diagnostics, seconds=made.seconds)

    def wait_for_change(self, token: str, timeout: float) -> State:
        with self._changed:
            self._changed.wait_for(lambda: self.stopped or self._state.token != token, timeout)
            return self._state

    def stop(self) -> None:
        with self._changed:
            self.stopped = True
            self._changed.notify_all()
