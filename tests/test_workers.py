"""iter_parallel: results in input order, whatever the number of workers, and the caller's own work
done once while the workers start."""
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from generator.workers import _lanes_of, iter_parallel


def _in_a_fresh_process(function, *args):
    """function(*args) in a freshly spawned process, which has no other thread: a process with threads
    does the work itself (see iter_parallel), and in the test runner an earlier test's server may still be
    running, so the workers would not be tested."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as fresh:
        return fresh.submit(function, *args).result(timeout=120)


def _square_where(offset, item):
    return item * item + offset, os.getpid()


def _ordered_run(jobs, count):
    done = []
    results = list(iter_parallel(_square_where, 1, list(range(count)), jobs,
                                 meanwhile=lambda: done.append(os.getpid())))
    return os.getpid(), done, results


def _first_result_and_what_was_done(count):
    done = []
    results = iter_parallel(_square_where, 0, list(range(count)), 2, meanwhile=lambda: done.append(True))
    first = next(results)
    return first[0], list(done), first[1] != os.getpid()


def test_results_keep_their_order_and_the_caller_works_meanwhile():
    for jobs, count in ((1, 10), (2, 200)):
        caller, done, results = _in_a_fresh_process(_ordered_run, jobs, count)
        assert [value for value, _ in results] == [item * item + 1 for item in range(count)]
        assert done == [caller]  # once, in the calling process
        workers = {pid for _, pid in results}
        assert workers == {caller} if jobs == 1 else caller not in workers


def test_the_meanwhile_work_is_done_before_the_first_result_is_used():
    assert _in_a_fresh_process(_first_result_and_what_was_done, 200) == (0, [True], True)


_waited_in: set[int] = set()


def _where(all_started, item):
    """Each worker waits, at its first item, until every worker has one: a worker forked late on a busy
    machine would otherwise find the others' lanes already taken, and the test would measure the load."""
    if os.getpid() not in _waited_in:
        _waited_in.add(os.getpid())
        all_started.wait(timeout=60)
    time.sleep(0.02)
    return item, os.getpid()


def _grouped_run(items, jobs):
    all_started = multiprocessing.get_context("fork").Barrier(jobs)
    results = list(iter_parallel(_where, all_started, items, jobs, min_items=1, chunk_size=2,
                                 group=lambda item: item[0]))
    return os.getpid(), results


@pytest.mark.parametrize("jobs", [2, 3])
def test_grouped_items_come_back_in_order_each_once_and_a_group_stays_with_its_worker(jobs):
    """With `group`, each worker takes its own groups' chunks from the front and, when done, the last
    ones left of another's: every item is done once, results come in input order, and a group's items
    done by a worker other than the one that began it are the group's last ones."""
    items = [("ko", n) for n in range(24)] + [("en", n) for n in range(20)] + [("ja", n) for n in range(6)]
    caller, results = _in_a_fresh_process(_grouped_run, items, jobs)
    assert [item for item, _ in results] == items
    assert len({pid for _, pid in results} - {caller}) == jobs  # all in workers, every worker used
    for language in ("ko", "en", "ja"):
        workers = [pid for (key, _), pid in results if key == language]
        first = workers[0]
        later = [at for at, pid in enumerate(workers) if pid != first]
        assert later == list(range(len(workers) - len(later), len(workers))), (language, workers)
    # Two workers: Korean began in one, English and Japanese in the other (the two lanes are 12 and 13 chunks).
    if jobs == 2:
        ko, en, ja = ([pid for (key, _), pid in results if key == language][0] for language in ("ko", "en", "ja"))
        assert ko != en and en == ja


def test_groups_are_spread_over_lanes_by_their_size():
    assert _lanes_of(["ko"] * 4 + ["en"] * 3 + ["ja"], 2) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert _lanes_of(["ko"] * 4 + ["en"] * 2, 3) == [[0, 1], [2, 3], [4, 5]]  # Korean has two lanes
    assert _lanes_of(["ko"] * 3, 2) == [[0], [1, 2]]
    assert sorted(sum(_lanes_of(["a", "b", "a", "c", "b"], 4), [])) == [0, 1, 2, 3, 4]


def test_a_diagnostic_crosses_to_another_process_whole():
    """Diagnostics and their excerpts are pickled field by field (check's workers send thousands back):
    every field, whichever it is, arrives as it left."""
    import dataclasses
    import pickle

    from generator.errors import Diagnostic, Excerpt

    def sample(cls, number):
        return cls(**{field.name: (Excerpt("the words", "body", 2) if field.name == "excerpt" else
                                   number + at if field.type in ("int", "int | None") else f"{field.name}-{number}")
                      for at, field in enumerate(dataclasses.fields(cls))})

    for value in (sample(Excerpt, 1), sample(Diagnostic, 7)):
        assert pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) == value


def test_a_languages_last_posts_are_checked_in_smaller_batches():
    """check's batches of a language's posts: the last two batches' worth in quarters, which another worker
    may take when it is done with its own language."""
    from generator.check.runner import _batches

    batches = _batches(list(range(300)), 64)
    assert sum(batches, []) == list(range(300))
    assert [len(batch) for batch in batches] == [64, 64, 44] + [16] * 8
    assert _batches(list(range(20)), 16) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15], [16, 17, 18, 19]]
    assert _batches([], 16) == []
