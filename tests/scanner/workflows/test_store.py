"""The results store: location, schema and migrations, recording, the run lock, failures,
passwords, and a real PostgreSQL store."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
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
from scanner.workflows.store import (
    MIGRATIONS,
    RUNS,
    SCHEMA_VERSION_TABLE,
    NoStore,
    RunBusy,
    RunLock,
    Store,
    StoreError,
    config_identity,
    data_dir,
    lock_dir,
    store_location,
    store_url,
)

PASSWORD = "Sup3rS3cretPw"


def _csv(path: Path, columns: dict[str, list[str]]) -> Path:
    names = list(columns)
    rows = zip(*columns.values(), strict=True)
    path.write_text(",".join(names) + "\n" + "\n".join(",".join(r) for r in rows) + "\n")
    return path


EMAILS = [f"user{i}@example.com" for i in range(40)]
NAMES = [f"Item {i}" for i in range(40)]


def _result(columns: dict[str, tuple[tuple[str, ...], bool]], source: str = "crm",
            started: str = "2026-01-01T00:00:00+00:00") -> ScanResult:
    """A ScanResult with one table whose columns carry the given (entities, cpni)."""
    verdicts = tuple(
        ColumnVerdict(
            ref=ColumnRef(source, "customers", name, i),
            detections=tuple(Detection(e, e.lower(), 0.9, 9, 10, ("test",), ("j***@***",))
                             for e in entities),
            categories=("customer_provided",) if entities else (),
            cpni=cpni,
        )
        for i, (name, (entities, cpni)) in enumerate(columns.items())
    )
    table = TableResult("customers", verdicts, rows_scanned=10, rows_total=10)
    return ScanResult((SourceResult(source, "sql", (table,)),), started, started, 0.5)


def _residency(result: ScanResult, declared: str) -> Residency:
    policy = Policy.load(None)
    entries = tuple(judge(s, locate(s.name, declared=declared), policy) for s in result.sources)
    return Residency(entries, policy.allowed_countries)


# --- Where the store lives ---


def test_default_location_follows_xdg_then_home(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.delenv("PIISCAN_STORE")
    assert store_location() == str(tmp_path / "xdg" / "piiscan" / "results.db")
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")  # the XDG spec: ignore relative
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert store_location() == str(tmp_path / "home" / ".local/share/piiscan/results.db")
    monkeypatch.delenv("XDG_DATA_HOME")
    assert data_dir() == tmp_path / "home" / ".local/share/piiscan"
    # --store beats the environment variable, which beats the default.
    monkeypatch.setenv("PIISCAN_STORE", "/srv/env.db")
    assert store_location() == "/srv/env.db"
    assert store_location("/srv/option.db") == "/srv/option.db"


def test_store_urls_and_lock_places(tmp_path: Path) -> None:
    url = store_url("relative/results.db")
    assert url.get_backend_name() == "sqlite" and os.path.isabs(url.database or "")
    assert lock_dir(store_url(str(tmp_path / "r.db"))) == tmp_path
    pg = store_url(f"postgresql://scanner:{PASSWORD}@db.internal/piiscan")
    assert pg.drivername == "postgresql+psycopg"  # psycopg 3, a declared dependency
    assert lock_dir(pg) == tmp_path / "xdg" / "piiscan"
    assert store_url("mysql://u@h/db").drivername == "mysql+pymysql"
    with pytest.raises(StoreError) as err:
        store_url(f"postgresql://u:{PASSWORD}@host:notaport/db")
    assert PASSWORD not in str(err.value)


def test_configuration_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    by_file = config_identity("scans.yaml")
    assert by_file.name == str(tmp_path / "scans.yaml")
    # Sorted, absolute, passwords hidden: the same sweep from elsewhere is the same configuration.
    a = config_identity(None, ["b.csv", f"postgresql://u:{PASSWORD}@h/db", "a.csv"])
    monkeypatch.chdir(tmp_path.parent)
    b = config_identity(None, [str(tmp_path / "a.csv"), "postgresql://u:other@h/db",
                               str(tmp_path / "b.csv")])
    assert a == b and len(a.hash) == 64
    assert PASSWORD not in a.name
    assert a.name == f"sources: {tmp_path / 'a.csv'} {tmp_path / 'b.csv'} postgresql://u:***@h/db"


# --- Schema and migrations ---


def test_fresh_store_has_the_current_schema(results_store: Path) -> None:
    with Store.open() as store:
        assert store.version == len(MIGRATIONS) == 2
        inspector = sa.inspect(store.engine)
        for table in SCHEMA_VERSION_TABLE.metadata.sorted_tables:
            # What the migrations created is exactly what the queries expect.
            assert {c["name"] for c in inspector.get_columns(table.name)} == set(table.c.keys())
        with store.engine.connect() as conn:
            versions = conn.execute(sa.select(SCHEMA_VERSION_TABLE.c.version)).scalars().all()
    assert versions == [1, 2]
    assert (results_store.stat().st_mode & 0o777) == 0o600  # owner only


def _add_note_column(conn: sa.Connection) -> None:
    conn.execute(sa.text("ALTER TABLE piiscan_runs ADD COLUMN note TEXT"))
    conn.execute(sa.text("UPDATE piiscan_runs SET note = 'migrated'"))


def test_upgrade_to_a_newer_version_keeps_runs_and_refuses_downgrade(
    results_store: Path,
) -> None:
    ident = config_identity(None, ["crm"])
    with Store.open() as store:
        run_id = store.record(_result({"email": (("EMAIL_ADDRESS",), False)}), ident)
    upgraded = (*MIGRATIONS, _add_note_column)
    newer = len(upgraded)
    with Store.open(migrations=upgraded) as store:
        assert store.version == newer
        with store.engine.connect() as conn:
            note = conn.execute(sa.text("SELECT note FROM piiscan_runs WHERE id = :i"),
                                {"i": run_id}).scalar()
            versions = conn.execute(sa.select(SCHEMA_VERSION_TABLE.c.version)).scalars().all()
        assert note == "migrated"
        assert versions == list(range(1, newer + 1))
        (info,) = store.runs()
        assert info.id == run_id and info.pii_columns == 1
    with Store.open(migrations=upgraded) as store:  # applied once, not again
        assert store.version == newer
    with pytest.raises(StoreError, match=f"schema version {newer}; this piiscan reads up to "
                       f"{newer - 1}"):
        Store.open()


def test_a_failing_migration_changes_nothing(results_store: Path) -> None:
    Store.open().close()

    def broken(conn: sa.Connection) -> None:
        conn.execute(sa.text("CREATE TABLE piiscan_half (x INTEGER)"))
        conn.execute(sa.text("SELECT * FROM no_such_table"))

    with pytest.raises(StoreError, match="no such table"):
        Store.open(migrations=(*MIGRATIONS, broken))
    with Store.open() as store:
        assert store.version == len(MIGRATIONS)
        assert "piiscan_half" not in sa.inspect(store.engine).get_table_names()


def test_concurrent_first_opens_migrate_once(results_store: Path) -> None:
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            Store.open().close()
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Store.open() as store, store.engine.connect() as conn:
        assert conn.execute(sa.select(SCHEMA_VERSION_TABLE.c.version)).scalars().all() == \
            list(range(1, len(MIGRATIONS) + 1))


# --- Recording ---


def test_record_stores_run_findings_and_verdicts(results_store: Path) -> None:
    ident = config_identity(None, ["crm"])
    result = _result({"email": (("EMAIL_ADDRESS",), False),
                      "called": (("CALL_DETAIL", "PHONE_NUMBER"), True),
                      "qty": ((), False)})
    with Store.open() as store:
        run_id = store.record(result, ident, _residency(result, "eu-west-1"))
        info = store.run(run_id)
        assert info is not None
        assert (info.pii_columns, info.cpni_columns, info.violations) == (2, 1, 1)
        assert info.complete and info.config_name == ident.name
        snap = store.snapshot(info)
        assert ScanResult.from_dict(store.result(run_id) or {}).flatten() == result.flatten()
        assert store.run(run_id + 1) is None
    assert {k: (c.entities, c.cpni) for k, c in snap.columns.items()} == {
        "crm/customers/email": (("EMAIL_ADDRESS",), False),
        "crm/customers/called": (("CALL_DETAIL", "PHONE_NUMBER"), True),
    }
    (src,) = snap.sources.values()
    assert (src.source, src.status, src.country, src.verdict) == ("crm", "ok", "IE", "violation")


def test_previous_run_skips_incomplete_runs(results_store: Path) -> None:
    ident = config_identity(None, ["crm"])
    other = config_identity(None, ["other"])
    ok = _result({"email": (("EMAIL_ADDRESS",), False)})
    failed = ScanResult((SourceResult("crm", "sql", (), status=Status.FAILED,
                                      error="crm: connection refused"),), "t", "t", 0.1)
    with Store.open() as store:
        first = store.record(ok, ident)
        store.record(ok, other)
        broken = store.record(failed, ident)
        last = store.record(ok, ident)
        latest = store.run(last)
        assert latest is not None
        previous = store.previous(latest)
        assert previous is not None and previous.id == first  # not the partial run
        partial = store.run(broken)
        assert partial is not None and not partial.complete
        assert [r.id for r in store.runs(ident.hash)] == [last, broken, first]
        assert [r.id for r in store.runs(limit=2)] == [last, broken]
        first_info = store.run(first)
        assert first_info is not None and store.previous(first_info) is None


def test_missing_store_is_not_created_by_readers(results_store: Path) -> None:
    with pytest.raises(NoStore):
        Store.open(create=False)
    assert not results_store.exists()


# --- The run lock ---


def test_lock_is_exclusive_between_holders(tmp_path: Path) -> None:
    ident = config_identity(None, ["crm"])
    first = RunLock(tmp_path / "locks", ident)
    second = RunLock(tmp_path / "locks", ident)
    other = RunLock(tmp_path / "locks", config_identity(None, ["other"]))
    with first:
        with pytest.raises(RunBusy, match="another run of this configuration is in progress"):
            second.acquire()
        with other:  # another configuration is not blocked
            pass
    with second:  # released: the next run gets it
        assert second.path.exists()


def _silent_server() -> tuple[socket.socket, list[socket.socket]]:
    """A TCP listener that accepts and never answers: a database that hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    return listener, accepted


