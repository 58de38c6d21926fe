"""CDR connectors on files written here from each format's public specification."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from connectors.base import ConnectorOptions, ReadPlan, SourceError, Table
from connectors.registry import open_source

FULL = ReadPlan(sample_size=None, batch_size=1000)


def read(
    path: Path, options: ConnectorOptions | None = None, plan: ReadPlan = FULL
) -> tuple[Table, pa.Table]:
    source = open_source(str(path), options or ConnectorOptions())
    tables = list(source.tables())
    assert len(tables) == 1
    table = tables[0]
    batches = list(table.batches(plan))
    data = pa.Table.from_batches(batches) if batches else pa.table({})
    return table, data


def write(path: Path, lines: list[str], newline: str = "\n") -> Path:
    path.write_bytes((newline.join(lines) + newline).encode("utf-8"))
    return path


# --- Asterisk cdr_csv (cdr_csv.c field order) ------------------------------


def asterisk_csv_line(i: int, extra: list[str]) -> str:
    base = [
        '"acct1"',
        f'"+1555010{i:04d}"',
        '"2001"',
        '"from-internal"',
        '"""Alice"" <5550100>"',
        f'"SIP/trunk-{i:08x}"',
        '"SIP/2001-0000beef"',
        '"Dial"',
        '"SIP/2001,30,tT"',
        '"2024-03-01 10:00:00"',
        '"2024-03-01 10:00:05"' if i % 2 else '""',
        '"2024-03-01 10:01:00"',
        "60",
        "55" if i % 2 else "0",
        '"ANSWERED"' if i % 2 else '"NO ANSWER"',
        '"DOCUMENTATION"',
    ]
    return ",".join(base + extra)


ASTERISK_VARIANTS = [
    ([], []),
    (['"1709287200.{i}"'], ["uniqueid"]),
    (['"vip"'], ["userfield"]),
    (['"1709287200.{i}"', '"vip"'], ["uniqueid", "userfield"]),
    (
        ['"1709287200.{i}"', '""', '"peer"', '"1709287200.1"', "{i}"],
        ["uniqueid", "userfield", "peeraccount", "linkedid", "sequence"],
    ),
]


@pytest.mark.parametrize(("extra", "names"), ASTERISK_VARIANTS)
def test_asterisk_cdr_csv_variants(tmp_path: Path, extra: list[str], names: list[str]) -> None:
    lines = [asterisk_csv_line(i, [e.format(i=i) for e in extra]) for i in range(6)]
    table, data = read(write(tmp_path / "Master.csv", lines))
    assert table.format == "asterisk-cdr-csv"
    assert table.is_call_record is True
    assert data.column_names[:3] == ["accountcode", "src", "dst"]
    assert data.column_names[16:] == names
    assert data.num_rows == 6
    assert data.schema.field("start").type == pa.timestamp("s")
    assert data.schema.field("duration").type == pa.int64()
    assert data.schema.field("src").type == pa.string()
    assert data.column("src")[0].as_py() == "+15550100000"
    assert data.column("clid")[0].as_py() == '"Alice" <5550100>'
    assert data.column("answer").null_count == 3
    assert data.column("start")[0].as_py() == dt.datetime(2024, 3, 1, 10, 0, 0)
    assert "fields per line" in (table.format_reason or "")
    assert table.warnings == []


def test_asterisk_cdr_custom_stock_mapping(tmp_path: Path) -> None:
    lines = [
        f'"""Bob"" <200>","200","{300 + i}","default","PJSIP/200-0000000{i}",'
        f'"PJSIP/300-0000000{i}","Dial","PJSIP/300","2024-03-01 09:00:00",'
        f'"2024-03-01 09:00:03","2024-03-01 09:00:30","30","27","ANSWERED",'
        f'"DOCUMENTATION","","1709283600.{i}","",{i}'
        for i in range(5)
    ]
    table, data = read(write(tmp_path / "Master.csv", lines))
    assert table.format == "asterisk-cdr-custom"
    assert data.column_names[0] == "clid"
    assert data.column_names[-1] == "sequence"
    assert data.column("billsec").to_pylist() == [27] * 5
    assert data.column("accountcode").null_count == 5


# --- FreeSWITCH mod_cdr_csv templates --------------------------------------

FS_EXAMPLE = (
    '"Alice","1000","5551234","default","2024-03-01 10:00:00","2024-03-01 10:00:02",'
    '"2024-03-01 10:05:00","300","298","NORMAL_CLEARING",'
    '"{uuid}","","acct","PCMU","PCMU"'
)


