"""The SQLite store written with sqlite3 (what a scan records itself with) matches Store."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, run_cli

from scanner.model import (
    ColumnRef,
    ColumnVerdict,
    Detection,
    ScanResult,
    SourceResult,
    Status,
    TableResult,
)
from scanner.policy import Policy
from scanner.policy.residency import Residency, judge, locate
from scanner.workflows.history import compare
from scanner.workflows.records import SCHEMA_VERSION
from scanner.workflows.sqlite_store import SqliteStore
from scanner.workflows.store import MIGRATIONS, Store, config_identity


def _result(columns: dict[str, tuple[tuple[str, ...], bool]], *, complete: bool = True,
            started: str = "2026-01-01T00:00:00+00:00") -> ScanResult:
    verdicts = tuple(
        ColumnVerdict(
            ref=ColumnRef("crm", "customers", name, i),
            detections=tuple(Detection(e, e.lower(), 0.9, 9, 10, ("test",), ("j***@***",))
                             for e in entities),
            categories=("customer_provided",) if entities else (),
            cpni=cpni,
        )
        for i, (name, (entities, cpni)) in enumerate(columns.items())
    )
    table = TableResult("customers", verdicts, rows_scanned=10, rows_total=10)
    failed = () if complete else (SourceResult("billing", "sql", (), status=Status.FAILED,
                                               error="billing: connection refused"),)
    return ScanResult((SourceResult("crm", "sql", (table,)), *failed), started, started, 0.5)


def _residency(result: ScanResult, declared: str) -> Residency:
    policy = Policy.load(None)
    entries = tuple(judge(s, locate(s.name, declared=declared), policy) for s in result.sources)
    return Residency(entries, policy.allowed_countries)


def _rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the run tables, without the moment each run was recorded."""
    with sqlite3.connect(path) as conn:
        return {
            "runs": conn.execute(
                "SELECT id, config_hash, config_name, started_at, finished_at, seconds, "
                "complete, tool_version, result_json FROM piiscan_runs ORDER BY id").fetchall(),
            "findings": conn.execute("SELECT * FROM piiscan_findings ORDER BY id").fetchall(),
            "sources": conn.execute("SELECT * FROM piiscan_run_sources ORDER BY id").fetchall(),
        }


RUNS = [
    (_result({"email": (("EMAIL_ADDRESS",), False), "qty": ((), False)}), "us-east-1"),
    (_result({"email": (("EMAIL_ADDRESS",), False),
              "called": (("CALL_DETAIL", "PHONE_NUMBER"), True)}, complete=False), "eu-west-1"),
    (_result({"called": (("CALL_DETAIL",), True)}), "eu-west-1"),
]


def test_schema_version_names_the_migrations() -> None:
    assert SCHEMA_VERSION == len(MIGRATIONS)


