"""The baseline file's model (pydantic): approved findings per column and storage per source.

Imported only when a baseline is read; ``piiscan schema baseline`` prints its
JSON Schema. The file itself is written by ``piiscan baseline create``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scanner.model import ENTITY_TYPES, entity_type_problem
from scanner.validation import Problem

FORMAT_NAME = "piiscan-baseline"
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

MESSAGES = {
    "format": f"'format' must be {json.dumps(FORMAT_NAME)}",
    "version": "'version' must be a positive integer",
    "approved": "'approved' must be an object: column -> entity -> approval",
    "storage": "'storage' must be an object: source -> approval",
    "reason": "'reason' must be a string",
}


def parse_date(value: Any) -> dt.date:
    """Parse ``YYYY-MM-DD``; ValueError says what is wrong."""
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise ValueError(f"'expires' must be a date like 2026-06-30, not {json.dumps(value)}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{value} is not a calendar date") from exc


class ApprovalModel(BaseModel):
    """Why a finding is accepted, and until when (inclusive)."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = None
    expires: dt.date | None = Field(default=None, description="YYYY-MM-DD, inclusive")

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise Problem('an approval is an object, {} or {"reason": ..., "expires": '
                          '"YYYY-MM-DD"}')
        for key in data:
            if key not in ("expires", "reason"):
                raise Problem(f"unknown key {json.dumps(key)} in an approval "
                              "(expected reason, expires)", key)
        return data

    @field_validator("expires", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        if value is None:
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            raise Problem(str(exc)) from None


class BaselineFile(BaseModel):
    """A piiscan baseline: the findings a team has approved (``.piiscan-baseline.json``)."""

    model_config = ConfigDict(extra="forbid", title="piiscan baseline")

    format: Literal["piiscan-baseline"] = FORMAT_NAME
    version: int = Field(ge=1, strict=True)
    approved: dict[str, dict[str, ApprovalModel]] = Field(
        description="column identity (source/table/column) -> entity type -> approval")
    storage: dict[str, ApprovalModel] = Field(
        default_factory=dict, description="source -> approval of its storage location")

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise Problem("a baseline is a JSON object with 'approved'")
        for key in data:
            if key not in cls.model_fields:
                raise Problem(f"unknown key {json.dumps(key)} (expected one of "
                              f"{', '.join(sorted(cls.model_fields))})", key)
        return data

    @field_validator("approved", mode="before")
    @classmethod
    def _columns(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        for ident, entities in value.items():
            if "/" not in ident:
                raise Problem(f"{json.dumps(ident)} is not a column identity "
                              "(source/table/column)", ident)
            if not isinstance(entities, dict):
                raise Problem("a column maps entity types to approvals, like "
                              '{"US_SSN": {"reason": "..."}}', ident)
            for entity in entities:
                # A custom detector's own type (EMPLOYEE_BADGE) may be approved too.
                if entity not in ENTITY_TYPES and entity_type_problem(entity):
                    hint = difflib.get_close_matches(entity.upper(), ENTITY_TYPES, n=1)
                    suggestion = f" (did you mean {hint[0]}?)" if hint else ""
                    raise Problem(f"unknown entity type {json.dumps(entity)}{suggestion}",
                                  ident, entity)
        return value
