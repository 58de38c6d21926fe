"""People's names known by their words: a given-name and surname lexicon.

A column called ``first_name`` is found by its name; one called ``column_3``
(a header-less export) or ``cn`` is not, and the language model reads single
words such as ``MARY`` or ``Alvarez`` poorly. The US Census Bureau's name
files (public domain, bundled in ``data/person_names.txt``) tell such values
apart: a column whose values are given names, surnames, or a given name
followed by a surname.

Many surnames are also words (Green, Rock, Washington), so the claim is made
only when the values are varied, word-shaped and mostly in the lexicon, never
under a name that says they are something else (a city, a product), never in
a catalogue table, and only in a table that holds something else about a
person (see ``scanner.core.classify``).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from importlib import resources

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import (
    ColumnFacts,
    Detector,
    Match,
    Tally,
    ValueView,
    Verdict,
    count,
    filter_if_any,
    register,
    take_evidence,
    value_cache,
)
from detectors.fastpaths import as_arrow, match_regex
from detectors.names import NameEvidence, NameRule, tokenize
from detectors.organisations import catalogue_table

#: One to four words of letters (apostrophes, dots and hyphens inside), any case.
_WORDS = r"^\p{L}[\p{L}'’.-]*(?:[ ,]+\p{L}[\p{L}'’.-]*)*$"
#: (The bound, at most three blanks or commas between words, is counted apart in
#: ``_words``: RE2 takes milliseconds to compile a bounded repeat of Unicode classes,
#: and pyarrow compiles a pattern on every call, once per batch.)


def _words(values: pa.Array) -> pa.Array:
    """Return where each value is one to four words (``_WORDS``).

    The gaps are counted only in the values of words (a count over free text would
    read every sentence to its end).
    """
    shaped = match_regex(values, _WORDS)
    if not pc.any(shaped).as_py():
        return shaped
    gaps = pc.count_substring_regex(values.filter(shaped), "[ ,]+")
    return pc.replace_with_mask(shaped, shaped, pc.less_equal(gaps, 3))


#: A given name, an optional middle name or initial, and a surname.
_FULL = r"^(?P<first>\p{L}+)[ ]+(?:\p{L}+\.?[ ]+)?(?P<last>\p{L}[\p{L}'’-]+)$"
#: Names that say a column holds something other than people's names.
_OTHER_THINGS = frozenset({
    "city", "town", "county", "state", "country", "region", "province", "place", "location",
    "street", "road", "company", "business", "organization", "organisation", "org", "vendor",
    "supplier", "product", "brand", "model", "category", "type", "status", "color", "colour",
    "size", "genre", "title", "description", "department", "team", "group", "host", "server",
    "file", "site", "station", "airport", "school", "store", "species", "breed", "animal",
    "pet", "ship", "vessel", "plan", "service", "package", "code",
})


#: Different names a column must show (five rows of `Dial` are one label).
_MIN_DISTINCT = 5
#: Values looked at to tell whether a batch repeats itself enough to read its distinct
#: values only.
_HEAD = 1_000


#: The name lists: the census files, and common Portuguese and Spanish given names
#: (Joao, Conceicao, Goncalo ...) the US lists lack.
_NAME_FILES = ("data/person_names.txt", "data/given_names_pt_es.txt")


@lru_cache(maxsize=1)
def _read_names() -> tuple[frozenset[str], frozenset[str]]:
    """Read the name lists: the given names and the surnames, upper case, as Python sets."""
    sections: dict[str, set[str]] = {"first": set(), "last": set()}
    for name in _NAME_FILES:
        text = resources.files("detectors").joinpath(name).read_text("ascii")
        # Sections open with a `[first]` or `[last]` line; `#` lines are comments. Split
        # by section, each read whole (a loop per line made a small scan 40 ms slower).
        for part in ("\n" + text).split("\n[")[1:]:
            head, _, body = part.partition("\n")
            names = set(body.splitlines())
            if body.startswith("#") or "\n#" in body:  # a comment line inside a section
                names = {n for n in names if not n.startswith("#")}
            names.discard("")
            sections.setdefault(head.strip("[]"), set()).update(names)
    return frozenset(sections["first"]), frozenset(sections["last"])


@lru_cache(maxsize=1)
def _arrays() -> tuple[pa.Array, pa.Array]:
    first, last = name_sets()
    return (pa.array(list(first), pa.string()).sort(),  # sorted by Arrow: faster
            pa.array(list(last), pa.string()).sort())


#: One thread reads the lists; a column scanned beside it waits rather than reads them too.
_READING = threading.RLock()


def name_sets() -> tuple[frozenset[str], frozenset[str]]:
    """Return the given names and surnames, upper case, as Python sets (read once)."""
    with _READING:
        return _read_names()


def lexicon() -> tuple[pa.Array, pa.Array]:
    """Return the given names and surnames, upper case, as Arrow value sets (made once)."""
    with _READING:
        return _arrays()


def folded_upper(values: pa.Array) -> pa.Array:
    """Upper-case values with accents folded, as the name lists write them (JOSE, NUNEZ)."""
    upper = pc.utf8_upper(values)
    if pc.all(pc.string_is_ascii(upper)).as_py() is not False:
        return upper
    return pc.replace_substring_regex(pc.utf8_normalize(upper, form="NFD"), r"\p{Mn}+", "")


#: Values looked up in Python sets rather than with ``is_in`` (which hashes the whole
#: list on every call: some 4 ms, where a few distinct statuses take microseconds).
_FEW = 4_096


def _among(values: pa.Array, given: bool) -> np.ndarray:
    """Tell which values are known given names (``given``) or surnames."""
    if len(values) <= _FEW:
        known = name_sets()[0 if given else 1]
        return np.array([v in known for v in values.to_pylist()], dtype=bool)
    return pc.is_in(values, value_set=lexicon()[0 if given else 1]).to_numpy(
        zero_copy_only=False)


def _known_names(upper: pa.Array) -> pa.BooleanArray:
    """Which values are a known given name or surname, or a given name and a surname.

    A value of the ``_FULL`` form has its given name before its first space and its
    surname after its last (a middle name between): one RE2 match and a split read
    them, far cheaper than extracting the two groups. The values and those names are
    looked up in one pass per list.
    """
    n = len(upper)
    form = match_regex(upper, _FULL)
    where = pc.indices_nonzero(form) if pc.any(form).as_py() else None
    givens, surnames = upper, upper
    if where is not None:
        parts = pc.split_pattern(upper.take(where), " ")
        offsets = parts.offsets.to_numpy()
        offsets = offsets - offsets[0]
        words = parts.flatten()
        givens = pa.concat_arrays([upper, words.take(as_arrow(offsets[:-1]))])
        surnames = pa.concat_arrays([upper, words.take(as_arrow(offsets[1:] - 1))])
    in_first, in_last = _among(givens, given=True), _among(surnames, given=False)
    known = in_first[:n] | in_last[:n]
    if where is not None:
        known[where.to_numpy()] |= in_first[n:] & in_last[n:]
    return as_arrow(known)


#: What a value is (word-shaped, a known name, its folded upper case), remembered
#: across batches: a column of statuses or of a few names repeats the same values, and
#: the patterns' compilation alone (Unicode classes) costs more than reading them.
_MEMO: dict[str, tuple[bool, bool, str]] = {}
_MEMO_MAX = 50_000
value_cache(_MEMO.clear)


def _verdicts(distinct: pa.Array) -> list[tuple[bool, bool, str]]:
    """Return, for each of a batch's distinct values, (word-shaped, known, folded upper)."""
    values = distinct.to_pylist()
    found = {v: _MEMO.get(v) for v in values}
    missing = [v for v, r in found.items() if r is None]
    if missing:
        fresh: dict[str, tuple[bool, bool, str]] = dict.fromkeys(missing, (False, False, ""))
        some = pa.array(missing, pa.string())
        words = filter_if_any(some, _words(some))
        if len(words):
            upper = folded_upper(pc.replace_substring(words, ",", " "))
            known = _known_names(upper).to_pylist()
            for v, u, kn in zip(words.to_pylist(), upper.to_pylist(), known, strict=True):
                fresh[v] = (True, bool(kn), u)
        if len(_MEMO) + len(fresh) > _MEMO_MAX:
            _MEMO.clear()
        _MEMO.update(fresh)
        found.update(fresh)
    return [found[v] for v in values]  # type: ignore[misc]


