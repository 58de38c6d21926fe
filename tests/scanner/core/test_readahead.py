"""The read-ahead iterator: same items, same errors, the reader stopped and closed early."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from scanner.core.readahead import read_ahead


def test_yields_every_item_in_order() -> None:
    assert list(read_ahead(iter(range(1000)))) == list(range(1000))


def test_reads_in_another_thread_one_item_ahead() -> None:
    threads: list[str] = []
    produced: list[int] = []

    def gen() -> Iterator[int]:
        for i in range(5):
            threads.append(threading.current_thread().name)
            produced.append(i)
            yield i

    it = read_ahead(gen())
    assert next(it) == 0
    for _ in range(100):  # the reader has gone on to the next item meanwhile
        if len(produced) >= 2:
            break
        threading.Event().wait(0.01)
    assert len(produced) <= 3  # bounded: one waiting, one being read
    assert list(it) == [1, 2, 3, 4]
    assert set(threads) == {"piiscan-read"}


def test_an_error_of_the_reader_is_raised_where_its_item_was_due() -> None:
    def gen() -> Iterator[int]:
        yield 1
        raise KeyError("broken block")

    got: list[int] = []
    with pytest.raises(KeyError, match="broken block"):
        for i in read_ahead(gen()):
            got.append(i)
    assert got == [1]


def test_stopping_early_closes_the_reader_in_its_thread() -> None:
    closed: list[str] = []

    def gen() -> Iterator[int]:
        try:
            yield from range(1_000_000)
        finally:
            closed.append(threading.current_thread().name)

    it = read_ahead(gen())
    assert next(it) == 0
    it.close()
    assert closed == ["piiscan-read"]
