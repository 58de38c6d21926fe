"""The privacy policy as data: categories per entity type, CPNI, storage rule."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

CPNI_CATEGORY = "cpni"


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


@dataclass(frozen=True)
class Policy:
    """A loaded policy."""

    name: str
    categories: tuple[Category, ...]
    allowed_countries: tuple[str, ...]
    storage_quote: str
    source: str

    @classmethod
    def load(cls, path: str | Path | None = None) -> Policy:
        """Load ``path``, or the default policy shipped with the package."""
        if path is None:
            text = resources.files("scanner").joinpath("data/policy.yaml").read_text("utf-8")
            where = "<default policy>"
        else:
            where = str(path)
            try:
                text = Path(path).read_text("utf-8")
            except OSError as exc:
                raise PolicyError(f"{where}: cannot read ({exc.strerror})") from exc
            except UnicodeDecodeError as exc:
                raise PolicyError(f"{where}: not UTF-8 text") from exc
        return cls.parse(text, where)

    @classmethod
    def parse(cls, text: str, where: str) -> Policy:
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f" line {mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or "invalid YAML"
            raise PolicyError(f"{where}:{line}: {problem}") from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("categories"), list):
            raise PolicyError(f"{where}: expected a mapping with a 'categories' list")
        cats = []
        for i, c in enumerate(doc["categories"]):
            if not isinstance(c, dict) or "id" not in c:
                raise PolicyError(f"{where}: category #{i + 1} needs an 'id'")
            cats.append(
                Category(
                    id=str(c["id"]),
                    title=str(c.get("title", c["id"])),
                    quote=str(c.get("quote", "")).strip(),
                    sensitivity=str(c.get("sensitivity", "medium")),
                    entities=tuple(str(e) for e in (c.get("entities") or [])),
                )
            )
        storage = doc.get("storage") or {}
        return cls(
            name=str(doc.get("name", where)),
            categories=tuple(cats),
            allowed_countries=tuple(storage.get("allowed_countries") or ()),
            storage_quote=str(storage.get("quote", "")),
            source=where,
        )

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
        for cat in self.categories:
            if cat.id == CPNI_CATEGORY:
                return frozenset(cat.entities)
        return frozenset()