def _distinct_words(values: pa.Array,
                    encoded: pa.DictionaryArray) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Return the word-shaped values, their distinct values and each one's place among those.

    The word pattern reads each distinct value once.
    """
    shaped = _words(encoded.dictionary)
    if not pc.any(shaped).as_py():
        return values.slice(0, 0), values.slice(0, 0), pa.array([], pa.int32())
    each = encoded.dictionary.filter(shaped)
    flags = shaped.to_numpy(zero_copy_only=False)
    place = np.cumsum(flags, dtype=np.int32) - 1
    indices = encoded.indices.to_numpy()
    picked = flags[indices]
    return values.filter(as_arrow(picked)), each, as_arrow(place[indices[picked]])


@register
class NameLexiconDetector(Detector):
    """Given names and surnames from the US Census name lists, whatever the column is called."""

    entity = "PERSON_NAME"
    name = "name_lexicon"
    valid_word = "known given names or surnames"
    names = NameRule()
    specificity = 35

    def match(self, view: ValueView) -> Match | None:
        s = view.textual if view.kind == "string" else None
        if s is None or len(s) == 0:
            return None
        # A value's verdict depends on it alone: where values repeat (statuses, labels, a
        # few names), or are few, each distinct one is read once (or remembered).
        head = s.slice(0, _HEAD)
        if len(s) <= _FEW or len(pc.unique(head)) * 4 <= len(head):
            encoded = pc.dictionary_encode(s)
            if len(encoded.dictionary) <= _FEW:
                return self._few(s, encoded)
            words, each, index = _distinct_words(s, encoded)
            if len(words) == 0:
                return Match(0, 0)
        else:
            words = filter_if_any(s, _words(s))
            if len(words) == 0:
                return Match(0, 0)
            head = words.slice(0, _HEAD)
            encoded = pc.dictionary_encode(words) if len(pc.unique(head)) * 4 <= len(head) \
                else None
            each = encoded.dictionary if encoded is not None else words
            index = encoded.indices if encoded is not None else None
        upper = folded_upper(pc.replace_substring(each, ",", " "))
        known = _known_names(upper)
        ok = known.take(index) if index is not None else known
        k = count(ok)
        # Names vary from row to row; a few words repeated (TRUE/FALSE, ham/spam, Dial)
        # are labels, whatever the census says of them.
        distinct = len(pc.unique(upper.filter(known))) if k else 0
        return Match(len(words), k, take_evidence(words, ok, self), strong=distinct)

    def _few(self, s: pa.Array, encoded: pa.DictionaryArray) -> Match:
        """Match a batch of few distinct values, each read once (or remembered)."""
        verdicts = _verdicts(encoded.dictionary)
        shaped = np.array([v[0] for v in verdicts], dtype=bool)
        known = np.array([v[1] for v in verdicts], dtype=bool)
        indices = encoded.indices.to_numpy()
        picked = shaped[indices]
        if not picked.any():
            return Match(0, 0)
        words = s.filter(as_arrow(picked))
        ok = as_arrow(known[indices][picked])
        k = count(ok)
        distinct = len({v[2] for v in verdicts if v[0] and v[1]}) if k else 0
        return Match(len(words), k, take_evidence(words, ok, self), strong=distinct)

    def judge(self, tally: Tally, facts: ColumnFacts, name: NameEvidence) -> Verdict | None:
        n = facts.values
        if not n or facts.is_text or tally.shaped < 0.8 * n:
            return None
        if tally.strong < _MIN_DISTINCT or tally.strong * 5 < tally.matched:
            return None
        if set(tokenize(facts.name)) & _OTHER_THINGS:
            return None
        if catalogue_table(facts.table):
            return None
        return super().judge(tally, facts, name)

    def mask(self, value: str) -> str:
        return " ".join(w[:1] + "***" for w in value.split())
