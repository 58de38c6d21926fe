"""How a table's rows are read: a bounded sample, or every row in pages.

Sampling reads a bounded slice of each table, never the whole of a large one:

* PostgreSQL: ``TABLESAMPLE SYSTEM`` (whole pages) for large tables,
  ``BERNOULLI`` (row by row, a sequential scan) for mid-sized ones, a plain read
  for tables no larger than the sample.
* MySQL/MariaDB and SQLite: ranges of an integer primary key (or rowid) at
  random start points; ``RAND() < f`` (a scan without a sort) when there is no
  such key.

Columns the sample left mostly empty get one extra, bounded top-up query drawn
the same way. ``--full`` pages through tables by primary key (so a dropped
connection can resume where it stopped) or, without a key, streams a
server-side cursor.
"""

from __future__ import annotations

import logging
import math
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from connectors.base import SUPPLEMENT_KEY, ReadPlan, TableError
from connectors.sql.arrow import Converter
from connectors.sql.query import TableQuery
from connectors.sql.session import fetch

log = logging.getLogger(__name__)

#: Up to this many times the sample size, PostgreSQL samples row by row (BERNOULLI
#: scans the table; at 20 x 10,000 rows that is a few tens of milliseconds).
BERNOULLI_MAX_FACTOR = 2
#: TABLESAMPLE SYSTEM asks for this many times the rows it needs: pages vary in
#: how many live rows they hold, and LIMIT trims the surplus.
SYSTEM_OVERSAMPLE = 1.5
#: Key-range sampling reads this many ranges at random start points.
KEY_RANGES = 32
#: A column is sparse when fewer than this share of the sampled rows hold a value;
#: sparse columns get one extra, bounded query for non-null values.
SPARSE_SHARE = 0.1
#: Schema metadata on a batch that only tops up sparse columns (other columns null).
SUPPLEMENT_METADATA = {SUPPLEMENT_KEY: b"1"}


@dataclass(frozen=True)
class Method:
    """How a sample was drawn, so a top-up query can draw the same way."""

    name: str
    exhaustive: bool = False
    fraction: float = 1.0
    lo: int | None = None
    hi: int | None = None


# ------------------------------------------------------------------ samples


