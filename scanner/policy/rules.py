"""The privacy policy as data: categories per entity type, CPNI, storage rule.

The default policy (``scanner/policy/data/policy.yaml``) encodes the company's
privacy policy; ``--policy FILE`` swaps in another company's. A malformed file
is rejected with an error naming the file, the line and what is wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from scanner.fileio import reading
from scanner.validation import Invalid, validate

logger = logging.getLogger(__name__)

CPNI_CATEGORY = "cpni"

#: Sensitivity levels, least to most sensitive.
SENSITIVITIES: tuple[str, ...] = ("low", "medium", "high", "critical")

_CATEGORY_KEYS = ("id", "title", "quote", "sensitivity", "entities", "not_cpni", "not_cpni_quote")
#: What to do about a finding, by the sensitivity of its most sensitive category, when the
#: policy's ``next_steps`` does not name the category.
DEFAULT_NEXT_STEPS: dict[str, str] = {
    "low": "approve", "medium": "approve", "high": "mask", "critical": "mask",
}
#: The fideslang category of an entity type the policy does not map.
FIDES_FALLBACK = "user"


class PolicyError(Exception):
    """A policy file is missing or malformed. The message names file and line."""


@dataclass(frozen=True)
class Category:
    """One category of the policy and the entity types it covers."""

    id: str
    title: str
    quote: str
    sensitivity: str
    entities: tuple[str, ...]
    #: Entity types the policy says are *not* CPNI on their own (CPNI category only).
    not_cpni: tuple[str, ...] = ()
    not_cpni_quote: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the category as plain data (the JSON report's ``policy`` section)."""
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "sensitivity": self.sensitivity,
            "quote": self.quote,
            "entities": list(self.entities),
        }
        if self.not_cpni:
            out["not_cpni"] = list(self.not_cpni)
            out["not_cpni_quote"] = self.not_cpni_quote
        return out


