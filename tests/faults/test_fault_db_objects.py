"""Item 14: one bad object does not blind a whole database.

- PostgreSQL: a table another session holds ACCESS EXCLUSIVE made the table
  listing time out (reflecting column defaults takes a lock), so nothing was
  scanned.
- MariaDB: a table the user may read some columns of only, or a view calling
  a function that writes, failed the listing.
- PostgreSQL: an ``infinity``, ``-infinity`` or BC date made its table unreadable.

Each object now fails alone with one line (or, for the dates, is read), the
rest of the database is scanned. Real local servers, a real second session
holding the lock, a real user with a column-level grant.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from db_fixtures import MY_ADMIN, my_database, my_exec, pg_database, pg_exec, unique
from support import ROOT

pytestmark = pytest.mark.db


def _scan(url: str, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "scanner", "scan", url, *args, "--no-store", "--no-ner", "-q",
         "--format", "json"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc, json.loads(proc.stdout)["sources"][0]


def _entities(source: dict) -> set[tuple[str, str, str]]:
    return {(t["name"], c["name"], e["type"])
            for t in source["tables"] for c in t["columns"] for e in c["entities"]}


def _status(source: dict) -> dict[str, str]:
    return {t["name"]: t["status"] for t in source["tables"]}


# ---------------------------------------------------------------- PostgreSQL lock


@pytest.fixture
def locked_table() -> Iterator[str]:
    """A database where another session holds one table ACCESS EXCLUSIVE."""
    import psycopg

    for url in pg_database():
        pg_exec(url,
                "CREATE TABLE accounts (id serial PRIMARY KEY, balance numeric DEFAULT 0,"
                " ssn text)",
                "CREATE TABLE contacts (id int PRIMARY KEY, email text)",
                "INSERT INTO contacts SELECT g, 'member' || g || '@example.org'"
                " FROM generate_series(1, 40) g")
        holder = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        try:
            holder.execute("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE")
            yield url
        finally:
            holder.close()


def test_a_locked_table_fails_alone(locked_table: str) -> None:
    proc, source = _scan(locked_table, "--query-timeout", "3")
    assert proc.returncode == 3, proc.stderr
    assert _status(source) == {"accounts": "failed", "contacts": "ok"}
    assert ("contacts", "email", "EMAIL_ADDRESS") in _entities(source)
    lines = [ln for ln in proc.stderr.splitlines() if "accounts" in ln]
    assert len(lines) == 1 and "public.accounts: cannot list its columns" in lines[0]


# ---------------------------------------------------------------- MariaDB objects


@pytest.fixture
def column_grant() -> Iterator[str]:
    """A MariaDB user who may read two columns of one table and all of two others."""
    for url in my_database():
        db = url.rsplit("/", 1)[1]
        user = unique("piiscan_u")
        my_exec(url,
                "CREATE TABLE contacts (id int PRIMARY KEY, email varchar(80))",
                "INSERT INTO contacts VALUES (1, 'zelda.q@example.org'), (2, 'o.rhea@example.net')",
                "CREATE TABLE payroll (id int PRIMARY KEY, ssn char(11), team varchar(20))",
                "CREATE TABLE visits (id int, phone varchar(20))",
                "INSERT INTO visits VALUES (1, '+1 415 555 0134'), (2, '+1 212 555 0187')",
                f"CREATE USER '{user}'@'%' IDENTIFIED BY 'Rk83-lq'",
                f"CREATE USER '{user}'@'localhost' IDENTIFIED BY 'Rk83-lq'")
        try:
            for host in ("%", "localhost"):
                my_exec(url,
                        f"GRANT SELECT ON `{db}`.contacts TO '{user}'@'{host}'",
                        f"GRANT SELECT ON `{db}`.visits TO '{user}'@'{host}'",
                        f"GRANT SELECT (id, team) ON `{db}`.payroll TO '{user}'@'{host}'")
            yield url.replace("root@", f"{user}:Rk83-lq@")
        finally:
            my_exec(MY_ADMIN, f"DROP USER IF EXISTS '{user}'@'%'",
                    f"DROP USER IF EXISTS '{user}'@'localhost'")


def test_a_column_level_grant_fails_alone(column_grant: str) -> None:
    proc, source = _scan(column_grant)
    assert proc.returncode == 3, proc.stderr
    assert _status(source) == {"contacts": "ok", "payroll": "failed", "visits": "ok"}
    found = _entities(source)
    assert ("contacts", "email", "EMAIL_ADDRESS") in found
    assert ("visits", "phone", "PHONE_NUMBER") in found
    lines = [ln for ln in proc.stderr.splitlines() if "payroll" in ln]
    assert len(lines) == 1 and "permission denied" in lines[0]


@pytest.fixture
def writing_view() -> Iterator[str]:
    """A MariaDB view that calls a function which writes."""
    for url in my_database():
        my_exec(url,
                "CREATE TABLE contacts (id int PRIMARY KEY, email varchar(80))",
                "INSERT INTO contacts VALUES (1, 'zelda.q@example.org'), (2, 'o.rhea@example.net')",
                "CREATE TABLE audit (at datetime)",
                "CREATE FUNCTION touch() RETURNS int MODIFIES SQL DATA"
                " BEGIN INSERT INTO audit VALUES (NOW()); RETURN 1; END",
                "CREATE VIEW touched AS SELECT id, email, touch() AS n FROM contacts")
        yield url


def test_a_view_with_a_writing_function_fails_alone(writing_view: str) -> None:
    proc, source = _scan(writing_view, "--include-views")
    assert proc.returncode == 3, proc.stderr
    status = _status(source)
    assert status["touched"] == "failed"
    assert status["contacts"] == "ok" and status["audit"] == "ok"
    assert ("contacts", "email", "EMAIL_ADDRESS") in _entities(source)
    lines = [ln for ln in proc.stderr.splitlines() if "touched" in ln]
    assert len(lines) == 1


# ---------------------------------------------------------------- PostgreSQL dates


@pytest.fixture
def endless_dates() -> Iterator[str]:
    for url in pg_database():
        pg_exec(url,
                "CREATE TABLE members (id int PRIMARY KEY, born date, joined timestamptz,"
                " seen timestamp, email text)",
                "INSERT INTO members SELECT g, DATE '1962-03-01' + g * 97, now(), now(),"
                " 'member' || g || '@example.org' FROM generate_series(1, 40) g",
                "INSERT INTO members VALUES"
                " (100, 'infinity', 'infinity', '-infinity', 'zelda.q@example.org'),"
                " (101, '-infinity', '-infinity', 'infinity', 'o.rhea@example.net'),"
                " (102, '0950-07-04 BC', '0044-03-15 BC', '0044-03-15 BC', 'k.ansel@example.com')")
        yield url


def test_infinite_and_bc_dates_leave_the_table_readable(endless_dates: str) -> None:
    proc, source = _scan(endless_dates)
    assert proc.returncode == 0, proc.stderr
    table = source["tables"][0]
    assert table["status"] == "ok" and table["rows_scanned"] == 43
    found = _entities(source)
    assert ("members", "email", "EMAIL_ADDRESS") in found
    assert ("members", "born", "DATE_OF_BIRTH") in found