def sample(table: TableQuery, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
    """Yield a bounded sample of ``table``, then a top-up batch for its sparse columns."""
    session = table.db()
    n = max(1, int(plan.sample_size or 1))
    seed = (plan.seed * 1_000_003 + zlib.crc32(table.path.encode("utf-8"))) & 0x7FFFFFFF
    rows, method = session.run(table.path, lambda conn: _sample_rows(table, conn, n, seed))
    if table.rows_total is None and not table.is_view and session.flavor.name == "sqlite":
        session.run(table.path, lambda conn: rows_estimate(table, conn))
    converters = table.converters()
    nonnull: dict[str, int] = {}
    plain = [c for c in table.readable() if c.json_key is None]
    for start in range(0, max(len(rows), 1), plan.batch_size):
        chunk = rows[start:start + plan.batch_size]
        if chunk:
            batch = table.to_batch(converters, chunk)
            for c in plain:
                arr = batch.column(c.info.name)
                nonnull[c.db_name] = nonnull.get(c.db_name, 0) + len(arr) - arr.null_count
            yield batch
    if method.exhaustive or not rows:
        return
    sparse = [i for i, name in enumerate(table.db_names())
              if nonnull.get(name, 0) < SPARSE_SHARE * len(rows)]
    extra = _supplement(table, sparse, len(rows), method, n, seed)
    if extra:
        yield table.to_batch(converters, extra, SUPPLEMENT_METADATA)
    table.note_dropped(converters)


def _sample_rows(
    table: TableQuery, conn: Connection, n: int, seed: int
) -> tuple[list[Any], Method]:
    flavor = table.db().flavor
    tbl, cols = table.selectable()
    if table.is_view or (table.rows_total is None and flavor.name not in ("sqlite", "mysql")
                         and not (flavor.tablesample and table.pages)):
        return _read_up_to(conn, tbl, cols, n)
    if flavor.tablesample:
        return _sample_tablesample(table, conn, tbl, cols, n, seed)
    pushdown = getattr(flavor, "sample_statement", None)  # warehouses (connectors.sql.warehouse)
    if pushdown is not None and table.rows_total is not None and table.rows_total > n:
        percent = min(100.0, 100.0 * n * SYSTEM_OVERSAMPLE / table.rows_total)
        stmt = pushdown(sa.select(*cols).select_from(tbl), conn.dialect, percent, seed, n * 4)
        rows = fetch(conn, stmt)
        if len(rows) > n:
            rows = random.Random(seed).sample(rows, n)
        return list(rows), Method("pushdown", fraction=percent / 100.0)
    if table.key is not None and table.key_is_int:
        return _sample_key_ranges(table, conn, n, seed)
    total = rows_estimate(table, conn)
    if total is not None and total <= n:
        return _read_up_to(conn, tbl, cols, n)
    if total is None:
        total = n * BERNOULLI_MAX_FACTOR
    fraction = min(1.0, n * 1.5 / max(total, 1))
    pred = flavor.rand_below(fraction, seed)
    rows = fetch(conn, sa.select(*cols).select_from(tbl).where(pred).limit(n))
    return list(rows), Method("random", fraction=fraction)


def _read_up_to(
    conn: Connection, tbl: sa.TableClause, cols: list[Any], n: int
) -> tuple[list[Any], Method]:
    """Read a table expected to hold at most ``n`` rows, in one query.

    One row more than the sample is asked for: a table of exactly ``n`` rows is
    then known to be read whole (no second look, no top-up), and one more row
    says the table is larger than the sample.
    """
    rows = fetch(conn, sa.select(*cols).select_from(tbl).limit(n + 1))
    if len(rows) > n:
        return list(rows[:n]), Method("plain")
    return list(rows), Method("plain", exhaustive=True)


def rows_estimate(table: TableQuery, conn: Connection) -> int | None:
    """Return the table's row count estimate; SQLite (no statistics) counts, once."""
    if table.rows_total is not None:
        return table.rows_total
    if table.db().flavor.name == "sqlite":
        tbl = table.sa_table()
        try:
            table.rows_total = int(
                conn.execute(sa.select(sa.func.count()).select_from(tbl)).scalar_one()
            )
        except SQLAlchemyError:
            conn.rollback()
            return None
    return table.rows_total


def _sample_tablesample(
    table: TableQuery, conn: Connection, tbl: sa.TableClause, cols: list[Any], n: int, seed: int
) -> tuple[list[Any], Method]:
    total = table.rows_total
    if total is None:
        total = (table.pages or 0) * 50
    if total <= n:
        # n + 1 rows asked: a table of exactly n rows is read whole in this one query.
        rows = fetch(conn, sa.select(*cols).select_from(tbl).limit(n + 1))
        if len(rows) <= n:
            return list(rows), Method("plain", exhaustive=True)
        # Statistics were stale: the table grew. Sample it after all.
        total = n * BERNOULLI_MAX_FACTOR * 2
    method = "bernoulli" if total <= n * BERNOULLI_MAX_FACTOR else "system"
    over = 1.2 if method == "bernoulli" else SYSTEM_OVERSAMPLE
    percent = min(100.0, 100.0 * n * over / max(total, 1))
    rows: list[Any] = []
    for _ in range(3):
        fn = sa.func.bernoulli if method == "bernoulli" else sa.func.system
        drawn = sa.tablesample(tbl, fn(percent), name="s", seed=sa.literal(seed))
        # LIMIT would keep the first pages in physical order: fetch the whole
        # (oversampled, capped) sample and thin it out client-side instead.
        stmt = sa.select(*table.exprs(drawn)).limit(n * 4)
        rows = fetch(conn, stmt)
        if len(rows) >= n // 2 or percent >= 100.0:
            break
        # Fewer rows than the statistics promised (stale, or pages mostly dead):
        # widen the sample rather than fall back to reading everything.
        percent = min(100.0, percent * max(2.0, n / max(len(rows), 1)))
    log.debug("%s: %s sample at %.4f%% gave %d rows", table.path, method, percent, len(rows))
    if len(rows) > n:
        rows = random.Random(seed).sample(rows, n)
    return rows, Method(method, fraction=percent / 100.0)


def _sample_key_ranges(
    table: TableQuery, conn: Connection, n: int, seed: int
) -> tuple[list[Any], Method]:
    assert table.key is not None
    tbl, cols = table.selectable([table.key])
    key = tbl.c[table.key]
    lo, hi = conn.execute(sa.select(sa.func.min(key), sa.func.max(key)).select_from(tbl)).one()
    if lo is None:
        return [], Method("plain", exhaustive=True)
    lo, hi = int(lo), int(hi)
    span = hi - lo + 1
    if span <= n:
        return _read_up_to(conn, tbl, cols, n)
    rng = random.Random(seed)
    count = min(KEY_RANGES, n)
    starts = sorted(rng.sample(range(lo, hi + 1), count))
    ends = starts[1:] + [hi + 1]
    per = math.ceil(n / count)
    rows: list[Any] = []
    # Each range continues from where it stopped while the sample is short (gaps in
    # the key space leave some ranges empty); ranges never overlap, so no duplicates.
    open_ranges = list(zip(starts, ends, strict=True))
    for _round in range(3):
        want = n - len(rows)
        if want <= 0 or not open_ranges:
            break
        per = max(1, math.ceil(want / len(open_ranges)))
        next_open: list[tuple[int, int]] = []
        for start, end in open_ranges:
            stmt = (
                sa.select(*cols, key)
                .select_from(tbl)
                .where(key >= start, key < end)
                .order_by(key)
                .limit(per)
            )
            got = fetch(conn, stmt)
            rows.extend(r[:-1] for r in got)
            if len(got) == per and got:
                next_open.append((int(got[-1][-1]) + 1, end))
        open_ranges = next_open
    rows = rows[:n]
    if table.rows_total is None:
        rows_estimate(table, conn)
    return rows, Method("ranges", fraction=min(1.0, n / span), lo=lo, hi=hi)


def _supplement(
    table: TableQuery, sparse: list[int], sampled: int, method: Method, n: int, seed: int
) -> list[Any]:
    """Fetch non-null values for columns the sample left mostly empty (bounded, optional)."""
    session = table.db()
    tbl, cols = table.selectable()
    if not sparse or sampled < n // 2:
        return []
    want = max(100, n // 10)
    cond = sa.or_(*(cols[i].isnot(None) for i in sparse))

    def query(conn: Connection) -> list[Any]:
        if method.name in ("system", "bernoulli"):
            fn = sa.func.system if method.name == "system" else sa.func.bernoulli
            pct = min(100.0, method.fraction * 100.0 * 10)
            drawn = sa.tablesample(tbl, fn(pct), name="s", seed=sa.literal(seed + 1))
            exprs = table.exprs(drawn)
            stmt = sa.select(*exprs).where(
                sa.or_(*(exprs[i].isnot(None) for i in sparse))
            ).limit(want)
        elif method.name == "ranges" and table.key is not None:
            keyed, kexprs = table.selectable([table.key])
            key = keyed.c[table.key]
            assert method.lo is not None and method.hi is not None
            width = max(n * 10, (method.hi - method.lo) // 10)
            rng = random.Random(seed + 1)
            start = rng.randint(method.lo, max(method.lo, method.hi - width))
            stmt = (
                sa.select(*kexprs)
                .where(key >= start, key < start + width)
                .where(sa.or_(*(kexprs[i].isnot(None) for i in sparse)))
                .limit(want)
            )
        elif method.name == "random":
            pred = session.flavor.rand_below(min(1.0, method.fraction * 10), seed + 1)
            stmt = sa.select(*cols).select_from(tbl).where(pred, cond).limit(want)
        else:
            return []
        return fetch(conn, stmt)

    try:
        got = session.run(table.path, query)
    except (SQLAlchemyError, TableError) as exc:
        reason = exc if isinstance(exc, TableError) else session.flavor.classify(exc).reason
        table.warnings.append(f"sparse columns not topped up ({reason})")
        return []
    keep = set(sparse)
    return [tuple(v if i in keep else None for i, v in enumerate(r)) for r in got]


# ------------------------------------------------------------------ full reads


def full(table: TableQuery, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
    """Yield every row of ``table`` in batches of ``plan.batch_size``."""
    converters = table.converters()
    if table.key is not None:
        yield from _full_keyset(table, plan, converters)
    else:
        yield from _full_stream(table, plan, converters)
    table.note_dropped(converters)


def _full_keyset(
    table: TableQuery, plan: ReadPlan, converters: list[Converter]
) -> Iterator[pa.RecordBatch]:
    """Page by key: each page is its own short query, so a lost connection resumes."""
    assert table.key is not None
    session = table.db()
    tbl, cols = table.selectable([table.key])
    key = tbl.c[table.key]
    last: Any = None
    reconnected = False
    rows_read = 0
    conn = session.connection(table.path)
    try:
        while True:
            stmt = sa.select(*cols, key).select_from(tbl).order_by(key).limit(plan.batch_size)
            if last is not None:
                stmt = stmt.where(key > last)
            try:
                page = fetch(conn, stmt)
                conn.rollback()  # end the transaction: no snapshot held between pages
            except DBAPIError as exc:
                if session.flavor.classify(exc).disconnect and not reconnected:
                    reconnected = True
                    log.warning("%s: connection lost after %d rows; reconnecting once",
                                table.path, rows_read)
                    conn.close()
                    session.reset_pool()
                    conn = session.connection(table.path)
                    continue
                raise
            if not page:
                break
            last = page[-1][-1]
            rows_read += len(page)
            yield table.to_batch(converters, [r[:-1] for r in page])
            if len(page) < plan.batch_size:
                break
    finally:
        conn.close()
    if table.rows_total is None or rows_read > (table.rows_total or 0):
        table.rows_total = rows_read


def _full_stream(
    table: TableQuery, plan: ReadPlan, converters: list[Converter]
) -> Iterator[pa.RecordBatch]:
    """Stream through a server-side cursor (no key to resume from after a drop)."""
    session = table.db()
    tbl, cols = table.selectable()
    rows_read = 0
    for attempt in (0, 1):
        conn = session.connection(table.path)
        try:
            result = conn.execution_options(
                stream_results=True, max_row_buffer=plan.batch_size
            ).execute(sa.select(*cols).select_from(tbl))
            while True:
                session.flavor.keep_alive(conn)
                page = result.fetchmany(plan.batch_size)
                if not page:
                    break
                rows_read += len(page)
                yield table.to_batch(converters, page)
            break
        except DBAPIError as exc:
            failure = session.flavor.classify(exc)
            if failure.disconnect and attempt == 0 and rows_read == 0:
                log.warning("%s: connection lost; reconnecting once", table.path)
                session.reset_pool()
                continue
            if failure.disconnect:
                raise TableError(
                    f"{table.path}: connection lost after {rows_read} rows "
                    "(no primary key to resume from)"
                ) from exc
            raise
        finally:
            conn.close()
    table.rows_total = rows_read
