"""iter_parallel: results in input order, whatever the number of workers, and the caller's own work
done once while the workers start."""
import os

from generator.workers import iter_parallel


def _square(offset, item):
    return item * item + offset


def test_results_keep_their_order_and_the_caller_works_meanwhile():
    for jobs, items in ((1, list(range(10))), (2, list(range(200)))):
        done = []
        results = iter_parallel(_square, 1, items, jobs, meanwhile=lambda: done.append(os.getpid()))
        assert list(results) == [item * item + 1 for item in items]
        assert done == [os.getpid()]  # once, in this process


def test_the_meanwhile_work_is_done_before_the_first_result_is_used():
    done = []
    results = iter_parallel(_square, 0, list(range(200)), 2, meanwhile=lambda: done.append(True))
    assert next(results) == 0 and done == [True]
