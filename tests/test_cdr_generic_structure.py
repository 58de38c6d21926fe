"""Call logs without a vendor layout: recognised from what their columns describe together.

Mobile-phone toolkits and research extracts write ``user, other, direction,
duration, timestamp, antenna_id, cost`` (or ``_user``, ``otherUser``,
``A_PARTY``): no single name says "call", the table as a whole does. Tables
with a user and a time that are not calls (web sessions, orders, mail) must
stay out of CPNI.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from support import run_cli

from connectors.base import ConnectorOptions, ReadPlan
from connectors.cdr.generic import call_log_shape, confirm_values, party_side
from connectors.registry import open_source
from scanner.core.config import ScanConfig
from scanner.core.engine import scan
from scanner.core.records import kind_from_names

_DIRECTIONS = ("in", "out", "Incoming", "Outgoing")


def _calls(n: int = 30) -> list[dict[str, object]]:
    """Calls of a few subscribers, with national numbers, antennas and charges."""
    return [{"user": 2125550100 + i % 4, "other": 3105550170 + i * 37 % 900,
             "direction": ("Incoming", "Outgoing")[i % 2], "duration": 15 + i * 13 % 600,
             "timestamp": f"2023-06-{i % 28 + 1:02d} {i % 24:02d}:{i * 7 % 60:02d}:05",
             "antenna_id": 100 + i % 9, "cost": i % 5}
            for i in range(n)]


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in r)
                                  for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _flagged(path: str) -> tuple[dict[str, set[str]], dict[str, bool], str | None]:
    result = scan([path], ScanConfig(ner=False))
    (source,) = result.sources
    table = source.tables[0]  # the records (a JSON wrapper's other members come after)
    entities = {c.ref.column: {d.entity for d in c.detections} for c in table.columns}
    cpni = {c.ref.column: c.cpni for c in table.columns}
    return entities, cpni, table.record_kind


def _assert_call_log(entities: dict[str, set[str]], cpni: dict[str, bool], kind: str | None,
                     parties: tuple[str, str], rest: tuple[str, ...]) -> None:
    assert kind in {"call_detail", "messaging"}
    for name in parties:
        assert entities[name] & {"CALL_DETAIL", "PHONE_NUMBER"}, name
        assert cpni[name], name
    for name in rest:
        assert "CALL_DETAIL" in entities[name] and cpni[name], name


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "side"), [
    ("user", "A"), ("_user", "A"), ("userId", "A"), ("A_PARTY", "A"), ("aparty", "A"),
    ("calling_number", "A"), ("other", "B"), ("__other__", "B"), ("otherUser", "B"),
    ("B_NUMBER", "B"), ("correspondent_id", "B"), ("to", "B"), ("recipient_msisdn", "B"),
])
def test_party_columns_have_a_side(name: str, side: str) -> None:
    found = party_side(name)
    assert found is not None and found[0] == side


@pytest.mark.parametrize("name", ["user_name", "from_date", "source_ip", "a", "b", "other_notes",
                                  "user_agent", "caller_id_name", "to_email"])
def test_columns_about_a_party_but_not_one_are_not_parties(name: str) -> None:
    assert party_side(name) is None


def test_a_mobile_call_log_is_named_by_its_columns_together() -> None:
    kind = kind_from_names(["user", "other", "direction", "duration", "timestamp",
                            "antenna_id", "cost"])
    assert kind.kind == "call_detail"
    assert kind.entity_for("other") == "CALL_DETAIL"
    assert kind.entity_for("antenna_id") == "GEO_LOCATION"
    assert kind.entity_for("cost") == "SERVICE_USAGE"


@pytest.mark.parametrize("names", [
    ["_user", "_other", "_direction", "_length", "_timestamp"],
    ["userId", "otherUser", "callDirection", "callDuration", "startTime"],
    ["A_PARTY", "B_PARTY", "CALL_DATE", "CALL_TIME", "DURATION"],
    ["calling_number", "called_number", "start", "billsec"],
])
def test_header_conventions_are_normalised(names: list[str]) -> None:
    assert kind_from_names(names).kind == "call_detail"


@pytest.mark.parametrize("names", [
    # A web session: a user, a time and a duration, but no other party.
    ["user_id", "session_id", "timestamp", "duration", "page", "ip"],
    # An order with a free-text "other": plain words and only a duration.
    ["order_id", "user", "other", "duration", "timestamp"],
    # Mail: a sender and a recipient and a date, nothing about a call.
    ["from", "to", "subject", "date", "size"],
    # Who changed a record, and when.
    ["user", "other", "created_at", "duration"],
])
def test_look_alike_names_are_no_call_log(names: list[str]) -> None:
    assert kind_from_names(names).kind is None


def test_plain_words_with_only_a_duration_need_the_values() -> None:
    shape = call_log_shape(["from", "to", "duration", "timestamp"])
    assert shape is not None and not shape.by_names
    calls = {"from": ["+1 212 555 0142", "2125550199"], "to": ["(310) 555-0188", "3105550123"],
             "duration": ["61", "0:02:05"], "timestamp": ["2023-01-02 10:00", "2023-01-02 11:00"]}
    assert confirm_values(shape, calls)
    orders = {"from": ["warehouse 3", "store"], "to": ["Leeds", "York"],
              "duration": ["3", "5"], "timestamp": ["2023-01-02 10:00", "2023-01-02 11:00"]}
    assert not confirm_values(shape, orders)


# --- files ----------------------------------------------------------------------------------


def test_mobile_call_csv_parties_cell_and_cost(tmp_path: Path) -> None:
    calls = _calls()
    path = _csv(tmp_path / "calls.csv", list(calls[0]), [list(c.values()) for c in calls])
    entities, cpni, kind = _flagged(str(path))
    _assert_call_log(entities, cpni, kind, ("user", "other"),
                     ("direction", "duration", "timestamp"))
    # Where the subscriber was: location information, beside the calling details.
    assert "GEO_LOCATION" in entities["antenna_id"]
    assert "SERVICE_USAGE" in entities["cost"] and cpni["cost"]


def test_hashed_parties_and_underscored_headers(tmp_path: Path) -> None:
    rows = [[f"{(i * 2654435761) % 16**10:010x}", "" if i % 3 else f"{i * 977:010x}",
             _DIRECTIONS[i % 4], 3 + i % 140, f"Tue Mar {i % 9 + 1:02d} 0{i % 10}:12:40 +0000 2021"]
            for i in range(12)]
    path = _csv(tmp_path / "texts.csv", ["_user", "_other", "_direction", "_length",
                                         "_timestamp"], rows)
    entities, cpni, kind = _flagged(str(path))
    _assert_call_log(entities, cpni, kind, ("_user", "_other"), ("_direction", "_timestamp"))


def test_plain_words_confirmed_by_phone_numbers(tmp_path: Path) -> None:
    rows = [[f"0{7700900100 + i}", f"0{7700900500 + i * 3}", 30 + i,
             f"2022-11-0{i % 9 + 1} 1{i % 10}:00"] for i in range(20)]
    path = _csv(tmp_path / "log.csv", ["from", "to", "duration", "timestamp"], rows)
    entities, cpni, kind = _flagged(str(path))
    _assert_call_log(entities, cpni, kind, ("from", "to"), ("duration", "timestamp"))


@pytest.mark.parametrize("wrapper", ["calls", "data", "records"])
def test_an_object_wrapping_the_records_is_a_table(tmp_path: Path, wrapper: str) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"status": "ok", wrapper: _calls(), "count": 30}, indent=3))
    table = next(open_source(str(path), ConnectorOptions()).tables())
    assert [c.name for c in table.columns] == list(_calls()[0])
    assert table.format == "json-records" and wrapper in (table.format_reason or "")
    assert sum(b.num_rows for b in table.batches(ReadPlan(sample_size=None))) == 30
    entities, cpni, kind = _flagged(str(path))
    _assert_call_log(entities, cpni, kind, ("user", "other"), ("direction", "timestamp"))
    assert "GEO_LOCATION" in entities["antenna_id"]
    assert "SERVICE_USAGE" in entities["cost"]


def test_a_one_line_wrapper_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / "calls.json"
    path.write_text(json.dumps({"callrecords": _calls(5)}) + "\n")
    table = next(open_source(str(path), ConnectorOptions()).tables())
    assert len(table.columns) == 7


def test_json_lines_are_still_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "events.json"
    path.write_text("\n".join(json.dumps({"items": [{"sku": i}], "n": i}) for i in range(5)) + "\n")
    table = next(open_source(str(path), ConnectorOptions()).tables())
    assert table.format == "json-lines"


@pytest.mark.parametrize("damage", [
    lambda text: text[: len(text) // 2],  # cut in the middle of the records
    lambda text: text.replace('"cost": 3', '"cost": 3 3', 1),  # a malformed value
    lambda text: text.rstrip().rstrip("}"),  # the wrapper is never closed
])
def test_malformed_wrapper_is_one_line_and_partial(tmp_path: Path, damage) -> None:  # noqa: ANN001
    bad = tmp_path / "cut.json"
    bad.write_text(damage(json.dumps({"calls": _calls()}, indent=1)))
    good = tmp_path / "ok.json"
    good.write_text(json.dumps({"data": [{"email": "ops@example.net"}] * 3}))
    run = run_cli("scan", str(bad), str(good), "--format", "json", "--no-store", "-q")
    assert run.code == 3, run.stderr
    errors = [line for line in run.stderr.splitlines() if "cut.json" in line]
    assert len(errors) == 1
    assert "2125550" not in run.stderr  # the message says where, never what
    names = {c["name"] for s in run.json()["sources"] for t in s["tables"] for c in t["columns"]}
    assert "email" in names


def test_sql_table_of_calls_from_names_alone(tmp_path: Path) -> None:
    db = tmp_path / "toolkit.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE records (user TEXT, other TEXT, direction TEXT, length INTEGER,"
                 " timestamp TEXT)")
    conn.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?)",
                     [(f"u{i % 3}", f"c{i}", _DIRECTIONS[i % 2], 20 + i, "2021-05-01 09:00")
                      for i in range(10)])
    conn.commit()
    conn.close()
    entities, cpni, kind = _flagged(f"sqlite:///{db}")
    _assert_call_log(entities, cpni, kind, ("user", "other"), ("direction", "timestamp"))


# --- look-alikes stay out of CPNI -----------------------------------------------------------


def _no_cpni(entities: dict[str, set[str]], cpni: dict[str, bool], kind: str | None) -> None:
    assert kind not in {"call_detail", "messaging"}
    assert not any(cpni.values())
    assert not any("CALL_DETAIL" in e for e in entities.values())


def test_web_sessions_are_not_calls(tmp_path: Path) -> None:
    rows = [[f"s{i:05d}", 1000 + i % 7, f"2024-02-0{i % 9 + 1} 1{i % 10}:03:00", 40 + i,
             f"/products/{i}"] for i in range(25)]
    path = _csv(tmp_path / "sessions.csv", ["session_id", "user", "timestamp", "duration",
                                            "landing_page"], rows)
    _no_cpni(*_flagged(str(path)))


def test_orders_with_user_other_and_duration_are_not_calls(tmp_path: Path) -> None:
    rows = [[5000 + i, 1000 + i % 7, ("gift wrap", "leave at door", "")[i % 3], 2 + i % 5,
             f"2024-03-{i % 28 + 1:02d} 09:{i % 60:02d}:00"] for i in range(25)]
    path = _csv(tmp_path / "orders.csv", ["order_id", "user", "other", "duration",
                                          "timestamp"], rows)
    _no_cpni(*_flagged(str(path)))


def test_json_orders_are_not_calls(tmp_path: Path) -> None:
    path = tmp_path / "orders.json"
    orders = [{"user": 1000 + i, "other": "express", "duration": 3, "timestamp":
               f"2024-03-{i % 28 + 1:02d} 09:00:00"} for i in range(20)]
    path.write_text(json.dumps({"data": orders, "page": 1}))
    _no_cpni(*_flagged(str(path)))


def test_clickstream_from_and_to_pages_is_not_calls(tmp_path: Path) -> None:
    rows = [[f"/p/{i}", f"/p/{i + 1}", "navigate", f"2024-03-01 09:{i % 60:02d}:00", 3 + i]
            for i in range(25)]
    path = _csv(tmp_path / "clicks.csv", ["from", "to", "event_type", "timestamp", "duration"],
                rows)
    _no_cpni(*_flagged(str(path)))


def test_a_feed_of_events_wrapped_in_an_object_names_places_not_addresses(tmp_path: Path) -> None:
    # A sensor feed: an object with metadata and a list of events, each placed by its
    # distance from a town. The events are a table; a distance is no street address.
    towns = ("Ridgecrest, CA", "Hilo, Hawaii", "Anza, CA", "Tok, Alaska", "Pahrump, NV")
    events = [{"properties": {"mag": 1.1 + i / 10, "place": f"{3 + i * 7 % 90}km "
                              f"{('N', 'SSE', 'WNW', 'E')[i % 4]} of {towns[i % 5]}",
                              "time": 1700000000000 + i * 61000},
               "geometry": {"type": "Point", "coordinates": [-117.5 + i / 50, 35.6, 8.2]}}
              for i in range(40)]
    path = tmp_path / "feed.json"
    path.write_text(json.dumps({"type": "FeatureCollection", "metadata": {"count": 40},
                                "features": events}))
    table = next(open_source(str(path), ConnectorOptions()).tables())
    assert "properties.place" in [c.name for c in table.columns]
    result = scan([str(path)], ScanConfig(ner=False))
    found = {c.ref.column: c.entities for t in result.sources[0].tables for c in t.columns}
    assert "POSTAL_ADDRESS" not in found["properties.place"]


def test_the_wrappers_other_members_are_scanned_too(tmp_path: Path) -> None:
    # One customer's document: their contact details beside a list of their orders.
    doc = {"name": "Marguerite Olsen", "email": "m.olsen@example.org",
           "orders": [{"order_id": i, "total": 12.5 + i} for i in range(8)],
           "phone": "+1 415 555 0136"}
    path = tmp_path / "customer.json"
    path.write_text(json.dumps(doc, indent=2))
    result = scan([str(path)], ScanConfig(ner=False))
    tables = {t.name: {c.ref.column: c.entities for c in t.columns}
              for t in result.sources[0].tables}
    assert set(tables["customer.json"]) == {"order_id", "total"}
    members = tables["customer.json (members)"]
    assert "EMAIL_ADDRESS" in members["email"]
    assert "PHONE_NUMBER" in members["phone"]  # after the records: read in a small document


@pytest.mark.parametrize("names", [
    ["src", "dst", "direction", "duration", "timestamp"],
    ["from", "to", "direction", "duration", "timestamp", "cost"],
    ["local_address", "remote_address", "direction", "duration", "start"],
])
def test_host_and_mailbox_words_need_the_values(names: list[str]) -> None:
    # A flow log or a mail log may have a direction and a duration too.
    assert kind_from_names(names).kind is None
    shape = call_log_shape(names)
    assert shape is not None and not shape.by_names


def test_network_flows_are_not_calls(tmp_path: Path) -> None:
    rows = [[f"192.168.{i % 4}.{100 + i}", f"203.0.113.{10 + i}", ("in", "out")[i % 2], 2 + i,
             f"2024-03-01 09:{i % 60:02d}:00"] for i in range(25)]
    path = _csv(tmp_path / "flows.csv", ["src", "dst", "direction", "duration", "timestamp"],
                rows)
    _no_cpni(*_flagged(str(path)))


def test_a_user_and_a_blank_other_are_a_call_only_with_a_direction(tmp_path: Path) -> None:
    shape = call_log_shape(["user", "other", "duration", "timestamp"])
    assert shape is not None
    values = {"user": ["3f9a2c7e1b", "88c0d4e2a9"], "other": ["", ""], "duration": ["4", "9"],
              "timestamp": ["2024-01-02 10:00", "2024-01-02 11:00"]}
    assert not confirm_values(shape, values)
    shape = call_log_shape(["user", "other", "direction", "duration", "timestamp"])
    assert shape is not None
    assert confirm_values(shape, {**values, "direction": ["Incoming", "Outgoing"]})


def test_json_calls_in_plain_words_are_confirmed_by_their_values(tmp_path: Path) -> None:
    calls = [{"from": f"+4420795{i:05d}", "to": f"+4479460{i * 7:05d}", "duration": 20 + i,
              "timestamp": f"2023-04-0{i % 9 + 1}T1{i % 10}:30:00Z"} for i in range(20)]
    path = tmp_path / "calls.json"
    path.write_text(json.dumps({"data": calls}))
    table = next(open_source(str(path), ConnectorOptions()).tables())
    assert table.record_kind == "call_detail"
    entities, cpni, kind = _flagged(str(path))
    _assert_call_log(entities, cpni, kind, ("from", "to"), ("duration", "timestamp"))
