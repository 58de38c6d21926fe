"""The privacy policy as data: categories per entity type, CPNI, storage rule.

The default policy (``scanner/policy/data/policy.yaml``) encodes the company's
privacy policy; ``--policy FILE`` swaps in another company's. A malformed file
is rejected with an error naming the file, the line and what is wrong.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from scanner.fileio import reading
from scanner.model import ENTITY_TYPES
from scanner.policy import yamlsource

logger = logging.getLogger(__name__)

CPNI_CATEGORY = "cpni"

#: Sensitivity levels, least to most sensitive.
SENSITIVITIES: tuple[str, ...] = ("low", "medium", "high", "critical")

_TOP_KEYS = ("name", "version", "description", "storage", "categories", "fides_categories")
_CATEGORY_KEYS = ("id", "title", "quote", "sensitivity", "entities", "not_cpni", "not_cpni_quote")
_STORAGE_KEYS = ("allowed_countries", "quote")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
#: A fideslang data category key: dotted lowercase words (``user.contact.email``).
_FIDES_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
#: The fideslang category of an entity type the policy does not map.
FIDES_FALLBACK = "user"


class PolicyError(Exception):
    """A policy file is missing or malformed. The message names file and line."""


#: Builds the error for ``container[key]``: ``fail(container, key, message)``.
_Fail = Callable[[object, str | int, str], PolicyError]


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
            text = resources.files("scanner.policy").joinpath("data/policy.yaml").read_text("utf-8")
            where = "<default policy>"
        else:
            where = str(path)
            text = reading(PolicyError)(path)
        policy = cls.parse(text, where)
        logger.debug("loaded policy %s from %s", policy.name, where)
        return policy

    @classmethod
    def parse(cls, text: str, where: str) -> Policy:
        """Parse policy YAML; ``where`` names the file in error messages."""
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
        }

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


def _build(doc: Any, where: str) -> Policy:
    """Validate a parsed policy document and build the Policy."""

    def fail(container: object, key: str | int, message: str) -> PolicyError:
        line = yamlsource.line_of(container, key)
        prefix = f"{where}: line {line}:" if line is not None else f"{where}:"
        return PolicyError(f"{prefix} {message}")

    if not isinstance(doc, dict):
        raise fail(doc, 0, "expected a mapping with 'name', 'storage' and 'categories'")
    yamlsource.check_keys(doc, _TOP_KEYS, "policy", fail)
    cats_raw = doc.get("categories")
    if not isinstance(cats_raw, list) or not cats_raw:
        raise fail(doc, "categories", "'categories' must be a non-empty list of categories")
    version = doc.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise fail(doc, "version", f"'version' must be a positive integer, not {version!r}")

    cats: list[Category] = []
    seen: dict[str, int] = {}
    for i, c in enumerate(cats_raw):
        cats.append(_build_category(cats_raw, i, c, seen, fail))

    storage = doc.get("storage")
    if storage is None:
        storage = {}
    if not isinstance(storage, dict):
        raise fail(
            doc, "storage", "'storage' must be a mapping with 'allowed_countries' and 'quote'"
        )
    yamlsource.check_keys(storage, _STORAGE_KEYS, "storage", fail)
    countries_raw = storage.get("allowed_countries")
    if countries_raw is None:
        countries_raw = []
    if not isinstance(countries_raw, list):
        raise fail(storage, "allowed_countries", "'allowed_countries' must be a list like [US]")
    countries: list[str] = []
    for j, code in enumerate(countries_raw):
        if not isinstance(code, str) or not _COUNTRY_RE.match(code.strip().upper()):
            raise fail(
                countries_raw, j, f"'{code}' is not a two-letter country code (ISO 3166, e.g. US)"
            )
        countries.append(code.strip().upper())

    name = doc.get("name", where)
    return Policy(
        name=str(name),
        categories=tuple(cats),
        allowed_countries=tuple(countries),
        storage_quote=str(storage.get("quote") or "").strip(),
        source=where,
        version=version,
        fides=_build_fides(doc, fail),
    )


def _build_fides(doc: dict[str, Any], fail: _Fail) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Validate ``fides_categories``: entity type -> a fideslang category key or a list of them."""
    raw = doc.get("fides_categories")
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise fail(doc, "fides_categories", "'fides_categories' must be a mapping: entity type "
                   "-> fideslang data category (e.g. EMAIL_ADDRESS: user.contact.email)")
    out: list[tuple[str, tuple[str, ...]]] = []
    for entity, value in raw.items():
        if entity not in ENTITY_TYPES:
            hint = difflib.get_close_matches(str(entity).upper(), ENTITY_TYPES, n=1)
            suggestion = f" (did you mean {hint[0]}?)" if hint else ""
            raise fail(raw, entity, f"fides_categories: unknown entity type '{entity}'"
                       f"{suggestion}")
        keys = value if isinstance(value, list) else [value]
        if not keys:
            raise fail(raw, entity, f"fides_categories: {entity} needs at least one category")
        for key in keys:
            if not isinstance(key, str) or not _FIDES_KEY_RE.match(key):
                raise fail(raw, entity, f"fides_categories: {entity}: {key!r} is not a "
                           "fideslang data category key like user.contact.email")
        out.append((str(entity), tuple(keys)))
    return tuple(out)


