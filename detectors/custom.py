"""Detectors users write in YAML, in the shape of presidio's recognizer files.

```yaml
recognizers:
  - name: employee_badge
    supported_entity: ACCOUNT_ID        # one of the entity vocabulary
    patterns:
      - name: badge
        regex: "EMP-[0-9]{6}"           # RE2; matched against the whole value
    context: [badge, employee id]       # column-name words that support it
    requires_context: false             # true: only confirm a column so named
```

A pattern proposes; there is no validator, so a custom detector needs the same
statistical evidence as the built-in ones before it flags a column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from detectors.base import Detector, Match, ValueView, count, mask_tail, take_evidence
from detectors.names import NameRule
from scanner.fileio import YamlLimit, load_yaml, reading
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
                   requires_context: bool, description: str) -> type[PatternDetector]:
    """Return the detector class of one recognizer (not registered: a scan adds it by file)."""
    attributes = {
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
    where = str(path)
    text = reading(CustomDetectorError)(path)
    try:
        doc = load_yaml(text)
    except YamlLimit as exc:
        line = f" line {exc.line}:" if exc.line is not None else ""
        raise CustomDetectorError(f"{where}:{line} {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}:" if mark is not None else ""
        raise CustomDetectorError(f"{where}:{line} invalid YAML") from exc
    items = doc.get("recognizers") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not items:
        raise CustomDetectorError(f"{where}: expected a non-empty `recognizers:` list")
    return [_one(where, i, item) for i, item in enumerate(items, start=1)]


def _one(where: str, i: int, item: Any) -> type[PatternDetector]:
    if not isinstance(item, dict):
        raise CustomDetectorError(f"{where}: recognizer #{i} is not a mapping")
    name = str(item.get("name") or f"custom_{i}")
    label = f"{where}: recognizer #{i} ({name})"
    entity = item.get("supported_entity")
    if entity not in VOCABULARY:
        raise CustomDetectorError(
            f"{label}: supported_entity must be one of {', '.join(sorted(VOCABULARY))}")
    patterns = []
    for p in item.get("patterns") or []:
        regex = p.get("regex") if isinstance(p, dict) else None
        if not isinstance(regex, str) or not regex:
            raise CustomDetectorError(f"{label}: each pattern needs a `regex`")
        try:
            pc.match_substring_regex(pa.array([""]), regex)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise CustomDetectorError(f"{label}: pattern is not valid RE2 syntax") from exc
        patterns.append(regex)
    context = [str(c).lower() for c in item.get("context") or []]
    if not patterns and not context:
        raise CustomDetectorError(f"{label}: needs `patterns`, `context` or both")
    if not patterns:
        patterns = [r"[\s\S]+"]  # name-only: any value is consistent with it
    requires = bool(item.get("requires_context", not item.get("patterns")))
    description = str(item.get("description") or f"custom {entity} patterns from {where}")
    return detector_class(name, entity, patterns, context, requires, description)