def test_sqlite3_records_what_store_records(tmp_path: Path) -> None:
    ident = config_identity(None, ["crm"])
    with_store, with_sqlite = tmp_path / "a.db", tmp_path / "b.db"
    Store.open(str(with_sqlite)).close()  # created and migrated by Store, as a first run does
    with Store.open(str(with_store)) as store:
        ids = [store.record(r, ident, _residency(r, where)) for r, where in RUNS]
        expected = [(store.run(i), store.previous(store.run(i)),  # type: ignore[arg-type]
                     store.snapshot(store.run(i)))  # type: ignore[arg-type]
                    for i in ids]
        diff = compare(store, store.previous(store.run(ids[-1])), store.run(ids[-1]))  # type: ignore[arg-type]
    quick = SqliteStore.open(with_sqlite)
    assert quick is not None
    with quick:
        assert [quick.record(r, ident, _residency(r, where)) for r, where in RUNS] == ids
        got = [(quick.run(i), quick.previous(quick.run(i)),  # type: ignore[arg-type]
                quick.snapshot(quick.run(i)))  # type: ignore[arg-type]
               for i in ids]
        assert quick.run(ids[-1] + 1) is None
        again = compare(quick, quick.previous(quick.run(ids[-1])), quick.run(ids[-1]))  # type: ignore[arg-type]

    def timeless(run):  # noqa: ANN001, ANN202
        return None if run is None else dataclasses.replace(run, recorded_at="")

    for (run, prev, snap), (run2, prev2, snap2) in zip(expected, got, strict=True):
        assert timeless(run2) == timeless(run)
        assert timeless(prev2) == timeless(prev)
        assert snap2.columns == snap.columns and snap2.sources == snap.sources
    # The partial second run is skipped: the third compares with the first.
    assert got[2][1] is not None and got[2][1].id == ids[0]
    assert (got[1][0].pii_columns, got[1][0].cpni_columns, got[1][0].violations) == (2, 1, 1)
    assert again.to_dict() == json.loads(json.dumps(diff.to_dict()))
    assert _rows(with_sqlite) == _rows(with_store)
    # Store reads what sqlite3 wrote.
    with Store.open(str(with_sqlite)) as store:
        assert [timeless(store.run(i)) for i in ids] == [timeless(g[0]) for g in got]


def test_store_opens_what_sqlite3_cannot(tmp_path: Path) -> None:
    assert SqliteStore.open(tmp_path / "missing.db") is None
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database " * 300)
    assert SqliteStore.open(broken) is None
    older = tmp_path / "older.db"
    Store.open(str(older), MIGRATIONS[:1]).close()  # schema version 1: Store migrates it
    assert SqliteStore.open(older) is None
    newer = tmp_path / "newer.db"
    Store.open(str(newer), (*MIGRATIONS, lambda conn: None)).close()
    assert SqliteStore.open(newer) is None  # Store refuses it, with its message


def test_a_scan_records_without_sqlalchemy_and_diffs_with_the_run_before(
        tmp_path: Path, results_store: Path) -> None:
    data = tmp_path / "people.csv"
    data.write_text("email\n" + "".join(f"user{i}@example.com\n" for i in range(30)))
    first = run_cli("scan", str(data), "--no-ner", "-q", "--format", "json")  # creates the store
    assert first.code == 0, first.stderr
    data.write_text("email,phone\n" + "".join(f"user{i}@example.com,+1 415 555 {1000 + i}\n"
                                              for i in range(30)))
    probe = (
        "import sys\n"
        "from scanner.cli import main\n"
        f"sys.argv = ['piiscan', 'scan', {str(data)!r}, '--no-ner', '-q']\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "print(code, 'sqlalchemy' in sys.modules, 'pydantic' in sys.modules, file=sys.stderr)\n"
    )
    second = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert second.stderr.strip().splitlines()[-1] == "0 False False"
    assert "Changed since the last run: since run 1" in second.stdout
    diff = json.loads(run_cli("diff", "--format", "json").stdout)
    assert [c["column"].rsplit("/", 1)[-1] for c in diff["new_columns"]] == ["phone"]
    history = run_cli("history", "--format", "json")
    assert [r["pii_columns"] for r in json.loads(history.stdout)] == [2, 1]


@pytest.mark.parametrize("flag", ["--notify", "--store"])
def test_other_stores_still_go_through_sqlalchemy(tmp_path: Path, flag: str) -> None:
    # A database URL store, or a run with a webhook (its outbox), opens Store as before.
    data = tmp_path / "people.csv"
    data.write_text("email\n" + "".join(f"user{i}@example.com\n" for i in range(30)))
    value = "http://127.0.0.1:1/x" if flag == "--notify" else f"sqlite:///{tmp_path / 's.db'}"
    run = run_cli("scan", str(data), "--no-ner", "-q", flag, value)
    assert run.code == (3 if flag == "--notify" else 0)
    if flag == "--store":
        listed = run_cli("history", "--store", value, "--format", "json")
        assert len(json.loads(listed.stdout)) == 1
