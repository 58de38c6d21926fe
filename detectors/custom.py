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
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from detectors.base import Detector, Match, ValueView, count, mask_tail, take_evidence
from detectors.names import NameRule
from scanner.model import ENTITY_TYPES

VOCABULARY = frozenset(ENTITY_TYPES)


class CustomDetectorError(Exception):
    """A custom detector file is malformed. The message names the file and the problem."""


class PatternDetector(Detector):
    """A detector from a YAML file: whole-value patterns and column-name context."""

    kinds = frozenset({"string", "integer"})

    def __init__(self, name: str, entity: str, patterns: list[str], context: list[str],
                 requires_context: bool, description: str) -> None:
        # Instances carry what built-in detectors keep in class attributes.
        self.name = name  # type: ignore[misc]
        self.entity = entity  # type: ignore[misc]
        self.names = NameRule(strong=tuple(context))  # type: ignore[misc]
        self.requires_name = requires_context  # type: ignore[misc]
        self._pattern = "^(?:" + "|".join(f"(?:{p})" for p in patterns) + ")$"
        self._description = description
        self.valid_word = f"match `{name}`"  # type: ignore[misc]

    def description(self) -> str:  # type: ignore[override]
        return self._description

    def match(self, view: ValueView) -> Match | None:
        s = view.strings
        if len(s) == 0:
            return None
        ok = pc.match_substring_regex(s, self._pattern)
        k = count(ok)
        return Match(k, k, take_evidence(s, ok, self))

    def mask(self, value: str) -> str:
        return mask_tail(value, 2)


def load(path: str | Path) -> list[PatternDetector]:
    """Read a recognizer file; raise CustomDetectorError with file and item on a problem."""
    where = str(path)
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CustomDetectorError(f"{where}: cannot read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}:" if mark is not None else ""
        raise CustomDetectorError(f"{where}:{line} invalid YAML") from exc
    items = doc.get("recognizers") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not items:
        raise CustomDetectorError(f"{where}: expected a non-empty `recognizers:` list")
    return [_one(where, i, item) for i, item in enumerate(items, start=1)]


def _one(where: str, i: int, item: Any) -> PatternDetector:
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
    return PatternDetector(name, entity, patterns, context, requires, description)
