"""The shared line-record reading: bounded lines, malformed-line warnings, even batches.

Driven through the log connectors built on it (Zeek, W3C, RADIUS detail,
dhcpd.leases, syslog), as a user meets them.
"""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.base import ConnectorOptions, ReadPlan
from connectors.lines import MAX_LINE_BYTES, MAX_WARNINGS, LineCounts, iter_lines, rebatch
from connectors.registry import open_source

ZEEK_HEAD = ["#separator \\x09", "#unset_field\t-", "#path\tconn",
             "#fields\tts\tid.orig_h\tid.resp_h", "#types\ttime\taddr\taddr"]


def zeek_entry(i: int) -> str:
    return f"1717236{i:03d}.5\t10.1.{i % 250}.{i % 200}\t192.0.2.{i % 250}"


def read(path: Path, plan: ReadPlan | None = None) -> tuple[object, pa.Table]:
    table = next(open_source(str(path), ConnectorOptions()).tables())
    batches = list(table.batches(plan or ReadPlan(sample_size=None)))
    return table, pa.Table.from_batches(batches)


def test_over_long_line_is_reported_by_number_and_makes_the_read_partial(tmp_path: Path) -> None:
    secret = "203.0.113.77"
    long_entry = f"1717236000.5\t{secret}\t" + "x" * (MAX_LINE_BYTES + 10)
    lines = ZEEK_HEAD + [zeek_entry(1), long_entry, "short\tline", zeek_entry(2)]
    path = tmp_path / "conn.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table, data = read(path)
    assert data.num_rows == 2
    # Line 7 is the long one, line 8 the one with too few fields: numbers stay right.
    assert table.warnings == [f"line 7: longer than {MAX_LINE_BYTES} bytes",
                              "line 8: field count differs from #fields"]
    assert table.partial_on_warnings
    assert not any(secret in w for w in table.warnings)


def test_a_few_malformed_entries_are_listed_then_counted(tmp_path: Path) -> None:
    bad = 80
    lines = ZEEK_HEAD + [zeek_entry(i) for i in range(20)] + ["10.9.9.9\tonly two"] * bad
    path = tmp_path / "conn.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table, data = read(path)
    assert data.num_rows == 20
    assert len(table.warnings) == MAX_WARNINGS + 1
    assert table.warnings[0] == f"line {len(ZEEK_HEAD) + 21}: field count differs from #fields"
    assert table.warnings[-1] == f"{bad - MAX_WARNINGS} more malformed lines not listed"
    assert not any("10.9.9.9" in w for w in table.warnings)
    # Entries that do not fit #fields are reported, not lost data.
    assert not table.partial_on_warnings


def test_reading_again_starts_the_warnings_afresh(tmp_path: Path) -> None:
    lines = ZEEK_HEAD + [zeek_entry(1), "bad", zeek_entry(2)]
    path = tmp_path / "conn.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = next(open_source(str(path), ConnectorOptions()).tables())
    for _ in range(2):
        list(table.batches(ReadPlan(sample_size=None)))
        assert table.warnings == [f"line {len(ZEEK_HEAD) + 2}: field count differs from #fields"]


def test_batches_follow_the_plan_and_the_sample_stops_early(tmp_path: Path) -> None:
    lines = ZEEK_HEAD + [zeek_entry(i) for i in range(250)]
    path = tmp_path / "conn.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = next(open_source(str(path), ConnectorOptions()).tables())
    sizes = [b.num_rows for b in table.batches(ReadPlan(sample_size=None, batch_size=100))]
    assert sizes == [100, 100, 50]
    sizes = [b.num_rows for b in table.batches(ReadPlan(sample_size=120, batch_size=100))]
    assert sizes == [100, 20]


def test_syslog_over_long_line_is_skipped_and_reported(tmp_path: Path) -> None:
    good = "Jun  1 10:00:00 mail sshd[812]: Accepted publickey for alice from 198.51.100.4 port 22"
    path = tmp_path / "auth.log"
    path.write_bytes(("\n".join([good, good]) + "\n").encode()
                     + b"Jun  1 10:00:01 mail sshd[1]: " + b"y" * (3 * MAX_LINE_BYTES) + b"\n"
                     + (good + "\n").encode())
    table, data = read(path)
    assert data.num_rows == 3
    assert table.warnings == [f"line 3: longer than {MAX_LINE_BYTES} bytes"]
    assert table.partial_on_warnings
    assert data.column("user").to_pylist()[0] == "alice"


def test_dhcp_leases_file_without_newlines_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "dhcpd.leases"
    path.write_bytes(b"# The format of this file is documented in the dhcpd.leases(5) manual"
                     b" page.\nlease 192.0.2.10 {\n  starts 3 2024/05/01 10:00:00;\n"
                     b"  hardware ethernet 00:00:5e:00:53:01;\n}\n" + b"z" * (4 * MAX_LINE_BYTES))
    table, data = read(path)
    assert data.num_rows == 1
    assert table.warnings == [f"line 6: longer than {MAX_LINE_BYTES} bytes"]


def test_iter_lines_keeps_numbers_across_chunks_and_skipped_lines() -> None:
    raw = b"a\n" + b"b" * (MAX_LINE_BYTES + 1) + b"\nc\nd"
    counts = LineCounts()
    lines = list(iter_lines(io.BytesIO(raw), counts, chunk_bytes=7))
    assert lines == ["a", "", "c", "d"]
    assert counts.long_lines == 1 and counts.warnings == [
        f"line 2: longer than {MAX_LINE_BYTES} bytes"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=30), max_size=40), st.integers(min_value=1, max_value=64))
def test_iter_lines_matches_splitting_the_whole_file(parts: list[bytes], chunk: int) -> None:
    raw = b"\n".join(parts)
    expected = raw.split(b"\n")
    if raw.endswith(b"\n"):
        expected.pop()
    if not raw:
        expected = []
    got = list(iter_lines(io.BytesIO(raw), LineCounts(), chunk_bytes=chunk))
    assert [g.encode("utf-8") if _utf8(e) else g.encode("latin-1")
            for g, e in zip(got, expected, strict=True)] == expected


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), max_size=12),
       st.integers(min_value=1, max_value=25))
def test_rebatch_gives_even_batches_in_order(sizes: list[int], size: int) -> None:
    batches, start = [], 0
    for n in sizes:
        batches.append(pa.record_batch([pa.array(range(start, start + n))], names=["n"]))
        start += n
    out = list(rebatch(batches, size))
    assert all(b.num_rows == size for b in out[:-1])
    assert [v for b in out for v in b.column(0).to_pylist()] == list(range(start))
