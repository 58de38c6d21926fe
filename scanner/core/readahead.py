"""Read-ahead: the next batch is read while the current one is checked.

Arrow's readers (CSV blocks, Parquet pages) and its compute kernels release the
GIL, so reading the next batch in a thread of its own keeps the second core busy
while the detectors run over the current one. One batch waits at most, so memory
stays bounded by the batch size.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


def read_ahead(items: Iterator[T], name: str = "piiscan-read") -> Iterator[T]:
    """Yield what ``items`` yields, producing the next item in a background thread.

    An exception raised by ``items`` is raised here, where the item it failed to
    produce would have been. Stopping early (an exception in the consumer, a
    ``break``) stops the reader and closes ``items`` in the thread that ran it.
    """
    q: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item: tuple[object, BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        failure: BaseException | None = None
        try:
            for item in items:
                if not put((item, None)):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            failure = exc
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()
        put((_DONE, failure))

    thread = threading.Thread(target=produce, name=name, daemon=True)
    thread.start()
    try:
        while True:
            item, failure = q.get()
            if item is _DONE:
                if failure is not None:
                    raise failure
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()
