"""The PostgreSQL connector against the real server on 127.0.0.1:5432."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator

import pyarrow as pa
import pytest
import sqlalchemy as sa
from db_fixtures import database_with, pg_database, pg_exec, read, scan_tables, unique

from connectors.base import ConnectorOptions, ReadPlan, SourceError, TableError, is_supplement
from connectors.sql.source import SqlSource

pytestmark = pytest.mark.db

ODD_TABLE = 'x"; DROP TABLE y; --'

FIXTURES = [
    """CREATE TABLE customers (
        id serial PRIMARY KEY, full_name text, card_no bigint, phone bigint,
        ip inet, net cidr, mac macaddr, device uuid, profile jsonb, prefs json,
        tags text[], grid int[][], dob date, seen timestamptz, local_ts timestamp,
        balance numeric(10, 2), account numeric(12, 0), wide numeric, photo bytea,
        active boolean)""",
    """INSERT INTO customers (full_name, card_no, phone, ip, net, mac, device, profile, prefs,
        tags, grid, dob, seen, local_ts, balance, account, wide, photo, active)
       SELECT 'Person ' || g, 4111111111111111, 2025550100 + g, ('192.0.2.' || (g % 250))::inet,
        '10.0.0.0/8', '08:00:2b:01:02:03', md5(g::text)::uuid,
        jsonb_build_object('email', 'p' || g || '@example.com', 'phone', '+1 202 555 0100',
                           'address', jsonb_build_object('city', 'Springfield', 'zip', '12345')),
        json_build_array('a', g), ARRAY['x' || g, 'y'], ARRAY[[1, 2], [3, 4]],
        date '1980-01-01' + g, timestamptz '2024-01-01 00:00:00+00', timestamp '2024-01-02',
        g / 4.0, 100000000000 + g, 12345678901234567890, '\\x00ff', g % 2 = 0
       FROM generate_series(1, 300) g""",
    "CREATE TABLE big (id bigserial PRIMARY KEY, val text, sparse text)",
    """INSERT INTO big (val, sparse) SELECT 'v' || g, CASE WHEN g % 500 = 0 THEN 's' || g END
       FROM generate_series(1, 200000) g""",
    "CREATE TABLE nokey (a int, b text)",
    "INSERT INTO nokey SELECT g, 't' || g FROM generate_series(1, 1000) g",
    "CREATE TABLE y (id int)",
    "INSERT INTO y VALUES (1)",
    'CREATE SCHEMA "Odd Schema"',
    f"""CREATE TABLE "Odd Schema"."{ODD_TABLE.replace('"', '""')}" (
        "select" text, "Mixed Case" text, "with space" text, "ünïcödé" text, "100%" text,
        "a""b" text, "from" int)""",
    f"""INSERT INTO "Odd Schema"."{ODD_TABLE.replace('"', '""')}"
        VALUES ('s', 'm', 'w', 'u', 'p', 'q', 1), ('s2', 'm2', 'w2', 'u2', 'p2', 'q2', 2)""",
    "CREATE VIEW slow AS SELECT pg_sleep(5)::text AS s, 1 AS x",
    "CREATE TABLE secret (ssn text)",
    "INSERT INTO secret VALUES ('x')",
    "CREATE TABLE exact (id int PRIMARY KEY, v text)",
    "INSERT INTO exact SELECT g, 'e' || g FROM generate_series(1, 500) g",
    "CREATE TABLE dense (id int PRIMARY KEY, v text)",
    "INSERT INTO dense SELECT g, 'd' || g FROM generate_series(1, 60000) g",
    "CREATE TABLE exact_nokey (v text)",
    "INSERT INTO exact_nokey SELECT 'e' || g FROM generate_series(1, 500) g",
    "ANALYZE",
]


@pytest.fixture(scope="module")
def pg() -> Iterator[str]:
    yield from database_with(pg_database(), pg_exec, FIXTURES)


@pytest.fixture(scope="module")
def tables(pg: str) -> dict[str, object]:
    _src, tables = scan_tables(pg)
    return tables


def test_lists_user_tables_without_views_or_system_schemas(tables: dict[str, object]) -> None:
    assert set(tables) == {
        "public.customers", "public.big", "public.nokey", "public.y", "public.secret",
        "public.exact", "public.exact_nokey", "public.dense", f"Odd Schema.{ODD_TABLE}",
    }


def test_views_only_on_request(pg: str) -> None:
    _src, tables = scan_tables(pg, ConnectorOptions(include_views=True))
    assert "public.slow" in tables


def test_types_become_scannable_arrow_values(tables: dict[str, object]) -> None:
    t = tables["public.customers"]
    info = {c.name: c for c in t.columns}
    assert info["photo"].skip_reason and "bytea" in info["photo"].skip_reason
    assert info["tags"].data_type == "text[]"
    data = read(t)
    assert data.num_rows == 300
    assert "photo" not in data.column_names
    types = dict(zip(data.column_names, data.schema.types, strict=True))
    assert types["card_no"] == pa.int64() and types["phone"] == pa.int64()
    assert types["dob"] == pa.date32()
    assert types["seen"] == pa.timestamp("us", tz="UTC")
    assert types["local_ts"] == pa.timestamp("us")
    assert types["balance"] == pa.float64()
    assert types["account"] == pa.int64()
    assert types["wide"] == pa.string()  # unbounded numeric keeps every digit
    assert types["active"] == pa.bool_()
    row = {k: v for k, v in data.slice(0, 1).to_pylist()[0].items()}
    first = data.to_pylist()
    by_name = {r["full_name"]: r for r in first}
    r1 = by_name["Person 1"]
    assert r1["card_no"] == 4111111111111111
    assert r1["ip"] == "192.0.2.1"
    assert r1["net"] == "10.0.0.0/8"
    assert r1["mac"] == "08:00:2b:01:02:03"
    assert len(r1["device"]) == 36
    assert r1["dob"] == dt.date(1980, 1, 2)
    assert r1["wide"] == "12345678901234567890"
    # arrays flatten to one string cell; nested arrays too
    assert r1["tags"] == "x1; y"
    assert r1["grid"] == "1; 2; 3; 4"
    # jsonb: the leaves as text, and one sub-column per recurring top-level key
    assert r1["profile"] == "p1@example.com; +1 202 555 0100; Springfield; 12345" or (
        set(r1["profile"].split("; ")) == {"p1@example.com", "+1 202 555 0100", "Springfield",
                                           "12345"})
    assert r1["profile.email"] == "p1@example.com"
    assert r1["profile.phone"] == "+1 202 555 0100"
    assert r1["profile.address"] in ("Springfield; 12345", "12345; Springfield")
    assert info["profile.email"].data_type == "jsonb key"
    assert r1["prefs"] == "a; 1"
    assert row  # a first row exists


def test_large_table_is_sampled_not_read(tables: dict[str, object]) -> None:
    t = tables["public.big"]
    assert t.rows_total is not None and 150_000 < t.rows_total < 250_000
    started = time.monotonic()
    data = read(t, ReadPlan(sample_size=2000))
    elapsed = time.monotonic() - started
    ids = data.column("val").to_pylist()
    assert 1000 <= len(ids) <= 2000
    assert len(set(ids)) == len(ids)
    numbers = sorted(int(v[1:]) for v in ids)
    # spread across the table, not the first N rows
    assert numbers[-1] - numbers[0] > 100_000
    assert elapsed < 5


def test_sample_is_repeatable_for_a_seed(tables: dict[str, object]) -> None:
    t = tables["public.big"]
    a = read(t, ReadPlan(sample_size=500, seed=7)).column("val").to_pylist()
    b = read(t, ReadPlan(sample_size=500, seed=7)).column("val").to_pylist()
    assert a == b


def test_sparse_column_gets_a_topup_batch(tables: dict[str, object]) -> None:
    t = tables["public.big"]
    batches = list(t.batches(ReadPlan(sample_size=2000)))
    supplements = [b for b in batches if is_supplement(b)]
    assert len(supplements) == 1
    extra = supplements[0]
    assert extra.column("sparse").null_count < extra.num_rows
    assert extra.column("val").null_count == extra.num_rows
    main_values = sum(b.num_rows - b.column("sparse").null_count for b in batches
                      if b not in supplements)
    assert extra.num_rows - extra.column("sparse").null_count > main_values


def test_small_table_is_read_whole(tables: dict[str, object]) -> None:
    data = read(tables["public.nokey"], ReadPlan(sample_size=5000))
    assert sorted(data.column("a").to_pylist()) == list(range(1, 1001))


def _data_queries(table: object, plan: ReadPlan) -> tuple[pa.Table, list[str]]:
    """Read ``table`` and list the statements that read its rows (the server's own counts)."""
    seen: list[str] = []
    engine = table.db().engine()  # type: ignore[attr-defined]

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        words = statement.upper().split()
        if words and words[0] == "SELECT" and "FROM" in words:
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        data = read(table, plan, supplement=True)  # type: ignore[arg-type]
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return data, seen


@pytest.mark.parametrize("name", ["public.exact", "public.exact_nokey", "public.nokey"])
def test_table_the_size_of_the_sample_is_one_query(pg: str, name: str) -> None:
    # LIMIT n returning n rows used to be read as stale statistics: a second,
    # sampled query and a top-up followed. One more row asked says it all.
    _src, tables = scan_tables(pg)
    size = 1000 if name == "public.nokey" else 500
    data, queries = _data_queries(tables[name], ReadPlan(sample_size=size))
    assert data.num_rows == size
    assert len(queries) == 1, queries


def test_large_table_is_one_query_plus_a_top_up_for_sparse_columns(pg: str) -> None:
    _src, tables = scan_tables(pg)
    data, queries = _data_queries(tables["public.dense"], ReadPlan(sample_size=2000))
    assert 1000 <= data.num_rows <= 2000
    assert len(queries) == 1, queries  # TABLESAMPLE, nothing else
    _data, queries = _data_queries(tables["public.big"], ReadPlan(sample_size=2000))
    assert len(queries) == 2, queries  # the sample and the sparse column's top-up


def test_full_scan_streams_every_row_once(tables: dict[str, object]) -> None:
    t = tables["public.big"]
    sizes = [b.num_rows for b in t.batches(ReadPlan(sample_size=None, batch_size=50_000))]
    assert sizes == [50_000] * 4
    nokey = read(tables["public.nokey"], ReadPlan(sample_size=None, batch_size=300))
    assert sorted(nokey.column("a").to_pylist()) == list(range(1, 1001))


def test_odd_identifiers_are_names_only(pg: str, tables: dict[str, object]) -> None:
    t = tables[f"Odd Schema.{ODD_TABLE}"]
    assert [c.name for c in t.columns] == [
        "select", "Mixed Case", "with space", "ünïcödé", "100%", 'a"b', "from"]
    for plan in (ReadPlan(), ReadPlan(sample_size=None)):
        data = read(t, plan)
        assert sorted(data.column('a"b').to_pylist()) == ["q", "q2"]
        assert sorted(data.column("100%").to_pylist()) == ["p", "p2"]
    engine = sa.create_engine(pg)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM y").scalar_one() == 1
    engine.dispose()


def test_include_and_exclude_globs(pg: str) -> None:
    _src, tables = scan_tables(pg, ConnectorOptions(include=("public.customers.profile*",)))
    assert list(tables) == ["public.customers"]
    assert [c.name for c in tables["public.customers"].columns] == [
        "profile", "profile.address", "profile.email", "profile.phone"]
    _src, tables = scan_tables(pg, ConnectorOptions(exclude=("public.big", "Odd Schema.*",
                                                             "*.*.photo", "public.exact*",
                                                             "public.dense")))
    assert set(tables) == {"public.customers", "public.nokey", "public.y", "public.secret"}
    assert "photo" not in [c.name for c in tables["public.customers"].columns]


def test_sessions_are_read_only(pg: str) -> None:
    src = SqlSource(pg, ConnectorOptions())
    with src.connect() as conn, pytest.raises(sa.exc.DBAPIError) as err:
        conn.exec_driver_sql("INSERT INTO y VALUES (2)")
    assert getattr(err.value.orig, "sqlstate", None) == "25006"
    src.close()


def test_slow_view_times_out_and_only_that_table_fails(pg: str) -> None:
    _src, tables = scan_tables(pg, ConnectorOptions(include_views=True, query_timeout=0.5))
    started = time.monotonic()
    with pytest.raises(TableError, match=r"public\.slow: timed out"):
        read(tables["public.slow"])
    assert time.monotonic() - started < 3
    assert read(tables["public.y"]).num_rows == 1


@pytest.fixture()
def reader_role(pg: str) -> Iterator[str]:
    role = unique("piiscan_r")
    db = pg.rsplit("/", 1)[1]
    pg_exec(pg, f"CREATE ROLE {role} LOGIN", f'GRANT CONNECT ON DATABASE "{db}" TO {role}',
            f"GRANT USAGE ON SCHEMA public TO {role}",
            f"GRANT SELECT ON y, nokey, big TO {role}")
    yield role
    pg_exec(pg, f"DROP OWNED BY {role}", f"DROP ROLE IF EXISTS {role}")


def test_table_without_select_fails_alone(pg: str, reader_role: str) -> None:
    url = pg.replace("postgres@", f"{reader_role}:hunter2@")
    src, tables = scan_tables(url)
    assert "public.secret" in tables
    with pytest.raises(TableError) as err:
        read(tables["public.secret"])
    assert str(err.value) == "public.secret: permission denied"
    assert read(tables["public.y"]).num_rows == 1
    assert "hunter2" not in src.name


def _terminate(pg: str) -> None:
    db = pg.rsplit("/", 1)[1]
    pg_exec(
        pg,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        f" WHERE application_name = 'piiscan' AND datname = '{db}'",
    )


def test_connection_killed_mid_scan_resumes_by_key(pg: str, tables: dict[str, object]) -> None:
    t = tables["public.big"]
    seen: list[str] = []
    for i, batch in enumerate(t.batches(ReadPlan(sample_size=None, batch_size=40_000))):
        seen.extend(batch.column("val").to_pylist())
        if i == 0:
            _terminate(pg)
    assert len(seen) == 200_000
    assert len(set(seen)) == 200_000


def test_connection_killed_without_key_fails_that_table(pg: str) -> None:
    _src, tables = scan_tables(pg)
    t = tables["public.nokey"]
    gen = t.batches(ReadPlan(sample_size=None, batch_size=10))
    next(gen)
    _terminate(pg)
    with pytest.raises(TableError, match=r"public\.nokey: connection lost after \d+ rows"):
        list(gen)
    # the next table gets a fresh connection
    assert read(tables["public.y"]).num_rows == 1


def test_reconnect_failing_marks_what_is_left_failed(pg: str, reader_role: str) -> None:
    url = pg.replace("postgres@", f"{reader_role}@")
    _src, tables = scan_tables(url)
    gen = tables["public.big"].batches(ReadPlan(sample_size=None, batch_size=1000))
    next(gen)
    pg_exec(pg, f"ALTER ROLE {reader_role} NOLOGIN")
    _terminate(pg)
    with pytest.raises(TableError, match="public.big: .*cannot connect"):
        list(gen)
    with pytest.raises(TableError, match="public.y: not read, connection lost"):
        read(tables["public.y"])


def test_tables_read_concurrently_share_the_pool(tables: dict[str, object]) -> None:
    errors: list[BaseException] = []
    counts: dict[str, int] = {}

    def work(name: str) -> None:
        try:
            counts[name] = read(tables[name]).num_rows
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in
               ("public.customers", "public.big", "public.nokey", "public.y")]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert counts["public.customers"] == 300 and counts["public.y"] == 1


def test_unreachable_server_names_host_port_not_password() -> None:
    src = SqlSource("postgresql://alice:s3cr3t@127.0.0.1:1/nope", ConnectorOptions())
    assert src.name == "postgresql://alice:***@127.0.0.1:1/nope"
    with pytest.raises(SourceError) as err:
        list(src.tables())
    message = str(err.value)
    assert "127.0.0.1:1" in message and "s3cr3t" not in message
    assert "\n" not in message


def test_missing_database_is_a_source_error(pg: str) -> None:
    url = "postgresql+psycopg://postgres:pw0rd@127.0.0.1:5432/" + unique("missing")
    with pytest.raises(SourceError, match="database does not exist") as err:
        scan_tables(url)
    assert "pw0rd" not in str(err.value)
