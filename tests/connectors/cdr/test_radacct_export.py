"""A FreeRADIUS ``radacct`` export is subscriber usage, never a call log.

Its ``CallingStationId`` (a MAC, or the dial-up caller's number) sits beside
session start and stop times, which look like a call party and a call time;
the RADIUS accounting attributes around them say otherwise. Columns follow
FreeRADIUS's documented radacct schema.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.core.config import ScanConfig
from scanner.core.engine import scan

HEADER = ("RadAcctId,AcctSessionId,AcctUniqueId,UserName,NASIPAddress,AcctStartTime,"
          "AcctStopTime,AcctSessionTime,AcctInputOctets,AcctOutputOctets,CalledStationId,"
          "CallingStationId,AcctTerminateCause,FramedIPAddress")


def rows(station: str, n: int = 30) -> list[str]:
    out = []
    for i in range(n):
        who = (f"00-00-5E-00-53-{i:02X}" if station == "mac" else f"+1415555{1000 + i}")
        out.append(f"{i + 1},5F2A{i:04X},9c1e{i:012x},user{200 + i}@isp.example,192.0.2.1,"
                   f"2024-06-01 10:{i % 60:02d}:00,2024-06-01 11:{i % 60:02d}:00,{3600 + i},"
                   f"{100000 + 37 * i},{500000 + 91 * i},nas-east-1,{who},User-Request,"
                   f"100.64.{i // 200}.{i % 200 + 1}")
    return out


@pytest.mark.parametrize("station", ["mac", "dial-up number"])
def test_radacct_export_is_subscriber_usage(tmp_path: Path, station: str) -> None:
    path = tmp_path / "radacct.csv"
    path.write_text("\n".join([HEADER, *rows(station)]) + "\n")
    result = scan([str(path)], ScanConfig(ner=False))
    (table,) = result.sources[0].tables
    assert table.record_kind == "subscriber_usage"
    assert not table.is_call_record
    assert not (table.format or "").endswith("call-log")
    cols = {c.ref.column: c for c in table.columns}
    assert not any("CALL_DETAIL" in c.entities for c in table.columns)
    assert "SERVICE_USAGE" in cols["AcctSessionTime"].entities
    assert "IP_ADDRESS" in cols["FramedIPAddress"].entities
