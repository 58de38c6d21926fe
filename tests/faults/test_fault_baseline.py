"""Item 20: a baseline made on staging gates production.

Column identities used to carry the connection's user and host, so a
baseline made against one server never matched another. A configuration may
now name each source (``name:``), a database URL's identity leaves out user
and host, ``baseline approve`` takes globs, and an ``--expires`` date in the
past is refused. Real processes; the database is the local PostgreSQL server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from db_fixtures import pg_database, pg_exec
from support import run_cli

SSN, EMAIL = "536-90-4399", "zelda@example.org"


def _customers(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "customers.csv"
    path.write_text(f"email,ssn\n{EMAIL},{SSN}\nquill@example.net,212-54-8871\n")
    return path


def _config(path: Path, data: Path) -> Path:
    path.write_text(f"sources:\n  - name: crm\n    path: {data}\n")
    return path


def test_named_source_baseline_gates_another_copy(tmp_path: Path) -> None:
    staging = _config(tmp_path / "staging.yaml", _customers(tmp_path / "staging"))
    production = _config(tmp_path / "production.yaml", _customers(tmp_path / "production"))
    baseline = tmp_path / "baseline.json"
    made = run_cli("baseline", "create", "--config", str(staging), "-o", str(baseline),
                   "--no-ner", "-q")
    assert made.code == 0, made.stderr
    keys = sorted(json.loads(baseline.read_text())["approved"])
    assert keys == ["crm/customers.csv/email", "crm/customers.csv/ssn"]
    gate = run_cli("check", "--config", str(production), "--baseline", str(baseline),
                   "--no-ner", "-q")
    assert gate.code == 0, gate.stdout + gate.stderr


@pytest.fixture
def crm() -> Iterator[str]:
    yield from pg_database()


def test_database_identity_leaves_out_user_and_host(tmp_path: Path, crm: str) -> None:
    pg_exec(crm, "CREATE TABLE customers (email text, ssn text)",
            f"INSERT INTO customers VALUES ('{EMAIL}', '{SSN}'), "
            "('quill@example.net', '212-54-8871')")
    staging = crm.replace("+psycopg", "")
    production = staging.replace("@127.0.0.1:5432", "@localhost")  # another host, same data
    baseline = tmp_path / "baseline.json"
    made = run_cli("baseline", "create", staging, "-o", str(baseline), "--no-ner", "-q")
    assert made.code == 0, made.stderr
    keys = sorted(json.loads(baseline.read_text())["approved"])
    assert keys and all(k.startswith("postgresql:///piiscan_t") for k in keys), keys
    gate = run_cli("check", production, "--baseline", str(baseline), "--no-ner", "-q")
    assert gate.code == 0, gate.stdout + gate.stderr


def test_approve_takes_globs(tmp_path: Path) -> None:
    config = _config(tmp_path / "scan.yaml", _customers(tmp_path / "data"))
    baseline = tmp_path / "baseline.json"

    def gate() -> int:
        return run_cli("check", "--config", str(config), "--baseline", str(baseline),
                       "--no-ner", "-q").code

    for pattern, entity, expected in (("crm/*/email", "EMAIL_ADDRESS", 1),  # ssn still new
                                      ("crm/*.csv/ss?", "US_SSN", 0)):
        ok = run_cli("baseline", "approve", pattern, "-e", entity, "-b", str(baseline))
        assert ok.code == 0, ok.stderr
        assert gate() == expected


def test_expires_in_the_past_is_refused(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    out = run_cli("baseline", "approve", "crm/customers.csv/ssn", "-e", "US_SSN",
                  "-b", str(baseline), "--expires", "2020-01-31")
    assert out.code == 2, out.stderr
    errors = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "in the past" in errors[0], out.stderr
    assert not baseline.exists()


def test_history_across_the_identity_change_shows_nothing_new(tmp_path: Path, crm: str) -> None:
    from scanner.core.config import ScanConfig
    from scanner.core.engine import scan
    from scanner.workflows.store import Store, config_identity

    pg_exec(crm, "CREATE TABLE customers (email text, ssn text)",
            f"INSERT INTO customers VALUES ('{EMAIL}', '{SSN}'), "
            "('quill@example.net', '212-54-8871')")
    url = crm.replace("+psycopg", "")
    store = tmp_path / "results.db"
    # A run recorded before sources had identities: columns keyed on the URL with its host.
    legacy = scan([url], ScanConfig(ner=False))
    assert str(legacy.sources[0].tables[0].columns[0].ref).startswith(url.split("/piiscan")[0])
    with Store.open(str(store)) as opened:
        opened.record(legacy, config_identity(None, [url]))
    now = run_cli("scan", url, "--store", str(store), "--no-ner", "-q")
    assert now.code == 0, now.stderr
    diff = run_cli("diff", "--store", str(store), "--format", "json")
    assert diff.code == 0, diff.stdout + diff.stderr  # nothing new, nothing removed
    doc = json.loads(diff.stdout)
    assert doc["new_columns"] == [] and doc["removed_columns"] == []


def test_check_on_an_incomplete_scan_exits_3_even_with_new_pii(tmp_path: Path) -> None:
    """Item 18: a gate that could not read everything cannot say the rest is clean."""
    data = tmp_path / "customers.csv"
    data.write_text("id,ssn\n" + "".join(f"{i},{123 + i}-45-{6789 - i}\n" for i in range(40)))
    base = tmp_path / "baseline.json"
    base.write_text(json.dumps({"version": 1, "approved": {}}))
    out = run_cli("check", "-b", str(base), "--format", "json", "--no-ner",
                  str(data), str(tmp_path / "missing.csv"))
    assert out.code == 3, out.stdout + out.stderr
    doc = json.loads(out.stdout)
    assert doc["complete"] is False
    assert [f["entity"] for f in doc["findings"]] == ["US_SSN"]
