"""The scan configuration file (``piiscan scan --config scan.yaml``).

It lists the sources to scan with, per source, where it is stored
(``location``) and connector options, plus a ``default_location`` for local
files. See ``examples/scan.yaml``. Every error names the file and the line::

    version: 1
    default_location: US
    sources:
      - path: data/customers.sqlite        # relative to this file
        location: us-east-1
      - url: postgresql://scanner:${PGPASSWORD}@crm.abc123.eu-west-1.rds.amazonaws.com/crm
        options: {include: [public.*]}
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import logging
import os
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from scanner.fileio import reading
from scanner.model import ScanResult
from scanner.policy import yamlsource
from scanner.policy.residency import parse_location

logger = logging.getLogger(__name__)

_Options = TypeVar("_Options")
_Config = TypeVar("_Config")

_TOP_KEYS = ("version", "default_location", "policy", "sample_size", "full", "options", "sources",
             "executor")
_SOURCE_KEYS = ("path", "url", "location", "options")
#: Connector options a source may set, with their default (which gives the type).
#: Mirrors ``connectors.base.ConnectorOptions`` (a test keeps the two in step);
#: not imported from there so that ``reports`` can use this module without
#: depending on the connector layer.
CONNECTOR_OPTIONS: dict[str, Any] = {
    "include": (),
    "exclude": (),
    "include_views": False,
    "query_timeout": 30.0,
    "source_timeout": 3600.0,
    "jobs": 2,
    "encoding": None,
    "delimiter": None,
    "header": None,
    "cdr_format": None,
    "cdr_layout": None,
    "endpoint_url": None,
}
_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_LOCATION_HELP = (
    "use a two-letter country code (US, DE) or a cloud region (us-east-1, europe-west3, westeurope)"
)


class ConfigFileError(Exception):
    """The scan configuration is missing or malformed. The message names file and line."""


#: Builds the error for ``container[key]``: ``fail(container, key, message)``.
_Fail = Callable[[object, str | int, str], ConfigFileError]


@dataclass(frozen=True)
class SourceEntry:
    """One source of the configuration."""

    #: A path (resolved against the configuration's folder) or a URL (``${VAR}`` expanded).
    spec: str
    location: str | None
    #: Connector options for this source, as ``(name, value)`` pairs sorted by name.
    options: tuple[tuple[str, Any], ...]
    line: int
    #: The path as written in the file, before resolving it against the file's folder.
    written: str = ""

    @property
    def is_url(self) -> bool:
        """Tell whether the entry is a URL rather than a path."""
        return "://" in self.spec

    def matches(self, source_name: str) -> bool:
        """Tell whether a scanned source (an expanded file, a redacted URL) came from this entry."""
        if self.is_url:
            return _strip_userinfo(self.spec) == _strip_userinfo(source_name)
        # A saved result re-rendered later may name files as the scan's working
        # directory saw them, so the path as written counts too.
        names = {os.path.normpath(source_name), os.path.abspath(source_name)}
        specs = {os.path.normpath(self.spec), os.path.abspath(self.spec)}
        if self.written:
            specs.add(os.path.normpath(self.written))
        for spec in specs:
            if any(n == spec or n.startswith(spec.rstrip(os.sep) + os.sep) for n in names):
                return True
            if any(ch in spec for ch in "*?[") and any(fnmatch.fnmatchcase(n, spec) for n in names):
                return True
        return False


@dataclass(frozen=True)
class ConfigFile:
    """A parsed scan configuration."""

    path: str
    sources: tuple[SourceEntry, ...]
    default_location: str | None = None
    policy: str | None = None
    sample_size: int | None = None
    full: bool | None = None
    options: tuple[tuple[str, Any], ...] = ()
    #: Where the work runs: ``dask://HOST:PORT``, or None/``local`` for this machine.
    executor: str | None = None

    def specs(self) -> list[str]:
        """Return the source specs to hand to the engine, in file order."""
        return [s.spec for s in self.sources]

    def entry_for(self, source_name: str) -> SourceEntry | None:
        """Return the entry a scanned source came from; the most specific path wins."""
        hits = [s for s in self.sources if s.matches(source_name)]
        if not hits:
            return None
        return max(hits, key=lambda s: (s.spec == source_name, len(s.spec)))

    def declared_location(self, source_name: str) -> str | None:
        """Return the location declared for a scanned source, or None."""
        entry = self.entry_for(source_name)
        return entry.location if entry is not None else None

    def connector_options(self, base: _Options, entry: SourceEntry | None = None) -> _Options:
        """Return ``base`` (ConnectorOptions) with the file's options, then ``entry``'s, applied."""
        merged = dict(self.options)
        if entry is not None:
            merged.update(entry.options)
        return dataclasses.replace(base, **merged) if merged else base

    def plan(self, base: _Config, *, keep: Collection[str] = ()) -> list[tuple[list[str], _Config]]:
        """Group the sources by their effective options: one engine run per group.

        ``base`` is the command line's ScanConfig. The file's ``sample_size``
        and ``full`` replace its values except for the fields named in ``keep``
        (options given explicitly on the command line win). Groups keep the
        order of their first source in the file.
        """
        scan_changes: dict[str, Any] = {}
        if self.sample_size is not None and "sample_size" not in keep:
            scan_changes["sample_size"] = self.sample_size
        if self.full is not None and "full" not in keep:
            scan_changes["full"] = self.full
        groups: dict[tuple[tuple[str, Any], ...], list[SourceEntry]] = {}
        for entry in self.sources:
            key = tuple(sorted({**dict(self.options), **dict(entry.options)}.items()))
            groups.setdefault(key, []).append(entry)
        out: list[tuple[list[str], _Config]] = []
        for entries in groups.values():
            connector = self.connector_options(base.connector, entries[0])  # type: ignore[attr-defined]
            config = dataclasses.replace(base, connector=connector, **scan_changes)  # type: ignore[type-var]
            out.append(([e.spec for e in entries], config))
        return out


def merge_results(results: Sequence[ScanResult]) -> ScanResult:
    """Join the results of several engine runs (one per option group) into one."""
    if len(results) == 1:
        return results[0]
    if not results:
        raise ValueError("no results to merge")
    return ScanResult(
        sources=tuple(s for r in results for s in r.sources),
        started_at=min(r.started_at for r in results),
        finished_at=max(r.finished_at for r in results),
        seconds=sum(r.seconds for r in results),
        config=results[0].config,
    )


def load_config_file(path: str | Path) -> ConfigFile:
    """Read and validate a scan configuration file."""
    text = reading(ConfigFileError)(path)
    return parse_config_file(text, str(path), base_dir=Path(path).parent)


def parse_config_file(text: str, where: str, base_dir: Path | None = None) -> ConfigFile:
    """Parse configuration text; relative paths are resolved against ``base_dir``."""
    try:
        doc = yamlsource.load(text)
    except yamlsource.YamlSourceError as exc:
        line = f" line {exc.line}:" if exc.line is not None else ""
        raise ConfigFileError(f"{where}:{line} {exc}") from exc

    def fail(container: object, key: str | int, message: str) -> ConfigFileError:
        line = yamlsource.line_of(container, key)
        return ConfigFileError(
            f"{where}: line {line}: {message}" if line else f"{where}: {message}"
        )

    if not isinstance(doc, dict):
        raise fail(doc, 0, "expected a mapping with a 'sources' list")
    yamlsource.check_keys(doc, _TOP_KEYS, "scan configuration", fail)
    version = doc.get("version", 1)
    if version != 1:
        raise fail(
            doc, "version", f"unsupported version {version!r} (this piiscan reads version 1)"
        )

    default_location = doc.get("default_location")
    if default_location is not None:
        default_location = _location(doc, "default_location", fail)

    sample_size = doc.get("sample_size")
    if sample_size is not None and (
        not isinstance(sample_size, int) or isinstance(sample_size, bool) or sample_size < 1
    ):
        raise fail(
            doc, "sample_size", f"'sample_size' must be a positive integer, not {sample_size!r}"
        )
    full = doc.get("full")
    if full is not None and not isinstance(full, bool):
        raise fail(doc, "full", f"'full' must be true or false, not {full!r}")
    policy = doc.get("policy")
    if policy is not None:
        if not isinstance(policy, str) or not policy.strip():
            raise fail(doc, "policy", "'policy' must be the path of a policy YAML file")
        policy = _resolve(policy, base_dir)

    options = _options(doc, "options", fail) if "options" in doc else ()
    executor = doc.get("executor")
    if executor is not None and (not isinstance(executor, str)
                                 or not (executor == "local" or executor.startswith("dask://"))):
        raise fail(doc, "executor", f"'executor' must be 'local' or dask://HOST:PORT, "
                   f"not {executor!r}")

    raw_sources = doc.get("sources")
    if not isinstance(raw_sources, list) or not raw_sources:
        raise fail(
            doc, "sources", "'sources' must be a non-empty list of {path: ...} or {url: ...}"
        )
    sources: list[SourceEntry] = []
    for i, raw in enumerate(raw_sources):
        sources.append(_source(raw_sources, i, raw, base_dir, fail))
    logger.debug("scan configuration %s: %s sources", where, len(sources))
    return ConfigFile(
        path=where,
        sources=tuple(sources),
        default_location=default_location,
        policy=policy,
        sample_size=sample_size,
        full=full,
        options=options,
        executor=executor,
    )


def _source(
    container: list[Any], i: int, raw: Any, base_dir: Path | None, fail: _Fail
) -> SourceEntry:
    if isinstance(raw, str):
        raw_map: dict[str, Any] = {"path": raw}
        line = yamlsource.line_of(container, i) or 0
    elif isinstance(raw, dict):
        raw_map = raw
        line = yamlsource.line_of(raw, "path") or yamlsource.line_of(container, i) or 0
        yamlsource.check_keys(raw, _SOURCE_KEYS, f"source #{i + 1}", fail)
    else:
        raise fail(container, i, f"source #{i + 1} must be a mapping with 'path' or 'url'")
    has_path, has_url = "path" in raw_map, "url" in raw_map
    if has_path == has_url:
        raise fail(container, i, f"source #{i + 1} needs exactly one of 'path' or 'url'")
    key = "path" if has_path else "url"
    value = raw_map[key]
    if not isinstance(value, str) or not value.strip():
        raise fail(raw_map, key, f"source #{i + 1}: '{key}' must be a non-empty string")
    if has_url:
        if "://" not in value:
            raise fail(
                raw_map, key, f"source #{i + 1}: '{value}' is not a URL (use 'path' for files)"
            )
        spec = _expand_env(value, lambda msg: fail(raw_map, key, f"source #{i + 1}: {msg}"))
    else:
        spec = _resolve(value, base_dir)
    location = _location(raw_map, "location", fail) if raw_map.get("location") is not None else None
    options = _options(raw_map, "options", fail) if "options" in raw_map else ()
    written = "" if has_url else value.strip()
    return SourceEntry(spec=spec, location=location, options=options, line=line, written=written)


def _location(mapping: dict[str, Any], key: str, fail: _Fail) -> str:
    value = mapping.get(key)
    if not isinstance(value, str) or parse_location(value) is None:
        raise fail(mapping, key, f"unknown location {value!r}: {_LOCATION_HELP}")
    return value.strip()


def _options(mapping: dict[str, Any], key: str, fail: _Fail) -> tuple[tuple[str, Any], ...]:
    raw = mapping.get(key)
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise fail(mapping, key, f"'{key}' must be a mapping of connector options")
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in CONNECTOR_OPTIONS:
            known = sorted(CONNECTOR_OPTIONS)
            hint = difflib.get_close_matches(name, known, n=1)
            suggestion = f"did you mean '{hint[0]}'?" if hint else f"known: {', '.join(known)}"
            raise fail(raw, name, f"unknown option '{name}' ({suggestion})")
        default = CONNECTOR_OPTIONS[name]
        out[name] = _coerce(raw, name, value, default, fail)
    return tuple(sorted(out.items()))


def _coerce(raw: dict[str, Any], name: str, value: Any, default: Any, fail: _Fail) -> Any:
    if isinstance(default, tuple):
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            raise fail(raw, name, f"option '{name}' must be a string or a list of strings")
        return tuple(items)
    if isinstance(default, bool) or name == "header":
        if value is not None and not isinstance(value, bool):
            raise fail(raw, name, f"option '{name}' must be true or false, not {value!r}")
        return value
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise fail(raw, name, f"option '{name}' must be a positive number, not {value!r}")
        return type(default)(value)
    if value is not None and not isinstance(value, str):
        raise fail(raw, name, f"option '{name}' must be a string, not {value!r}")
    return value



def _resolve(path: str, base_dir: Path | None) -> str:
    expanded = os.path.expanduser(path.strip())
    if base_dir is None or os.path.isabs(expanded):
        return os.path.normpath(expanded)
    return os.path.normpath(os.path.join(base_dir, expanded))


def _expand_env(value: str, fail: Callable[[str], ConfigFileError]) -> str:
    # Passwords stay out of the file: `${PGPASSWORD}` is read from the environment.
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in os.environ:
            raise fail(f"environment variable {name} is not set")
        # Percent-encode, so a password with '/' or '@' keeps the URL parseable.
        return quote(os.environ[name], safe="")

    return _ENV_RE.sub(sub, value.strip())


def _strip_userinfo(url: str) -> str:
    if "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    authority, sep, tail = rest.partition("/")
    if "@" in authority:
        authority = authority.rsplit("@", 1)[1]
    return f"{scheme.lower()}://{authority.lower()}{sep}{tail}"
