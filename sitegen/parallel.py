"""Run a pure function over many items on all cores, with results in input order.

Workers are forked after the inputs exist, so they inherit them instead of receiving a pickled
copy; only each item's result comes back. Every process, this one included, takes the next
chunk of items as it becomes free, so that none waits while another still has work, and a
worker hands its results to a queue's own thread: it never stops to wait for this process to
read them. Small batches stay in this process, where forking would cost more than it saves.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

MIN_ITEMS_PER_WORKER = 48
LARGEST_CHUNK = 32  # items a process takes at a time: small enough that all end together


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def forks(count: int, jobs: int, per_worker: int = MIN_ITEMS_PER_WORKER) -> bool:
    """Whether `run` starts workers for `count` items: what they inherit is worth making
    first."""
    return min(jobs, count // per_worker) > 1 and "fork" in _start_methods()


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
    # An image (worth a worker alone) is a chunk alone.
    chunk = max(1, min(LARGEST_CHUNK, per_worker, len(items) // (jobs * 8)))
    chunks = _Chunks(context.Value("q", 0), chunk, len(items))
    results = context.Queue()
    # This process works too: one process fewer holds a copy of the whole site.
    workers = [context.Process(target=_work, args=(function, shared, items, chunks, results),
                               daemon=True) for _ in range(jobs - 1)]
    for worker in workers:
        worker.start()
    try:
        yield from _in_order(function, shared, items, chunks, results, workers)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()
        results.close()


class _Chunks:
    """The items not yet taken, shared by every process: each takes the next chunk."""

    def __init__(self, taken: Any, size: int, count: int) -> None:
        self.taken, self.size, self.count = taken, size, count

    def next(self) -> int | None:
        """Where the next chunk starts, or None when every item is taken."""
        with self.taken.get_lock():
            start: int = self.taken.value
            if start >= self.count:
                return None
            self.taken.value = start + self.size
        return start


def _work(function: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any],
          chunks: _Chunks, results: Any) -> None:
    """A worker: chunks until none is left, each chunk's results (or what it raised) sent to
    the queue, then None."""
    try:
        while (start := chunks.next()) is not None:
            results.put((start, [function(shared, item)
                                 for item in items[start:start + chunks.size]]))
    except BaseException as exc:  # noqa: BLE001 - this process raises it in its own place
        results.put((-1, exc))
    results.put(None)
    results.close()
    results.join_thread()


def _in_order(function: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any],
              chunks: _Chunks, results: Any, workers: list[Any]) -> Iterator[Any]:
    """The results in the items' order: this process works on chunks of its own while the
    next results are a worker's and not in yet."""
    done: dict[int, list[Any]] = {}
    at, working = 0, len(workers)
    while at < len(items):
        if at in done:
            found = done.pop(at)
            yield from found
            at += len(found)
        elif not results.empty():
            working -= _received(results.get(), done)
        elif (start := chunks.next()) is not None:
            done[start] = [function(shared, item) for item in items[start:start + chunks.size]]
        elif working:
            working -= _received(_wait(results, workers), done)
        else:  # pragma: no cover - a worker ended without sending what it took
            raise RuntimeError("a worker process ended before finishing its work")


def _wait(results: Any, workers: list[Any]) -> tuple[int, Any] | None:
    """The next message, however long the workers take; None for one that died (killed by
    the system, say) without a word."""
    import queue

    while True:
        try:
            message: tuple[int, Any] | None = results.get(timeout=1)
            return message
        except queue.Empty:
            if not any(worker.is_alive() for worker in workers) and results.empty():
                return None


def _received(message: tuple[int, Any] | None, done: dict[int, list[Any]]) -> int:
    """File a worker's message; 1 when it says the worker is done."""
    if message is None:
        return 1
    start, found = message
    if start < 0:
        raise found
    done[start] = found
    return 0


@functools.cache
def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


class Beside:
    """A function run by a process forked for it while this one goes on, such as the look at
    a large output folder while the sources are read: two cores at once, where threads would
    take turns. Only from a process with one thread (a fork copies no other thread, nor what
    it holds); the function's result comes back pickled."""

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        import threading

        self.pid: int | None = None
        self._result: Any = None
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # nothing of this process's runs on its way out: no cleanup, no buffers
            status = 1
            try:
                os.close(read)
                import pickle

                with open(write, "wb") as pipe:
                    pickle.dump(function(*args), pipe, pickle.HIGHEST_PROTOCOL)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self.pid, self._read = pid, read

    def result(self) -> Any:
        """What the function returned; None where it failed or could not start."""
        if self.pid is None:
            return self._result
        import pickle

        with open(self._read, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if status == 0 and data:
            self._result = pickle.loads(data)
        return self._result

    def stop(self) -> None:
        """Not wanted any longer: the process ends now if it has not yet."""
        if self.pid is None:
            return
        import signal

        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self._read)
        self.pid = None
