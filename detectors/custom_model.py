"""The custom detector file's model (pydantic), in the shape of presidio's recognizer YAML.

Imported only when a ``--detectors`` file is read; ``piiscan schema detectors``
prints its JSON Schema for editors. Keys of presidio's format piiscan does not
use (``supported_language``, a pattern's ``score``) are accepted and ignored, so
a presidio file loads as it is; any other key is a typo, named with its line.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scanner.model import ENTITY_TYPES, entity_type_problem
from scanner.validation import Problem, mapping_with

MESSAGES = {
    "recognizers": "expected a non-empty `recognizers:` list",
    "supported_entity": "recognizer #{n}: supported_entity must be one of "
                        + ", ".join(ENTITY_TYPES) + ", or a new type with a `category:`",
    "category": "recognizer #{n}: `category:` must be a policy category id like "
                "customer_provided",
    "patterns": "recognizer #{n}: `patterns` must be a list of {name, regex}",
    "regex": "recognizer #{n}: each pattern needs a `regex`",
    "context": "recognizer #{n}: `context` must be a list of column-name words",
    "requires_context": "recognizer #{n}: `requires_context` must be true or false",
}


class Pattern(BaseModel):
    """A whole-value pattern (RE2 syntax)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    regex: str = Field(min_length=1, description="RE2; matched against the whole value")
    score: float | None = Field(default=None, description="presidio's; not used")

    @model_validator(mode="before")
    @classmethod
    def _keys(cls, data: Any) -> Any:
        mapping_with(data, tuple(cls.model_fields), "recognizer #{n}: pattern",
                     "recognizer #{n}: each pattern needs a `regex`")
        return data

    @field_validator("regex")
    @classmethod
    def _re2(cls, value: str) -> str:
        try:
            pc.match_substring_regex(pa.array([""]), value)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise Problem("recognizer #{n}: pattern is not valid RE2 syntax") from None
        return value


class Recognizer(BaseModel):
    """One detector: an entity type, patterns for its values, words for its column names."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, description="default custom_N")
    description: str | None = Field(default=None, description="shown by `piiscan detectors`")
    supported_entity: str = Field(
        description="an entity type of the vocabulary, or a new one (EMPLOYEE_BADGE) "
                    "with a `category:`")
    category: str | None = Field(
        default=None, pattern=r"^[a-z][a-z0-9_]*$",
        description="a new entity type's policy category (customer_provided); "
                    "not needed when the policy lists the type")
    supported_language: str | None = Field(default=None, description="presidio's; not used")
    patterns: list[Pattern] = Field(default_factory=list)
    context: list[str] = Field(default_factory=list,
                               description="column-name words that support the finding")
    requires_context: bool | None = Field(
        default=None, strict=True,
        description="true: only confirm a column so named (default: true without patterns)")

    @model_validator(mode="before")
    @classmethod
    def _keys(cls, data: Any) -> Any:
        mapping_with(data, tuple(cls.model_fields), "recognizer #{n}",
                     "recognizer #{n} is not a mapping")
        if not data.get("patterns") and not data.get("context"):
            raise Problem("recognizer #{n}: needs `patterns`, `context` or both")
        return data

    @field_validator("supported_entity", mode="before")
    @classmethod
    def _entity(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        problem = entity_type_problem(value)
        if problem:
            raise Problem("recognizer #{n}: supported_entity: "
                          + problem.replace("{", "{{").replace("}", "}}"))
        return value

    @model_validator(mode="after")
    def _category(self) -> Recognizer:
        if self.category is not None and self.supported_entity in ENTITY_TYPES:
            raise Problem("recognizer #{n}: `category:` is for new entity types; "
                          f"{self.supported_entity} has the policy's categories")
        return self

    @field_validator("context", mode="before")
    @classmethod
    def _words(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [str(word) for word in value]
        return value


class DetectorFile(BaseModel):
    """A file of custom detectors (``piiscan scan --detectors FILE``)."""

    model_config = ConfigDict(extra="forbid", title="piiscan custom detectors")

    recognizers: list[Recognizer] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _keys(cls, data: Any) -> Any:
        mapping_with(data, ("recognizers",), "detectors",
                     "expected a non-empty `recognizers:` list")
        return data
