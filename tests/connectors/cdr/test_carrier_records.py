"""Carrier and ISP records as real exports hold them: re-saved times, national numbers, SMS logs.

Every file here is written from the format's documentation (FreeSWITCH's
``cdr_csv.conf.xml`` templates, the generic ``caller,called,start,duration``
layout); numbers are made up in each country's national format.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.base import ConnectorOptions, ReadPlan, Table
from connectors.cdr.timefmt import infer_time_field
from connectors.registry import open_source
from scanner.core.config import ScanConfig
from scanner.core.engine import scan

FULL = ReadPlan(sample_size=None, batch_size=1000)


def read(path: Path) -> tuple[Table, pa.Table]:
    table = next(open_source(str(path), ConnectorOptions()).tables())
    batches = list(table.batches(FULL))
    return table, pa.Table.from_batches(batches)


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def flagged(path: Path) -> tuple[dict[str, set[str]], dict[str, bool], str | None, bool]:
    """Scan one file: entities and CPNI flag per column, the record kind, is_call_record."""
    result = scan([str(path)], ScanConfig(ner=False))
    (source,) = result.sources
    (table,) = source.tables
    entities = {c.ref.column: {d.entity for d in c.detections} for c in table.columns}
    cpni = {c.ref.column: c.cpni for c in table.columns}
    return entities, cpni, table.record_kind, table.is_call_record


# --- the time decoder -----------------------------------------------------------


@pytest.mark.parametrize(("values", "expected"), [
    (["2020/2/10 22:41", "2020/12/1 2:03"], dt.datetime(2020, 2, 10, 22, 41)),
    (["01-09-2016 06:01:12", "13-09-2016 18:22:05"], dt.datetime(2016, 9, 1, 6, 1, 12)),
    (["02/10/2020 22:41", "12/31/2020 08:00"], dt.datetime(2020, 2, 10, 22, 41)),
    (["13/02/2020 22:41:00", "01/02/2020 08:00:00"], dt.datetime(2020, 2, 13, 22, 41)),
    (["2024-03-01T10:00:00.250", "2024-03-01T10:00:01.000"], dt.datetime(2024, 3, 1, 10)),
    (["10.02.2020 22:41:07"], dt.datetime(2020, 2, 10, 22, 41, 7)),
    (["1581374460", "1581374461"], dt.datetime(2020, 2, 10, 22, 41)),
    (["02/10 22:41", "12/01 08:00"], dt.datetime(1900, 2, 10, 22, 41)),
])
def test_time_formats_real_exports_use(values: list[str], expected: dt.datetime) -> None:
    from connectors.cdr.decode import convert

    field = infer_time_field("start", values)
    assert field is not None
    parsed = convert(pa.array(values), field).to_pylist()
    assert parsed[0] == expected
    assert None not in parsed


@pytest.mark.parametrize("values", [["hello", "world"], ["12", "13"], ["2020-13-45 99:99"]])
def test_non_times_get_no_time_format(values: list[str]) -> None:
    assert infer_time_field("x", values) is None


# --- FreeSWITCH Master.csv re-saved by a spreadsheet ------------------------------


def fs_line(i: int, start: str, answer: str, end: str) -> str:
    return (f'"Caller {i}","100{i}","55501{i:02d}","default","{start}","{answer}","{end}",'
            f'"300","298","NORMAL_CLEARING","6f1c2e7a-0b1d-4c55-9a0e-3b7d2c1e90{i:02d}","",'
            f'"acct","PCMU","PCMU"')


@pytest.mark.parametrize(("start", "answer", "end", "first"), [
    ("2020/2/10 22:41", "2020/2/10 22:41", "2020/2/10 22:46", dt.datetime(2020, 2, 10, 22, 41)),
    ("10-02-2020 22:41:05", "10-02-2020 22:41:07", "10-02-2020 22:46:05",
     dt.datetime(2020, 2, 10, 22, 41, 5)),
    ("2020-02-10 22:41:05", "", "2020-02-10 22:46:05", dt.datetime(2020, 2, 10, 22, 41, 5)),
])
def test_freeswitch_master_csv_with_resaved_times(tmp_path: Path, start: str, answer: str,
                                                   end: str, first: dt.datetime) -> None:
    path = write(tmp_path / "Master.csv", [fs_line(i, start, answer, end) for i in range(8)])
    table, data = read(path)
    assert table.format == "freeswitch-cdr-csv"
    assert table.record_kind == "call_detail"
    assert data.num_rows == 8
    assert data.column("start_stamp").to_pylist()[0] == first
    assert data.column("end_stamp").null_count == 0


def test_freeswitch_resaved_reason_says_how_times_were_read(tmp_path: Path) -> None:
    path = write(tmp_path / "Master.csv",
                 [fs_line(i, "2020/2/10 22:41", "2020/2/10 22:41", "2020/2/10 22:46")
                  for i in range(5)])
    table, _ = read(path)
    assert "re-saved times" in (table.format_reason or "")


# --- generic call logs and SMS logs with national numbers -------------------------

NATIONAL_CALLS = [
    "78130 00821,(022)28952819,01-09-2016 06:01:12,120",
    "98200 11234,(011)23456789,13-09-2016 18:22:05,35",
    "70451 99812,(080)41234567,02-10-2016 09:00:00,7",
    "0161 496 0123,020 7946 0018,03-10-2016 11:15:40,0",
]


@pytest.mark.parametrize("header", ["call_num,rec_num,start,duration", None])
def test_call_log_with_national_numbers(tmp_path: Path, header: str | None) -> None:
    lines = ([header] if header else []) + NATIONAL_CALLS
    path = write(tmp_path / "calls.csv", lines)
    table, data = read(path)
    assert table.format == "generic-call-log"
    assert table.record_kind == "call_detail"
    assert data.num_rows == 4
    caller, called, start, duration = data.column_names
    assert data.column(start).to_pylist()[0] == dt.datetime(2016, 9, 1, 6, 1, 12)
    assert data.column(duration).to_pylist() == [120, 35, 7, 0]
    if header is None:
        assert "recognised by content" in (table.format_reason or "")
        assert "no header" in (table.format_reason or "")
    entities, cpni, kind, is_call = flagged(path)
    assert kind == "call_detail" and is_call
    for party in (caller, called):
        assert {"PHONE_NUMBER", "CALL_DETAIL"} <= entities[party]
        assert cpni[party]
    assert "CALL_DETAIL" in entities[start]
    assert "CALL_DETAIL" in entities[duration]


def test_call_log_with_extra_columns_and_semicolons(tmp_path: Path) -> None:
    lines = ["id;a_number;b_number;call_start;call_end;seconds;cell;cost"] + [
        f"{i};+49 30 901820{i};0170 1234 56{i};2023/5/4 10:0{i};2023/5/4 10:1{i};{60 + i};"
        f"262-01-{i};0.{i}" for i in range(6)]
    table, data = read(write(tmp_path / "log.txt", lines))
    assert table.format == "generic-call-log"
    assert data.schema.field("call_start").type == pa.timestamp("s")
    assert data.column("seconds").to_pylist()[0] == 60
    entities, _, kind, _ = flagged(tmp_path / "log.txt")
    assert kind == "call_detail"
    assert "PHONE_NUMBER" in entities["a_number"] and "CALL_DETAIL" in entities["b_number"]
    assert "PHONE_NUMBER" not in entities["id"]


@pytest.mark.parametrize("header", ["sending_telephone,receiving_telephone,timestamp", None])
def test_sms_log_is_a_messaging_record(tmp_path: Path, header: str | None) -> None:
    rows = ["78130 00821,98200 11234,2016/9/1 6:01", "98200 11234,70451 99812,2016/9/13 18:22",
            "70451 99812,78130 00821,2016/9/14 7:45"]
    path = write(tmp_path / "texts.csv", ([header] if header else []) + rows)
    table, data = read(path)
    assert table.record_kind == "messaging"
    assert table.is_call_record is False
    assert "messaging log" in (table.format_reason or "")
    entities, cpni, kind, is_call = flagged(path)
    assert kind == "messaging" and not is_call
    sender, recipient, when = data.column_names
    assert {"PHONE_NUMBER", "CALL_DETAIL"} <= entities[sender]
    assert {"PHONE_NUMBER", "CALL_DETAIL"} <= entities[recipient]
    assert cpni[sender] and cpni[recipient]


def test_customer_contact_list_is_not_a_call_log(tmp_path: Path) -> None:
    lines = ["home_phone,work_phone,signup_date"] + [
        f"(022)2895281{i},78130 0082{i},2019-0{i + 1}-01 10:00:00" for i in range(5)]
    path = write(tmp_path / "customers.csv", lines)
    table = next(open_source(str(path), ConnectorOptions()).tables())
    assert table.format != "generic-call-log"
    _, cpni, kind, is_call = flagged(path)
    assert kind is None and not is_call
    assert not any(cpni.values())


def test_national_numbers_outside_a_call_record_are_not_claimed_by_shape(tmp_path: Path) -> None:
    lines = ["call_num,label"] + [f"78130 0082{i},x{i}" for i in range(5)]
    entities, _, kind, _ = flagged(write(tmp_path / "numbers.csv", lines))
    assert kind is None
    assert "CALL_DETAIL" not in entities["call_num"]


# --- partial means partial ------------------------------------------------------


def avaya_line(i: int) -> str:
    # Avaya IP Office SMDR, the 17 fields of older releases in the documented order.
    return (f"2024/03/01 10:{i:02d}:00,00:01:{i:02d},3,20{i:02d},O,0201234{i:04d},"
            f"0201234{i:04d},,0,10000{i:02d},0,E20{i:02d},Ext {i},T9001,Line 1.{i},0,0")


def test_malformed_line_with_every_record_read_is_ok_with_a_warning(tmp_path: Path) -> None:
    from support import run_cli

    lines = [avaya_line(i) for i in range(20)]
    lines.insert(7, "SMDR link restarted")
    path = write(tmp_path / "smdr.csv", lines)
    run = run_cli("scan", str(path), "--no-ner", "--format", "json")
    assert run.code == 0, run.stderr
    [source] = run.json()["sources"]
    [table] = source["tables"]
    assert source["status"] == "ok" and table["status"] == "ok"
    assert table["format"]["name"] == "avaya-ipo-smdr"
    assert table["rows_scanned"] == 20
    assert table["warnings"] == ["line 8: 1 fields, expected 17"]
    assert "restarted" not in run.stderr


@pytest.mark.parametrize("damage", ["truncated", "mostly bad"])
def test_possible_data_loss_is_partial(tmp_path: Path, damage: str) -> None:
    from support import run_cli

    lines = [avaya_line(i % 60) for i in range(1000)]
    if damage == "truncated":
        body = "\n".join(lines) + "\n" + avaya_line(20)[:40]
    else:
        # Beyond the sniffed head, a third of the lines no longer fit the layout.
        body = "\n".join(lines + ["x,y"] * 500) + "\n"
    path = tmp_path / "smdr.csv"
    path.write_text(body, encoding="utf-8")
    run = run_cli("scan", str(path), "--no-ner", "--format", "json")
    assert run.code == 3
    [source] = run.json()["sources"]
    assert source["tables"][0]["status"] == "partial"


# --- SIP proxy accounting (Kamailio/OpenSIPS acc module) ----------------------------

#: The acc module's default columns, then the usual ``acc_extra`` ones.
ACC_COLUMNS = ["id", "method", "from_tag", "to_tag", "callid", "sip_code", "sip_reason", "time",
               "src_user", "src_domain", "src_ip", "dst_ouser", "dst_user", "dst_domain",
               "duration", "setuptime"]


def acc_row(i: int) -> list[object]:
    return [i + 1, "INVITE" if i % 4 else "BYE", f"a{i:06x}f", f"b{i:06x}e",
            f"{i:08x}-5a1c@10.0.0.{i % 200}", "200" if i % 5 else "486",
            "OK" if i % 5 else "Busy Here", f"2024-05-0{i % 9 + 1} 10:{i % 60:02d}:00",
            f"+1202555{i:04d}", "sip.example.net", f"198.51.100.{i % 250}",
            f"1202555{i + 7:04d}", f"+1202555{i + 7:04d}", "sip.example.net", 60 + i, 2]


def _sqlite(path: Path, table: str, columns: list[str], rows: list[list[object]]) -> Path:
    import sqlite3

    con = sqlite3.connect(path)
    con.execute(f"CREATE TABLE {table} ({', '.join(columns)})")
    con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(columns))})", rows)
    con.commit()
    con.close()
    return path


def _scan_tables(path: Path) -> dict[str, tuple[str | None, dict[str, set[str]], dict[str, bool]]]:
    result = scan([str(path)], ScanConfig(ner=False))
    out = {}
    for source in result.sources:
        for t in source.tables:
            out[t.name] = (t.record_kind,
                           {c.ref.column: {d.entity for d in c.detections} for c in t.columns},
                           {c.ref.column: c.cpni for c in t.columns})
    return out


def _check_acc(kind: str | None, entities: dict[str, set[str]], cpni: dict[str, bool]) -> None:
    assert kind == "call_detail"
    for party in ("src_user", "dst_user", "dst_ouser"):
        assert {"PHONE_NUMBER", "CALL_DETAIL"} <= entities[party], party
        assert cpni[party]
    for detail in ("time", "duration", "sip_code", "sip_reason"):
        assert "CALL_DETAIL" in entities[detail], detail
    for plain in ("id", "method", "from_tag", "to_tag", "callid", "src_domain"):
        assert not entities[plain], plain
    assert entities["src_ip"] == {"IP_ADDRESS"}


@pytest.mark.parametrize("table", ["acc", "missed_calls", "acc_cdrs_export"])
def test_kamailio_acc_table_is_a_call_record(tmp_path: Path, table: str) -> None:
    rows = [acc_row(i) for i in range(40)]
    path = _sqlite(tmp_path / "kamailio.db", table, ACC_COLUMNS, rows)
    kind, entities, cpni = _scan_tables(path)[table]
    _check_acc(kind, entities, cpni)


def test_kamailio_acc_csv_export_with_and_without_extra_columns(tmp_path: Path) -> None:
    import csv

    minimal = ACC_COLUMNS[:9] + ACC_COLUMNS[12:13]
    for name, cols in (("acc.csv", ACC_COLUMNS), ("acc_min.csv", minimal)):
        with (tmp_path / name).open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(cols)
            for i in range(30):
                row = dict(zip(ACC_COLUMNS, acc_row(i), strict=True))
                w.writerow([row[c] for c in cols])
    (kind, entities, cpni), = _scan_tables(tmp_path / "acc.csv").values()
    _check_acc(kind, entities, cpni)
    (kind, entities, cpni), = _scan_tables(tmp_path / "acc_min.csv").values()
    assert kind == "call_detail"
    assert "CALL_DETAIL" in entities["src_user"] and "CALL_DETAIL" in entities["time"]


def test_kamailio_cdrs_table(tmp_path: Path) -> None:
    cols = ["cdr_id", "src_username", "src_domain", "dst_username", "dst_domain",
            "dst_ousername", "call_start_time", "duration", "sip_call_id", "sip_from_tag",
            "sip_to_tag", "src_ip", "cost", "rated", "created"]
    rows = [[i, f"+4420794600{i:02d}", "voip.example.org", f"+4420794611{i:02d}",
             "voip.example.org", f"020794611{i:02d}", f"2024-06-01 12:{i:02d}:00", 30 + i,
             f"c{i:08x}@192.0.2.9", f"t{i}", f"u{i}", f"203.0.113.{i}", 0.02 * i, 1,
             f"2024-06-01 12:{i:02d}:05"] for i in range(30)]
    path = _sqlite(tmp_path / "k.db", "cdrs", cols, rows)
    kind, entities, cpni = _scan_tables(path)["cdrs"]
    assert kind == "call_detail"
    assert {"PHONE_NUMBER", "CALL_DETAIL"} <= entities["src_username"]
    assert "CALL_DETAIL" in entities["call_start_time"] and cpni["call_start_time"]
    assert not entities["sip_call_id"]


# --- RADIUS accounting -----------------------------------------------------------

RADACCT = ["RadAcctId", "AcctSessionId", "AcctUniqueId", "UserName", "Realm", "NASIPAddress",
           "NASPortId", "NASPortType", "AcctStartTime", "AcctUpdateTime", "AcctStopTime",
           "AcctInterval", "AcctSessionTime", "AcctAuthentic", "ConnectInfo_start",
           "ConnectInfo_stop", "AcctInputOctets", "AcctOutputOctets", "CalledStationId",
           "CallingStationId", "AcctTerminateCause", "ServiceType", "FramedProtocol",
           "FramedIPAddress"]


def radacct_row(i: int, station: str) -> list[object]:
    return [i + 1, f"{i:08X}", f"{i:016x}", f"cust{1000 + i}", "isp.example", "192.0.2.1",
            f"eth0.{i}", "Ethernet", f"2024-05-01 0{i % 10}:00:00", f"2024-05-01 0{i % 10}:30:00",
            f"2024-05-01 0{i % 10}:45:00", 300, 2700 + i, "RADIUS", "1000BASE-T", "1000BASE-T",
            123456789 + i * 1000, 987654321 + i, "bras01.isp.example", station,
            "User-Request", "Framed-User", "PPP", f"100.64.{i}.{i + 1}"]


@pytest.mark.parametrize("station", ["mac", "phone"])
def test_radacct_is_usage_not_a_call_record(tmp_path: Path, station: str) -> None:
    rows = [radacct_row(i, f"00-1A-2B-3C-4D-{i:02X}" if station == "mac" else f"+1202555{i:04d}")
            for i in range(30)]
    path = _sqlite(tmp_path / "radius.db", "radacct", RADACCT, rows)
    result = scan([str(path)], ScanConfig(ner=False))
    (table,) = result.sources[0].tables
    assert table.record_kind == "subscriber_usage"
    assert table.is_call_record is False
    entities = {c.ref.column: {d.entity for d in c.detections} for c in table.columns}
    cpni = {c.ref.column: c.cpni for c in table.columns}
    assert "ACCOUNT_ID" in entities["UserName"]
    assert "IP_ADDRESS" in entities["FramedIPAddress"]
    framed = next(c for c in table.columns if c.ref.column == "FramedIPAddress")
    ip = next(d for d in framed.detections if d.entity == "IP_ADDRESS")
    assert any("tied to a subscriber" in r for r in ip.reasons)
    expected = "MAC_ADDRESS" if station == "mac" else "PHONE_NUMBER"
    assert expected in entities["CallingStationId"]
    assert "CALL_DETAIL" not in entities["CallingStationId"]
    for usage in ("AcctSessionTime", "AcctInputOctets", "AcctOutputOctets", "AcctStartTime"):
        assert entities[usage] == {"SERVICE_USAGE"}, usage
        assert cpni[usage]
    for plain in ("RadAcctId", "AcctSessionId", "AcctInterval", "AcctTerminateCause",
                  "ServiceType"):
        assert not entities[plain], plain
    assert not any("CALL_DETAIL" in e for e in entities.values())


def test_radacct_schema_recognised_from_ddl_names_alone() -> None:
    from scanner.core.records import kind_from_names

    found = kind_from_names([c.lower() for c in RADACCT])
    assert found.kind == "subscriber_usage"
    assert found.entity_for("username") == "ACCOUNT_ID"
    assert found.entity_for("acctoutputoctets") == "SERVICE_USAGE"
    assert kind_from_names(["id", "method", "time"]).kind is None


# --- negatives ------------------------------------------------------------------


def test_asterisk_messages_log_is_not_a_cdr(tmp_path: Path) -> None:
    lines = [
        f"[Mar  1 10:0{i}:00] NOTICE[12{i}] chan_sip.c: Registration from "
        f"'\"20{i}\" <sip:20{i}@192.0.2.10>' failed for '198.51.100.{i}:5060' - Wrong password"
        for i in range(5)] + [
        f"[Mar  1 10:1{i}:00] VERBOSE[13{i}] pbx.c: -- Executing [20{i}@from-internal:1] "
        f"Dial(\"SIP/20{i}-0000000{i}\", \"SIP/trunk/5550{i}00,30\") in new stack"
        for i in range(5)]
    path = write(tmp_path / "messages", lines)
    result = scan([str(path)], ScanConfig(ner=False))
    for source in result.sources:
        for table in source.tables:
            assert table.record_kind != "call_detail"
            assert not table.is_call_record
            assert not (table.format or "").endswith(("cdr-csv", "call-log", "smdr"))


# --- subscriber usage aggregates and service plans --------------------------------

USAGE_HEADERS = {
    "snake": ["phone_number", "total_day_minutes", "total_day_calls", "total_day_charge",
              "total_eve_minutes", "total_eve_calls", "total_eve_charge", "total_night_minutes",
              "total_night_calls", "total_night_charge", "total_intl_minutes",
              "total_intl_calls", "total_intl_charge", "number_vmail_messages",
              "international_plan", "voice_mail_plan"],
    "short": ["Phone", "Day Mins", "Day Calls", "Day Charge", "Eve Mins", "Eve Calls",
              "Eve Charge", "Night Mins", "Night Calls", "Night Charge", "Intl Mins",
              "Intl Calls", "Intl Charge", "VMail Messages", "Intl Plan", "VMail Plan"],
}


def _usage_rows(n: int, customer: bool) -> list[list[object]]:
    rows = []
    for i in range(n):
        minutes = [round(40.5 + 7.25 * ((i * k) % 31), 1) for k in (3, 5, 7, 2)]
        calls = [50 + (i * k) % 90 for k in (2, 3, 5, 1)]
        charges = [round(m * rate, 2) for m, rate in zip(minutes, (0.17, 0.085, 0.045, 0.27),
                                                         strict=True)]
        who = f"(202) 555-{i:04d}" if customer else f"region {i % 4}"
        row: list[object] = [who]
        for m, c, ch in zip(minutes, calls, charges, strict=True):
            row += [m, c, ch]
        row += [(i * 7) % 40, "yes" if i % 3 == 0 else "no", "yes" if i % 2 else "no"]
        rows.append(row)
    return rows


@pytest.mark.parametrize("style", ["snake", "short"])
def test_subscriber_usage_aggregates_are_cpni(tmp_path: Path, style: str) -> None:
    import csv

    path = tmp_path / "usage.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(USAGE_HEADERS[style])
        w.writerows(_usage_rows(40, customer=True))
    result = scan([str(path)], ScanConfig(ner=False))
    (table,) = result.sources[0].tables
    assert table.record_kind == "subscriber_usage"
    cols = {c.ref.column: c for c in table.columns}
    names = USAGE_HEADERS[style]
    assert "PHONE_NUMBER" in cols[names[0]].entities
    for name in names[1:14]:
        assert "SERVICE_USAGE" in cols[name].entities, name
        assert cols[name].cpni, name
    for name in names[14:]:
        assert "SERVICE_PLAN" in cols[name].entities, name
        assert cols[name].cpni


def test_usage_not_tied_to_a_subscriber_is_aggregate(tmp_path: Path) -> None:
    import csv

    path = tmp_path / "regions.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["region"] + USAGE_HEADERS["snake"][1:])
        w.writerows(_usage_rows(40, customer=False))
    result = scan([str(path)], ScanConfig(ner=False))
    (table,) = result.sources[0].tables
    assert not any(c.cpni for c in table.columns)
    assert not any("SERVICE_USAGE" in c.entities for c in table.columns)


SUBSCRIPTION_COLUMNS = ["customer_id", "PhoneService", "MultipleLines", "InternetService",
                        "OnlineSecurity", "OnlineBackup", "DeviceProtection", "TechSupport",
                        "StreamingTV", "StreamingMovies", "Contract", "PaperlessBilling",
                        "PaymentMethod"]


def _subscription_rows(n: int) -> list[list[str]]:
    internet = ["DSL", "Fiber optic", "No", "Fiber optic", "DSL"]
    contract = ["Month-to-month", "One year", "Two year"]
    rows = []
    for i in range(n):
        net = internet[i % 5]
        phone = "No" if i % 6 == 0 else "Yes"

        def addon(k: int, net: str = net, i: int = i) -> str:
            return "No internet service" if net == "No" else ("Yes" if (i + k) % 3 else "No")

        rows.append([f"AC-{700100 + i}", phone,
                     "No phone service" if phone == "No" else ("Yes" if i % 2 else "No"), net,
                     *(addon(k) for k in range(6)), contract[i % 3], "Yes" if i % 4 else "No",
                     ["Autopay (card)", "Bank draft", "Mailed invoice"][i % 3]])
    return rows


def test_telco_subscription_columns_are_service_plans(tmp_path: Path) -> None:
    import csv

    path = tmp_path / "subscriptions.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(SUBSCRIPTION_COLUMNS)
        w.writerows(_subscription_rows(40))
    result = scan([str(path)], ScanConfig(ner=False))
    (table,) = result.sources[0].tables
    cols = {c.ref.column: c for c in table.columns}
    found = [n for n in SUBSCRIPTION_COLUMNS[1:] if "SERVICE_PLAN" in cols[n].entities]
    # How the customer pays is billing, not the type of service they have.
    assert found == SUBSCRIPTION_COLUMNS[1:-1]
    assert all(cols[n].cpni for n in found)


@pytest.mark.parametrize(("values", "plan"), [
    (["Month-to-month", "One year", "Two year", "Month-to-month"], True),
    (["DSL", "Fiber optic", "Cable", "DSL"], True),
    (["Prepaid", "Postpaid", "Pay as you go", "Prepaid"], True),
    (["Unlimited", "Unlimited data", "5 GB", "500 Mbps"], True),
    (["red", "green", "blue", "red"], False),
    (["Yes", "No", "Yes", "No"], False),
])
def test_plan_vocabulary_without_a_telling_name(tmp_path: Path, values: list[str],
                                                plan: bool) -> None:
    rows = [[f"AC-{700100 + i}", values[i % 4]] for i in range(40)]
    lines = ["customer_id,col_b"] + [",".join(r) for r in rows]
    entities, cpni, _, _ = flagged(write(tmp_path / "t.csv", lines))
    assert ("SERVICE_PLAN" in entities["col_b"]) is plan
    assert cpni["col_b"] is plan


def test_avaya_smdr_full_field_list_is_typed(tmp_path: Path) -> None:
    # The 35 fields of current IP Office releases, in the documented order.
    lines = []
    for i in range(20):
        fields = [f"2024/03/01 10:{i:02d}:00", f"00:01:{i:02d}", "3", f"20{i:02d}", "O",
                  f"0201234{i:04d}", f"0201234{i:04d}", "", "0", f"10000{i:02d}", "0",
                  f"E20{i:02d}", f"Extension User {i}", f"T90{i:02d}", f"Line 1.{i}", "0", "0",
                  "0", "", f"User {i}", f"0.{i}", "GBP", "0.00", "1", "0", "1.00", "100", "", "",
                  f"07700 900{i:03d}", f"192.0.2.{i}", f"{i}", f"192.0.2.1{i}", f"{i + 100}",
                  "2024/03/01 10:30:00"]
        lines.append(",".join(fields))
    path = tmp_path / "smdr.txt"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    entities, cpni, kind, _ = flagged(path)
    assert kind == "call_detail"
    for name in ("Party1Device", "Party2Device", "External Targeted Number"):
        assert "CALL_DETAIL" in entities[name] and cpni[name], name
    assert "PERSON_NAME" in entities["Party1Name"]
    assert "SERVICE_USAGE" in entities["Call Charge"] and cpni["Call Charge"]
    for plain in ("Call ID", "Continuation", "Currency"):
        assert not entities[plain], plain


# --- headerless logs named by content; per-user files; look-alikes ----------------


def test_headerless_log_numbers_named_from_content(tmp_path: Path) -> None:
    # type; direction code; subscriber; correspondent; time; seconds; cell latitude/longitude
    lines = [f"{1 + i % 2};{21 + i % 2};2025550{i:03d};2025551{i:03d};2024-04-0{i % 9 + 1} "
             f"08:{i:02d}:00;{(i * 37) % 400};{38.9 + i / 1000:.4f};{-77.03 - i / 1000:.4f}"
             for i in range(30)]
    table, data = read(write(tmp_path / "orange.txt", lines))
    assert table.format == "generic-call-log"
    assert data.column_names == ["call_kind", "call_direction", "calling_number",
                                 "called_number", "start_time", "duration", "latitude",
                                 "longitude"]
    entities, cpni, _, _ = flagged(tmp_path / "orange.txt")
    for name in ("call_kind", "call_direction", "start_time", "duration"):
        assert "CALL_DETAIL" in entities[name] and cpni[name], name
    assert "GEO_LOCATION" in entities["latitude"]


def test_bandicoot_per_user_files(tmp_path: Path) -> None:
    # bandicoot's documented input: one records file and one recharges file per user.
    records = ["interaction,direction,correspondent_id,datetime,call_duration,antenna_id"] + [
        f"{'call' if i % 2 else 'text'},{'in' if i % 3 else 'out'},U{i % 5},"
        f"2024-02-0{i % 9 + 1} 1{i % 10}:00:00,{60 + i if i % 2 else ''},{i % 4}"
        for i in range(30)]
    recharges = ["datetime,amount,retailer_id"] + [
        f"2024-{i % 12 + 1}-{i % 27 + 1},{5 + i % 20},{700 + i % 3}" for i in range(20)]
    entities, cpni, kind, _ = flagged(write(tmp_path / "user17.csv", records))
    assert kind == "call_detail"
    assert all("CALL_DETAIL" in e for e in entities.values())
    assert all(cpni.values())
    entities, cpni, kind, _ = flagged(write(tmp_path / "recharges.csv", recharges))
    assert kind == "subscriber_usage"
    assert entities["amount"] == {"SERVICE_USAGE"} and cpni["amount"]
    assert not entities["retailer_id"]


@pytest.mark.parametrize(("header", "row"), [
    # A firewall/DHCP event log: source and destination are hosts, not call parties.
    ("EventTime,SourceIP,DestinationIP,SourcePort,DestinationPort,Message",
     "2024-01-01 10:{i:02d}:00,10.0.0.{i},192.0.2.{i},5{i:04d},443,allowed"),
    # A bank transfer: a sender's account number is not a caller's.
    ("type,sender_account_number,recipient_fullname,transfer_amount,transfer_date",
     "domestic,24408467{i:04d},Payee {i},91.40,2024-05-01 01:{i:02d}"),
])
def test_look_alikes_are_not_call_records(tmp_path: Path, header: str, row: str) -> None:
    path = write(tmp_path / "events.csv", [header] + [row.format(i=i) for i in range(20)])
    table = next(open_source(str(path), ConnectorOptions()).tables())
    assert table.format != "generic-call-log"
    entities, cpni, kind, is_call = flagged(path)
    assert kind is None and not is_call
    assert not any("CALL_DETAIL" in e for e in entities.values())


# --- fuzzing the new sniffers ---------------------------------------------------

_cell = st.one_of(st.text(max_size=20), st.sampled_from(
    ["2020/2/10 22:41", "01-09-2016 06:01:12", "78130 00821", "(022)28952819", "1581374460",
     "02/10 22:41", "120", "", "13/13/2020 25:61"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(_cell, max_size=12))
def test_time_inference_never_raises(values: list[str]) -> None:
    found = infer_time_field("t", values)
    assert found is None or found.kind in ("timestamp", "epoch")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_cell, min_size=1, max_size=6), max_size=12),
       st.sampled_from([",", ";", "\t"]))
def test_generic_sniffer_never_raises(rows: list[list[str]], delimiter: str) -> None:
    from connectors.cdr.generic import GenericCallLog

    text = "\n".join(delimiter.join(r) for r in rows).encode("utf-8", errors="replace")
    for forced in (False, True):
        found = GenericCallLog.detect(text, ConnectorOptions(), forced)
        assert found is None or found.layout.fields


def test_headerless_contact_list_is_not_a_call_log(tmp_path: Path) -> None:
    lines = [f"Customer {i},(022)2895281{i % 10},78130 0082{i % 10},2019-0{i % 9 + 1}-01 10:00"
             for i in range(20)]
    path = write(tmp_path / "contacts.csv", lines)
    table = next(open_source(str(path), ConnectorOptions()).tables())
    assert table.format != "generic-call-log"
