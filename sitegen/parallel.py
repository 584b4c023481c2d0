"""Run a pure function over many items on all cores, with results in input order.

Workers are forked after the inputs exist, so they inherit them instead of receiving a pickled
copy; only each item's index goes out and only its result comes back. This process works on
its own share meanwhile. Small batches stay in this process, where forking would cost more than
it saves.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

MIN_ITEMS_PER_WORKER = 48
HANDOVER = 0.0005  # seconds between the interpreter lock's handovers while workers run

_work: tuple[Callable[[Any, Any], Any], Any, Sequence[Any]] | None = None


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run(function: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any],
        jobs: int, per_worker: int = MIN_ITEMS_PER_WORKER) -> Iterator[Any]:
    """Yield function(shared, item) for each item, in order; a worker is started only for
    `per_worker` items or more (an image is worth one, a page is not)."""
    if not forks(len(items), jobs, per_worker):
        yield from (function(shared, item) for item in items)
        return
    import multiprocessing  # only builds with much to do pay for starting workers

    jobs = min(jobs, len(items) // per_worker)
    context = multiprocessing.get_context("fork")
    # This process does its share too: one process fewer holds a copy of the whole site.
    own = len(items) // jobs
    chunk = max(1, min(64, (len(items) - own) // ((jobs - 1) * 8)))
    with context.Pool(jobs - 1, initializer=_inherit,
                      initargs=((function, shared, items),)) as pool, _prompt_handover():
        rest = pool.imap(_run_one, range(own, len(items)), chunksize=chunk)
        yield from (function(shared, item) for item in items[:own])
        yield from rest


@contextmanager
def _prompt_handover() -> Iterator[None]:
    """While this process works on its own share, the pool's thread that takes the workers'
    results in waits for the interpreter lock; at the default 5 ms between handovers, a worker
    whose results fill the pipe sits idle for much of a build. A tenth of that keeps it
    busy."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(HANDOVER)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def forks(count: int, jobs: int, per_worker: int = MIN_ITEMS_PER_WORKER) -> bool:
    """Whether `run` starts workers for `count` items: what they inherit is worth making
    first."""
    return min(jobs, count // per_worker) > 1 and "fork" in _start_methods()


@functools.cache
def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def _inherit(work: tuple[Callable[[Any, Any], Any], Any, Sequence[Any]]) -> None:
    global _work
    _work = work


def _run_one(index: int) -> Any:
    assert _work is not None
    function, shared, items = _work
    return function(shared, items[index])
