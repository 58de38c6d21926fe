"""The connector interface: where data lives, turned into Arrow record batches.

A connector opens a *source* (a file, a directory entry, a database URL) and
yields its *tables*. A table yields ``pyarrow.RecordBatch`` objects, either a
bounded sample (``ReadPlan.sample_size``) or every row in batches
(``ReadPlan.sample_size is None``), so memory stays flat however large the
table is.

Connectors never import detectors. Errors they raise carry messages that name
the place and the problem, never a sampled value or a password.
"""

from __future__ import annotations

import fnmatch
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Arrow loads with the first reader, not with the CLI's --help
    import pyarrow as pa

DEFAULT_SAMPLE_SIZE = 10_000
DEFAULT_BATCH_SIZE = 65_536


#: Schema metadata marking a batch that supplements the sample (extra non-null
#: values for a sparse column): its rows are not counted as rows read.
SUPPLEMENT_KEY = b"piiscan.supplement"


def is_supplement(batch: pa.RecordBatch) -> bool:
    """Tell whether a batch only adds values for sparse columns."""
    meta = batch.schema.metadata
    return bool(meta) and SUPPLEMENT_KEY in meta


class SourceError(Exception):
    """A source could not be opened or listed. The message is safe to show."""


class UnrecognisedSource(SourceError):
    """No connector recognises this file (raised for files found inside a directory)."""


class TableError(Exception):
    """One table could not be read. The message is safe to show."""


@dataclass(frozen=True)
class ReadPlan:
    """How much of a table to read.

    ``sample_size=None`` means every row (``--full``).
    """

    sample_size: int | None = DEFAULT_SAMPLE_SIZE
    batch_size: int = DEFAULT_BATCH_SIZE
    seed: int = 0

    @property
    def full(self) -> bool:
        return self.sample_size is None


@dataclass(frozen=True)
class ConnectorOptions:
    """Options every connector receives; each uses the ones that apply to it."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    include_views: bool = False
    query_timeout: float = 30.0
    #: Seconds one source may take in all (listing and every table); tables not
    #: started by then fail with that reason, one being read stops where it is.
    source_timeout: float = 3600.0
    jobs: int = 2
    encoding: str | None = None
    delimiter: str | None = None
    header: bool | None = None
    cdr_format: str | None = None
    cdr_layout: str | None = None
    #: An S3-compatible endpoint (MinIO, Ceph, a test server); AWS_ENDPOINT_URL otherwise.
    endpoint_url: str | None = None

    def wants(self, *parts: str) -> bool:
        """Tell whether ``schema.table[.column]`` passes the include/exclude globs."""
        name = ".".join(p for p in parts if p)
        if self.include and not any(_glob(name, pat) for pat in self.include):
            return False
        return not any(_glob(name, pat) for pat in self.exclude)


def _glob(name: str, pattern: str) -> bool:
    # A pattern naming fewer parts than the name matches its prefix:
    # `public.users` selects every column of that table.
    if fnmatch.fnmatchcase(name, pattern):
        return True
    return fnmatch.fnmatchcase(name, pattern + ".*")


#: Table-level record kinds: voice CDRs/SMDR/SIP accounting, SMS/MMS logs,
#: per-subscriber usage (aggregates, RADIUS sessions), IP assignments (DHCP
#: leases, framed IPs, NAT logs) and network logs (web, Zeek, W3C, syslog).
RECORD_KINDS = ("call_detail", "messaging", "subscriber_usage", "ip_assignment", "network_log")


@dataclass(frozen=True)
class ColumnInfo:
    """A column as the source declares it."""

    name: str
    data_type: str = ""
    comment: str | None = None
    #: Why the column is not scanned (binary data, say); None when it is.
    skip_reason: str | None = None


@dataclass
class Table(ABC):
    """One table, file or record set within a source."""

    name: str
    columns: list[ColumnInfo]
    schema: str | None = None
    rows_total: int | None = None
    #: The format a connector recognised (e.g. ``asterisk-cdr-csv``), and why.
    format: str | None = None
    format_reason: str | None = None
    #: Problems found while reading (malformed lines, by number). Never content.
    warnings: list[str] = field(default_factory=list)
    #: Whether the connector knows this to be a call record (a CDR file).
    is_call_record: bool | None = None
    #: What kind of records the connector knows the table to hold (one of
    #: :data:`RECORD_KINDS`), or None when the scan decides from the columns.
    record_kind: str | None = None
    #: Whether skipped malformed rows make the table's result partial (exit code 3).
    partial_on_warnings: bool = True

    @abstractmethod
    def batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        """Yield record batches whose schema follows ``columns`` (skipped columns may be absent)."""


class Source(ABC):
    """Something to scan: a file, a directory entry, a database."""

    #: Short machine name of the connector, e.g. ``csv``, ``postgresql``.
    kind: str = ""

    def __init__(self, spec: str, options: ConnectorOptions) -> None:
        self.spec = spec
        self.options = options

    @property
    def name(self) -> str:
        """How the source is shown: a path, or a URL without its password."""
        return self.spec

    @abstractmethod
    def tables(self) -> Iterator[Table]:
        """Yield the tables to scan. Raise SourceError when the source cannot be opened."""

    @property
    def concurrency(self) -> int:
        """How many of this source's tables may be read at once (``--jobs`` for databases)."""
        return 1

    def close(self) -> None:  # noqa: B027 - an optional hook: most sources hold nothing open
        """Release connections and file handles."""

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