@dataclass(frozen=True)
class Policy:
    """A loaded policy."""

    name: str
    categories: tuple[Category, ...]
    allowed_countries: tuple[str, ...]
    storage_quote: str
    source: str
    version: int = 1
    #: fideslang data categories per entity type (``fides_categories`` in the YAML), for
    #: ``piiscan export --to fides``; pairs so the policy stays hashable.
    fides: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: What to do about a finding per category id (``next_steps`` in the YAML): approve,
    #: move, mask or delete.
    next_steps: tuple[tuple[str, str], ...] = ()

    def next_step(self, category_ids: Iterable[str], *, misplaced: bool = False) -> str | None:
        """Return what to do about a finding of these categories; None when there are none.

        Data stored where the policy does not allow it is to be moved, whatever its
        category. Otherwise the most sensitive category decides: its ``next_steps``
        entry, else the default for its sensitivity (approve low and medium, mask high
        and critical).
        """
        ids = [cid for cid in category_ids if any(c.id == cid for c in self.categories)]
        if not ids:
            return None
        if misplaced:
            return "move"
        ranked = max(ids, key=lambda cid: SENSITIVITIES.index(self.category(cid).sensitivity))
        steps = dict(self.next_steps)
        return steps.get(ranked) or DEFAULT_NEXT_STEPS[self.category(ranked).sensitivity]

    def fides_categories(self, entity: str) -> tuple[str, ...]:
        """Return the fideslang data categories of an entity type (``user`` when unmapped)."""
        for name, keys in self.fides:
            if name == entity:
                return keys
        return (FIDES_FALLBACK,)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Policy:
        """Load ``path``, or the default policy shipped with the package."""
        if path is None:
            where = DEFAULT_SOURCE
            policy = _bundled()
        else:
            where = str(path)
            text = reading(PolicyError)(path)
            policy = cls.parse(text, where)
        logger.debug("loaded policy %s from %s", policy.name, where)
        return policy

    @classmethod
    def parse(cls, text: str, where: str) -> Policy:
        """Parse policy YAML; ``where`` names the file in error messages."""
        from scanner.policy import yamlsource

        try:
            doc = yamlsource.load(text)
        except yamlsource.YamlSourceError as exc:
            line = f" line {exc.line}:" if exc.line is not None else ""
            raise PolicyError(f"{where}:{line} {exc}") from exc
        return _build(doc, where)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "<saved report>") -> Policy:
        """Rebuild a policy from ``to_dict()`` output (a saved JSON report's ``policy``)."""
        doc = {
            "name": data.get("name", where),
            "version": data.get("version", 1),
            "storage": data.get("storage") or {},
            "categories": [
                {k: v for k, v in c.items() if k in _CATEGORY_KEYS}
                for c in data.get("categories") or []
                if isinstance(c, Mapping)
            ],
        }
        if isinstance(data.get("fides_categories"), Mapping):
            doc["fides_categories"] = dict(data["fides_categories"])
        if isinstance(data.get("next_steps"), Mapping):
            doc["next_steps"] = dict(data["next_steps"])
        policy = _build(doc, where)
        saved_source = data.get("source")
        if isinstance(saved_source, str) and saved_source:
            return Policy(
                name=policy.name,
                categories=policy.categories,
                allowed_countries=policy.allowed_countries,
                storage_quote=policy.storage_quote,
                source=saved_source,
                version=policy.version,
                fides=policy.fides,
                next_steps=policy.next_steps,
            )
        return policy

    def to_dict(self) -> dict[str, Any]:
        """Return the policy as plain data (without per-report column lists)."""
        return {
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "storage": {
                "allowed_countries": list(self.allowed_countries),
                "quote": self.storage_quote,
            },
            "categories": [c.to_dict() for c in self.categories],
            **({"fides_categories": {e: list(keys) for e, keys in self.fides}}
               if self.fides else {}),
            **({"next_steps": dict(self.next_steps)} if self.next_steps else {}),
        }

    def with_entities(self, extra: Mapping[str, str]) -> Policy:
        """Return the policy with custom entity types added to categories (type -> category id).

        A custom detector file maps its own types (``category: customer_provided``);
        a type the category already lists stays listed once. KeyError for an unknown id.
        """
        if not extra:
            return self
        missing = sorted(set(extra.values()) - {c.id for c in self.categories})
        if missing:
            raise KeyError(missing[0])
        cats = tuple(
            replace(c, entities=c.entities + tuple(
                e for e, cid in sorted(extra.items()) if cid == c.id and e not in c.entities))
            for c in self.categories)
        return replace(self, categories=cats)

    def categories_for(self, entities: tuple[str, ...] | list[str], cpni: bool) -> tuple[str, ...]:
        """Return the category ids for a column's entities; CPNI only when the column is CPNI."""
        out = []
        for cat in self.categories:
            if cat.id == CPNI_CATEGORY and not cpni:
                continue
            if any(e in cat.entities for e in entities):
                out.append(cat.id)
        return tuple(out)

    def cpni_entities(self) -> frozenset[str]:
        """Return the entity types that are CPNI in the right context (a call record, say)."""
        for cat in self.categories:
            if cat.id == CPNI_CATEGORY:
                return frozenset(cat.entities)
        return frozenset()

    def not_cpni_entities(self) -> frozenset[str]:
        """Return the entity types the policy says are not CPNI on their own."""
        for cat in self.categories:
            if cat.id == CPNI_CATEGORY:
                return frozenset(cat.not_cpni)
        return frozenset()

    def category(self, category_id: str) -> Category:
        """Return the category with this id; KeyError when the policy has none."""
        for cat in self.categories:
            if cat.id == category_id:
                return cat
        raise KeyError(category_id)

    def sensitivity(self, category_ids: Iterable[str]) -> str | None:
        """Return the highest sensitivity among ``category_ids``; None when there are none."""
        best: int | None = None
        for cid in category_ids:
            try:
                level = SENSITIVITIES.index(self.category(cid).sensitivity)
            except KeyError:
                continue
            best = level if best is None else max(best, level)
        return None if best is None else SENSITIVITIES[best]

    def allows_country(self, country: str) -> bool:
        """Tell whether data may be stored in ``country`` (ISO 3166 alpha-2)."""
        return country.upper() in self.allowed_countries


