"""No raw sampled value reaches any output: report formats, logs, errors, stored JSON.

The data holds distinctive values of every kind piiscan finds; every format is
rendered, debug logging is on, and a bad row and a bad file are thrown in so
the error paths run too. Not one of the raw values may appear anywhere.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest
from support import run_cli

SECRETS = {
    "card": "4556737586899855",
    "card_spaced": "5425 2334 3010 9903",
    "ssn": "536-22-8726",
    "email": "zelda.quartermain@example.org",
    "phone": "(617) 555-0142",
    "ip": "198.51.100.77",
    "mac": "3c:22:fb:91:4e:07",
    "iban": "GB33BUKB20201555555555",
    "imei": "356938035643809",
    "name": "Xanthippe Wolfenbarger",
    "street": "7731 Quillfeather Lane",
    "dob": "1971-08-14",
}


def _write(tmp: Path) -> list[str]:
    good = tmp / "customers.csv"
    with good.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["customer_name", "card_number", "card2", "ssn", "email", "phone", "ip",
                    "mac", "iban", "imei", "street_address", "date_of_birth", "notes"])
        for _ in range(20):
            w.writerow([SECRETS["name"], SECRETS["card"], SECRETS["card_spaced"], SECRETS["ssn"],
                        SECRETS["email"], SECRETS["phone"], SECRETS["ip"], SECRETS["mac"],
                        SECRETS["iban"], SECRETS["imei"], SECRETS["street"], SECRETS["dob"],
                        f"Spoke with {SECRETS['name']} about card {SECRETS['card']}"])
    ragged = tmp / "ragged.csv"
    ragged.write_text("a,b,c\n1,2,3\n" + f"{SECRETS['card']},{SECRETS['ssn']},x,y,z\n4,5,6\n")
    truncated = tmp / "broken.csv.gz"
    truncated.write_bytes(gzip.compress(f"email\n{SECRETS['email']}\n".encode() * 200)[:60])
    return [str(good), str(ragged), str(truncated)]


def _assert_clean(text: str, where: str) -> None:
    for kind, value in SECRETS.items():
        assert value not in text, f"raw {kind} leaked into {where}"
        digits = "".join(ch for ch in value if ch.isdigit())
        if kind in {"card", "card_spaced", "ssn", "imei", "iban"} and len(digits) >= 9:
            assert digits not in text.replace(" ", "").replace("-", ""), \
                f"raw {kind} digits leaked into {where}"


@pytest.mark.parametrize("fmt", ["table", "json", "html", "sarif", "csv", "markdown", "junit"])
def test_no_raw_value_in_any_format(tmp_path: Path, fmt: str) -> None:
    sources = _write(tmp_path)
    out = tmp_path / f"report.{fmt}"
    run = run_cli("scan", *sources, "--format", fmt, "-o", str(out), "--debug", "-v")
    assert run.code == 3, run.stderr  # the ragged and truncated files make the scan partial
    assert "Traceback" not in run.stderr
    _assert_clean(out.read_text(encoding="utf-8"), f"the {fmt} report")
    _assert_clean(run.stdout, "standard output")
    _assert_clean(run.stderr, "the log and error lines")


def test_findings_are_real_and_masked(tmp_path: Path) -> None:
    """The test above would pass on a scanner that finds nothing: check it finds it all."""
    sources = _write(tmp_path)
    run = run_cli("scan", sources[0], "--format", "json")
    assert run.code == 0, run.stderr
    cols = {c["name"]: c for c in run.json()["sources"][0]["tables"][0]["columns"]}
    expect = {"customer_name": "PERSON_NAME", "card_number": "CREDIT_CARD",
              "card2": "CREDIT_CARD", "ssn": "US_SSN", "email": "EMAIL_ADDRESS",
              "phone": "PHONE_NUMBER", "ip": "IP_ADDRESS", "mac": "MAC_ADDRESS",
              "iban": "BANK_ACCOUNT", "imei": "DEVICE_ID", "street_address": "POSTAL_ADDRESS",
              "date_of_birth": "DATE_OF_BIRTH"}
    for name, entity in expect.items():
        types = {e["type"] for e in cols[name]["entities"]}
        assert entity in types, f"{name}: {types}"
    card = next(e for e in cols["card2"]["entities"] if e["type"] == "CREDIT_CARD")
    assert card["evidence"] == ["**** **** **** 9903"]


def test_report_rerender_keeps_it_clean(tmp_path: Path) -> None:
    sources = _write(tmp_path)
    saved = tmp_path / "result.json"
    run_cli("scan", *sources, "--format", "json", "-o", str(saved))
    html = tmp_path / "again.html"
    run = run_cli("report", str(saved), "--format", "html", "-o", str(html))
    assert run.code == 0, run.stderr
    _assert_clean(html.read_text(encoding="utf-8"), "the re-rendered report")
