"""Item 1: a credential anywhere in a URL reaches no output.

A PostgreSQL URL carries a password in its userinfo and in its query string
(``password=``, ``sslpassword=``, ``token=``); the local server trusts every
connection, so the scan succeeds and every output path runs: each report
format, the results store, ``history``, the webhook body, the baseline and
the error lines of a bad ``--store`` URL.
"""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from db_fixtures import pg_database, pg_exec
from faults_support import webhook
from support import run_cli

from reports import build_report, format_names, render
from scanner.model import ScanResult
from scanner.policy import Policy
from scanner.policy.residency import assess
from scanner.redact import redact_text, redact_url

SECRETS = ("UserinfoPw9x", "QueryPw7x", "SslPw5x", "TokenPw3x", "SigPw1x")

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def pg() -> Iterator[str]:
    for url in pg_database():
        pg_exec(url, "CREATE TABLE customers (id int, email text)",
                "INSERT INTO customers SELECT g, 'person' || g || '@example.org' "
                "FROM generate_series(1, 50) g")
        yield url


def _secret_url(url: str) -> str:
    base = url.replace("postgres@", "postgres:UserinfoPw9x@")
    return f"{base}?password=QueryPw7x&sslpassword=SslPw5x&application_name=piiscan"


def _clean(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret} leaked into {where}"


@pytest.mark.parametrize("url", [
    "postgresql://u:UserinfoPw9x@h/db?password=QueryPw7x&sslmode=require",
    "mysql://h/db?pwd=QueryPw7x#token=TokenPw3x",
    "postgresql://u:Userinfo@Pw9x@host:5432/db",
    "https://hooks.example/x?sig=SigPw1x&X-Amz-Signature=SigPw1x",
    "postgresql://h/db?api%5Fkey=TokenPw3x&aws_secret_access_key=SslPw5x",
    "mssql+pyodbc://h/db?odbc_connect=DRIVER%3Dx%3BPWD%3DQueryPw7x",
])
def test_redact_url_hides_every_credential(url: str) -> None:
    shown = redact_url(url)
    _clean(shown, shown)
    assert "Pw9x" not in shown and "***" in shown
    _clean(redact_text(f"cannot reach {url} (host=h password=QueryPw7x)"), "a text")


def test_query_string_password_reaches_no_output(pg: str, tmp_path: Path) -> None:
    spec = _secret_url(pg)
    store = tmp_path / "store.db"
    with webhook() as hook:
        first = run_cli("scan", spec, "--format", "json", "--store", str(store), "--no-ner",
                        "-q", "--notify", hook.url, "-v")
        assert first.code == 0, first.stderr
        _clean(first.stdout + first.stderr, "scan --format json")
        assert hook.bodies, "the webhook was not called"
        _clean("".join(hook.bodies), "the webhook body")
    assert "***" in first.stdout
    # Every format, rendered from that result in-process (a process per format is slow).
    result = ScanResult.from_dict(json.loads(first.stdout))
    policy = Policy.load(None)
    report = build_report(result, policy, assess(result, policy, None))
    for fmt in format_names():
        out = io.StringIO()
        render(fmt, report, out=out)
        _clean(out.getvalue(), f"the {fmt} report")
    with sqlite3.connect(store) as db:
        dump = "\n".join(db.iterdump())
    _clean(dump, "the results store")
    hist = run_cli("history", "--store", str(store))
    assert hist.code == 0, hist.stderr
    _clean(hist.stdout + hist.stderr, "history")
    baseline = tmp_path / "baseline.json"
    made = run_cli("baseline", "create", spec, "-o", str(baseline), "--no-ner", "-q", "--debug")
    assert made.code == 0, made.stderr
    _clean(baseline.read_text() + made.stdout + made.stderr, "the baseline and --debug log")


def test_store_url_credentials_stay_out_of_error_lines(tmp_path: Path) -> None:
    data = tmp_path / "a.csv"
    data.write_text("email\nx@example.org\n")
    bad = ("postgresql+psycopg://postgres:UserinfoPw9x@127.0.0.1:1/nowhere"
           "?password=QueryPw7x&connect_timeout=2")
    for args in (("scan", str(data), "--store", bad, "--no-ner", "-q", "--debug"),
                 ("scan", str(data), "--store", "postgresql+psycopg://u:UserinfoPw9x@h:x/d"
                  "?password=QueryPw7x", "--no-ner", "-q")):
        out = run_cli(*args)
        assert out.code in (2, 3), out.stderr
        _clean(out.stdout + out.stderr, " ".join(args[:1]) + " with a bad --store")
        assert out.stderr.strip()


def test_ddl_source_url_is_shown_redacted(tmp_path: Path) -> None:
    ddl = tmp_path / "V1__customers.sql"
    ddl.write_text("CREATE TABLE customers (id int, email text, ssn text);\nCREATE TABLE (;\n")
    src = "postgresql://app:UserinfoPw9x@db/app?password=QueryPw7x"
    for fmt in ("json", "table"):
        out = run_cli("ddl", str(ddl), "--ddl-source", src, "--format", fmt)
        assert out.code in (0, 3), out.stderr
        _clean(out.stdout + out.stderr, f"ddl --format {fmt}")
        # The columns take the database's identity: no user, password, host or query.
        assert fmt != "json" or "postgresql:///app/public.customers/email" in out.stdout
