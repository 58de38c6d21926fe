"""Bad input never crashes a CDR parser: malformed rows are reported by line number."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.base import ConnectorOptions, ReadPlan, SourceError, Table, TableError
from connectors.cdr import reader
from connectors.cdr.asterisk import AsteriskCdrCsv, AsteriskCdrCustom
from connectors.cdr.avaya import AvayaIpOfficeSmdr
from connectors.cdr.cisco import CiscoCucmCdr, CiscoCucmCmr
from connectors.cdr.fixed_width import FixedWidthSmdr
from connectors.cdr.freeswitch import FreeswitchCdrCsv
from connectors.cdr.generic import GenericCallLog
from connectors.registry import open_source, sniff

FULL = ReadPlan(sample_size=None, batch_size=100)

GOOD = (
    '"","+15550100","2001","from-internal","""Alice"" <100>","SIP/t-1","SIP/2001-1",'
    '"Dial","SIP/2001","2024-03-01 10:00:00","2024-03-01 10:00:05",'
    '"2024-03-01 10:01:00",60,55,"ANSWERED","DOCUMENTATION","1709287200.1",""'
)


def read(path: Path, options: ConnectorOptions | None = None) -> tuple[Table, pa.Table]:
    table = next(open_source(str(path), options or ConnectorOptions()).tables())
    batches = list(table.batches(FULL))
    return table, pa.Table.from_batches(batches)


def test_wrong_field_counts_reported_by_line_not_content(tmp_path: Path) -> None:
    short = '"","SECRET-5550199","2001"'
    lines = [GOOD] * 5 + [short, GOOD, GOOD + ',"extra"', GOOD, "", GOOD]
    path = tmp_path / "Master.csv"
    path.write_text("\n".join(lines) + "\n")
    table, data = read(path)
    assert table.format == "asterisk-cdr-csv"
    assert data.num_rows == 8
    assert table.warnings == ["line 6: 3 fields, expected 18", "line 8: 19 fields, expected 18"]
    assert not any("SECRET" in w for w in table.warnings)


def test_cp1251_caller_names_fall_back_per_value(tmp_path: Path) -> None:
    cyrillic = GOOD.replace("Alice", "Иван Петров").encode("cp1251")
    latin = GOOD.replace("Alice", "José").encode("latin-1")
    path = tmp_path / "Master.csv"
    path.write_bytes(b"\n".join([GOOD.encode(), cyrillic, latin, GOOD.encode()]) + b"\n")
    table, data = read(path)
    assert data.num_rows == 4
    assert data.column("clid").to_pylist() == [
        '"Alice" <100>',
        '"Иван Петров" <100>',
        '"José" <100>',
        '"Alice" <100>',
    ]
    assert any("not UTF-8" in w for w in table.warnings)


def test_truncated_last_line_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_text("\n".join([GOOD] * 4) + "\n" + GOOD[:40])
    table, data = read(path)
    assert data.num_rows == 4
    assert table.warnings == ["line 5: 5 fields, expected 18 (truncated last line)"]


def test_missing_final_newline_alone_is_not_malformed(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_text("\n".join([GOOD] * 4))
    table, data = read(path)
    assert data.num_rows == 4
    assert table.warnings == []


def test_over_long_lines_are_malformed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "MAX_LINE_BYTES", 1024)
    long_line = '"' + "x" * 5000 + '"'
    path = tmp_path / "Master.csv"
    path.write_text("\n".join([GOOD] * 3 + [long_line] + [GOOD] * 3) + "\n")
    table, data = read(path)
    assert data.num_rows == 6
    assert table.warnings == ["line 4: longer than 1024 bytes"]


def test_line_longer_than_a_chunk_streams_past(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "MAX_LINE_BYTES", 1024)
    monkeypatch.setattr(reader, "FULL_CHUNK_BYTES", 4096)
    path = tmp_path / "Master.csv"
    path.write_text("\n".join([GOOD] * 3 + ["y" * 50_000] + [GOOD] * 40) + "\n")
    table, data = read(path)
    assert data.num_rows == 43
    assert table.warnings == ["line 4: longer than 1024 bytes"]


