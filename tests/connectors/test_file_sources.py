"""File sources as a user meets them: delimited text, Parquet, access logs, directories.

Every fixture is generated here in ``tmp_path``. Results are checked the way a
user reads them: the columns a file turns into, how many rows were read, which
format was recognised, and (through the CLI) the JSON report.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from connectors.base import ConnectorOptions, ReadPlan, Table
from connectors.registry import expand, open_source
from scanner.cli import main
from scanner.core.config import ScanConfig
from scanner.core.engine import scan

FULL = ReadPlan(sample_size=None)

PEOPLE = [
    ("Alice Smith", "alice.smith@example.com", "+1 202-555-0143"),
    ("Bob Jones", "bob.jones@example.org", "+1 202-555-0178"),
    ("Carol White", "carol.white@example.net", "+1 415-555-0111"),
    ("Dan Brown", "dan.brown@example.com", "+1 312-555-0190"),
    ("Eve Black", "eve.black@example.org", "+1 646-555-0122"),
    ("Frank Green", "frank.green@example.com", "+1 718-555-0133"),
]


# --- helpers -----------------------------------------------------------------

def run(*paths: Path | str, **options: Any) -> dict[str, Any]:
    """Scan through the engine (no language model, for speed) and return the JSON dict."""
    sample_size = options.pop("sample_size", 10_000)
    full = options.pop("full", False)
    config = ScanConfig(sample_size=sample_size, full=full, ner=False,
                        connector=ConnectorOptions(**options))
    return scan([str(p) for p in paths], config).to_dict()


def only_table(result: dict[str, Any]) -> dict[str, Any]:
    [source] = result["sources"]
    [table] = source["tables"]
    return table


def column_names(table: dict[str, Any]) -> list[str]:
    return [c["name"] for c in table["columns"]]


def entities(table: dict[str, Any], column: str) -> set[str]:
    [col] = [c for c in table["columns"] if c["name"] == column]
    return {e["type"] for e in col["entities"]}


def open_table(path: Path, **options: Any) -> Table:
    [table] = list(open_source(str(path), ConnectorOptions(**options)).tables())
    return table


def read_all(path: Path, **options: Any) -> pa.Table:
    table = open_table(path, **options)
    return pa.Table.from_batches(list(table.batches(FULL)))


@pytest.fixture
def cli() -> Iterator[Any]:
    """Invoke ``piiscan`` in-process; the CLI rewires root logging, so put it back after."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(main, list(args), catch_exceptions=False)

    yield invoke
    root.handlers[:], root.level = saved[0], saved[1]


def write_delimited(path: Path, delimiter: str, header: bool = True) -> None:
    lines = [delimiter.join(("customer_name", "email", "phone"))] if header else []
    lines += [delimiter.join(p) for p in PEOPLE]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- delimited text ------------------------------------------------------------

@pytest.mark.parametrize(("delimiter", "word", "suffix"), [
    (",", "comma", ".csv"),
    (";", "semicolon", ".csv"),
    ("\t", "tab", ".tsv"),
    ("|", "pipe", ".psv"),
])
def test_delimiter_is_detected(tmp_path: Path, delimiter: str, word: str, suffix: str) -> None:
    path = tmp_path / f"customers{suffix}"
    write_delimited(path, delimiter)
    table = only_table(run(path))
    assert table["format"]["name"] == "delimited-text"
    assert table["format"]["reason"].startswith(f"{word}-delimited, with header")
    assert column_names(table) == ["customer_name", "email", "phone"]
    assert table["rows_scanned"] == len(PEOPLE)
    assert "EMAIL_ADDRESS" in entities(table, "email")


