"""Spread pure, per-item work over worker processes; results come back in input order, so the
output never depends on the number of workers."""
from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

# Below this many items a pool costs more than it saves.
MIN_PARALLEL_ITEMS = 64

# Set in each worker by the pool initializer (fork start method), the usual multiprocessing idiom
# for sharing read-only build state without pickling it once per task.
_task_state: Any = None


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _initialize(state: Any) -> None:
    global _task_state
    _task_state = state


def _run_chunk(payload: tuple[Callable[[Any, Any], Any], Sequence[Any]]) -> list[Any]:
    function, chunk = payload
    return [function(_task_state, item) for item in chunk]


def iter_parallel(function: Callable[[Any, Any], Any], state: Any, items: Sequence[Any],
                  jobs: int, min_items: int = MIN_PARALLEL_ITEMS, chunk_size: int = 0,
                  meanwhile: Callable[[], None] | None = None) -> Iterator[Any]:
    """function(state, item) for each item, in order, over `jobs` processes when it pays off (from
    min_items items; fewer for heavy items such as photos); results stream back so the caller need not
    hold them all. chunk_size: items sent to a worker at once (0: chosen by the number of items).
    meanwhile: this process's own work, done while the workers start on the items (first, without workers)."""
    jobs = jobs or default_jobs()
    # Forking a process that runs other threads can copy a lock held by one of them and deadlock
    # the child: a process with threads (the preview server) does the work itself.
    if (jobs <= 1 or len(items) < min_items or threading.active_count() > 1
            or "fork" not in multiprocessing.get_all_start_methods()):
        if meanwhile is not None:
            meanwhile()
        yield from (function(state, item) for item in items)
        return
    size = chunk_size or max(8, min(64, len(items) // (jobs * 8)))
    chunks = [(function, items[i:i + size]) for i in range(0, len(items), size)]
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_initialize, initargs=(state,)) as pool:
        chunks_done = pool.imap(_run_chunk, chunks, chunksize=1)
        if meanwhile is not None:
            meanwhile()
        for chunk in chunks_done:
            yield from chunk


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """A build or a check makes many objects that live until it ends and form next to no cycles: the
    cycle collector would walk them over and over (a fifth of a large site's rebuild), and in a forked
    worker its walks write to every page of the parent's objects, which the worker then copies. It runs
    again, over everything, once the work is over. Objects made before the workers fork are best frozen
    (gc.freeze()) too."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()
