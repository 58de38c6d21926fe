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
import fnmatch
import logging
import os
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from scanner.core.overlap import overlaps
from scanner.fileio import reading
from scanner.model import ScanResult
from scanner.policy import yamlsource
from scanner.redact import redact_url
from scanner.validation import Invalid, validate

logger = logging.getLogger(__name__)

_Options = TypeVar("_Options")
_Config = TypeVar("_Config")

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


class ConfigFileError(Exception):
    """The scan configuration is missing or malformed. The message names file and line."""


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
    #: The source's identity in baselines and history (``name:``), instead of its path or URL.
    name: str | None = None
    #: The country its national phone numbers and postal codes are read in (``region:``).
    region: str | None = None

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
    #: The configuration's identity in history and run locks (``name:``), else its path.
    name: str | None = None
    #: The region of sources without their own (``default_region:``).
    default_region: str | None = None

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
        # Each file once: a repeated entry is dropped, a wider one passes over a nested one.
        kept, claimed, notes = overlaps(
            [(s.spec, f"{s.written or redact_url(s.spec)} (line {s.line})") for s in self.sources])
        if notes:
            logger.warning("%s: overlapping sources: %s", self.path, "; ".join(notes))
        if claimed:
            scan_changes["claimed"] = claimed
        for entry in (self.sources[i] for i in kept):
            key = tuple(sorted({**dict(self.options), **dict(entry.options),
                                "region": entry.region}.items()))
            groups.setdefault(key, []).append(entry)
        out: list[tuple[list[str], _Config]] = []
        for entries in groups.values():
            connector = self.connector_options(base.connector, entries[0])  # type: ignore[attr-defined]
            # A source's own region, then --region, then the file's default_region.
            region = entries[0].region or base.region or self.default_region  # type: ignore[attr-defined]
            config = dataclasses.replace(base, connector=connector, region=region,  # type: ignore[type-var]
                                         **scan_changes)
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

    from scanner.core.config_model import config_model, messages

    try:
        model: Any = validate(config_model(CONNECTOR_OPTIONS), doc,
                          messages=messages(CONNECTOR_OPTIONS))
    except Invalid as exc:
        line = f" line {exc.line}:" if exc.line is not None else ""
        raise ConfigFileError(f"{where}:{line} {exc.message}") from exc
    policy = _resolve(model.policy, base_dir) if model.policy is not None else None
    options = _options(model.options)
    executor = model.executor
    default_location = model.default_location
    sample_size = model.sample_size
    full = model.full
    sources: list[SourceEntry] = []
    for i, raw in enumerate(model.sources):
        sources.append(_source(doc["sources"], i, raw, base_dir, where))
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
        name=model.name,
        default_region=model.default_region,
    )


def _source(container: list[Any], i: int, raw: Any, base_dir: Path | None,
            where: str) -> SourceEntry:
    """Build a validated source entry: resolve its path or expand its URL's ``${VAR}``."""
    item = container[i]
    line = (yamlsource.line_of(item, "path") if isinstance(item, dict) else None) \
        or yamlsource.line_of(container, i) or 0
    if raw.url is not None:
        url_line = yamlsource.line_of(item, "url")

        def fail(message: str) -> ConfigFileError:
            at = f" line {url_line}:" if url_line else ""
            return ConfigFileError(f"{where}:{at} source #{i + 1}: {message}")

        spec = _expand_env(raw.url, fail)
        written = ""
    else:
        spec = _resolve(raw.path, base_dir)
        written = raw.path.strip()
    return SourceEntry(spec=spec, location=raw.location, options=_options(raw.options),
                       line=line, written=written, name=raw.name, region=raw.region)


def _options(model: Any) -> tuple[tuple[str, Any], ...]:
    """Return the options a file sets, as sorted pairs typed like their defaults."""
    if model is None:
        return ()
    out: dict[str, Any] = {}
    for name in model.model_fields_set:
        value, default = getattr(model, name), CONNECTOR_OPTIONS[name]
        if isinstance(default, tuple):
            value = (value,) if isinstance(value, str) else tuple(value)
        elif isinstance(default, int | float) and not isinstance(default, bool) \
                and value is not None:
            value = type(default)(value)
        out[name] = value
    return tuple(sorted(out.items()))


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
