"""Source identities: what baselines and history key a source's columns on.

A column's identity is ``source/table/column``. Its ``source`` part is:

* the ``name:`` the scan configuration gives the source (``crm``); a file
  found in a named directory is ``name/path inside it``;
* else, for a database URL, the URL without user, password, host, port and
  query (``postgresql:///crm``), so a baseline made on staging gates
  production and a new password or replica changes nothing;
* else the source's name (a file's path, an object store URL with its bucket).
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING

from scanner.model import ScanResult

if TYPE_CHECKING:
    from scanner.core.config_file import ConfigFile, SourceEntry

#: URL schemes whose host is part of what the data is (a bucket, a file server).
_HOST_IS_DATA = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "file",
                           "hdfs", "http", "https", "memory"})


def url_identity(url: str) -> str:
    """Return a database URL without user, password, host, port, query or fragment."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() in _HOST_IS_DATA:
        return url
    path = rest.partition("/")[2].split("?", 1)[0].split("#", 1)[0]
    return f"{scheme.lower()}:///{path}"


def source_identity(name: str, entry: SourceEntry | None) -> str:
    """Return the identity of the source scanned as ``name``, from the entry it came from."""
    if entry is not None and entry.name:
        if entry.is_url or os.path.normpath(entry.spec) == os.path.normpath(name):
            return entry.name
        if not any(ch in entry.spec for ch in "*?["):
            inside = os.path.relpath(name, entry.spec)
            if not inside.startswith(".."):
                return f"{entry.name}/{inside}"
        return f"{entry.name}/{os.path.basename(name)}"
    return url_identity(name) if "://" in name else name


def identify(result: ScanResult, config_file: ConfigFile | None) -> ScanResult:
    """Give each source of ``result`` its identity (see the module's docstring)."""
    sources = tuple(
        s.named(source_identity(s.name, config_file.entry_for(s.name) if config_file else None))
        for s in result.sources
    )
    return dataclasses.replace(result, sources=sources)
