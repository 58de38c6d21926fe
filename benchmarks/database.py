"""Sampled-scan benchmark of the PostgreSQL connector (issue 3). Not part of `make test`.

Builds (once; reused afterwards) a database of 200 tables x 20 columns x 50,000
rows plus one table of 5,000,000 rows, server-side with generate_series, then
times a sampled read of every table and of the large table next to a 50,000-row
one. Prints the times, the ratio and whether the targets are met:

* the whole 200-table database sampled in under 60 s;
* the 5,000,000-row table costs at most 2x the 50,000-row one.

    .venv/bin/python benchmarks/database.py [--rebuild] [--drop] [--jobs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from connectors.base import ConnectorOptions, ReadPlan, Table  # noqa: E402
from connectors.sql.source import SqlSource  # noqa: E402

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DB = "piiscan_bench"
URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB}"
TABLES = 200
COLUMNS = 20
ROWS = 50_000
BIG_ROWS = 5_000_000


def _columns_sql() -> str:
    # A mix of shapes: ids, phone-like and card-like numbers, names, emails, dates, amounts.
    exprs = ["g AS id"]
    for i in range(1, COLUMNS):
        kind = i % 5
        if kind == 0:
            exprs.append(f"2025550000 + (g * {i}) % 10000 AS phone_{i}")
        elif kind == 1:
            exprs.append(f"'user' || (g * {i}) % 99991 || '@example.com' AS email_{i}")
        elif kind == 2:
            exprs.append(f"date '1950-01-01' + (g * {i}) % 20000 AS day_{i}")
        elif kind == 3:
            exprs.append(f"((g * {i}) % 100000) / 100.0 AS amount_{i}")
        else:
            exprs.append(f"md5((g + {i})::text) AS text_{i}")
    return ", ".join(exprs)


def build(rebuild: bool) -> None:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB,)).fetchone()
        if exists and not rebuild:
            print(f"reusing database {DB} (--rebuild to recreate)")
            return
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    started = time.monotonic()
    with psycopg.connect(ADMIN.rsplit("/", 1)[0] + f"/{DB}", autocommit=True) as conn:
        cols = _columns_sql()
        conn.execute(f"CREATE TABLE t000 AS SELECT {cols} FROM generate_series(1, {ROWS}) g")
        conn.execute("ALTER TABLE t000 ADD PRIMARY KEY (id)")
        for i in range(1, TABLES):
            conn.execute(f"CREATE TABLE t{i:03d} (LIKE t000 INCLUDING ALL)")
            conn.execute(f"INSERT INTO t{i:03d} SELECT * FROM t000")
        conn.execute(f"CREATE TABLE big AS SELECT {cols} FROM generate_series(1, {BIG_ROWS}) g")
        conn.execute("ALTER TABLE big ADD PRIMARY KEY (id)")
        conn.execute("VACUUM ANALYZE")
    print(f"built {TABLES} x {COLUMNS} x {ROWS:,} + {BIG_ROWS:,} rows "
          f"in {time.monotonic() - started:.1f} s")


def _read(table: Table, plan: ReadPlan) -> int:
    return sum(b.num_rows for b in table.batches(plan))


def _time(table: Table, plan: ReadPlan, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.monotonic()
        _read(table, plan)
        times.append(time.monotonic() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--drop", action="store_true", help="drop the database afterwards")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sample-size", type=int, default=ReadPlan().sample_size)
    args = parser.parse_args()
    build(args.rebuild)
    plan = ReadPlan(sample_size=args.sample_size)
    src = SqlSource(URL, ConnectorOptions(jobs=args.jobs))
    try:
        started = time.monotonic()
        tables = list(src.tables())
        listed = time.monotonic() - started
        small = [t for t in tables if t.name != "big"]
        with ThreadPoolExecutor(args.jobs) as pool:
            rows = sum(pool.map(lambda t: _read(t, plan), small))
        whole = time.monotonic() - started
        by_name = {t.name: t for t in tables}
        t_small = _time(by_name["t000"], plan)
        t_big = _time(by_name["big"], plan)
    finally:
        src.close()
    # The same database through the whole scan, as `piiscan scan URL` runs it.
    from scanner.core.config import ScanConfig
    from scanner.core.engine import scan

    started = time.monotonic()
    result = scan([URL], ScanConfig(sample_size=args.sample_size,
                                    connector=ConnectorOptions(jobs=args.jobs)))
    e2e = time.monotonic() - started
    flagged = len({(t, c) for _, t, c, _ in result.flatten()})
    ratio = t_big / t_small if t_small else float("inf")
    print(f"sample size {args.sample_size}, jobs {args.jobs}")
    print(f"listing {len(tables)} tables: {listed:.2f} s")
    print(f"sampled {len(small)} tables ({rows:,} rows) incl. listing: {whole:.2f} s "
          f"[target < 60 s: {'met' if whole < 60 else 'MISSED'}]")
    print(f"piiscan scan of the whole database, detectors included: {e2e:.2f} s, "
          f"{flagged} flagged columns, complete={result.complete} "
          f"[target < 60 s: {'met' if e2e < 60 else 'MISSED'}]")
    print(f"50,000-row table: {t_small * 1000:.0f} ms; 5,000,000-row table: {t_big * 1000:.0f} ms;"
          f" ratio {ratio:.2f} [target <= 2: {'met' if ratio <= 2 else 'MISSED'}]")
    if args.drop:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    return 0 if whole < 60 and e2e < 60 and ratio <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