def test_quoted_fields_keep_embedded_delimiters_and_quotes(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text(
        'id,name,note\n'
        '1,"Smith, John","He said ""call me"", twice"\n'
        '2,"Doe, Jane","plain"\n'
        '3,Roe,"semi; colon | pipe"\n',
        encoding="utf-8",
    )
    data = read_all(path)
    assert data.column_names == ["id", "name", "note"]
    assert data.column("name").to_pylist() == ["Smith, John", "Doe, Jane", "Roe"]
    assert data.column("note").to_pylist() == [
        'He said "call me", twice', "plain", "semi; colon | pipe"]


def test_file_without_header_gets_numbered_columns(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("".join(f"{1000 + i},4111111111111111,2024-01-{i + 1:02d},{i * 3.5}\n"
                            for i in range(20)), encoding="utf-8")
    table = only_table(run(path))
    assert column_names(table) == ["column_1", "column_2", "column_3", "column_4"]
    assert "no header" in table["format"]["reason"]
    assert table["rows_scanned"] == 20  # the first line is data, not a header


def test_header_is_detected_when_present(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("order_id,card_number,order_date\n" + "".join(
        f"{1000 + i},4111111111111111,2024-01-{i + 1:02d}\n" for i in range(20)), encoding="utf-8")
    table = only_table(run(path))
    assert column_names(table) == ["order_id", "card_number", "order_date"]
    assert table["rows_scanned"] == 20


def test_header_of_text_columns_is_detected(tmp_path: Path) -> None:
    # Nothing numeric and no fixed lengths: only the shape of the values tells.
    path = tmp_path / "contacts.csv"
    path.write_text("name,email,city\n" + "".join(
        f"{n},{e},{c}\n" for (n, e, _), c in zip(PEOPLE, ["Boston", "Austin", "Reno", "Salem",
                                                      "Dover", "Provo"], strict=True)),
        encoding="utf-8")
    table = only_table(run(path))
    assert column_names(table) == ["name", "email", "city"]
    assert table["rows_scanned"] == len(PEOPLE)


def test_text_rows_without_header_are_all_data(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("".join(f"{n},{e}\n" for n, e, _ in PEOPLE), encoding="utf-8")
    table = only_table(run(path))
    assert column_names(table) == ["column_1", "column_2"]
    assert table["rows_scanned"] == len(PEOPLE)


def test_header_only_file_keeps_its_column_names(tmp_path: Path) -> None:
    path = tmp_path / "empty_export.csv"
    path.write_text("customer_name,card_number,ssn\n", encoding="utf-8")
    result = run(path)
    table = only_table(result)
    assert column_names(table) == ["customer_name", "card_number", "ssn"]
    assert table["rows_scanned"] == 0
    assert result["sources"][0]["status"] == "ok"
    # A telling name over an empty column is still reported.
    assert "CREDIT_CARD" in entities(table, "card_number")


def test_leading_blank_lines_never_turn_data_into_column_names(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("\n\n" + "".join(f"{n},{e}\n" for n, e, _ in PEOPLE), encoding="utf-8")
    table = only_table(run(path))
    assert column_names(table) == ["column_1", "column_2"]
    assert table["rows_scanned"] == len(PEOPLE)

    path.write_text("\n \nname,email\n" + "".join(f"{n},{e}\n" for n, e, _ in PEOPLE),
                    encoding="utf-8")
    table = only_table(run(path))
    assert column_names(table) == ["name", "email"]
    assert table["rows_scanned"] == len(PEOPLE)


def test_crlf_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "windows.csv"
    path.write_bytes(("name,email\r\n" + "".join(f"{n},{e}\r\n" for n, e, _ in PEOPLE))
                     .encode())
    data = read_all(path)
    assert data.column_names == ["name", "email"]
    assert data.column("email").to_pylist() == [e for _, e, _ in PEOPLE]


@pytest.mark.parametrize(("title", "values", "entity"), [
    ("email", [e for _, e, _ in PEOPLE], "EMAIL_ADDRESS"),
    ("customer phone", [p for _, _, p in PEOPLE], "PHONE_NUMBER"),
])
def test_one_column_list_keeps_its_title(tmp_path: Path, title: str, values: list[str],
                                         entity: str) -> None:
    path = tmp_path / "list.csv"
    path.write_text(title + "\n" + "\n".join(values * 3) + "\n", encoding="utf-8")
    table = only_table(run(path))
    assert column_names(table) == [title]
    assert table["rows_scanned"] == len(values) * 3
    assert entity in entities(table, title)


def test_duplicate_and_blank_header_names_are_made_unique(tmp_path: Path) -> None:
    path = tmp_path / "dupes.csv"
    path.write_text("name,name,,email\n" + "".join(
        f"{n},{n},x,{e}\n" for n, e, _ in PEOPLE), encoding="utf-8")
    table = only_table(run(path, header=True))
    assert column_names(table) == ["name", "name_1", "column_3", "email"]


def test_options_override_delimiter_header_and_encoding(tmp_path: Path) -> None:
    path = tmp_path / "odd.dat"
    # Commas inside the fields would fool the sniffer; the user knows it is ';'.
    rows = ["Фамилия, Имя;Город"] + [f"Петров, Иван {i};Москва, центр" for i in range(10)]
    path.write_bytes(("\n".join(rows) + "\n").encode("cp1251"))

    default = open_table(path, delimiter=";", encoding="cp1251")
    assert [c.name for c in default.columns] == ["Фамилия, Имя", "Город"]

    no_header = open_table(path, delimiter=";", encoding="cp1251", header=False)
    assert [c.name for c in no_header.columns] == ["column_1", "column_2"]
    data = pa.Table.from_batches(list(no_header.batches(FULL)))
    assert data.num_rows == 11
    assert data.column("column_2")[0].as_py() == "Город"

    forced_header = open_table(tmp_path / "odd.dat", delimiter=";", encoding="cp1251",
                               header=True)
    assert forced_header.format_reason == "semicolon-delimited, with header, cp1251"


def test_cli_overrides_delimiter_header_and_encoding(tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "odd.txt"
    rows = ["Фамилия\tИмя, отчество\tТелефон"] + [
        f"Петров\tИван, Петрович\t+7 495 123-45-{i:02d}" for i in range(10)]
    path.write_bytes(("\n".join(rows) + "\n").encode("cp1251"))
    out = tmp_path / "out.json"

    res = cli("scan", str(path), "--delimiter", "\\t", "--encoding", "cp1251",
              "--format", "json", "-o", str(out), "--no-ner")
    assert res.exit_code == 0, res.stderr
    table = only_table(json.loads(out.read_text()))
    assert column_names(table) == ["Фамилия", "Имя, отчество", "Телефон"]
    assert table["rows_scanned"] == 10

    res = cli("scan", str(path), "--delimiter", "\\t", "--encoding", "cp1251", "--no-header",
              "--format", "json", "-o", str(out), "--no-ner")
    assert res.exit_code == 0, res.stderr
    table = only_table(json.loads(out.read_text()))
    assert column_names(table) == ["column_1", "column_2", "column_3"]
    assert table["rows_scanned"] == 11


@pytest.mark.parametrize(("encoding", "header", "row"), [
    ("utf-8-sig", ["имя", "email", "город"], ["Анна", "anna@example.com", "Київ"]),
    ("latin-1", ["prénom", "nom", "ville"], ["José", "Müller", "Zürich"]),
    ("cp1251", ["Фамилия", "Имя", "Город"], ["Иванов", "Сергей", "Санкт-Петербург"]),
])
def test_encodings_decode_header_and_values(tmp_path: Path, encoding: str, header: list[str],
                                            row: list[str]) -> None:
    path = tmp_path / f"people-{encoding}.csv"
    text = ",".join(header) + "\n" + "".join(",".join(row) + "\n" for _ in range(30))
    path.write_bytes(text.encode(encoding))
    table = only_table(run(path))
    assert column_names(table) == header  # no BOM, no mojibake, no U+FFFD
    assert table["rows_scanned"] == 30
    data = read_all(path)
    assert data.column(header[-1]).to_pylist() == [row[-1]] * 30


def test_utf16_text_export_is_not_binary(tmp_path: Path) -> None:
    # Excel's "Unicode text": UTF-16 with a BOM, tab-delimited, CRLF.
    path = tmp_path / "export.txt"
    text = "Name\tE-mail\r\n" + "".join(f"Zoë {n}\t{e}\r\n" for n, e, _ in PEOPLE)
    path.write_bytes(text.encode("utf-16"))
    table = only_table(run(path))
    assert column_names(table) == ["Name", "E-mail"]
    assert table["rows_scanned"] == len(PEOPLE)
    assert "EMAIL_ADDRESS" in entities(table, "E-mail")


def test_bom_is_dropped_when_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(("name,email\n" + "".join(f"{n},{e}\n" for n, e, _ in PEOPLE))
                     .encode("utf-8-sig"))
    for given in ("utf-8", "UTF8"):
        assert column_names(only_table(run(path, encoding=given))) == ["name", "email"]


def test_gzip_compressed_csv(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("customer_name,email,phone\n")
        fh.writelines(",".join(p) + "\n" for p in PEOPLE * 50)
    table = only_table(run(path))
    assert column_names(table) == ["customer_name", "email", "phone"]
    assert table["rows_scanned"] == len(PEOPLE) * 50
    assert "EMAIL_ADDRESS" in entities(table, "email")


def test_free_text_file_is_one_column(tmp_path: Path) -> None:
    path = tmp_path / "complaints.txt"
    path.write_text(
        "Customer called about a late bill, very upset.\n"
        "Please reach me at jane.roe@example.com about the refund\n"
        "No answer; will try again tomorrow\n"
        "Line was noisy | dropped twice, tech visit booked.\n"
        "Send the new plan details to sam.poe@example.org, thanks\n"
        "Account closed at the customer's request\n",
        encoding="utf-8",
    )
    table = only_table(run(path))
    assert len(table["columns"]) == 1
    assert table["format"]["reason"].startswith("one value per line")
    assert table["rows_scanned"] == 6


# --- large files stream in batches ----------------------------------------------

N_LARGE = 120_000


@pytest.fixture(scope="module")
def large_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("large") / "big.csv"
    pad = "x" * 40
    lines = ["id,email,amount,comment\n"]
    lines += [f"{i},user{i}@example.com,{i % 997}.{i % 100:02d},{pad}\n" for i in range(N_LARGE)]
    path.write_text("".join(lines), encoding="utf-8")
    assert path.stat().st_size > 2 * (4 << 20)  # over two 4 MiB blocks
    return path


def test_large_file_streams_in_several_batches(large_csv: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import connectors.files

    # Blocks of 4 MiB (16 in production): the file is then several blocks long.
    monkeypatch.setattr(connectors.files, "_BLOCK", 1 << 22)
    table = open_table(large_csv)
    sizes = [b.num_rows for b in table.batches(FULL)]
    assert len(sizes) >= 3
    assert sum(sizes) == N_LARGE


def test_full_reads_every_row_and_default_samples(large_csv: Path) -> None:
    full = only_table(run(large_csv, full=True))
    assert full["rows_scanned"] == N_LARGE
    sampled = only_table(run(large_csv, sample_size=5_000))
    assert sampled["rows_scanned"] == 5_000
    assert "EMAIL_ADDRESS" in entities(full, "email")
    assert "EMAIL_ADDRESS" in entities(sampled, "email")


def test_cli_full_and_sample_size(large_csv: Path, tmp_path: Path, cli: Any) -> None:
    out = tmp_path / "out.json"
    res = cli("scan", str(large_csv), "--full", "--format", "json", "-o", str(out), "--no-ner")
    assert res.exit_code == 0, res.stderr
    assert only_table(json.loads(out.read_text()))["rows_scanned"] == N_LARGE
    res = cli("scan", str(large_csv), "--sample-size", "777", "--format", "json", "-o", str(out),
              "--no-ner")
    assert res.exit_code == 0, res.stderr
    assert only_table(json.loads(out.read_text()))["rows_scanned"] == 777


# --- Parquet -------------------------------------------------------------------

N_PARQUET = 40_000


def parquet_table(n: int) -> pa.Table:
    return pa.table({
        "row_index": pa.array(range(n), pa.int64()),
        "email": [f"user{i}@example.com" for i in range(n)],
        "region": [("us-east", "us-west", "eu")[i % 3] for i in range(n)],
    })


def test_parquet_file(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    pq.write_table(parquet_table(N_PARQUET), path, row_group_size=5_000)
    result = run(path, sample_size=1_000)
    assert result["sources"][0]["kind"] == "parquet"
    table = only_table(result)
    assert column_names(table) == ["row_index", "email", "region"]
    assert table["columns"][0]["data_type"] == "int64"
    assert table["rows_total"] == N_PARQUET
    assert table["rows_scanned"] == 1_000
    assert "EMAIL_ADDRESS" in entities(table, "email")
    assert only_table(run(path, full=True))["rows_scanned"] == N_PARQUET


def test_parquet_without_suffix_is_recognised_by_magic(tmp_path: Path) -> None:
    path = tmp_path / "events.bin"
    pq.write_table(parquet_table(100), path)
    result = run(path)
    assert result["sources"][0]["kind"] == "parquet"
    assert only_table(result)["rows_total"] == 100


def test_parquet_sample_spreads_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    pq.write_table(parquet_table(N_PARQUET), path, row_group_size=5_000)
    table = open_table(path)
    sample = pa.Table.from_batches(list(table.batches(ReadPlan(sample_size=1_000))))
    idx = sample.column("row_index").to_pylist()
    assert len(idx) == 1_000
    assert len(set(idx)) == 1_000
    assert max(idx) > N_PARQUET // 2  # not just the first 1,000 rows
    assert min(idx) < N_PARQUET // 10


def test_hive_partitioned_directory_is_one_table(tmp_path: Path) -> None:
    root = tmp_path / "weblogs"
    pq.write_to_dataset(parquet_table(3_000), root, partition_cols=["region"])
    assert len(list(root.rglob("*.parquet"))) == 3
    assert expand(str(root)) == [str(root)]
    result = run(root, sample_size=500)
    assert [s["kind"] for s in result["sources"]] == ["parquet"]
    table = only_table(result)
    assert set(column_names(table)) == {"row_index", "email", "region"}
    assert table["rows_total"] == 3_000
    assert table["rows_scanned"] == 500
    assert only_table(run(root, full=True))["rows_scanned"] == 3_000


def test_partitioned_dataset_inside_a_directory_is_one_source(tmp_path: Path) -> None:
    pq.write_to_dataset(parquet_table(600), tmp_path / "exports" / "weblogs",
                        partition_cols=["region"])
    write_delimited(tmp_path / "exports" / "customers.csv", ",")
    result = run(tmp_path / "exports")
    names = [Path(s["name"]).name for s in result["sources"]]
    assert names == ["customers.csv", "weblogs"]
    assert result["sources"][1]["tables"][0]["rows_total"] == 600


# --- access logs -----------------------------------------------------------------

COMMON = ('{ip} - frank [10/Oct/2023:13:55:{s:02d} -0700] "GET /account/{i} HTTP/1.1" 200 '
          '{size}')
COMBINED = COMMON + (' "https://example.com/start" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) '
                     'AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"')


def log_lines(template: str, n: int) -> list[str]:
    return [template.format(ip=f"203.0.113.{i % 250 + 1}", s=i % 60, i=i, size=100 + i)
            for i in range(n)]


@pytest.mark.parametrize("name", ["access.log", "traffic.txt", "weblog.csv", "requests"])
@pytest.mark.parametrize("template", [COMMON, COMBINED], ids=["common", "combined"])
def test_access_log_recognised_by_content(tmp_path: Path, name: str, template: str) -> None:
    path = tmp_path / name
    path.write_text("\n".join(log_lines(template, 40)) + "\n", encoding="utf-8")
    result = run(path)
    source = result["sources"][0]
    assert source["kind"] == "access-log"
    assert source["status"] == "ok"
    table = only_table(result)
    assert table["format"]["name"] == "access-log"
    assert {"remote_host", "user_agent", "request", "status"} <= set(column_names(table))
    assert table["rows_scanned"] == 40
    assert "IP_ADDRESS" in entities(table, "remote_host")
    if template is COMBINED:
        assert "USER_AGENT" in entities(table, "user_agent")


def test_gzipped_access_log(tmp_path: Path) -> None:
    path = tmp_path / "access.log.1.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(log_lines(COMBINED, 30)) + "\n")
    result = run(path)
    assert result["sources"][0]["kind"] == "access-log"
    assert only_table(result)["rows_scanned"] == 30


def test_non_log_line_is_a_warning_by_line_number(tmp_path: Path) -> None:
    lines = log_lines(COMBINED, 30)
    lines.insert(11, "SECRET-VALUE-123 this is not a log line 4111-1111-1111-1111")
    path = tmp_path / "access.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(path)
    table = only_table(result)
    assert table["rows_scanned"] == 30
    assert table["warnings"] == ["line 12: not a log line"]
    assert result["sources"][0]["status"] == "partial"
    dumped = json.dumps(result)
    assert "SECRET-VALUE-123" not in dumped
    assert "4111" not in dumped


# --- directories and globs -----------------------------------------------------------

def make_tree(root: Path) -> None:
    (root / "sub").mkdir(parents=True)
    write_delimited(root / "b.csv", ",")
    write_delimited(root / "a.csv", ";")
    write_delimited(root / "sub" / "c.tsv", "\t")
    (root / "README.md").write_text("# Exports\n\nWhat these files are.\n", encoding="utf-8")
    (root / "meta.json").write_text('{"rows": 6, "owner": "billing"}\n', encoding="utf-8")
    (root / ".hidden.csv").write_text("a,b\n1,2\n", encoding="utf-8")


def test_directory_expands_to_sorted_files_and_reports_unknown(tmp_path: Path) -> None:
    make_tree(tmp_path / "exports")
    result = run(tmp_path / "exports")
    names = [str(Path(s["name"]).relative_to(tmp_path / "exports")) for s in result["sources"]]
    assert names == ["README.md", "a.csv", "b.csv", "meta.json", "sub/c.tsv"]
    # A file no connector reads is not passed over in silence (issue 14, item 12).
    status = {Path(s["name"]).name: s["status"] for s in result["sources"]}
    assert status == {"README.md": "failed", "a.csv": "ok", "b.csv": "ok",
                      "meta.json": "failed", "c.tsv": "ok"}
    assert result["complete"] is False


def test_glob_expands_sorted(tmp_path: Path) -> None:
    make_tree(tmp_path / "exports")
    result = run(str(tmp_path / "exports" / "**" / "*.tsv"))
    assert [Path(s["name"]).name for s in result["sources"]] == ["c.tsv"]
    result = run(str(tmp_path / "exports" / "*.csv"))
    assert [Path(s["name"]).name for s in result["sources"]] == ["a.csv", "b.csv"]
    # A glob over everything reports what no connector recognises, as a directory does.
    result = run(str(tmp_path / "exports" / "*"))
    names = [str(Path(s["name"]).relative_to(tmp_path / "exports")) for s in result["sources"]
             if s["status"] == "ok"]
    assert names == ["a.csv", "b.csv", "sub/c.tsv"]
    assert result["complete"] is False


def test_file_name_with_glob_characters(tmp_path: Path) -> None:
    path = tmp_path / "report[2024].csv"
    write_delimited(path, ",")
    result = run(path)
    assert [s["name"] for s in result["sources"]] == [str(path)]
    assert result["complete"] is True


def test_named_unknown_file_is_tried_as_text(tmp_path: Path) -> None:
    make_tree(tmp_path / "exports")
    result = run(tmp_path / "exports" / "README.md")
    [source] = result["sources"]
    assert source["kind"] == "csv"
    assert source["status"] == "ok"
    assert source["tables"][0]["rows_scanned"] >= 2


def test_a_first_row_of_values_is_never_taken_for_a_header(tmp_path: Path) -> None:
    """csv.Sniffer votes 'header' here (text over integers); the email says it is data."""
    path = tmp_path / "noheader.csv"
    path.write_text("Ada,ada@example.com,x\n" + "".join(
        f"User{i},user{i}@example.com,{i % 10}\n" for i in range(30)))
    import csv as _csv

    assert _csv.Sniffer().has_header(path.read_text())
    result = scan([str(path)], ScanConfig(ner=False))
    names = [c.ref.column for c in result.sources[0].tables[0].columns]
    assert names == ["column_1", "column_2", "column_3"]


def test_large_files_are_sampled_across_their_length(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A sorted export whose first half has no emails: a head-only sample would miss them."""
    import connectors.files as files

    monkeypatch.setattr(files, "SPREAD_MIN_BYTES", 64 * 1024)
    monkeypatch.setattr(files, "SPREAD_WINDOW", 32 * 1024)
    path = tmp_path / "sorted.csv"
    rows = ["id,contact"] + [f"{i}," for i in range(20_000)] + \
        [f"{20_000 + i},user{i}@example.com" for i in range(20_000)]
    path.write_text("\n".join(rows) + "\n")
    result = scan([str(path)], ScanConfig(ner=False, sample_size=800))
    table = result.sources[0].tables[0]
    assert 700 <= table.rows_scanned <= 800
    assert table.status.value == "ok", table.error
    contact = next(c for c in table.columns if c.ref.column == "contact")
    assert "EMAIL_ADDRESS" in contact.entities
    full = scan([str(path)], ScanConfig(ner=False, full=True))
    assert full.sources[0].tables[0].rows_scanned == 40_000


@pytest.mark.parametrize(("text", "header"), [
    ("Alice Smith,Boston,Teller\nBob Jones,Austin,Clerk\nCarol White,Denver,Nurse\n", False),
    ("Name,City,Job\nBob Jones,Austin,Clerk\nCarol White,Denver,Nurse\n", True),
    ("name,email\nBob Jones,bob@example.com\nCarol White,carol@example.com\n", True),
])
def test_header_or_data(tmp_path: Path, text: str, header: bool) -> None:
    path = tmp_path / "people.csv"
    path.write_text(text)
    result = scan([str(path)], ScanConfig(ner=False))
    names = [c.ref.column for c in result.sources[0].tables[0].columns]
    assert (names[0] != "column_1") is header, names
    assert "Alice Smith" not in names


def test_nested_parquet_columns_are_scanned(tmp_path: Path) -> None:
    """Spark-style exports: structs become dotted columns, lists are scanned as text."""
    path = tmp_path / "nested.parquet"
    rows = [{"id": i, "customer": {"email": f"user{i}@example.com",
                                   "address": {"zip": f"{10000 + i}"}},
             "phones": [f"(617) 555-{i:04d}"]} for i in range(100)]
    pq.write_table(pa.Table.from_pylist(rows), path)
    result = scan([str(path)], ScanConfig(ner=False))
    cols = {c.ref.column: set(c.entities) for c in result.sources[0].tables[0].columns}
    assert cols["customer.email"] == {"EMAIL_ADDRESS"}
    assert cols["customer.address.zip"] == {"POSTAL_ADDRESS"}
    assert cols["phones"] == {"PHONE_NUMBER"}


def test_parquet_sample_reads_a_few_spread_row_groups(tmp_path: Path) -> None:
    path = tmp_path / "big.parquet"
    n = 200_000
    pq.write_table(pa.table({"row": pa.array(range(n), pa.int64()),
                             "email": [f"u{i}@example.com" for i in range(n)]}),
                   path, row_group_size=5_000)
    from connectors.base import ConnectorOptions, ReadPlan
    from connectors.files import ParquetSource

    table = next(iter(ParquetSource(str(path), ConnectorOptions()).tables()))
    rows = pa.Table.from_batches(list(table.batches(ReadPlan(sample_size=1_000)))).column("row")
    groups = {r // 5_000 for r in rows.to_pylist()}
    assert len(rows) == 1_000
    assert 1 < len(groups) <= 8, "a few row groups, not all 40"
    assert max(groups) - min(groups) >= 20, "spread over the file, not its head"
