"""Which files of the site a build must make again, and the record of what it wrote.

Each output comes with a digest of everything its renderer receives (see outputs/catalog.py). An
output whose digest equals the one recorded when the live output/ was written is carried over from
output/ as it is; every other one is made again. The record is trusted only while output/ still holds
the marker of the build that wrote it: an output folder changed by anything else is rebuilt whole."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Protocol

from generator.incremental.cache import BuildCache
from generator.write.writer import SiteWriter, StagingFolder, live_marker


class PlannedOutput(Protocol):
    path: str
    inputs: str  # digest of what its renderer receives


class OutputPlan:
    """Use as `with OutputPlan(cache, output_dir) as plan:`; then `stale(outputs)` says what to make,
    `made(...)` takes what was made, and `commit()` swaps the new site in and records it. Leaving the
    block without commit() leaves output/ as it was."""

    def __init__(self, cache: BuildCache, output_dir: Path):
        self.cache, self.output_dir = cache, output_dir
        self.live_marker = live_marker(output_dir)
        trusted = self.live_marker is not None and self.live_marker == cache.marker(output_dir)
        self.previous = cache.outputs() if trusted else {}  # path -> (inputs digest, file digest)
        self.trusted = trusted
        self.inputs: dict[str, str] = {}
        self.live = {path: file_digest for path, (_, file_digest) in self.previous.items()}
        self.writer = SiteWriter(output_dir, self.live, cache.spare(), cache.spare_marker(output_dir),
                                 seen_marker=self.live_marker)

    def __enter__(self) -> "OutputPlan":
        self.writer.__enter__()
        return self

    def __exit__(self, *exc_info) -> None:
        self.writer.__exit__(*exc_info)

    @property
    def folder(self) -> StagingFolder:
        """The staging folder the outputs are made in."""
        return self.writer.folder

    def stale(self, outputs: Iterable[PlannedOutput]) -> list[PlannedOutput]:
        """The outputs to make; every other one is carried over from output/ into the staging folder."""
        todo = []
        for output in outputs:
            self.inputs[output.path] = output.inputs
            recorded = self.previous.get(output.path)
            if recorded is None or recorded[0] != output.inputs or not self.writer.keep(output.path):
                todo.append(output)
        return todo

    def made(self, written: dict[str, str]) -> None:
        """path -> digest of each file made in the staging folder."""
        self.writer.written.update(written)

    @property
    def files(self) -> int:
        return len(self.writer.written)

    def commit(self) -> None:
        """Swap the new site in, then record what it holds for the next build."""
        marker = self.writer.commit()
        self.cache.store_outputs(self.output_dir, {path: (self.inputs.get(path, ""), file_digest)
                                                   for path, file_digest in self.writer.written.items()},
                                 marker, spare=self.live,
                                 spare_marker=self.live_marker if self.trusted else None)
