"""Column pipelines: each column's batches in order, columns never waiting for each other.

A table's batch used to be checked column by column on a pool, and the next
batch started only when its slowest column (a free-text note) was done: the
other core sat idle at the end of every batch. Here each column has a queue of
batches drained by one pool thread at a time, so a column's batches are checked
in the order they were read (its first values decide whether it is free text,
its language-model sample is its first values), while a fast column runs ahead
of a slow one. ``put`` blocks while too many column batches wait, so memory
stays bounded by a few batches.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Hashable
from concurrent.futures import Executor
from typing import Any


class ColumnPipeline:
    """Run ``work(key, item)`` for every item put, in order per key, on ``pool``."""

    def __init__(self, pool: Executor, work: Callable[[Any, Any], None],
                 max_waiting: int) -> None:
        self._pool = pool
        self._work = work
        self._max_waiting = max(1, max_waiting)
        self._lock = threading.Condition()
        self._queues: dict[Hashable, deque[Any]] = {}
        self._running: set[Hashable] = set()
        #: Items put and not yet done (queued or being worked on).
        self._open = 0
        self._error: BaseException | None = None

    def put(self, key: Hashable, item: Any) -> None:
        """Queue ``item`` for ``key``; wait while more than ``max_waiting`` items are open.

        Raises the first error a column's work raised (the table is then read no further).
        """
        with self._lock:
            while self._open >= self._max_waiting and self._error is None:
                self._lock.wait()
            self._raise()
            self._queues.setdefault(key, deque()).append(item)
            self._open += 1
            if key in self._running:
                return
            self._running.add(key)
        self._pool.submit(self._drain, key)

    def join(self) -> None:
        """Wait until every item is done; raise the first error a column's work raised."""
        with self._lock:
            while self._open and self._error is None:
                self._lock.wait()
            self._raise()

    def settle(self) -> None:
        """Wait until no work runs any more, errors or not (before a table is judged)."""
        with self._lock:
            while self._running:
                self._lock.wait()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _drain(self, key: Hashable) -> None:
        while True:
            with self._lock:
                queue = self._queues[key]
                if not queue or self._error is not None:
                    # After an error the rest is dropped: the table stops being read.
                    self._open -= len(queue)
                    queue.clear()
                    self._running.discard(key)
                    self._lock.notify_all()
                    return
                item = queue.popleft()
            try:
                self._work(key, item)
            except BaseException as exc:  # handed to the reading thread, raised there
                with self._lock:
                    if self._error is None:
                        self._error = exc
            with self._lock:
                self._open -= 1
                self._lock.notify_all()
