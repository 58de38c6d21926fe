"""The fixed-width CDR layout file's model (pydantic): what ``--cdr-layout FILE`` may say.

Imported only when a layout is read; ``piiscan schema layout`` prints its JSON
Schema for editors. See :mod:`connectors.cdr.fixed_width` for an example file.
"""

from __future__ import annotations

import codecs
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scanner.validation import Problem, mapping_with

#: The value kinds a fixed-width field may have (``epoch`` and ``ipv4int`` are Cisco's own).
Kind = Literal["str", "phone", "int", "duration", "hms", "timestamp", "float"]

MESSAGES = {
    "fields": "needs a non-empty `fields` list",
    "fields.*.name": "field {n} needs a `name`",
    "fields.*.start": "field {n} `start` must be a positive integer",
    "fields.*.width": "field {n} `width` must be a positive integer",
    "fields.*.end": "field {n} `end` must be a positive integer",
    "fields.*.type": "field {n} has an unknown `type` (str, phone, int, duration, hms, "
                     "timestamp or float)",
    "fields.*.format": "field {n} `format` must be a strptime format like %m/%d %H:%M",
    "skip_lines": "`skip_lines` must be a non-negative integer",
    "min_length": "`min_length` must be a positive integer",
    "encoding": "`encoding` must be text",
    "record_pattern": "`record_pattern` must be a regex",
    "name": "`name` must be text",
}


class FixedFieldSpec(BaseModel):
    """One field: where it sits on the line and how its values are typed."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, description="the column name")
    start: int = Field(ge=1, strict=True, description="1-based column of its first character")
    width: int | None = Field(default=None, ge=1, strict=True, description="or `end`")
    end: int | None = Field(default=None, ge=1, strict=True,
                            description="1-based column of its last character, or `width`")
    type: Kind = "str"
    format: str | None = Field(default=None, description="strptime format, for type timestamp")

    @model_validator(mode="before")
    @classmethod
    def _keys(cls, data: Any) -> Any:
        mapping_with(data, tuple(cls.model_fields), "field {n}",
                     "field {n} needs a `name`")
        return data

    @model_validator(mode="after")
    def _span(self) -> FixedFieldSpec:
        if self.width is None and self.end is None:
            raise Problem("field {n} needs `width` or `end`")
        if self.width is None and self.end is not None and self.end < self.start:
            raise Problem("field {n} ends before it starts", "end")
        if self.type == "timestamp" and self.format is None:
            raise Problem("field {n} of type timestamp needs a `format`")
        return self

    @property
    def stop(self) -> int:
        """Return the 0-based end of the slice (exclusive)."""
        if self.width is not None:
            return self.start - 1 + self.width
        assert self.end is not None
        return self.end


class FixedLayoutFile(BaseModel):
    """A fixed-width SMDR layout (``piiscan scan --cdr-layout FILE``)."""

    model_config = ConfigDict(extra="forbid", title="piiscan fixed-width CDR layout")

    name: str | None = Field(default=None, description="shown in the format reason")
    encoding: str | None = Field(default=None,
                                 description="default UTF-8, falling back per line")
    skip_lines: int = Field(default=0, ge=0, strict=True,
                            description="lines before the first record")
    record_pattern: str | None = Field(
        default=None, description="a regex: only matching lines are records")
    min_length: int | None = Field(
        default=None, ge=1, strict=True,
        description="shorter records are malformed (default: up to the last field's start)")
    fields: list[FixedFieldSpec] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _keys(cls, data: Any) -> Any:
        mapping_with(data, tuple(cls.model_fields), "layout",
                     "needs a non-empty `fields` list")
        return data

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError:
                raise Problem(f"`encoding` {value!r} is not a known text encoding") from None
        return value

    @field_validator("record_pattern")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error:
                raise Problem("`record_pattern` is not a valid regex") from None
        return value

    @model_validator(mode="after")
    def _names(self) -> FixedLayoutFile:
        seen: set[str] = set()
        for i, field in enumerate(self.fields):
            if field.name in seen:
                raise Problem(f"field {i + 1} repeats a name", "fields", i, "name")
            seen.add(field.name)
        return self
