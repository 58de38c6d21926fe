"""Login names are account identifiers; RADIUS `Acct…` attributes are not accounts."""

from __future__ import annotations

import csv
from pathlib import Path

from scanner.core.config import ScanConfig
from scanner.core.engine import scan

COLUMNS = {
    "UserName": ["mgonzalez", "kwatanabe", "aokafor", "lschmidt", "praman"],
    "username": ["maria.g", "kenji_w", "amara.o", "lukas.s", "priya.r"],
    "user.name": ["elastic", "kibana_admin", "jdoe", "analyst1", "ops"],
    "LoginName": ["mg01", "kw02", "ao03", "ls04", "pr05"],
    "AcctSessionTime": ["3600", "120", "45", "9001", "77"],
    "AcctInputOctets": ["123456", "98765", "4455", "100", "99999"],
    "AcctStatusType": ["Start", "Stop", "Interim-Update", "Stop", "Start"],
    "display_name": ["Maria Gonzalez", "Kenji Watanabe", "Amara Okafor", "Lukas Schmidt",
                     "Priya Raman"],
    "failed_login_attempts": ["0", "3", "1", "0", "2"],
}


def test_login_names_and_radius_attributes(tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        w.writerows(zip(*(v * 4 for v in COLUMNS.values()), strict=True))
    result = scan([str(path)], ScanConfig(ner=False))
    found = {c.ref.column: set(c.entities) for c in result.sources[0].tables[0].columns}
    for column in ("UserName", "username", "user.name", "LoginName"):
        assert found[column] == {"ACCOUNT_ID"}, column
    for column in ("AcctSessionTime", "AcctInputOctets", "AcctStatusType", "display_name",
                   "failed_login_attempts"):
        assert "ACCOUNT_ID" not in found[column], column
