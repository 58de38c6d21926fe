"""The policy file's model (pydantic): what ``--policy FILE`` may say, checked field by field.

Imported only when a policy is validated (pydantic is not needed to start the
command line). ``piiscan schema policy`` prints its JSON Schema for editors.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scanner.model import entity_type_problem
from scanner.validation import Problem, mapping_with, unknown_key

SENSITIVITY = Literal["low", "medium", "high", "critical"]
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
#: A fideslang data category key: dotted lowercase words (``user.contact.email``).
FIDES_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
CPNI_CATEGORY = "cpni"
#: What a user does about a finding; ``next_steps`` maps policy categories to one of them.
NEXT_STEPS = ("approve", "move", "mask", "delete")

#: Pydantic's own errors (types, ranges, missing keys) in the words users know.
MESSAGES = {
    "categories": "'categories' must be a non-empty list of categories",
    "version": "'version' must be a positive integer, not {input}",
    "storage": "'storage' must be a mapping with 'allowed_countries' and 'quote'",
    "allowed_countries": "'allowed_countries' must be a list like [US]",
    "fides_categories": "'fides_categories' must be a mapping: entity type -> fideslang data "
                        "category (e.g. EMAIL_ADDRESS: user.contact.email)",
    "next_steps": "'next_steps' must be a mapping: category id -> one of "
                  + ", ".join(NEXT_STEPS),
    "categories.*.id": "category #{n} needs an 'id' of lowercase letters, digits and '_' "
                       "(got {input})",
    "categories.*.quote": "category #{n} needs a 'quote': the policy sentence it comes from",
    "categories.*.sensitivity": "category #{n}: sensitivity {input} is not one of "
                                "low, medium, high, critical",
    "categories.*.entities": "category #{n}: 'entities' must be a list of entity types",
    "categories.*.not_cpni": "category #{n}: 'not_cpni' must be a list of entity types",
}


def _braces(text: str) -> str:
    """Escape braces: a problem's message is formatted once more with the category number."""
    return text.replace("{", "{{").replace("}", "}}")


class Storage(BaseModel):
    """Where data may be stored (``allowed_countries``) and the policy's sentence saying so."""

    model_config = ConfigDict(extra="forbid")

    allowed_countries: list[str] = Field(
        default_factory=list, description="ISO 3166 alpha-2 codes, e.g. [US]")
    quote: str = ""

    @model_validator(mode="before")
    @classmethod
    def _keys(cls, data: Any) -> Any:
        unknown_key(data, ("allowed_countries", "quote"), "storage")
        return {} if data is None else data

    @field_validator("allowed_countries", mode="before")
    @classmethod
    def _countries(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, list):
            for j, code in enumerate(value):
                if not isinstance(code, str) or not _COUNTRY_RE.match(code.strip().upper()):
                    raise Problem(
                        f"'{code}' is not a two-letter country code (ISO 3166, e.g. US)", j)
            return [code.strip().upper() for code in value]
        return value


class Category(BaseModel):
    """One category of the policy: the entity types it covers and the sentence it rests on."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=_ID_RE.pattern, description="lowercase letters, digits and '_'")
    title: str | None = None
    quote: str = Field(min_length=1, description="the policy sentence the category comes from")
    sensitivity: SENSITIVITY = "medium"
    entities: list[str] = Field(default_factory=list, description="entity types it covers")
    not_cpni: list[str] = Field(
        default_factory=list,
        description="entity types that are not CPNI on their own (cpni category only)")
    not_cpni_quote: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _keys(cls, data: Any) -> Any:
        mapping_with(data, tuple(cls.model_fields), "category #{n}",
                     "category #{n} must be a mapping with 'id' and 'entities'")
        cid = data.get("id")
        quote = data.get("quote")
        if isinstance(cid, str) and _ID_RE.match(cid) and (
                not isinstance(quote, str) or not quote.strip()):
            raise Problem(f"category '{cid}' needs a 'quote': the policy sentence it comes "
                          "from", "quote")
        return data

    @field_validator("entities", "not_cpni", mode="before")
    @classmethod
    def _entities(cls, value: Any) -> Any:
        if value is None:
            return []
        if not isinstance(value, list):
            return value
        seen: list[str] = []
        for j, e in enumerate(value):
            # A type outside the vocabulary is a custom detector's (EMPLOYEE_BADGE).
            problem = entity_type_problem(e)
            if problem:
                raise Problem(f"category #{{n}}: {_braces(problem)}", j)
            if e in seen:
                raise Problem(f"category #{{n}}: entity type '{e}' is listed twice", j)
            seen.append(e)
        return value

    @model_validator(mode="after")
    def _cpni_only(self) -> Category:
        if self.not_cpni and self.id != CPNI_CATEGORY:
            raise Problem(f"'not_cpni' belongs to the '{CPNI_CATEGORY}' category, not "
                          f"'{self.id}'", "not_cpni")
        return self


class PolicyModel(BaseModel):
    """A privacy policy as data: categories of entity types, CPNI and the storage rule."""

    model_config = ConfigDict(extra="forbid", title="piiscan policy")

    name: str | None = None
    version: int = Field(default=1, ge=1, strict=True)
    description: str | None = None
    storage: Storage | None = None
    categories: list[Category] = Field(min_length=1)
    fides_categories: dict[str, str | list[str]] | None = Field(
        default=None, description="entity type -> fideslang data category (or a list of them)")
    next_steps: dict[str, Literal["approve", "move", "mask", "delete"]] | None = Field(
        default=None,
        description="category id -> what to do about a finding of it: approve (keep, "
                    "record the approval), move (to allowed storage), mask or delete; the "
                    "most sensitive category of a finding decides")

    @model_validator(mode="before")
    @classmethod
    def _keys(cls, data: Any) -> Any:
        return mapping_with(data, tuple(cls.model_fields), "policy",
                            "expected a mapping with 'name', 'storage' and 'categories'")

    @field_validator("fides_categories", mode="before")
    @classmethod
    def _fides(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        for entity, keys in value.items():
            problem = entity_type_problem(entity)
            if problem:
                raise Problem(f"fides_categories: {_braces(problem)}", entity)
            items = keys if isinstance(keys, list) else [keys]
            if not items:
                raise Problem(f"fides_categories: {entity} needs at least one category", entity)
            for key in items:
                if not isinstance(key, str) or not FIDES_KEY_RE.match(key):
                    raise Problem(f"fides_categories: {entity}: {key!r} is not a fideslang "
                                  "data category key like user.contact.email", entity)
        return value

    @field_validator("next_steps", mode="before")
    @classmethod
    def _steps(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for cid, step in value.items():
                if step not in NEXT_STEPS:
                    raise Problem(f"next_steps: {cid}: {step!r} is not one of "
                                  f"{', '.join(NEXT_STEPS)}", cid)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> PolicyModel:
        seen: dict[str, int] = {}
        for i, cat in enumerate(self.categories):
            if cat.id in seen:
                raise Problem(f"duplicate category id '{cat.id}' (category #{seen[cat.id] + 1} "
                              "has it too)", "categories", i, "id")
            seen[cat.id] = i
        for cid in self.next_steps or {}:
            if cid not in seen:
                hint = difflib.get_close_matches(cid, list(seen), n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                raise Problem(f"next_steps: unknown category '{cid}'{suggestion}",
                              "next_steps", cid)
        return self