def fs_uuid(i: int) -> str:
    return f"1b4e28ba-2fa1-11d2-883f-0016d3cca4{i:02d}"


@pytest.mark.parametrize(
    ("suffix", "template", "width"),
    [
        ("", "example", 15),
        (',"Yealink SIP-T46S","rtp=1"', "linksys", 17),
        (',"snom370","42","rx","tx","/tmp/rec.wav"', "snom", 20),
    ],
)
def test_freeswitch_csv_templates(tmp_path: Path, suffix: str, template: str, width: int) -> None:
    lines = [FS_EXAMPLE.format(uuid=fs_uuid(i)) + suffix for i in range(4)]
    table, data = read(write(tmp_path / "Master.csv", lines))
    assert table.format == "freeswitch-cdr-csv"
    assert f"`{template}`" in (table.format_reason or "")
    assert data.num_columns == width
    assert data.column("billsec").to_pylist() == [298] * 4
    assert data.column("hangup_cause")[0].as_py() == "NORMAL_CLEARING"
    assert data.schema.field("end_stamp").type == pa.timestamp("s")


def test_freeswitch_sql_template(tmp_path: Path) -> None:
    lines = [
        'INSERT INTO cdr VALUES ("Alice","1000","5551234","default","2024-03-01 10:00:00",'
        '"2024-03-01 10:00:02","2024-03-01 10:05:00","300","298","NORMAL_CLEARING",'
        f'"{fs_uuid(i)}","", "acct");'
        for i in range(3)
    ]
    table, data = read(write(tmp_path / "cdr.sql.csv", lines))
    assert table.format == "freeswitch-cdr-csv"
    assert data.num_columns == 13
    assert data.column("caller_id_name").to_pylist() == ["Alice"] * 3
    assert data.column("accountcode").to_pylist() == ["acct"] * 3
    assert table.warnings == []


def test_freeswitch_asterisk_template_not_taken_for_asterisk(tmp_path: Path) -> None:
    lines = [
        f'"acct","1000","5551234","default","""Alice"" <1000>","sofia/internal/1000@pbx",'
        f'"sofia/external/5551234","bridge","sofia/gw/5551234","2024-03-01 10:00:00",'
        f'"2024-03-01 10:00:02","2024-03-01 10:05:00","300","298","NORMAL_CLEARING",'
        f'"default","{fs_uuid(i)}",""'
        for i in range(3)
    ]
    table, data = read(write(tmp_path / "Master.csv", lines))
    assert table.format == "freeswitch-cdr-csv"
    assert "`asterisk`" in (table.format_reason or "")
    assert data.column_names[1] == "caller_id_number"


# --- Cisco CUCM --------------------------------------------------------------


def test_cucm_headerless_cdr_decodes_ip_and_epoch(tmp_path: Path) -> None:
    from connectors.cdr.cisco import CDR_FIELDS

    def row(i: int) -> str:
        values = ["0"] * len(CDR_FIELDS)
        values[0] = "1"
        values[1] = "2"
        values[2] = str(1000 + i)
        values[3] = str(47874239 + i)
        values[4] = "1744993928"
        values[7] = "239138826"
        values[8] = '"5033466594"'
        values[CDR_FIELDS.index("dateTimeConnect")] = "0"
        values[CDR_FIELDS.index("duration")] = "11"
        values[CDR_FIELDS.index("pkid")] = '"ed56fecd-bd2d-48d4-ae03-7ee3766d6048"'
        return ",".join(values)

    table, data = read(write(tmp_path / "cdr_StandAloneCluster_01.txt", [row(i) for i in range(4)]))
    assert table.format == "cisco-cucm-cdr"
    assert "no header" in (table.format_reason or "")
    assert data.column_names == CDR_FIELDS
    assert data.column("origIpAddr").to_pylist() == ["10.248.64.14"] * 4
    assert data.column("destIpAddr").null_count == 4
    assert data.column("dateTimeOrigination")[0].as_py() == dt.datetime(2025, 4, 18, 16, 32, 8)
    assert data.column("dateTimeConnect").null_count == 4
    assert data.column("callingPartyNumber")[0].as_py() == "5033466594"
    assert data.column("duration").type == pa.int64()


