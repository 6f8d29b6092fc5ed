"""Spread pure, per-item work over worker processes; results come back in input order, so the
output never depends on the number of workers."""
from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from contextlib import contextmanager
from typing import Any, Callable, Hashable, Iterator, Sequence

# Below this many items a pool costs more than it saves.
MIN_PARALLEL_ITEMS = 64

# Set in each worker by the pool initializer (fork start method), the usual multiprocessing idiom
# for sharing read-only build state without pickling it once per task.
_task_state: Any = None
# With groups (iter_parallel's `group`): the chunks of each worker's lane, this worker's lane, and how
# far each lane has been taken from its front and from its back (shared by the workers, with its lock).
_lanes: list[list[int]] = []
_own_lane = 0
_taken: Any = None
_chunks: list[tuple[Callable[[Any, Any], Any], Sequence[Any]]] = []


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _initialize(state: Any) -> None:
    global _task_state
    _task_state = state


def _run_chunk(payload: tuple[Callable[[Any, Any], Any], Sequence[Any]]) -> list[Any]:
    function, chunk = payload
    return [function(_task_state, item) for item in chunk]


def _initialize_lanes(state: Any, chunks: list[tuple[Callable[[Any, Any], Any], Sequence[Any]]],
                      lanes: list[list[int]], started: Any, taken: Any) -> None:
    global _task_state, _chunks, _lanes, _own_lane, _taken
    _task_state, _chunks, _lanes, _taken = state, chunks, lanes, taken
    with started.get_lock():
        _own_lane = started.value % len(lanes)
        started.value += 1


def _run_next_chunk(_: None) -> tuple[int, list[Any]]:
    """The next chunk of this worker's lane, or, when its lane is done, the last one left of the lane with
    the most left: a lane's chunks share what a worker builds up as it goes (the claims model's words)."""
    with _taken.get_lock():
        left = [len(lane) - _taken[2 * at] - _taken[2 * at + 1] for at, lane in enumerate(_lanes)]
        if left[_own_lane]:
            lane = _own_lane
            place = _taken[2 * lane]
            _taken[2 * lane] += 1
        else:
            lane = max(range(len(_lanes)), key=left.__getitem__)
            _taken[2 * lane + 1] += 1
            place = len(_lanes[lane]) - _taken[2 * lane + 1]
    index = _lanes[lane][place]
    return index, _run_chunk(_chunks[index])


def _lanes_of(groups: Sequence[Hashable], jobs: int) -> list[list[int]]:
    """The chunks (by place) in `jobs` lanes: each group whole in one lane when there are as many groups
    as workers or more (the largest first, each to the lane with least), else each group over several
    lanes, as many as its share of the chunks."""
    members: dict[Hashable, list[int]] = {}
    for at, key in enumerate(groups):
        members.setdefault(key, []).append(at)
    ordered = sorted(members.values(), key=len, reverse=True)
    lanes: list[list[int]] = [[] for _ in range(jobs)]
    if len(ordered) >= jobs:
        for group in ordered:
            min(lanes, key=len).extend(group)
        return lanes
    counts = [1] * len(ordered)
    for _ in range(jobs - len(ordered)):  # each spare lane to the group with the most chunks a lane
        widest = max(range(len(ordered)), key=lambda at: len(ordered[at]) / counts[at])
        counts[widest] += 1
    lane = 0
    for group, count in zip(ordered, counts):
        for part in range(count):
            lanes[lane] = group[len(group) * part // count:len(group) * (part + 1) // count]
            lane += 1
    return lanes


def iter_parallel(function: Callable[[Any, Any], Any], state: Any, items: Sequence[Any],
                  jobs: int, min_items: int = MIN_PARALLEL_ITEMS, chunk_size: int = 0,
                  meanwhile: Callable[[], None] | None = None,
                  group: Callable[[Any], Hashable] | None = None) -> Iterator[Any]:
    """function(state, item) for each item, in order, over `jobs` processes when it pays off (from
    min_items items; fewer for heavy items such as photos); results stream back so the caller need not
    hold them all. chunk_size: items sent to a worker at once (0: chosen by the number of items).
    meanwhile: this process's own work, done while the workers start on the items (first, without workers).
    group: the key of an item (its chunk's first) whose work goes best in the same process as the work of
    items of the same key: each worker takes the chunks of its own groups first."""
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
    if group is None:
        with context.Pool(jobs, initializer=_initialize, initargs=(state,)) as pool:
            chunks_done = pool.imap(_run_chunk, chunks, chunksize=1)
            if meanwhile is not None:
                meanwhile()
            for chunk in chunks_done:
                yield from chunk
        return
    lanes = _lanes_of([group(chunk[0]) for _, chunk in chunks], jobs)
    setup = (state, chunks, lanes, context.Value("i", 0), context.Array("i", 2 * len(lanes)))
    with context.Pool(jobs, initializer=_initialize_lanes, initargs=setup) as pool:
        # One task a chunk; which chunk a task runs, its worker chooses (forked, it has them all).
        done = pool.imap_unordered(_run_next_chunk, [None] * len(chunks), chunksize=1)
        if meanwhile is not None:
            meanwhile()
        waiting: dict[int, list[Any]] = {}
        following = 0
        for index, results in done:
            waiting[index] = results
            while following in waiting:
                yield from waiting.pop(following)
                following += 1


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