def test_many_chunks_keep_line_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "FULL_CHUNK_BYTES", 2048)
    lines = [GOOD] * 300
    lines[210] = '"only","three","fields"'
    path = tmp_path / "Master.csv"
    path.write_text("\r\n".join(lines) + "\r\n")
    table, data = read(path)
    assert data.num_rows == 299
    assert table.warnings == ["line 211: 3 fields, expected 18"]
    assert [
        b.num_rows for b in next(open_source(str(path), ConnectorOptions()).tables()).batches(FULL)
    ][:2] == [100, 100]


def test_many_malformed_lines_are_capped(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_text("\n".join([GOOD] * 400 + ['"a","b"'] * 120) + "\n")
    table, data = read(path)
    assert table.format == "asterisk-cdr-csv"
    assert data.num_rows == 400
    assert len(table.warnings) == reader.MAX_WARNINGS + 1
    assert table.warnings[-1] == "70 more malformed lines not listed"


def test_unreadable_file_raises_table_error(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_text(GOOD + "\n")
    table = next(open_source(str(path), ConnectorOptions()).tables())
    path.unlink()
    with pytest.raises(TableError) as err:
        list(table.batches(FULL))
    assert str(path) in str(err.value)


CONNECTORS = [
    AsteriskCdrCsv,
    AsteriskCdrCustom,
    FreeswitchCdrCsv,
    CiscoCucmCdr,
    CiscoCucmCmr,
    AvayaIpOfficeSmdr,
    GenericCallLog,
    FixedWidthSmdr,
]
FORMATS = [
    "asterisk-cdr-csv",
    "asterisk-cdr-custom",
    "freeswitch-cdr-csv",
    "cisco-cucm-cdr",
    "cisco-cucm-cmr",
    "avaya-ipo-smdr",
    "generic-call-log",
    "smdr-fixed-width",
]

# Bytes that look a little like CDRs, so parsers get past their sniffers.
_PIECES = st.sampled_from(
    [
        GOOD.encode(),
        b'"2024-03-01 10:00:00"',
        b"2008/06/28 09:28:41,00:00:13,7,0170,I,29,29,,0,1000,1,E1,J,T9,L,0,0",
        b'"cdrRecordType","globalCallID_callManagerId","dateTimeOrigination"',
        b"INTEGER,VARCHAR(50)",
        b"caller,called,start,duration",
        b"\xff\xfe\xc0\x80",
        b"\xef\xbb\xbf",
        b'"',
        b",",
        b"\n",
        b"\r\n",
        b"\x00",
        b"INSERT INTO cdr VALUES (",
        b");",
    ]
)
_NOISE = st.one_of(st.binary(max_size=300), st.lists(_PIECES, max_size=40).map(b"".join))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=_NOISE, which=st.integers(0, len(FORMATS) - 1))
def test_no_byte_string_crashes_a_parser(tmp_path: Path, data: bytes, which: int) -> None:
    layout = tmp_path / "layout.yaml"
    layout.write_text("fields: [{name: a, start: 1, width: 3}, {name: b, start: 4, width: 9}]")
    path = tmp_path / "input.cdr"
    path.write_bytes(data)
    probe = sniff(str(path))
    auto = ConnectorOptions(cdr_layout=str(layout))
    for cls in CONNECTORS:
        assert isinstance(cls.claims(probe, auto), int)
    options = ConnectorOptions(cdr_format=FORMATS[which], cdr_layout=str(layout))
    source = CONNECTORS[which](str(path), options)
    try:
        for table in source.tables():
            for plan in (FULL, ReadPlan(sample_size=5)):
                rows = sum(b.num_rows for b in table.batches(plan))
                assert rows >= 0
                assert all(isinstance(w, str) for w in table.warnings)
    except TableError:
        pass
    except SourceError:
        pass
