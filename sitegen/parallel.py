"""Run a pure function over many items on all cores, with results in input order.

Workers are forked after the inputs exist, so they inherit them instead of receiving a pickled
copy; only each item's index goes out and only its result comes back. This process works on
its own share meanwhile. Small batches stay in this process, where forking would cost more than
it saves.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

MIN_ITEMS_PER_WORKER = 48

_work: tuple[Callable[[Any, Any], Any], Any, Sequence[Any]] | None = None


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run(function: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any],
        jobs: int, per_worker: int = MIN_ITEMS_PER_WORKER) -> Iterator[Any]:
    """Yield function(shared, item) for each item, in order; a worker is started only for
    `per_worker` items or more (an image is worth one, a page is not)."""
    jobs = min(jobs, len(items) // per_worker)
    if jobs > 1:
        import multiprocessing  # only builds with much to do pay for starting workers
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (function(shared, item) for item in items)
        return
    context = multiprocessing.get_context("fork")
    # This process does its share too: one process fewer holds a copy of the whole site.
    own = len(items) // jobs
    chunk = max(1, min(64, (len(items) - own) // ((jobs - 1) * 8)))
    with context.Pool(jobs - 1, initializer=_inherit,
                      initargs=((function, shared, items),)) as pool:
        rest = pool.imap(_run_one, range(own, len(items)), chunksize=chunk)
        yield from (function(shared, item) for item in items[:own])
        yield from rest


def _inherit(work: tuple[Callable[[Any, Any], Any], Any, Sequence[Any]]) -> None:
    global _work
    _work = work


def _run_one(index: int) -> Any:
    assert _work is not None
    function, shared, items = _work
    return function(shared, items[index])