def test_two_overlapping_runs_of_one_configuration(tmp_path: Path) -> None:
    listener, accepted = _silent_server()
    port = listener.getsockname()[1]
    config = tmp_path / "scans.yaml"
    config.write_text(
        "version: 1\ndefault_location: US\nsources:\n"
        f"  - url: postgresql://scanner@127.0.0.1:{port}/crm\n"
    )
    args = [sys.executable, "-m", "scanner", "scan", "--config", str(config), "--no-ner", "-q",
            "--format", "json"]
    first = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        deadline = time.monotonic() + 60
        while not accepted and time.monotonic() < deadline:  # the first run is scanning
            time.sleep(0.05)
        assert accepted, "the first run never reached its database"
        second = run_cli("scan", "--config", str(config), "--no-ner", "-q", "--format", "json")
        assert second.code == 3
        assert second.stdout == ""
        assert second.stderr.strip().splitlines() == [
            "piiscan: error: another run of this configuration is in progress"]
    finally:
        listener.close()
        for conn in accepted:
            conn.close()
    out, err = first.communicate(timeout=120)
    assert "in progress" not in err
    assert first.returncode == 3  # its one source failed, but it ran and was recorded
    assert json.loads(out)["complete"] is False
    with Store.open() as store:
        (run,) = store.runs()
    assert not run.complete and run.config_name == str(config)


