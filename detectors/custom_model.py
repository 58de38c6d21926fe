"""The custom detector file's model (pydantic), in the shape of presidio's recognizer YAML.

Imported only when a ``--detectors`` file is read; ``piiscan schema detectors``
prints its JSON Schema for editors. Keys of presidio's format piiscan does not
use (``supported_language``, a pattern's ``score``) are accepted and ignored, so
a presidio file loads as it is; any other key is a typo, named with its line.
"""

from __future__ import annotations

from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scanner.model import ENTITY_TYPES
from scanner.validation import Problem, unknown_key

Entity = Literal[ENTITY_TYPES]  # type: ignore[valid-type]

MESSAGES = {
    "recognizers": "expected a non-empty `recognizers:` list",
    "supported_entity": "recognizer #{n}: supported_entity must be one of "
                        + ", ".join(sorted(ENTITY_TYPES)),
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
        if not isinstance(data, dict):
            raise Problem("recognizer #{n}: each pattern needs a `regex`")
        unknown_key(data, tuple(cls.model_fields), "recognizer #{n}: pattern")
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
    supported_entity: Entity = Field(description="an entity type of the vocabulary")
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
        if not isinstance(data, dict):
            raise Problem("recognizer #{n} is not a mapping")
        unknown_key(data, tuple(cls.model_fields), "recognizer #{n}")
        if not data.get("patterns") and not data.get("context"):
            raise Problem("recognizer #{n}: needs `patterns`, `context` or both")
        return data

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
        if not isinstance(data, dict):
            raise Problem("expected a non-empty `recognizers:` list")
        unknown_key(data, ("recognizers",), "detectors")
        return data