def test_cucm_negative_ip_is_decoded(tmp_path: Path) -> None:
    header = '"cdrRecordType","globalCallID_callManagerId","globalCallID_callId","origIpAddr"'
    types = "INTEGER,INTEGER,INTEGER,INTEGER"
    lines = [
        header.replace('"origIpAddr"', '"origIpAddr","dateTimeOrigination"'),
        types + ",INTEGER",
        "1,1,1,-1062731519,1700000000",
    ]
    table, data = read(write(tmp_path / "cdr.txt", lines))
    assert table.format == "cisco-cucm-cdr"
    # -1062731519 = 0xC0A80101 as signed int32; little-endian bytes 01 01 A8 C0.
    assert data.column("origIpAddr").to_pylist() == ["1.1.168.192"]


# --- Avaya IP Office SMDR ----------------------------------------------------

AVAYA_ROWS = [
    "2008/06/28 09:28:41,00:00:00,9,8004206,I,4324,4324,,0,1000014155,0,E4324,Joe Bloggs,"
    "T9161,LINE 5.1,0,0",
    "2008/06/28 09:30:57,00:00:13,7,01707392200,I,299999,299999,,0,1000014160,1,E4750,"
    "John Smith,T9002,LINE 1.2,11,0",
    "2008/06/26 10:27:44,00:01:44,4,4688,O,4207,4207,,1,1000013898,0,E4688,Joe Bloggs,"
    "E4207,John Smith,0,0",
]


def test_avaya_ipo_smdr_17_fields(tmp_path: Path) -> None:
    table, data = read(write(tmp_path / "smdr.csv", AVAYA_ROWS, newline="\r\n"))
    assert table.format == "avaya-ipo-smdr"
    assert data.num_columns == 17
    assert data.column("Connected Time").to_pylist() == [0, 13, 104]
    assert data.column("Caller").to_pylist()[1] == "01707392200"
    assert data.schema.field("Call Start").type == pa.timestamp("s")
    assert data.column("Call ID").type == pa.int64()


def test_avaya_ipo_smdr_30_fields_with_header(tmp_path: Path) -> None:
    from connectors.cdr.avaya import SMDR_FIELDS

    header = ",".join(f.name for f in SMDR_FIELDS[:30])
    rows = [r + ",,,,,,,,,,,,," for r in AVAYA_ROWS]
    table, data = read(write(tmp_path / "smdr.csv", [header, *rows], newline="\r\n"))
    assert table.format == "avaya-ipo-smdr"
    assert data.num_columns == 30
    assert data.num_rows == 3
    assert data.column_names[29] == "External Targeted Number"


# --- fixed-width SMDR with a user layout --------------------------------------

LAYOUT = """
name: test-pbx
record_pattern: '^\\d\\d/\\d\\d '
fields:
  - {name: date, start: 1, width: 5, type: timestamp, format: "%m/%d"}
  - {name: start_time, start: 7, end: 11}
  - {name: duration, start: 13, width: 8, type: hms}
  - {name: extension, start: 22, width: 4, type: phone}
  - {name: trunk, start: 27, width: 4}
  - {name: dialled_number, start: 32, width: 15, type: phone}
"""


def fixed_line(i: int) -> str:
    return f"03/01 10:{i:02d} 00:01:{i:02d} {200 + i:<4} T001 {5550100 + i:<15}"


def test_fixed_width_layout(tmp_path: Path) -> None:
    layout = tmp_path / "layout.yaml"
    layout.write_text(LAYOUT)
    lines = ["SMDR REPORT PAGE 1", *[fixed_line(i) for i in range(5)], "03/01 short"]
    path = write(tmp_path / "smdr.txt", lines)
    table, data = read(path, ConnectorOptions(cdr_layout=str(layout)))
    assert table.format == "smdr-fixed-width"
    assert "test-pbx" in (table.format_reason or "")
    assert data.column_names == [
        "date",
        "start_time",
        "duration",
        "extension",
        "trunk",
        "dialled_number",
    ]
    assert data.column("duration").to_pylist() == [60 + i for i in range(5)]
    assert data.column("dialled_number")[0].as_py() == "5550100"
    assert "line 7: 11 characters, expected at least 32" in table.warnings
    assert "1 lines did not match record_pattern" in table.warnings


