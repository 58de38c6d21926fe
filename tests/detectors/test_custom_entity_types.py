"""Custom detectors that add entity types of their own, mapped to a policy category."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import run_cli

BADGES = """\
recognizers:
  - name: employee_badge
    description: Employee badge numbers
    supported_entity: EMPLOYEE_BADGE
    category: customer_provided
    patterns:
      - name: badge
        regex: "EMP-[0-9]{6}"
    context: [badge]
"""


def _staff(tmp_path: Path) -> Path:
    path = tmp_path / "staff.csv"
    path.write_text("badge,qty\n" + "".join(f"EMP-{i:06d},{i % 7}\n" for i in range(60)))
    return path


def _columns(doc: dict) -> dict[str, dict]:
    return {c["name"]: c for c in doc["sources"][0]["tables"][0]["columns"]}


def test_a_new_type_flows_into_its_policy_category(tmp_path: Path) -> None:
    rules = tmp_path / "badges.yaml"
    rules.write_text(BADGES)
    run = run_cli("scan", str(_staff(tmp_path)), "--detectors", str(rules), "--format", "json",
                  "--no-ner")
    assert run.code == 0, run.stderr
    badge = _columns(run.json())["badge"]
    assert [e["type"] for e in badge["entities"]] == ["EMPLOYEE_BADGE"]
    assert badge["categories"] == ["customer_provided"]
    terminal = run_cli("scan", str(_staff(tmp_path)), "--detectors", str(rules), "--no-ner")
    assert "EMPLOYEE_BADGE" in terminal.stdout


def test_a_new_type_listed_by_the_policy_needs_no_category(tmp_path: Path) -> None:
    rules = tmp_path / "badges.yaml"
    rules.write_text(BADGES.replace("    category: customer_provided\n", ""))
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "name: Staff policy\nstorage: {allowed_countries: [US], quote: US only}\n"
        "categories:\n  - id: staff\n    title: Staff records\n    quote: Badges we issue.\n"
        "    sensitivity: medium\n    entities: [EMPLOYEE_BADGE, PERSON_NAME]\n")
    run = run_cli("scan", str(_staff(tmp_path)), "--detectors", str(rules), "--policy",
                  str(policy), "--format", "json", "--no-ner")
    assert run.code == 0, run.stderr
    assert _columns(run.json())["badge"]["categories"] == ["staff"]


@pytest.mark.parametrize(("change", "message"), [
    (("    category: customer_provided\n", ""), "EMPLOYEE_BADGE is a new entity type"),
    (("category: customer_provided", "category: staff_only"),
     "category 'staff_only' is not a category of the policy"),
])
def test_a_new_type_without_a_known_category_is_a_usage_error(
        tmp_path: Path, change: tuple[str, str], message: str) -> None:
    rules = tmp_path / "badges.yaml"
    rules.write_text(BADGES.replace(*change))
    run = run_cli("scan", str(_staff(tmp_path)), "--detectors", str(rules), "--no-ner")
    assert run.code == 2
    assert message in run.stderr and str(rules) in run.stderr
    assert "Traceback" not in run.stderr


def test_a_policy_typo_is_still_caught(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "name: P\nstorage: {allowed_countries: [US], quote: US only}\n"
        "categories:\n  - id: staff\n    title: Staff\n    quote: Ours.\n"
        "    entities: [PASPORT]\n")
    run = run_cli("scan", str(policy), "--policy", str(policy))
    assert run.code == 2
    assert "did you mean PASSPORT" in run.stderr


def test_a_new_type_can_be_approved_in_a_baseline(tmp_path: Path) -> None:
    rules = tmp_path / "badges.yaml"
    rules.write_text(BADGES)
    baseline = tmp_path / "baseline.json"
    staff = _staff(tmp_path)
    made = run_cli("baseline", "create", str(staff), "-o", str(baseline), "--no-ner",
                   "--detectors", str(rules))
    assert made.code == 0, made.stderr
    assert "EMPLOYEE_BADGE" in baseline.read_text()
    gated = run_cli("check", str(staff), "--baseline", str(baseline), "--no-ner",
                    "--detectors", str(rules))
    assert gated.code == 0, gated.stdout + gated.stderr
