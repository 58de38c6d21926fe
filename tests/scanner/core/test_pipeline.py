"""Column pipelines: a column's batches in order, a slow column not holding up the others."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from scanner.core.pipeline import ColumnPipeline


def test_each_column_sees_its_batches_in_order_while_a_slow_one_lags() -> None:
    seen: dict[str, list[int]] = {"fast": [], "slow": []}
    fast_done = threading.Event()

    def work(key: str, item: int) -> None:
        if key == "slow" and item == 0:
            # The slow column's first batch waits until the fast column has read ahead.
            assert fast_done.wait(10)
        seen[key].append(item)
        if key == "fast" and item == 2:
            fast_done.set()

    with ThreadPoolExecutor(2) as pool:
        pipe = ColumnPipeline(pool, work, max_waiting=8)
        for batch in range(3):
            pipe.put("slow", batch)
            pipe.put("fast", batch)
        pipe.join()
    assert seen == {"fast": [0, 1, 2], "slow": [0, 1, 2]}


def test_an_error_in_a_column_reaches_the_reader_and_work_stops() -> None:
    done: list[int] = []

    def work(key: str, item: int) -> None:
        if item == 1:
            raise ValueError("bad batch")
        time.sleep(0.001)
        done.append(item)

    with ThreadPoolExecutor(2) as pool:
        pipe = ColumnPipeline(pool, work, max_waiting=2)
        with pytest.raises(ValueError, match="bad batch"):
            for batch in range(50):
                pipe.put("col", batch)
            pipe.join()
        pipe.settle()
    assert 0 in done and len(done) < 49
