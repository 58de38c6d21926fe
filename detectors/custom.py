"""Detectors users write in YAML, in the shape of presidio's recognizer files.

```yaml
recognizers:
  - name: employee_badge
    supported_entity: ACCOUNT_ID        # the vocabulary's, or a new type of your own
    patterns:
      - name: badge
        regex: "EMP-[0-9]{6}"           # RE2; matched against the whole value
    context: [badge, employee id]       # column-name words that support it
    requires_context: false             # true: only confirm a column so named
```

A new entity type (``supported_entity: EMPLOYEE_BADGE``, capitals and
underscores) needs ``category:``, the id of the policy category it belongs to
(``customer_provided``), unless the policy itself lists the type under one.

A pattern proposes; there is no validator, so a custom detector needs the same
statistical evidence as the built-in ones before it flags a column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pyarrow.compute as pc

from detectors.base import Detector, Match, ValueView, count, mask_tail, take_evidence
from detectors.names import NameRule
from scanner import validation
from scanner.fileio import reading
from scanner.model import ENTITY_TYPES

VOCABULARY = frozenset(ENTITY_TYPES)


class CustomDetectorError(Exception):
    """A custom detector file is malformed. The message names the file and the problem."""


class PatternDetector(Detector):
    """A detector from a YAML file: whole-value patterns and column-name context.

    Each recognizer of a file becomes its own subclass (see :func:`detector_class`),
    holding its identity in class attributes exactly as a coded detector does.
    """

    kinds = frozenset({"string", "integer"})
    #: The recognizer's patterns as one anchored RE2 alternation.
    pattern: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    #: The policy category of a new entity type (None: the vocabulary's, or the policy's).
    category: ClassVar[str | None] = None
    #: Where it was declared, for error messages: ``file: recognizer #2 (name)``.
    declared_in: ClassVar[str] = ""

    @classmethod
    def description(cls) -> str:
        return cls.summary

    def match(self, view: ValueView) -> Match | None:
        s = view.strings
        if len(s) == 0:
            return None
        ok = pc.match_substring_regex(s, self.pattern)
        k = count(ok)
        return Match(k, k, take_evidence(s, ok, self))

    def mask(self, value: str) -> str:
        return mask_tail(value, 2)


def detector_class(name: str, entity: str, patterns: list[str], context: list[str],
                   requires_context: bool, description: str, category: str | None = None,
                   declared_in: str = "") -> type[PatternDetector]:
    """Return the detector class of one recognizer (not registered: a scan adds it by file)."""
    attributes = {
        "category": category,
        "declared_in": declared_in,
        "name": name,
        "entity": entity,
        "names": NameRule(strong=tuple(context)),
        "requires_name": requires_context,
        "pattern": "^(?:" + "|".join(f"(?:{p})" for p in patterns) + ")$",
        "summary": description,
        "valid_word": f"match `{name}`",
        "__doc__": description,
    }
    return type(f"Custom_{name}", (PatternDetector,), attributes)


def load(path: str | Path) -> list[PatternDetector]:
    """Read a recognizer file; return one detector per recognizer.

    Raises CustomDetectorError naming the file and the item on a problem.
    """
    return [cls() for cls in load_classes(path)]


def load_classes(path: str | Path) -> list[type[PatternDetector]]:
    """Return the detector class of each recognizer of a file."""
    from detectors.custom_model import MESSAGES, DetectorFile

    where = str(path)
    text = reading(CustomDetectorError)(path)
    try:
        doc = validation.load(text)
    except validation.YamlSourceError as exc:
        line = f" line {exc.line}:" if exc.line is not None else ""
        raise CustomDetectorError(f"{where}:{line} invalid YAML: {exc}") from exc
    try:
        model = validation.validate(DetectorFile, doc, messages=MESSAGES)
    except validation.Invalid as exc:
        line = f" line {exc.line}:" if exc.line is not None else ""
        raise CustomDetectorError(f"{where}:{line} {exc.message}") from exc
    return [_one(where, i, item) for i, item in enumerate(model.recognizers, start=1)]


def _one(where: str, i: int, item: Any) -> type[PatternDetector]:
    name = item.name or f"custom_{i}"
    patterns = [p.regex for p in item.patterns]
    context = [c.lower() for c in item.context]
    if not patterns:
        patterns = [r"[\s\S]+"]  # name-only: any value is consistent with it
    requires = item.requires_context if item.requires_context is not None else not item.patterns
    entity = item.supported_entity
    description = item.description or f"custom {entity} patterns from {where}"
    return detector_class(name, entity, patterns, context, requires, description,
                          item.category, f"{where}: recognizer #{i} ({name})")


def new_types(detectors: list[PatternDetector], category_ids: frozenset[str],
              listed: frozenset[str]) -> dict[str, str]:
    """Return the policy category of each new entity type the detectors declare.

    ``category_ids`` are the policy's categories and ``listed`` the entity types
    it already places. Raises CustomDetectorError naming the recognizer when a
    new type has no category, or one the policy does not have.
    """
    out: dict[str, str] = {}
    for det in detectors:
        if det.entity in VOCABULARY:
            continue
        if det.category is None:
            if det.entity in listed:
                continue
            raise CustomDetectorError(
                f"{det.declared_in}: {det.entity} is a new entity type: give it a "
                "`category:` (a policy category id such as customer_provided), or list it "
                "under a category of the policy")
        if det.category not in category_ids:
            raise CustomDetectorError(
                f"{det.declared_in}: category '{det.category}' is not a category of the "
                f"policy (one of {', '.join(sorted(category_ids))})")
        out[det.entity] = det.category
    return out