def _build_category(
    cats_raw: list[Any], i: int, c: Any, seen: dict[str, int], fail: _Fail
) -> Category:
    if not isinstance(c, dict):
        raise fail(cats_raw, i, f"category #{i + 1} must be a mapping with 'id' and 'entities'")
    yamlsource.check_keys(c, _CATEGORY_KEYS, f"category #{i + 1}", fail)
    cid = c.get("id")
    if not isinstance(cid, str) or not _ID_RE.match(cid):
        raise fail(
            c,
            "id",
            f"category #{i + 1} needs an 'id' of lowercase letters, digits and '_' (got {cid!r})",
        )
    if cid in seen:
        raise fail(c, "id", f"duplicate category id '{cid}' (category #{seen[cid] + 1} has it too)")
    seen[cid] = i
    quote = c.get("quote")
    if not isinstance(quote, str) or not quote.strip():
        raise fail(
            c, "quote", f"category '{cid}' needs a 'quote': the policy sentence it comes from"
        )
    sensitivity = c.get("sensitivity", "medium")
    if sensitivity not in SENSITIVITIES:
        raise fail(
            c,
            "sensitivity",
            f"category '{cid}': sensitivity '{sensitivity}' is not one of "
            f"{', '.join(SENSITIVITIES)}",
        )
    entities = _entity_list(c, "entities", cid, fail)
    not_cpni = _entity_list(c, "not_cpni", cid, fail)
    if not_cpni and cid != CPNI_CATEGORY:
        raise fail(
            c, "not_cpni", f"'not_cpni' belongs to the '{CPNI_CATEGORY}' category, not '{cid}'"
        )
    title = c.get("title", cid)
    return Category(
        id=cid,
        title=str(title),
        quote=" ".join(quote.split()),
        sensitivity=str(sensitivity),
        entities=entities,
        not_cpni=not_cpni,
        not_cpni_quote=" ".join(str(c.get("not_cpni_quote") or "").split()),
    )


def _entity_list(c: dict[str, Any], key: str, cid: str, fail: _Fail) -> tuple[str, ...]:
    raw = c.get(key)
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise fail(c, key, f"category '{cid}': '{key}' must be a list of entity types")
    out: list[str] = []
    for j, e in enumerate(raw):
        if not isinstance(e, str) or e not in ENTITY_TYPES:
            hint = difflib.get_close_matches(str(e).upper(), ENTITY_TYPES, n=1)
            suggestion = f" (did you mean {hint[0]}?)" if hint else ""
            raise fail(raw, j, f"category '{cid}': unknown entity type '{e}'{suggestion}")
        if e in out:
            raise fail(raw, j, f"category '{cid}': entity type '{e}' is listed twice")
        out.append(e)
    return tuple(out)


