"""The shared cheap tests say what the patterns they stand in for would say."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from detectors.fastpaths import any_has, as_arrow, char_counts, holding, may_hold


def _sample(seed: int) -> list[str]:
    rng = random.Random(seed)
    pieces = ["", ".", "..", "12.5", "a-b", "SEP0011", "40°N", "x", "1.2.3.4", "é.", "  "]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 4))) for _ in range(60)]


def test_char_counts_match_a_count_of_the_characters() -> None:
    for seed in range(20):
        values = _sample(seed)
        array = pa.array(["head"] + values + ["tail"]).slice(1, len(values))  # an offset slice
        for chars in (".", "0123456789", "-."):
            want = [sum(ch in chars for ch in v) for v in values]
            assert char_counts(array, chars).to_pylist() == want


def test_char_counts_of_empty_values_at_either_end() -> None:
    assert char_counts(pa.array(["", "a.b", ""]), ".").to_pylist() == [0, 1, 0]
    assert char_counts(pa.array(["", ""]), ".").to_pylist() == [0, 0]
    assert char_counts(pa.array(["..", None]), ".").to_pylist() == [2, None]


def test_holding_tells_which_literals_some_value_holds() -> None:
    for seed in range(20):
        values = _sample(seed)
        array = pa.array(values)
        for literals in ((".", "SEP", "°"), ("POINT", "-"), ("ATA", "x", "é")):
            want = tuple(any(lit in v for v in values) for lit in literals)
            assert holding(array, *literals) == want
            assert any_has(array, *literals) == any(want)
    # A literal whose bytes are all there, but not together, is not held.
    assert holding(pa.array(["S E P", "PES"]), "SEP") == (False,)
    assert holding(pa.array(["S E P", "xSEPx"]), "SEP") == (True,)


def test_holding_reads_long_text_in_place() -> None:
    # Past 64 KiB of text the bytes are searched where they lie, not in a copy.
    filler = ["lower case words, 10:22:33 and 2024-03-15"] * 4_000
    for tail, literals in (("", ("SEP", "°", "%", "\t", ":")),
                           ("SEP001122334455 40°N %20\t", ("SEP", "°", "%", "\t", "]"))):
        values = ["head"] + filler + [tail]
        array = pa.array(values).slice(1)
        want = tuple(any(lit in v for v in values[1:]) for lit in literals)
        assert holding(array, *literals) == want
        assert any_has(array, *literals) == any(want)


def test_holding_leaves_arrays_with_nulls_to_the_search() -> None:
    array = pa.array(["abc", None])
    assert holding(array, "zzz") == (True,)
    assert pc.any(pc.match_substring(array, "zzz")).as_py() is False


def test_may_hold_never_rules_out_a_batch_holding_the_pattern() -> None:
    full, bare = r"(?i)(?:^|[^a-z])(?:plan|sms)(?:$|[^a-z])", r"(?i)plan|sms"
    filler = ["Barbara944904@example.com"] * 4_000  # past 64 KiB: read in place
    for values in (["Fiber 500"], ["basic PLAN", "x"], filler + ["ſmſ only"], filler,
                   ["", "explanation"], filler + ["unlimited sms"]):
        holds = pc.any(pc.match_substring_regex(pa.array(values), full)).as_py()
        assert may_hold(pa.array(values), bare) or not holds
    assert not may_hold(pa.array(filler), bare)
    assert may_hold(pa.array(filler + ["ſmſ only"]), bare)  # the long s folds to s as per value


@pytest.mark.parametrize("values", [
    np.array([True, False, True] * 7),
    np.array([True, False, True, True] * 5)[1::3],  # a strided view
    np.zeros(0, dtype=bool),
    np.arange(10, dtype=np.int64),
    np.arange(20, dtype=np.int32)[::2],
    np.linspace(0.0, 1.0, 5),
    [1, 2, 3],  # not NumPy: pyarrow reads it
])
def test_as_arrow_is_pa_array(values: object) -> None:
    found = as_arrow(values)
    found.validate(full=True)
    assert found.equals(pa.array(values))
