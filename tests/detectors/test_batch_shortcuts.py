"""Whole batches of one form: the answers a column gets whichever way it is written.

Detectors read a batch's bytes before running patterns (a batch all written
`YYYY-MM-DD`, ten digits grouped 3-3-4, card numbers without blanks): these
tests pin what a user sees on such columns against the same values written
another way or mixed with others.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import ValueView
from detectors.identity import parse_dates
from detectors.registry import all_detectors

DETECTORS = {d.name: d for d in all_detectors()}


def _match(name: str, values: list[object], region: str | None = None):
    return DETECTORS[name].match(ValueView(pa.array(values), region=region))


def test_iso_date_column_reads_the_same_dates_as_a_mixed_one() -> None:
    iso = ["2020-02-29", "2021-02-29", "2020-04-31", "1985-13-01", "0999-05-01", "1974-07-15"]
    alone = parse_dates(ValueView(pa.array(iso))).to_pylist()
    mixed = parse_dates(ValueView(pa.array([*iso, "07/15/1974"]))).to_pylist()[:len(iso)]
    assert alone == mixed
    # Days that do not exist are no dates; leap days and old years are.
    assert [v is not None for v in alone] == [True, False, False, False, True, True]


def test_grouped_phone_numbers_count_like_other_writings() -> None:
    numbers = ["212-736-5000", "415-692-2671", "303-499-7111", "617-253-1000"]
    dotted = [n.replace("-", ".") for n in numbers]
    bracketed = [f"({n[:3]}) {n[4:7]}-{n[8:]}" for n in numbers]
    results = [_match("phone", form * 5) for form in (numbers, dotted, bracketed)]
    assert [(m.shaped, m.matched, m.strong) for m in results] == [(20, 20, 20)] * 3
    # An area code cannot start with 0 or 1: written like a phone number, not a valid one.
    m = _match("phone", ["012-736-5000", "112-736-5000"] * 5)
    assert (m.matched, m.strong) == (0, 10)


def test_cards_with_and_without_blanks_validate_alike() -> None:
    cards = ["4111111111111111", "5500005555555559", "378282246310005", "4111111111111112"]
    plain = _match("credit_card", cards)
    spaced = _match("credit_card", [" ".join(c[i:i + 4] for i in range(0, len(c), 4))
                                    for c in cards])
    assert (plain.shaped, plain.matched) == (spaced.shaped, spaced.matched) == (4, 3)
    # Twelve or twenty digits have no card's length.
    assert _match("credit_card", ["411111111111", "41111111111111111111"]).shaped == 0


def test_account_and_bank_code_shapes_by_digit_count() -> None:
    values = ["123", "1234", "12345678901234567", "123456789012345678", "12-34-56", "1234-5678"]
    assert _match("bank_account", values).shaped == 2  # four to seventeen digits alone
    # Three to nine digits alone, or a sort code.
    assert _match("bank_code", values).shaped == 3
    lower = _match("bank_account", ["gb82 west 1234 5698 7654 32"] * 3)
    upper = _match("bank_account", ["GB82 WEST 1234 5698 7654 32"] * 3)
    assert lower.matched == upper.matched == 3


def test_addresses_inside_free_text_are_found() -> None:
    notes = [f"customer called about the order number {i}, asked us to reply to "
             f"jane.doe{i}@example.com before Friday" for i in range(20)]
    notes += ["nothing to see here, just a long enough sentence about routers"] * 20
    view = ValueView(pa.array(notes), is_text=True)
    m = DETECTORS["email"].match(view)
    assert m.matched == 20
    assert pc.sum(pc.match_substring(view.strings, "@")).as_py() == 20
