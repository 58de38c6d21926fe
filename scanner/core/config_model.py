"""The scan configuration file's model (pydantic): what ``--config scan.yaml`` may say.

Imported only when a configuration is validated (pydantic is not needed to
start the command line). ``piiscan schema config`` prints its JSON Schema.
Paths are resolved and ``${VAR}`` expanded afterwards, by
:mod:`scanner.core.config_file`; this model checks shapes and values only.
"""


import difflib
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    create_model,
    field_validator,
    model_validator,
)

from scanner.policy.residency import parse_location
from scanner.validation import Problem, mapping_with

LOCATION_HELP = (
    "use a two-letter country code (US, DE) or a cloud region (us-east-1, europe-west3, westeurope)"
)
TOP_KEYS = ("version", "name", "default_location", "policy", "sample_size", "full", "options",
            "sources", "executor", "default_region")
SOURCE_KEYS = ("name", "path", "url", "location", "options", "region")
#: A name: history, baselines and locks key on it, so it stays put when a file moves.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"


def _location(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str) or parse_location(value) is None:
        raise Problem(f"unknown location {value!r}: {LOCATION_HELP}")
    return value.strip()


def _region(value: Any) -> Any:
    """Validate a region (the country national formats are read in): DE, PH, IN."""
    if value is None:
        return None
    from detectors.regions import region_problem

    problem = region_problem(value)
    if problem:
        raise Problem(problem)
    return str(value).upper()


#: A storage location (``location``, ``default_location``): a country code or a cloud region.
Location = Annotated[str | None, BeforeValidator(_location)]
#: A region national formats are read in (``region``, ``default_region``), upper-cased.
Region = Annotated[str | None, BeforeValidator(_region)]


def _path_or_source(schema: dict[str, Any]) -> None:
    # A source may be written as its path alone (`- data/logs`).
    schema["items"] = {"anyOf": [{"type": "string", "minLength": 1}, schema["items"]]}


def messages(connector_options: Mapping[str, Any]) -> dict[str, str]:
    """Return the wording of pydantic's own errors per field of the configuration."""
    out = {
        "sources": "'sources' must be a non-empty list of {path: ...} or {url: ...}",
        "version": "unsupported version {input} (this piiscan reads version 1)",
        "sample_size": "'sample_size' must be a positive integer, not {input}",
        "full": "'full' must be true or false, not {input}",
        "policy": "'policy' must be the path of a policy YAML file",
        "options": "'options' must be a mapping of connector options",
        "default_location": "unknown location {input}: " + LOCATION_HELP,
        "location": "unknown location {input}: " + LOCATION_HELP,
        "path": "source #{n}: 'path' must be a non-empty string",
        "name": "'name' must be letters, digits, '.', '_' or '-' (at most 100), not {input}",
        "url": "source #{n}: 'url' must be a non-empty string",
    }
    for name, default in connector_options.items():
        if isinstance(default, tuple):
            text = "must be a string or a list of strings"
        elif isinstance(default, bool) or name == "header":
            text = "must be true or false, not {input}"
        elif isinstance(default, int | float):
            text = "must be a positive number, not {input}"
        else:
            text = "must be a string, not {input}"
        out[f"options.{name}"] = f"option '{name}' {text}"
    return out


def options_model(connector_options: Mapping[str, Any]) -> type[BaseModel]:
    """Return the model of connector options; their defaults give the types."""
    fields: dict[str, Any] = {}
    for name, default in connector_options.items():
        if isinstance(default, tuple):
            kind: Any = str | list[str]
            spec = Field(default=None, description="a pattern or a list of them")
        elif isinstance(default, bool) or name == "header":
            kind = bool | None
            spec = Field(default=None, strict=True)
        elif isinstance(default, int | float):
            kind = type(default) | None
            spec = Field(default=None, gt=0, strict=True,
                         description=f"default {default}")
        else:
            kind = str | None
            spec = Field(default=None, strict=True)
        fields[name] = (kind, spec)

    def check(cls: type[BaseModel], data: Any) -> Any:
        if isinstance(data, Mapping):
            known = sorted(connector_options)
            for name in data:
                if name not in connector_options:
                    hint = difflib.get_close_matches(str(name), known, n=1)
                    suggestion = (f"did you mean '{hint[0]}'?" if hint
                                  else f"known: {', '.join(known)}")
                    raise Problem(f"unknown option '{name}' ({suggestion})", name)
            for name, value in data.items():
                # A float field takes ints, never true/false.
                if isinstance(value, bool) and isinstance(connector_options[name], float):
                    raise Problem(f"option '{name}' must be a positive number, not {value!r}",
                                  name)
        return data

    model = create_model(  # type: ignore[call-overload]
        "ConnectorOptions",
        __config__=ConfigDict(extra="forbid"),
        __validators__={"_check": model_validator(mode="before")(classmethod(check))},
        **fields,
    )
    return model  # type: ignore[no-any-return]