# --- Failures and secrets ---


def test_store_failure_still_writes_the_report_and_exits_3(tmp_path: Path) -> None:
    data = _csv(tmp_path / "people.csv", {"email": EMAILS, "label": NAMES})
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database, just text " * 200)
    run = run_cli("scan", str(data), "--no-ner", "-q", "--format", "json",
                  "--store", str(broken))
    assert run.code == 3
    assert run.json()["complete"] is True  # the report is whole
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith(f"piiscan: error: results store {broken}: ")
    assert line.endswith("the run is not recorded")
    assert "Traceback" not in run.stderr


def test_unreachable_server_store_fails_in_one_line_without_password(tmp_path: Path) -> None:
    data = _csv(tmp_path / "people.csv", {"email": EMAILS})
    out = tmp_path / "report.json"
    run = run_cli("scan", str(data), "--no-ner", "-q", "--format", "json", "-o", str(out),
                  "--store", f"postgresql://scanner:{PASSWORD}@127.0.0.1:1/piiscan")
    assert run.code == 3
    assert json.loads(out.read_text())["sources"][0]["status"] == "ok"
    (line,) = run.stderr.strip().splitlines()
    assert "postgresql+psycopg://scanner:***@127.0.0.1:1/piiscan" in line
    assert "the run is not recorded" in line and PASSWORD not in run.stderr