#: The ``source`` of the policy shipped with piiscan.
DEFAULT_SOURCE = "<default policy>"


def bundled_text() -> str:
    """Return the text of the policy shipped with piiscan."""
    return resources.files("scanner.policy").joinpath("data/policy.yaml").read_text("utf-8")


def _bundled() -> Policy:
    """Build the shipped policy without its validation: the policy ``parse`` would build.

    The shipped file is validated by the tests (its plain build must equal
    ``Policy.parse``'s); what it spares every scan is the validation model's
    import (pydantic, 0.2 s) and the line-tracking YAML reader. It is read from
    ``policy.json``, the same document as ``policy.yaml`` (the tests hold the two
    equal; ``make policy-json`` writes it): JSON is read without importing PyYAML
    (20 ms of a small scan's start). A file given with ``--policy`` is always
    validated.
    """
    import json

    text = resources.files("scanner.policy").joinpath("data/policy.json").read_text("utf-8")
    return _build_plain(json.loads(text), DEFAULT_SOURCE)


def bundled_json() -> str:
    """Return ``policy.yaml`` as the JSON document ``policy.json`` holds."""
    import json

    import yaml

    doc = yaml.safe_load(bundled_text())
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def _build_plain(doc: Mapping[str, Any], where: str) -> Policy:
    """Build a Policy from a document known to be valid, with the model's defaults."""
    storage = doc.get("storage")
    return Policy(
        name=str(doc["name"] if doc.get("name") is not None else where),
        categories=tuple(
            Category(
                id=c["id"],
                title=str(c["title"] if c.get("title") is not None else c["id"]),
                quote=" ".join(c["quote"].split()),
                sensitivity=c.get("sensitivity", "medium"),
                entities=tuple(c.get("entities") or ()),
                not_cpni=tuple(c.get("not_cpni") or ()),
                not_cpni_quote=" ".join((c.get("not_cpni_quote") or "").split()),
            )
            for c in doc["categories"]
        ),
        allowed_countries=tuple(code.strip().upper()
                                for code in (storage.get("allowed_countries") or ()))
        if storage else (),
        storage_quote=((storage.get("quote") or "") if storage else "").strip(),
        source=where,
        version=doc.get("version", 1),
        fides=tuple(
            (entity, tuple(keys) if isinstance(keys, list) else (keys,))
            for entity, keys in (doc.get("fides_categories") or {}).items()
        ),
        next_steps=tuple((doc.get("next_steps") or {}).items()),
    )


def _build(doc: Any, where: str) -> Policy:
    """Validate a parsed policy document with its model and build the Policy."""
    from scanner.policy.policy_model import MESSAGES, PolicyModel

    try:
        model = validate(PolicyModel, doc, messages=MESSAGES)
    except Invalid as exc:
        prefix = f"{where}: line {exc.line}:" if exc.line is not None else f"{where}:"
        raise PolicyError(f"{prefix} {exc.message}") from exc
    storage = model.storage
    return Policy(
        name=str(model.name if model.name is not None else where),
        categories=tuple(
            Category(
                id=c.id,
                title=str(c.title if c.title is not None else c.id),
                quote=" ".join(c.quote.split()),
                sensitivity=c.sensitivity,
                entities=tuple(c.entities),
                not_cpni=tuple(c.not_cpni),
                not_cpni_quote=" ".join((c.not_cpni_quote or "").split()),
            )
            for c in model.categories
        ),
        allowed_countries=tuple(storage.allowed_countries) if storage else (),
        storage_quote=(storage.quote if storage else "").strip(),
        source=where,
        version=model.version,
        fides=tuple(
            (entity, tuple(keys) if isinstance(keys, list) else (keys,))
            for entity, keys in (model.fides_categories or {}).items()
        ),
        next_steps=tuple((model.next_steps or {}).items()),
    )