@pytest.mark.parametrize(
    ("layout", "problem"),
    [
        ("fields: []", "needs a non-empty `fields` list"),
        ("fields: [{name: a, start: 0, width: 2}]", "`start` must be a positive integer"),
        ("fields: [{name: a, start: 1}]", "needs `width` or `end`"),
        ("fields: [{name: a, start: 1, width: 2, type: bogus}]", "unknown `type`"),
        ("fields: [{name: a, start: 1, width: 2, type: timestamp}]", "needs a `format`"),
        ("fields: [", "not valid YAML"),
    ],
)
def test_fixed_width_layout_errors(tmp_path: Path, layout: str, problem: str) -> None:
    path = tmp_path / "layout.yaml"
    path.write_text(layout)
    data = write(tmp_path / "smdr.txt", [fixed_line(1)])
    source = open_source(str(data), ConnectorOptions(cdr_layout=str(path)))
    with pytest.raises(SourceError) as err:
        list(source.tables())
    assert problem in str(err.value)
    assert str(path) in str(err.value)


# --- generic call logs ---------------------------------------------------------


def test_generic_call_log_header(tmp_path: Path) -> None:
    lines = [
        "caller;called;start_time;duration;cost",
        "+15550100;+15550199;2024-03-01 10:00:00;65;0.12",
        "+15550101;+15550198;2024-03-01 10:05:00;5;0.01",
    ]
    table, data = read(write(tmp_path / "calls.csv", lines))
    assert table.format == "generic-call-log"
    assert "call party" in (table.format_reason or "")
    assert data.column_names == ["caller", "called", "start_time", "duration", "cost"]
    assert data.schema.field("caller").type == pa.string()
    assert data.schema.field("start_time").type == pa.timestamp("s")
    assert data.column("duration").to_pylist() == [65, 5]


def test_generic_csv_without_call_fields_is_not_claimed(tmp_path: Path) -> None:
    from connectors.cdr.generic import GenericCallLog
    from connectors.registry import sniff

    path = write(tmp_path / "customers.csv", ["name,phone,valid_from,valid_to", "A,1,2,3"])
    assert GenericCallLog.claims(sniff(str(path)), ConnectorOptions()) == 0


# --- routing and forcing ------------------------------------------------------


def test_mixed_directory_routes_each_file(tmp_path: Path) -> None:
    from connectors.registry import expand

    write(tmp_path / "a.csv", [asterisk_csv_line(i, ['"1.{i}"', '""']) for i in range(3)])
    write(tmp_path / "b.csv", [FS_EXAMPLE.format(uuid=fs_uuid(i)) for i in range(3)])
    write(tmp_path / "c.csv", AVAYA_ROWS)
    write(tmp_path / "d.csv", ["caller,called,start,duration", "1,2,2024-01-01 00:00:00,3"])
    formats = {}
    for spec in expand(str(tmp_path)):
        table = next(open_source(spec, ConnectorOptions()).tables())
        formats[Path(spec).name] = table.format
    assert formats == {
        "a.csv": "asterisk-cdr-csv",
        "b.csv": "freeswitch-cdr-csv",
        "c.csv": "avaya-ipo-smdr",
        "d.csv": "generic-call-log",
    }


def test_cdr_format_option_forces_one_format(tmp_path: Path) -> None:
    path = write(tmp_path / "Master.csv", [asterisk_csv_line(i, ['"1.1"', '""']) for i in range(3)])
    table, data = read(path, ConnectorOptions(cdr_format="asterisk-cdr-custom"))
    assert table.format == "asterisk-cdr-custom"
    assert "--cdr-format" in (table.format_reason or "")
    # Forced, the nearest variant by field count is used: 18 fields is the
    # pre-1.8 stock mapping, so the file is read, columns named as cdr_custom.
    assert data.num_rows == 3
    assert data.column_names[0] == "clid"
    assert len(data.column_names) == 18


def test_cdr_format_option_excludes_other_connectors(tmp_path: Path) -> None:
    from connectors.cdr.asterisk import AsteriskCdrCsv
    from connectors.registry import sniff

    path = write(tmp_path / "Master.csv", [asterisk_csv_line(i, ['"1.1"', '""']) for i in range(3)])
    probe = sniff(str(path))
    assert AsteriskCdrCsv.claims(probe, ConnectorOptions()) >= 50
    assert AsteriskCdrCsv.claims(probe, ConnectorOptions(cdr_format="cisco-cucm-cdr")) == 0


def test_sample_reads_first_rows_only(tmp_path: Path) -> None:
    lines = [asterisk_csv_line(i, ['"1.1"', '""']) for i in range(50)]
    table, data = read(write(tmp_path / "Master.csv", lines), plan=ReadPlan(sample_size=7))
    assert data.num_rows == 7
    assert data.column("src")[6].as_py() == "+15550100006"
