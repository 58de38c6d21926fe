"""The SQLite connector: files by header, read-only, rowid sampling, timeouts."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path

import pyarrow as pa
import pytest
import sqlalchemy as sa
from db_fixtures import read, scan_tables
from support import CORPUS

from connectors.base import ConnectorOptions, ReadPlan, SourceError, TableError, is_supplement
from connectors.registry import open_source, sniff
from connectors.sql.source import SqlSource

CORPUS_DB = CORPUS / "cdr" / "freeswitch_cdr_sqlite" / "cdr.db"
needs_corpus = pytest.mark.skipif(
    not CORPUS_DB.exists(), reason="the shared corpus (../shared/corpus) is not present beside "
    "this checkout")

ODD = 'x"; DROP TABLE y; --'


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "odd name's.sqlite"
    conn = sqlite3.connect(path)
    q = ODD.replace('"', '""')
    conn.executescript(f"""
        CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, card INTEGER, born DATE,
                             photo BLOB, rare TEXT, mixed INTEGER);
        CREATE TABLE y (id INTEGER);
        INSERT INTO y VALUES (1);
        CREATE TABLE "{q}" ("select" TEXT, "Mixed Case" TEXT, "ünï cödé" TEXT, "a""b" TEXT,
                            rowid TEXT);
        INSERT INTO "{q}" VALUES ('s', 'm', 'u', 'q', 'not-the-rowid');
        CREATE TABLE nk (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;
        INSERT INTO nk VALUES ('a', '1'), ('b', '2');
        CREATE VIEW slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c
            WHERE x < 1000000000) SELECT count(*) AS n FROM c;
    """)
    conn.executemany(
        "INSERT INTO people (name, card, born, photo, rare, mixed) VALUES (?, ?, ?, ?, ?, ?)",
        [(f"p{i}", 4111111111111111, "1990-01-02", b"\x00", f"r{i}" if i % 400 == 0 else None,
          "text" if i == 5 else i) for i in range(1, 100_001)],
    )
    conn.commit()
    conn.close()
    return path


def test_sqlite_files_are_claimed_by_header(db: Path, tmp_path: Path) -> None:
    assert SqlSource.claims(sniff(str(db)), ConnectorOptions()) == 90
    fake = tmp_path / "notes.db"
    fake.write_text("not a database")
    assert SqlSource.claims(sniff(str(fake)), ConnectorOptions()) == 0
    assert isinstance(open_source(f"sqlite:///{db}", ConnectorOptions()), SqlSource)


@needs_corpus
def test_freeswitch_cdr_corpus_reads_in_place() -> None:
    before = hashlib.sha256(CORPUS_DB.read_bytes()).hexdigest()
    src, tables = scan_tables(str(Path("../shared/corpus/cdr/freeswitch_cdr_sqlite/cdr.db")))
    assert src.kind == "sqlite"
    assert list(tables) == ["cdr"]
    cdr = tables["cdr"]
    assert [c.name for c in cdr.columns] == [
        "rowid", "caller_id_name", "caller_id_number", "duration", "start_stamp",
        "destination_number", "context", "answer_stamp", "end_stamp", "billsec", "hangup_cause",
        "hangup_cause_q850", "uuid", "bleg_uuid", "account_code", "flag_imported"]
    data = read(cdr)
    assert data.num_rows == 50 and cdr.rows_total == 50
    assert data.schema.field("start_stamp").type == pa.timestamp("us")
    assert data.schema.field("billsec").type == pa.int64()
    assert read(cdr, ReadPlan(sample_size=None, batch_size=16)).num_rows == 50
    src.close()
    assert hashlib.sha256(CORPUS_DB.read_bytes()).hexdigest() == before


def test_read_only_and_types(db: Path) -> None:
    src, tables = scan_tables(str(db))
    assert set(tables) == {"people", "y", ODD, "nk"}
    people = tables["people"]
    assert {c.name: c.skip_reason for c in people.columns}["photo"]
    data = read(people, ReadPlan(sample_size=1000))
    assert data.schema.field("card").type == pa.int64()
    assert data.schema.field("born").type == pa.date32()
    assert data.schema.field("mixed").type in (pa.int64(), pa.string())
    with src.connect() as conn, pytest.raises(sa.exc.OperationalError):
        conn.exec_driver_sql("DELETE FROM y")
    assert sqlite3.connect(db).execute("SELECT count(*) FROM y").fetchone() == (1,)


def test_rowid_ranges_sample_across_the_table(db: Path) -> None:
    _src, tables = scan_tables(str(db))
    people = tables["people"]
    data = read(people, ReadPlan(sample_size=1000))
    ids = data.column("id").to_pylist()
    assert len(ids) == 1000 and len(set(ids)) == 1000
    assert min(ids) < 10_000 and max(ids) > 90_000
    assert people.rows_total == 100_000
    batches = list(people.batches(ReadPlan(sample_size=1000)))
    supplements = [b for b in batches if is_supplement(b)]
    assert len(supplements) == 1
    assert supplements[0].column("rare").null_count < supplements[0].num_rows


def test_full_scan_and_without_rowid(db: Path) -> None:
    _src, tables = scan_tables(str(db))
    sizes = [b.num_rows for b in tables["people"].batches(ReadPlan(sample_size=None,
                                                                    batch_size=40_000))]
    assert sizes == [40_000, 40_000, 20_000]
    assert sorted(read(tables["nk"]).column("k").to_pylist()) == ["a", "b"]
    assert read(tables["nk"], ReadPlan(sample_size=None)).num_rows == 2


def test_odd_identifiers(db: Path) -> None:
    _src, tables = scan_tables(str(db))
    t = tables[ODD]
    for plan in (ReadPlan(), ReadPlan(sample_size=None)):
        row = read(t, plan).to_pylist()
        assert row == [{"select": "s", "Mixed Case": "m", "ünï cödé": "u", 'a"b': "q",
                        "rowid": "not-the-rowid"}]
    assert sqlite3.connect(db).execute("SELECT count(*) FROM y").fetchone() == (1,)


def test_progress_handler_times_out_a_slow_view(db: Path) -> None:
    _src, tables = scan_tables(str(db), ConnectorOptions(include_views=True, query_timeout=0.3))
    started = time.monotonic()
    with pytest.raises(TableError, match="slow: timed out"):
        read(tables["slow"])
    assert time.monotonic() - started < 3
    assert read(tables["y"]).num_rows == 1


def test_include_exclude(db: Path) -> None:
    _src, tables = scan_tables(str(db), ConnectorOptions(include=("people.name", "y")))
    assert sorted(tables) == ["people", "y"]
    assert [c.name for c in tables["people"].columns] == ["name"]
    _src, tables = scan_tables(str(db), ConnectorOptions(exclude=("people",)))
    assert "people" not in tables and "y" in tables


def test_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such database file"):
        list(SqlSource(f"sqlite:///{tmp_path}/absent.db", ConnectorOptions()).tables())
    assert not (tmp_path / "absent.db").exists()


@needs_corpus
def test_freeswitch_cdr_corpus_labelled_columns_end_to_end() -> None:
    import json

    engine = pytest.importorskip("scanner.core.engine")
    from scanner.core.config import ScanConfig

    labels = json.loads((CORPUS_DB.parent / "labels.json").read_text())["files"]["cdr.db"]
    spec = "../shared/corpus/cdr/freeswitch_cdr_sqlite/cdr.db"
    result = engine.scan([spec], ScanConfig())
    found = {(column, entity) for _src, _table, column, entity in result.flatten()}
    for col in labels["columns"]:
        if col["confidence"] != "high":
            continue
        if col["label"] == "NONE":
            assert not any(c == col["name"] for c, _e in found), col["name"]
        else:
            assert (col["name"], col["label"]) in found, col["name"]