def test_no_store_records_nothing(results_store: Path, tmp_path: Path) -> None:
    data = _csv(tmp_path / "people.csv", {"email": EMAILS})
    run = run_cli("scan", str(data), "--no-ner", "-q", "--no-store")
    assert run.code == 0, run.stderr
    assert not results_store.parent.exists()  # no store, and no lock for a one-off run


def test_passwords_are_never_stored(results_store: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    data = _csv(tmp_path / "people.csv", {"email": EMAILS, "label": NAMES})
    url = f"postgresql://scanner:{PASSWORD}@127.0.0.1:1/crm"
    run = run_cli("scan", str(data), url, "--no-ner", "-q", "--format", "json")
    assert run.code == 3  # the database is unreachable: partial
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    config = tmp_path / "scans.yaml"
    config.write_text("version: 1\nsources:\n  - url: postgresql://scanner:${PGPASSWORD}"
                      "@127.0.0.1:1/crm\n" f"  - path: {data.name}\n")
    run = run_cli("scan", "--config", str(config), "--no-ner", "-q")
    assert run.code == 3
    raw = results_store.read_bytes()
    assert PASSWORD.encode() not in raw
    # Nor any sampled value: the result JSON holds masked evidence only.
    assert not any(e.encode() in raw for e in EMAILS)
    with Store.open() as store:
        runs = store.runs()
        assert len(runs) == 2
        docs = [json.dumps(store.result(r.id)) for r in runs]
    assert all(PASSWORD not in d for d in docs)
    assert "postgresql://scanner:***@127.0.0.1:1/crm" in runs[1].config_name
    history = run_cli("history", "--format", "json")
    assert history.code == 0 and PASSWORD not in history.stdout
    assert [r["id"] for r in history.json()] == [runs[0].id, runs[1].id]


# --- PostgreSQL ---


def test_postgresql_store_history_and_diff(tmp_path: Path) -> None:
    from db_fixtures import PG_ADMIN, _reachable, pg_exec, unique

    if not _reachable(PG_ADMIN):
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    name = unique("piiscan_store")
    pg_exec(PG_ADMIN, f'CREATE DATABASE "{name}"')
    try:
        # A bare postgresql:// URL works: the store picks psycopg 3.
        url = f"postgresql://postgres@127.0.0.1:5432/{name}"
        data = _csv(tmp_path / "people.csv", {"email": EMAILS, "label": NAMES})
        first = run_cli("scan", str(data), "--no-ner", "-q", "--store", url)
        assert first.code == 0, first.stderr
        _csv(data, {"email": EMAILS, "label": NAMES,
                    "phone": [f"+1 212 555 {100 + i:04d}" for i in range(40)]})
        second = run_cli("scan", str(data), "--no-ner", "-q", "--store", url)
        assert second.code == 0, second.stderr
        history = run_cli("history", "--store", url, "--format", "json")
        assert history.code == 0, history.stderr
        assert [r["pii_columns"] for r in history.json()] == [2, 1]
        diff = run_cli("diff", "--store", url, "--format", "json")
        assert diff.code == 1, diff.stderr
        assert [c["column"] for c in diff.json()["new_columns"]] == [f"{data}/people.csv/phone"]
        engine = sa.create_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
        try:
            with engine.connect() as conn:
                assert conn.execute(sa.select(SCHEMA_VERSION_TABLE.c.version)).scalars().all() \
                    == list(range(1, len(MIGRATIONS) + 1))
                assert conn.execute(sa.select(sa.func.count()).select_from(RUNS)).scalar() == 2
        finally:
            engine.dispose()
    finally:
        pg_exec(PG_ADMIN, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
