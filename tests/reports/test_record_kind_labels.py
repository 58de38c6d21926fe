"""Reports name each table's record kind briefly: "network log (Zeek log)", "call records"."""

from __future__ import annotations

import io
from pathlib import Path

from reports import build_report, render
from reports.record_kinds import FORMAT_TITLES, KIND_TITLES, kind_label
from scanner.core.config import ScanConfig
from scanner.core.engine import scan
from scanner.model import ScanResult
from scanner.policy import Policy
from scanner.policy.residency import assess

ZEEK = ["#separator \\x09", "#path\tdhcp", "#fields\tts\tclient_addr\tmac\thost_name",
        "#types\ttime\taddr\tstring\tstring"]


def radius_block(i: int) -> list[str]:
    return [f"Sat Jun  1 10:{i:02d}:00 2024", "\tAcct-Status-Type = Stop",
            f'\tUser-Name = "member{700 + i}@isp.example"', f'\tAcct-Session-Id = "{i:08X}"',
            f"\tFramed-IP-Address = 100.64.3.{i + 1}",
            f'\tCalling-Station-Id = "00-00-5E-00-53-{i:02X}"',
            f"\tAcct-Session-Time = {1800 + 7 * i}", f"\tAcct-Input-Octets = {90000 + i}", ""]


def files(tmp_path: Path) -> list[str]:
    zeek = tmp_path / "dhcp.log"
    zeek.write_text("\n".join(ZEEK + [
        f"17172360{i:02d}.5\t10.0.{i}.{i + 1}\t00:00:5e:00:53:{i:02x}\tdesk-{i}"
        for i in range(12)]) + "\n")
    detail = tmp_path / "detail-20240601"
    detail.write_text("\n".join(line for i in range(12) for line in radius_block(i)) + "\n")
    plain = tmp_path / "contacts.csv"
    plain.write_text("email\n" + "".join(f"user{i}@example.org\n" for i in range(12)))
    return [str(zeek), str(detail), str(plain)]


def rendered(result: ScanResult, fmt: str) -> str:
    policy = Policy.load(None)
    report = build_report(result, policy, assess(result, policy), tool_version="t")
    out = io.StringIO()
    render(fmt, report, out=out)
    return out.getvalue()


def test_terminal_and_html_name_each_tables_records(tmp_path: Path) -> None:
    result = scan(files(tmp_path), ScanConfig(ner=False))
    assert "  dhcp.log: network log (Zeek log)" in rendered(result, "terminal")
    for fmt in ("terminal", "html"):
        text = rendered(result, fmt)
        assert "network log (Zeek log)" in text, fmt
        assert "subscriber usage (RADIUS accounting, FreeRADIUS detail)" in text, fmt
        # A plain CSV of e-mail addresses holds no kind of record: nothing is claimed.
        assert not any(title in text for title in ("call records", "IP assignments")), fmt


def test_results_saved_before_record_kinds_still_say_call_records(tmp_path: Path) -> None:
    result = scan(files(tmp_path)[:1], ScanConfig(ner=False))
    data = result.to_dict()
    table = data["sources"][0]["tables"][0]
    table.pop("record_kind")
    table["is_call_record"] = True
    table.pop("format")
    old = ScanResult.from_dict(data)
    assert "dhcp.log: call records" in rendered(old, "terminal")


def test_labels_are_short_and_cover_every_kind_and_format() -> None:
    from connectors.base import RECORD_KINDS
    from connectors.registry import format_names

    assert kind_label("call_detail", "freeswitch-cdr-csv") == "call records (FreeSWITCH CSV)"
    assert kind_label("subscriber_usage", "delimited-text") == "subscriber usage"
    assert kind_label(None, "zeek-log") is None
    assert set(KIND_TITLES) == set(RECORD_KINDS)
    # Every format --cdr-format knows has a readable name in reports.
    assert set(format_names()) <= set(FORMAT_TITLES)
