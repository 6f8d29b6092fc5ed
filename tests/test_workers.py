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
