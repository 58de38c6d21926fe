"""The database connector: which specs it claims, and the source they open.

Sources are URLs (``postgresql://user@host/db``, ``mysql+pymysql://...``,
``sqlite:///path.db``) or SQLite files recognised by their header. The URL is
parsed here (``postgres://`` is PostgreSQL, a ``sqlite`` URL names a file);
connections, listing and reads are delegated to the layers below.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from connectors.base import ConnectorOptions, Source, SourceError, Table
from connectors.registry import Sniff, register
from scanner.redact import redact_url

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from connectors.sql.flavors import Flavor

# SQLAlchemy, sqlglot and the layers below are imported when a database is opened
# (or a URL claimed), not when the registry lists this connector for a file scan.

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"

_URL_SCHEMES = ("postgresql", "postgres", "mysql", "mariadb", "sqlite")


@register
class SqlSource(Source):
    """A database reached through SQLAlchemy: one table per base table (and view)."""

    kind = "sql"

    def __init__(self, spec: str, options: ConnectorOptions) -> None:
        from sqlalchemy.engine import URL, make_url
        from sqlalchemy.exc import ArgumentError

        from connectors.sql.session import Session, url_error
        from connectors.sql.warehouse import flavor_for

        super().__init__(spec, options)
        sqlite_path: str | None = None
        if "://" in spec:
            try:
                url = make_url(spec)
            except ArgumentError as exc:
                raise SourceError(url_error(spec)) from exc
            if url.get_backend_name() == "postgres":
                url = url.set(drivername="postgresql" + url.drivername[len("postgres"):])
            if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
                sqlite_path = url.database
        else:
            sqlite_path = spec
            url = URL.create("sqlite", database=spec)
        self.flavor: Flavor = flavor_for(url.get_backend_name())
        self.kind = self.flavor.name if self.flavor.name != "sql" else url.get_backend_name()
        self.session = Session(
            spec,
            url,
            self.flavor,
            sqlite_path=sqlite_path,
            timeout=options.query_timeout,
            pool_size=self.concurrency,
        )

    # ------------------------------------------------------------ identity

    @classmethod
    def claims(cls, sniff: Sniff, options: ConnectorOptions) -> int:
        """Claim database URLs, and files that start with the SQLite header."""
        if sniff.path is not None:
            return 90 if sniff.head.startswith(SQLITE_MAGIC) else 0
        scheme = sniff.scheme
        backend = scheme.split("+", 1)[0]
        if backend in _URL_SCHEMES:
            return 80
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        try:
            make_url(sniff.spec).get_dialect()
        except (ArgumentError, NoSuchModuleError, ValueError):
            return 0
        except Exception:  # noqa: BLE001 - a third-party dialect failing to load is not ours
            return 0
        return 10

    @property
    def name(self) -> str:
        """The URL without its password (or the SQLite file's path)."""
        if "://" not in self.spec:
            return self.spec
        return redact_url(self.spec)

    @property
    def place(self) -> str:
        """Where the database lives, for messages: ``host:port/db`` or a file path."""
        return self.session.place

    @property
    def concurrency(self) -> int:
        """How many tables may be read at once (``Table.batches`` from as many threads)."""
        return max(1, self.options.jobs)

    # ------------------------------------------------------------ connections

    def engine(self) -> Engine:
        """Return the (lazily created) engine; raise SourceError if its driver is missing."""
        return self.session.engine()

    def reset_pool(self) -> None:
        """Drop the pooled connections after a disconnect (see :meth:`Session.reset_pool`)."""
        self.session.reset_pool()

    def connect(self) -> Connection:
        """Check out a connection; raise SourceError naming host:port when there is none."""
        return self.session.connect()

    def close(self) -> None:
        """Dispose of the connection pool."""
        self.session.close()

    # ------------------------------------------------------------ listing

    def tables(self) -> Iterator[Table]:
        """List base tables (and views on request) of every non-system schema."""
        from connectors.sql.catalog import Catalog

        listed = Catalog(self.session, self.options).tables()
        log.info("%s: %d tables to scan", self.name, len(listed))
        yield from listed

    # ------------------------------------------------------------ fault handling

    def mark_lost(self, reason: str) -> None:
        """Remember that the server is gone: every later read fails at once."""
        self.session.mark_lost(reason)

    @property
    def lost(self) -> str | None:
        """Why the source can no longer be read, or None."""
        return self.session.lost
