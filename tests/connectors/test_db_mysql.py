"""The MySQL/MariaDB connector against the real MariaDB on 127.0.0.1:3306."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pyarrow as pa
import pytest
import sqlalchemy as sa
from db_fixtures import MY_ADMIN, database_with, my_database, my_exec, read, scan_tables, unique

from connectors.base import ConnectorOptions, ReadPlan, SourceError, TableError, is_supplement
from connectors.registry import open_source
from connectors.sql.source import SqlSource

pytestmark = pytest.mark.db

ODD_TABLE = "x`; DROP TABLE y; --"

FIXTURES = [
    """CREATE TABLE customers (
        id INT AUTO_INCREMENT PRIMARY KEY, full_name VARCHAR(100), card_no BIGINT,
        serial BIGINT UNSIGNED, profile JSON, dob DATE, seen DATETIME, balance DECIMAL(10, 2),
        account DECIMAL(12, 0), photo BLOB, raw VARBINARY(16), flags BIT(8), kind ENUM('a', 'b'),
        note TEXT COMMENT 'free text')""",
    """INSERT INTO customers (full_name, card_no, serial, profile, dob, seen, balance, account,
        photo, raw, flags, kind, note)
       SELECT CONCAT('Person ', seq), 4111111111111111, 18446744073709551615 - seq,
        JSON_OBJECT('email', CONCAT('p', seq, '@example.com'), 'phone', '+1 202 555 0100',
                    'tags', JSON_ARRAY('x', seq)),
        DATE('1980-01-01') + INTERVAL seq DAY, TIMESTAMP('2024-01-02 03:04:05'), seq / 4,
        100000000000 + seq, 'bin', 'bin', b'00000101', 'a', NULL
       FROM seq_1_to_300""",
    "CREATE TABLE big (id INT PRIMARY KEY, val VARCHAR(20), sparse VARCHAR(20))",
    """INSERT INTO big SELECT seq * 3, CONCAT('v', seq), IF(seq % 500 = 0, CONCAT('s', seq), NULL)
       FROM seq_1_to_200000""",
    "CREATE TABLE nokey (a INT, b VARCHAR(10))",
    "INSERT INTO nokey SELECT seq, CONCAT('t', seq) FROM seq_1_to_50000",
    "CREATE TABLE y (id INT)",
    "INSERT INTO y VALUES (1)",
    "CREATE TABLE secret (ssn VARCHAR(11))",
    "INSERT INTO secret VALUES ('x')",
    f"""CREATE TABLE `{ODD_TABLE.replace('`', '``')}` (
        `select` TEXT, `Mixed Case` TEXT, `with space` TEXT, `ünïcödé` TEXT, `100%` TEXT,
        `a"b` TEXT, `a``b` TEXT)""",
    f"""INSERT INTO `{ODD_TABLE.replace('`', '``')}` VALUES ('s', 'm', 'w', 'u', 'p', 'q', 'r'),
        ('s2', 'm2', 'w2', 'u2', 'p2', 'q2', 'r2')""",
    "CREATE VIEW slow AS SELECT SLEEP(5) AS s, 1 AS x",
    "ANALYZE TABLE big, nokey, customers",
]


@pytest.fixture(scope="module")
def my() -> Iterator[str]:
    yield from database_with(my_database(), my_exec, FIXTURES)


@pytest.fixture(scope="module")
def tables(my: str) -> dict[str, object]:
    _src, tables = scan_tables(my)
    return tables


def _db(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_lists_the_url_database_only(my: str, tables: dict[str, object]) -> None:
    db = _db(my)
    assert set(tables) == {f"{db}.{n}" for n in
                           ("customers", "big", "nokey", "y", "secret", ODD_TABLE)}


def test_mariadb_scheme_and_views_on_request(my: str) -> None:
    src = open_source(my.replace("mysql+pymysql", "mariadb+pymysql"), ConnectorOptions())
    assert isinstance(src, SqlSource) and src.kind == "mysql"
    _src, tables = scan_tables(my, ConnectorOptions(include_views=True))
    assert f"{_db(my)}.slow" in tables


def test_types(my: str, tables: dict[str, object]) -> None:
    t = tables[f"{_db(my)}.customers"]
    info = {c.name: c for c in t.columns}
    assert info["photo"].skip_reason and info["raw"].skip_reason
    assert info["note"].comment == "free text"
    data = read(t)
    types = dict(zip(data.column_names, data.schema.types, strict=True))
    assert types["card_no"] == pa.int64()
    assert types["serial"] == pa.uint64()
    assert types["dob"] == pa.date32()
    assert types["seen"] == pa.timestamp("us")
    assert types["balance"] == pa.float64()
    assert types["account"] == pa.int64()
    assert types["flags"] == pa.int64()
    rows = {r["full_name"]: r for r in data.to_pylist()}
    r1 = rows["Person 1"]
    assert r1["card_no"] == 4111111111111111
    assert r1["serial"] == 18446744073709551614
    assert r1["dob"] == dt.date(1980, 1, 2)
    assert r1["flags"] == 5
    assert r1["profile.email"] == "p1@example.com"
    assert r1["profile.tags"] == "x; 1"
    assert "p1@example.com" in r1["profile"].split("; ")
    assert r1["note"] is None


def test_primary_key_ranges_sample_across_the_table(my: str, tables: dict[str, object]) -> None:
    t = tables[f"{_db(my)}.big"]
    started = time.monotonic()
    data = read(t, ReadPlan(sample_size=2000))
    assert time.monotonic() - started < 5
    vals = data.column("val").to_pylist()
    assert len(vals) == 2000 and len(set(vals)) == 2000
    numbers = sorted(int(v[1:]) for v in vals)
    # 32 ranges start at random keys (the seed includes the database's random name): the
    # sample reaches both quarters at the ends, where the first 2,000 rows would not.
    assert numbers[0] < 50_000 and numbers[-1] > 150_000
    assert read(t, ReadPlan(sample_size=2000)).column("val").to_pylist() == vals


def test_sparse_columns_are_topped_up(my: str, tables: dict[str, object]) -> None:
    t = tables[f"{_db(my)}.big"]
    batches = list(t.batches(ReadPlan(sample_size=2000)))
    supplement = [b for b in batches if is_supplement(b)]
    assert len(supplement) == 1
    assert supplement[0].column("sparse").null_count < supplement[0].num_rows


def test_table_without_key_is_sampled_by_rand(my: str, tables: dict[str, object]) -> None:
    t = tables[f"{_db(my)}.nokey"]
    data = read(t, ReadPlan(sample_size=1000))
    values = data.column("a").to_pylist()
    assert 0 < len(values) <= 1000 and len(set(values)) == len(values)
    assert max(values) > 25_000


def test_full_scan_pages_by_key(my: str, tables: dict[str, object]) -> None:
    t = tables[f"{_db(my)}.big"]
    sizes = [b.num_rows for b in t.batches(ReadPlan(sample_size=None, batch_size=80_000))]
    assert sizes == [80_000, 80_000, 40_000]
    nokey = read(tables[f"{_db(my)}.nokey"], ReadPlan(sample_size=None, batch_size=20_000))
    assert nokey.num_rows == 50_000


def test_odd_identifiers(my: str, tables: dict[str, object]) -> None:
    t = tables[f"{_db(my)}.{ODD_TABLE}"]
    for plan in (ReadPlan(), ReadPlan(sample_size=None)):
        data = read(t, plan)
        assert sorted(data.column("a`b").to_pylist()) == ["r", "r2"]
        assert sorted(data.column("100%").to_pylist()) == ["p", "p2"]
    assert read(tables[f"{_db(my)}.y"]).num_rows == 1


def test_sessions_are_read_only(my: str) -> None:
    src = SqlSource(my, ConnectorOptions())
    with src.connect() as conn, pytest.raises(sa.exc.DBAPIError) as err:
        conn.exec_driver_sql("INSERT INTO y VALUES (2)")
    assert err.value.orig.args[0] == 1792
    src.close()


def test_slow_view_times_out_alone(my: str) -> None:
    _src, tables = scan_tables(my, ConnectorOptions(include_views=True, query_timeout=0.5))
    started = time.monotonic()
    with pytest.raises(TableError, match=r"\.slow: (timed out|query interrupted)"):
        read(tables[f"{_db(my)}.slow"])
    assert time.monotonic() - started < 3
    assert read(tables[f"{_db(my)}.y"]).num_rows == 1


@pytest.fixture()
def reader(my: str) -> Iterator[str]:
    user = unique("pr")[:30]
    db = _db(my)
    my_exec(MY_ADMIN, f"CREATE USER '{user}'@'%' IDENTIFIED BY 'Sw0rdfish'",
            f"GRANT SELECT ON `{db}`.`y` TO '{user}'@'%'",
            f"GRANT SELECT (ssn) ON `{db}`.`secret` TO '{user}'@'%'",
            f"GRANT SELECT ON `{db}`.`nokey` TO '{user}'@'%'")
    yield user
    my_exec(MY_ADMIN, f"DROP USER IF EXISTS '{user}'@'%'")


def test_table_without_select_fails_alone(my: str, reader: str) -> None:
    db = _db(my)
    url = f"mysql+pymysql://{reader}:Sw0rdfish@127.0.0.1:3306/{db}"
    my_exec(MY_ADMIN, f"REVOKE SELECT (ssn) ON `{db}`.`secret` FROM '{reader}'@'%'",
            f"GRANT INSERT ON `{db}`.`secret` TO '{reader}'@'%'")
    src, tables = scan_tables(url)
    assert f"{db}.secret" in tables
    with pytest.raises(TableError) as err:
        read(tables[f"{db}.secret"])
    assert str(err.value) == f"{db}.secret: permission denied"
    assert read(tables[f"{db}.y"]).num_rows == 1
    assert "Sw0rdfish" not in src.name


def test_wrong_password_and_unreachable_server(my: str) -> None:
    with pytest.raises(SourceError) as err:
        scan_tables("mysql+pymysql://root:n0tit@127.0.0.1:3306/" + _db(my))
    assert "127.0.0.1:3306" in str(err.value) and "n0tit" not in str(err.value)
    assert "authentication failed" in str(err.value)
    with pytest.raises(SourceError) as err:
        scan_tables("mysql+pymysql://root:n0tit@127.0.0.1:1/x")
    assert "127.0.0.1:1" in str(err.value) and "n0tit" not in str(err.value)
