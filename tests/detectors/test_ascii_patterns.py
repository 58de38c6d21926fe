"""Letter classes rewritten for ASCII text match exactly what the Unicode ones match.

RE2 compiles ``\\p{L}`` from all of Unicode's letters (up to 70 ms a pattern,
paid on every call): on ASCII text the detectors run the pattern's ASCII form.
These tests hold every such pattern of the detectors to the same answers on
real ASCII values, and keep the Unicode pattern for text that is not ASCII.
"""

from __future__ import annotations

import csv
import random

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from support import ROOT

import detectors.contact
import detectors.embedded
import detectors.identity
import detectors.lexicon
from detectors.fastpaths import all_ascii, ascii_form, pattern_for


def _patterns() -> dict[str, str]:
    """Every RE2 pattern of the detectors with a letter class: module constants, searchers."""
    found = {}
    for module in (detectors.contact, detectors.embedded, detectors.identity, detectors.lexicon):
        for name, value in vars(module).items():
            if isinstance(value, str) and "\\p{" in value:
                found[f"{module.__name__}.{name}"] = value
    for cls in (*detectors.embedded._SEARCHERS, detectors.embedded.KeyedPersonNameDetector):
        if "\\p{" in cls.span:
            found[f"{cls.__name__} extract"] = cls()._extract_pattern()
            found[f"{cls.__name__} cut"] = cls()._cut_pattern()
    return found


PATTERNS = _patterns()


def _ascii_values() -> list[str]:
    """ASCII cells of the bundled examples and test corpus, and made-up look-alikes."""
    cells: set[str] = set()
    files = [*(ROOT / "examples").rglob("*.csv"), *(ROOT / "tests/corpus").rglob("*.csv")]
    for path in sorted(files):
        with path.open(newline="", encoding="utf-8", errors="replace") as fh:
            for i, row in enumerate(csv.reader(fh)):
                if i > 200:
                    break
                cells.update(c for c in row if c.isascii())
    rng = random.Random(7)
    words = ["Main", "St", "calle", "Rua", "Ave", "O'Connor", "de", "la", "JOHN", "SMITH",
             "Mary-Jane", "n.", "12", "#500", "apt", "Box", "name=", "first_name", "Jean", "Paul",
             ",", "-", "x"]
    for _ in range(3_000):
        cells.add(rng.choice(["", " ", ", ", "+"]).join(rng.choice(words)
                                                          for _ in range(rng.randint(1, 6))))
        cells.add("".join(chr(rng.randint(32, 126)) for _ in range(rng.randint(1, 24))))
    return sorted(cells)


@pytest.fixture(scope="module")
def values() -> pa.Array:
    found = pa.array(_ascii_values(), pa.string())
    assert len(found) > 3_000 and all_ascii(found)
    return found


def test_the_detectors_patterns_are_found() -> None:
    assert len(PATTERNS) >= 12
    assert all(ascii_form(p) is not None for p in PATTERNS.values())


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_ascii_form_matches_the_same_ascii_values(name: str, values: pa.Array) -> None:
    pattern = PATTERNS[name]
    form = ascii_form(pattern)
    assert form is not None and "\\p{" not in form
    assert pattern_for(values, pattern) == form
    assert pc.match_substring_regex(values, form).equals(pc.match_substring_regex(values, pattern))
    if "(?P<" in pattern:
        assert pc.extract_regex(values, form).equals(pc.extract_regex(values, pattern))


def test_text_beyond_ascii_keeps_the_unicode_pattern() -> None:
    """One accented value in the batch and the Unicode classes are used for all of it."""
    names = pa.array(["Mary Smith", "José Núñez", "Zoë"])
    pattern = detectors.identity._NAME_SHAPE
    assert not all_ascii(names)
    assert pattern_for(names, pattern) == pattern
    assert pc.match_substring_regex(names, pattern_for(names, pattern)).to_pylist() == [
        True, True, True]
    assert pattern_for(names.slice(0, 1), pattern) == ascii_form(pattern)  # a slice's own text


@pytest.mark.parametrize(("pattern", "form"), [
    (r"^\p{L}+$", "^[A-Za-z]+$"),
    (r"[^\p{L}\d]", r"[^A-Za-z\d]"),
    (r"[]\p{Lu}]\p{Ll}", r"[]A-Z][a-z]"),
    (r"\\p{L}", None),  # an escaped backslash, then the letters p{L}
    (r"\p{L}\p{Mn}", None),  # a class with no ASCII letters: left alone
    (r"\P{L}", None),
    (r"[[:alpha:]]\p{L}", None),
    ("plain", None),
])
def test_ascii_form_rewrites_letter_classes_only(pattern: str, form: str | None) -> None:
    assert ascii_form(pattern) == form
