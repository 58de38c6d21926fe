"""Library-grade validators: e-mail syntax (email-validator), user agents (uap-core), US streets.

Each table holds values that must be found and look-alikes that must not. The
values are written from the formats' specifications (RFC 5322 and RFC 6531 for
addresses, RFC 9110 and RFC 3261 for User-Agent headers, USPS Publication 28
for street lines) and from the clients and devices that write them.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pytest

from detectors.base import ValueView
from detectors.contact import EmailDetector
from scanner.core.config import ScanConfig
from scanner.core.engine import scan

EMAILS = [
    "josé@bücher.de",  # internationalised local part and domain (RFC 6531)
    "用户@例子.广告",
    "иван.петров@почта.рф",
    '"john doe"@example.org',  # quoted local part with a space (RFC 5322 3.4.1)
    '"billing,dept"@example.com',
    "o'connor.maeve@example.ie",
    "pedro.alvarez@correo.example.com.mx",
    "jane.roe+invoices@example.co.uk",
    "Ana Souza <ana.souza@exemplo.com.br>",
    "k.tanaka@example.co.jp",
]
NOT_EMAILS = [
    "S0/SU2/DS1-0@HQRTR.cciecarl.local",  # a phone-system device name
    "S0/SU2/DS1-1@HQRTR.example.com",  # the same shape under a public domain
    "printer-3f@office.local",
    "svc-backup@corp.internal",
    "qa-runner@shop.test",
    "user@localhost",
    "jane..roe@example.com",
    "jane.@example.com",
    "admin@10.0.0.1",
    "user@domain.notarealtld",
    "ring@group@example.com",
    "@handle",
]


def _matched(detector: object, value: str) -> bool:
    m = detector.match(ValueView(pa.array([value])))  # type: ignore[attr-defined]
    return bool(m and m.matched)


@pytest.mark.parametrize("value", EMAILS)
def test_emails(value: str) -> None:
    assert _matched(EmailDetector(), value)


@pytest.mark.parametrize("value", NOT_EMAILS)
def test_not_emails(value: str) -> None:
    assert not _matched(EmailDetector(), value)


def _scan(tmp_path: Path, columns: dict[str, list[str]]) -> dict[str, set[str]]:
    path = tmp_path / "values.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        w.writerows(zip(*columns.values(), strict=True))
    result = scan([str(path)], ScanConfig(ner=False))
    return {c.ref.column: set(c.entities) for c in result.sources[0].tables[0].columns}


def test_email_columns_in_a_scan(tmp_path: Path) -> None:
    n = 24
    found = _scan(tmp_path, {
        "contact": [EMAILS[i % len(EMAILS)] for i in range(n)],
        "device_name": [f"S0/SU{i % 4}/DS1-{i}@HQRTR.branch{i % 3}.local" for i in range(n)],
    })
    assert found["contact"] == {"EMAIL_ADDRESS"}
    assert "EMAIL_ADDRESS" not in found["device_name"]


def test_email_validation_runs_once_per_distinct_value(monkeypatch: pytest.MonkeyPatch) -> None:
    # 20,000 rows of 50 distinct addresses: the validator sees the 50, the count covers all rows.
    import detectors.contact as contact

    seen: list[str] = []

    def counting(value: str) -> bool:
        seen.append(value)
        return contact_valid(value)

    contact_valid = contact.email_valid
    monkeypatch.setattr(contact, "email_valid", counting)
    m = EmailDetector().match(ValueView(pa.array([f"user{i % 50}@example.com"
                                                  for i in range(20_000)])))
    assert m is not None and m.matched == 20_000
    assert len(seen) == 50