def config_model(connector_options: Mapping[str, Any]) -> type[BaseModel]:
    """Return the model of a scan configuration file."""
    Options = options_model(connector_options)  # noqa: N806

    class Source(BaseModel):
        """One source: a file, folder or glob (``path``) or a database URL (``url``)."""

        model_config = ConfigDict(extra="forbid")

        path: str | None = Field(default=None, min_length=1,
                                 description="relative to the configuration file")
        url: str | None = Field(default=None, min_length=1,
                                description="a database URL; ${VAR} reads the environment")
        location: Location = Field(default=None,
                                   description="where it is stored: US, DE, us-east-1, …")
        options: Options | None = None  # type: ignore[valid-type]
        name: str | None = Field(default=None, pattern=NAME_PATTERN,
                                 description="the source's identity in baselines and history")
        region: Region = Field(
            default=None, description="the country its phone numbers and postal codes are "
                                      "written for: DE, PH, IN (default: inferred)")

        @model_validator(mode="before")
        @classmethod
        def _shape(cls, data: Any) -> Any:
            if isinstance(data, str):
                return {"path": data}
            mapping_with(data, SOURCE_KEYS, "source #{n}",
                         "source #{n} must be a mapping with 'path' or 'url'")
            if ("path" in data) == ("url" in data):
                raise Problem("source #{n} needs exactly one of 'path' or 'url'")
            key = "path" if "path" in data else "url"
            value = data[key]
            if not isinstance(value, str) or not value.strip():
                raise Problem(f"source #{{n}}: '{key}' must be a non-empty string", key)
            if key == "url" and "://" not in value:
                raise Problem(f"source #{{n}}: '{value}' is not a URL (use 'path' for files)",
                              key)
            return data

    class ScanConfiguration(BaseModel):
        """A piiscan scan configuration (``piiscan scan --config FILE``, ``piiscan.yaml``)."""

        model_config = ConfigDict(extra="forbid", title="piiscan scan configuration")

        version: Literal[1] = 1
        name: str | None = Field(default=None, pattern=NAME_PATTERN,
                                 description="the configuration's identity in history")
        default_location: Location = Field(
            default=None, description="where sources without their own location are stored")
        policy: str | None = Field(default=None, min_length=1,
                                   description="a policy YAML file, relative to this file")
        sample_size: int | None = Field(default=None, ge=1, strict=True)
        full: bool | None = Field(default=None, strict=True)
        options: Options | None = None  # type: ignore[valid-type]
        sources: list[Source] = Field(min_length=1, json_schema_extra=_path_or_source)
        executor: str | None = Field(default=None, pattern=r"^(local|dask://.+)$",
                                     description="local, or dask://HOST:PORT")
        default_region: Region = Field(
            default=None, description="the region of sources without their own (default: "
                                      "inferred per table)")

        @model_validator(mode="before")
        @classmethod
        def _shape(cls, data: Any) -> Any:
            return mapping_with(data, TOP_KEYS, "scan configuration",
                                "expected a mapping with a 'sources' list")

        @field_validator("policy", mode="before")
        @classmethod
        def _policy(cls, value: Any) -> Any:
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise Problem("'policy' must be the path of a policy YAML file")
            return value

        @field_validator("executor", mode="before")
        @classmethod
        def _executor(cls, value: Any) -> Any:
            if value is not None and (not isinstance(value, str) or not (
                    value == "local" or value.startswith("dask://"))):
                raise Problem(f"'executor' must be 'local' or dask://HOST:PORT, not {value!r}")
            return value

    return ScanConfiguration
