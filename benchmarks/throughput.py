"""Full-scan throughput, CPU use, memory and start-up, side by side with their floor.

Builds a seeded, realistic 10-column table (names, e-mails, phones, cards, SSNs,
IPs, a free-text note with embedded PII, an amount, a date, a status), writes it
as Parquet (pyarrow's default row groups) and CSV at 1M and 10M rows, and scans
each with ``--full`` in a fresh process right after its floor (read the file in
batches, run one RE2 pattern over every column). Prints cells/s, the ratio to
the floor, CPU utilisation ((user+sys) / wall) and peak RSS; then the sampled
scan of the 10M-row file against a 100k-row one, the start-up of a 10-row CSV
scan and of ``piiscan --help``, and presidio's AnalyzerEngine cell by cell.

    python benchmarks/throughput.py [--rows 1000000] [--big-rows 10000000] [--no-csv]
                                    [--presidio-cells 2000] [--text-rows 1000000] [--text-only]

Targets on a 2-core machine: --full within 3x of the floor; CPU utilisation >=
1.8; peak RSS at 10M rows <= 1.2x that at 1M and <= 600 MiB; the sampled 10M-row
scan <= 1.2x the 100k-row one; a 10-row CSV scanned in <= 0.8 s, --help <= 0.35 s.

The free-text case (``--text-rows``) is a ticket-notes table: one column of
200-character notes full of dates, order numbers and versions, 1% of them
holding an SSN, a card, an email or a phone number. Every string column is
searched for embedded PII, so this is the worst case for it: the scan's cells/s
and MB/s are printed next to a floor (read the file, run one RE2 pattern over
the notes), with the ratio, at a fifth of ``--text-rows``, at all of them and
at twice as many, with the peak RSS of each. Targets: within 5x of the floor at
``--text-rows``; peak RSS at twice as many at most 1.2x that at ``--text-rows``
(past the window of batches in flight memory must stay flat).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
#: Targets of a --full scan of the realistic table on a 2-core machine.
TARGET_FLOOR_RATIO = 3.0
TARGET_CPU = 1.8
TARGET_RSS_MB = 600
TARGET_RSS_GROWTH = 1.2
TARGET_SAMPLE_RATIO = 1.2
TARGET_START_S = 0.8
TARGET_HELP_S = 0.35
TARGET_TEXT_RATIO = 5.0


def _luhn_fix(body: np.ndarray) -> np.ndarray:
    """Append the Luhn check digit to rows of digits (vectorized)."""
    n, length = body.shape
    d = body.copy()
    # Positions that are doubled once the check digit is appended.
    d[:, length - 1::-2] *= 2
    d[d > 9] -= 9
    check = (10 - d.sum(axis=1) % 10) % 10
    return np.concatenate([body, check[:, None]], axis=1)


def _digits_to_strings(m: np.ndarray) -> pa.Array:
    """Rows of digits as an Arrow string array, built straight from one byte buffer."""
    rows, width = m.shape
    data = pa.py_buffer((m + 48).astype(np.uint8).tobytes())
    offsets = pa.py_buffer((np.arange(rows + 1, dtype=np.int32) * width).tobytes())
    return pa.StringArray.from_buffers(rows, offsets, data)


def _notes(rows: int, seed: int, chunk: int = 1_000_000) -> pa.ChunkedArray:
    """Notes in chunks of a million (10M notes overflow one string array's 2 GiB)."""
    return pa.chunked_array([build_notes(min(chunk, rows - start), seed=seed + start)
                             .column("notes").combine_chunks()
                             for start in range(0, rows, chunk)])


def build_table(rows: int, seed: int = 7) -> pa.Table:
    rng = np.random.default_rng(seed)
    first = np.array(["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Ken", "Radia"])
    last = np.array(["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Lee"])
    idx = rng.integers(0, 1_000_000, rows)
    email = pc.binary_join_element_wise(
        pa.array(first[rng.integers(0, len(first), rows)]).cast(pa.string()),
        pa.array(idx.astype(str)), "@example.com", "")
    cards = _digits_to_strings(_luhn_fix(np.concatenate(
        [np.full((rows, 1), 4), rng.integers(0, 10, (rows, 14))], axis=1)))
    area = rng.choice([207, 212, 303, 415, 503, 512, 608, 617], rows)
    phone = pc.binary_join_element_wise(
        pa.array(area.astype(str)), pa.array(rng.integers(200, 990, rows).astype(str)),
        pa.array(np.char.zfill(rng.integers(0, 10_000, rows).astype(str), 4)), "-")
    ssn = pc.binary_join_element_wise(
        pa.array(rng.integers(100, 666, rows).astype(str)),
        pa.array(np.char.zfill(rng.integers(1, 100, rows).astype(str), 2)),
        pa.array(np.char.zfill(rng.integers(1, 10_000, rows).astype(str), 4)), "-")
    ip = pc.binary_join_element_wise(
        *[pa.array(rng.integers(1, 255, rows).astype(str)) for _ in range(4)], ".")
    name = pc.binary_join_element_wise(
        pa.array(first[rng.integers(0, len(first), rows)]),
        pa.array(last[rng.integers(0, len(last), rows)]), " ")
    status = pa.array(np.array(["active", "suspended", "closed"])[rng.integers(0, 3, rows)])
    # Dates over ten years, written as ISO dates (as exports write them).
    days = pa.array(rng.integers(0, 3_650, rows) + 16_000, pa.int32()).cast(pa.date32())
    return pa.table({
        "email": email, "card_number": cards, "phone": phone, "ssn": ssn, "client_ip": ip,
        "customer_name": name, "note": _notes(rows, seed + 1),
        "amount": pa.array(rng.uniform(1, 500, rows).round(2)),
        "signup_date": days, "status": status,
    })


_CHILD = """
import json, resource, sys, time
from scanner.core.config import ScanConfig
from scanner.core.engine import scan
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
c, t = cpu(), time.perf_counter()
r = scan([sys.argv[1]], ScanConfig(full=len(sys.argv) < 3 or sys.argv[2] == "full"))
dt, dc = time.perf_counter() - t, cpu() - c
rows = sum(t.rows_scanned for s in r.sources for t in s.tables)
cols = sum(len(t.columns) for s in r.sources for t in s.tables)
flagged = sorted({(c, e) for _, _, c, e in r.flatten()})
# The process's own high-water mark: ru_maxrss would also count the pages of the parent
# (the benchmark, holding the whole generated table) this child had before exec.
hwm = [int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")]
peak = hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": dt, "cpu": dc, "rows": rows, "cols": cols, "complete": r.complete,
                  "rss_mb": peak / 1024,
                  "flagged": flagged}))
"""

#: The floor of a full scan: read every batch and run one RE2 pattern over each column
#: (as text), in a fresh process, the way the scan reads (streamed batches).
_TABLE_FLOOR = r"""
import json, resource, sys, time
import pyarrow as pa, pyarrow.compute as pc
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
path = sys.argv[1]
c, t = cpu(), time.perf_counter()
if path.endswith(".csv"):
    import pyarrow.csv as pcsv
    batches = pcsv.open_csv(path, read_options=pcsv.ReadOptions(block_size=1 << 22))
else:
    import pyarrow.parquet as pq
    batches = pq.ParquetFile(path).iter_batches(batch_size=65_536)
hits = cells = 0
for b in batches:
    for col in b.columns:
        s = col if pa.types.is_string(col.type) else pc.cast(col, pa.string())
        hits += pc.sum(pc.match_substring_regex(s, r"\d{3}-\d{2}-\d{4}")).as_py() or 0
        cells += len(col)
print(json.dumps({"seconds": time.perf_counter() - t, "cpu": cpu() - c, "cells": cells,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


_WORDS = np.array(["customer", "called", "about", "the", "modem", "outage", "ticket", "closed",
                   "agent", "reset", "router", "billing", "question", "plan", "upgrade", "fiber",
                   "signal", "technician", "visit", "scheduled", "refund", "credit", "applied",
                   "order", "shipped", "on", "2024-03-15", "10:22:33", "v2.4.1", "#48213377",
                   "ORD-1042-7731", "ZIP", "94105-1234", "speed", "940.5", "Mbps", "ok"])


def build_notes(rows: int, seed: int = 11, density: float = 0.01) -> pa.Table:
    """Ticket notes of about 200 characters; ``density`` of them hold one PII value."""
    rng = np.random.default_rng(seed)
    words = pa.array(_WORDS[rng.integers(0, len(_WORDS), (rows, 28))].ravel(), pa.string())
    if isinstance(words, pa.ChunkedArray):
        words = words.combine_chunks()
    offsets = pa.array(np.arange(rows + 1, dtype=np.int32) * 28)
    notes = pc.binary_join(pa.ListArray.from_arrays(offsets, words), " ")
    notes = pc.utf8_slice_codeunits(notes, 0, 200)
    hits = np.flatnonzero(rng.random(rows) < density)
    kinds = hits % 4
    ssn = pc.binary_join_element_wise(
        pa.array(rng.integers(100, 666, len(hits)).astype(str)),
        pa.array(np.char.zfill(rng.integers(1, 100, len(hits)).astype(str), 2)),
        pa.array(np.char.zfill(rng.integers(1, 10_000, len(hits)).astype(str), 4)), "-")
    body = _luhn_fix(np.concatenate([np.full((len(hits), 1), 4),
                                     rng.integers(0, 10, (len(hits), 14))], axis=1))
    card = _digits_to_strings(body)
    mail = pc.binary_join_element_wise(
        pa.array(np.full(len(hits), "user")), pa.array(hits.astype(str)), "@example.org", "")
    phone = pc.binary_join_element_wise(
        pa.array(np.char.add("(212) 4", rng.integers(10, 99, len(hits)).astype(str))),
        pa.array(np.char.zfill(rng.integers(0, 10_000, len(hits)).astype(str), 4)), "-")
    pii = pc.if_else(pa.array(kinds == 0), pc.binary_join_element_wise("ssn", ssn, " "),
          pc.if_else(pa.array(kinds == 1), pc.binary_join_element_wise("visa", card, " "),
          pc.if_else(pa.array(kinds == 2), mail,
                     pc.binary_join_element_wise("call back at", phone, " "))))
    head = pc.utf8_slice_codeunits(notes.take(pa.array(hits)), 0, 150)
    replaced = pc.binary_join_element_wise(head, pii, " ")
    mask = np.zeros(rows, dtype=bool)
    mask[hits] = True
    positions = np.cumsum(mask) - 1
    merged = pc.if_else(pa.array(mask), replaced.take(pa.array(np.maximum(positions, 0))), notes)
    return pa.table({"ticket_id": pa.array(np.arange(rows)), "notes": merged})


_FLOOR = r"""
import json, resource, sys, time
import pyarrow.compute as pc, pyarrow.parquet as pq
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
c, t = cpu(), time.perf_counter()
notes = pq.read_table(sys.argv[1], columns=["notes"]).column("notes")
hits = sum(pc.sum(pc.match_substring_regex(ch, r"\d{3}-\d{2}-\d{4}")).as_py() or 0
           for ch in notes.chunks)
print(json.dumps({"seconds": time.perf_counter() - t, "cpu": cpu() - c, "hits": hits,
                  "bytes": sum(ch.buffers()[2].size for ch in notes.chunks)}))
"""

#: Peak RSS of the largest free-text size may be at most this times the smallest's.
TARGET_TEXT_RSS_GROWTH = 1.2


def text_case(rows: int) -> bool:
    """Scan ticket notes with embedded PII at two sizes; print speed next to the floor, and RSS.

    Each size is scanned right after its floor, in fresh processes, so the ratio
    holds on a shared machine. The ratio is of wall time (the target); the ratio of
    CPU time is printed beside it, steadier when other work shares the cores.
    """
    # Memory is compared between ``rows`` and twice as many: below about half a million
    # notes the pipeline's window of batches in flight is still filling (a file of a
    # few batches holds less), past it the peak is the window's and stays flat.
    sizes = sorted({max(1, rows // 5), rows, 2 * rows})
    print(f"free text: {' and '.join(f'{n:,}' for n in sizes)} rows of 200-character notes, "
          "1% holding PII ...", flush=True)
    full = build_notes(max(sizes))
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"notes_{n}.parquet"
            pq.write_table(full.slice(0, n), path, row_group_size=128_000)
            floor = json.loads(subprocess.run(
                [sys.executable, "-c", _FLOOR, str(path)], cwd=ROOT, check=True,
                capture_output=True, text=True).stdout.strip().splitlines()[-1])
            r = scan_in_child(path)
            mb = floor["bytes"] / 1e6
            cells = r["rows"] * r["cols"]
            ratio, cpu_ratio = r["seconds"] / floor["seconds"], r["cpu"] / floor["cpu"]
            print(f"  {n:>9,} notes  floor (read + one RE2 pattern): {floor['seconds']:6.2f} s  "
                  f"{n / floor['seconds']:>10,.0f} notes/s  {mb / floor['seconds']:7.1f} MB/s")
            print(f"  {'':>15} piiscan scan --full:            {r['seconds']:6.2f} s  "
                  f"{cells / r['seconds']:>10,.0f} cells/s  {mb / r['seconds']:7.1f} MB/s  "
                  f"peak RSS {r['rss_mb']:.0f} MiB  CPU {r['cpu'] / r['seconds']:.2f}")
            print(f"  {'':>15} ratio scan/floor: {ratio:.1f}x wall, {cpu_ratio:.1f}x CPU",
                  flush=True)
            runs.append((n, ratio, cpu_ratio, r))
    print("  flagged:", ", ".join(f"{c}={e}" for c, e in runs[-1][3]["flagged"]))
    at = {n: (ratio, cpu_ratio, r) for n, ratio, cpu_ratio, r in runs}
    small, big = rows, 2 * rows
    ratio, cpu_ratio, _ = at[rows]
    rs, rb = at[small][2], at[big][2]
    growth = rb["rss_mb"] / rs["rss_mb"]
    print("  peak RSS: " + ", ".join(f"{n:,} notes {at[n][2]['rss_mb']:.0f} MiB" for n in sizes)
          + f"; {big:,} / {small:,}: {growth:.2f} (1.0 = flat)")
    ok_speed = ratio <= TARGET_TEXT_RATIO
    ok_flat = growth <= TARGET_TEXT_RSS_GROWTH
    print(f"target within {TARGET_TEXT_RATIO:.0f}x of the floor at {rows:,} notes: "
          f"{'met' if ok_speed else 'NOT met'} ({ratio:.1f}x wall, {cpu_ratio:.1f}x CPU)")
    print(f"target peak RSS at {big:,} notes <= {TARGET_TEXT_RSS_GROWTH}x that at {small:,}: "
          f"{'met' if ok_flat else 'NOT met'} ({growth:.2f}x)")
    return ok_speed and ok_flat


def scan_in_child(path: Path, code: str = _CHILD, mode: str = "full") -> dict:
    out = subprocess.run([sys.executable, "-c", code, str(path), mode], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def full_scan_row(label: str, path: Path) -> dict:
    """Scan ``path`` and its floor in fresh processes; print cells/s, floor ratio, CPU, RSS.

    CPU utilisation is (user + sys) / wall of the scanning process: 2.0 keeps both
    cores of the development machine busy. Wall times on a shared machine are noisy,
    so the scan and its floor run back to back and the ratio is what to compare.
    """
    floor = scan_in_child(path, _TABLE_FLOOR)
    r = scan_in_child(path)
    cells = r["rows"] * r["cols"]
    r["cells_per_s"] = cells / r["seconds"]
    r["floor_ratio"] = r["seconds"] / floor["seconds"]
    r["cpu_util"] = r["cpu"] / r["seconds"]
    print(f"  {label:<24} {cells:>11,} cells  {r['seconds']:6.2f} s  "
          f"{r['cells_per_s']:>11,.0f} cells/s  floor {floor['cells'] / floor['seconds']:>11,.0f}"
          f" cells/s  ratio {r['floor_ratio']:4.1f}x  CPU {r['cpu_util']:.2f}  "
          f"peak RSS {r['rss_mb']:6.0f} MiB  complete={r['complete']}", flush=True)
    return r


def presidio_cells_per_s(table: pa.Table, cells: int) -> float:
    sys.path.insert(0, str(ROOT))
    from detectors.language import analyzer

    engine = analyzer().analyzer_engine
    values: list[str] = []
    per_col = max(1, cells // table.num_columns)
    for col in table.columns:
        values.extend(str(v) for v in col.slice(0, per_col).to_pylist())
    engine.analyze(values[0], language="en")  # warm up
    t = time.perf_counter()
    for v in values:
        engine.analyze(v, language="en")
    return len(values) / (time.perf_counter() - t)


#: Runs of each sampled scan (the median is kept).
SAMPLED_TURNS = 7


def start_up(tmp: Path, turns: int = 5) -> tuple[float, float]:
    """Median wall seconds of ``piiscan scan`` on a 10-row CSV, and of ``piiscan --help``.

    Both run the installed command in a fresh process, the way a user or a CI job
    meets them: interpreter start, imports, the scan and the report.
    """
    small = tmp / "ten_rows.csv"
    small.write_text("id,status,city\n" + "".join(
        f"{i},{['active', 'closed', 'suspended', 'pending', 'new'][i % 5]},Springfield\n"
        for i in range(10)))
    exe = Path(sys.executable).parent / "piiscan"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "scanner.cli"]

    def median_wall(args: list[str]) -> float:
        times = []
        for _ in range(turns):
            t = time.perf_counter()
            subprocess.run(cmd + args, cwd=ROOT, capture_output=True, check=False)
            times.append(time.perf_counter() - t)
        return sorted(times)[len(times) // 2]

    median_wall(["--help"])  # the first run fills the page cache
    return median_wall(["scan", "-q", str(small)]), median_wall(["--help"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--big-rows", type=int, default=10_000_000,
                    help="the larger size, for memory and sampling (0 to skip it)")
    ap.add_argument("--presidio-cells", type=int, default=2_000)
    ap.add_argument("--text-rows", type=int, default=1_000_000,
                    help="rows of the free-text case (0 to skip it)")
    ap.add_argument("--text-only", action="store_true", help="run only the free-text case")
    ap.add_argument("--no-csv", action="store_true", help="scan Parquet only")
    args = ap.parse_args()
    if args.text_only:
        sys.exit(0 if text_case(args.text_rows) else 1)
    sizes = sorted({args.rows, *([args.big_rows] if args.big_rows else [])})
    print(f"building a seeded {sizes[-1]:,}-row, 10-column table (names, e-mails, phones, "
          "cards, SSNs, IPs, a free-text note, an amount, a date, a status) ...", flush=True)
    full = build_table(sizes[-1])
    results: dict[tuple[str, int], dict] = {}
    print("  (ratio = scan time / floor time, read + one RE2 pattern per column; "
          "CPU = (user+sys) / wall, 2.0 = both cores)")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for rows in sizes:
            path = tmp / f"bench_{rows}.parquet"
            pq.write_table(full.slice(0, rows), path)  # pyarrow's default row groups
            results["Parquet", rows] = full_scan_row(f"Parquet {rows:,} rows", path)
            if not args.no_csv:
                import pyarrow.csv as pcsv

                path = tmp / f"bench_{rows}.csv"
                pcsv.write_csv(full.slice(0, rows), path)
                results["CSV", rows] = full_scan_row(f"CSV {rows:,} rows", path)
                path.unlink()
        sampled = {}
        if args.big_rows:
            small = tmp / "bench_100000.parquet"
            pq.write_table(full.slice(0, 100_000), small)
            print(f"sampled scan (the default 10,000-row sample), fresh process each, "
                  f"the two files in turn, median of {SAMPLED_TURNS}:")
            # In turn, so that the machine's drift (its speed changes by the minute) falls
            # on both alike: each scan is mostly start-up, half a second.
            files = ((100_000, small), (sizes[-1], tmp / f"bench_{sizes[-1]}.parquet"))
            turns: dict[int, list[dict[str, Any]]] = {rows: [] for rows, _ in files}
            for _ in range(SAMPLED_TURNS):
                for rows, path in files:
                    turns[rows].append(scan_in_child(path, mode="sample"))
            for rows, _ in files:
                runs = sorted(turns[rows], key=lambda r: r["seconds"])
                sampled[rows] = runs[len(runs) // 2]
                print(f"  Parquet {rows:>11,} rows: {sampled[rows]['seconds']:6.2f} s  "
                      f"peak RSS {sampled[rows]['rss_mb']:.0f} MiB", flush=True)
        scan_s, help_s = start_up(tmp)
        print(f"start-up: `piiscan scan` of a 10-row CSV {scan_s:.2f} s, "
              f"`piiscan --help` {help_s:.2f} s (median of 5)")
    big = results["Parquet", sizes[0]]
    print("flagged columns:", ", ".join(f"{c}={e}" for c, e in big["flagged"]))
    if args.presidio_cells > 0:
        print(f"presidio AnalyzerEngine, cell by cell on {args.presidio_cells:,} cells ...",
              flush=True)
        pres = presidio_cells_per_s(full.slice(0, args.presidio_cells), args.presidio_cells)
        print(f"  presidio: {pres:,.0f} cells/s; piiscan --full on Parquet: "
              f"{big['cells_per_s'] / pres:,.0f}x that")
    print()
    checks: list[tuple[str, bool, str]] = []
    for (fmt, rows), r in sorted(results.items()):
        checks.append((f"{fmt} {rows:,} rows --full within {TARGET_FLOOR_RATIO:g}x of the floor",
                       r["floor_ratio"] <= TARGET_FLOOR_RATIO,
                       f"{r['floor_ratio']:.1f}x, {r['cells_per_s'] / 1e6:.2f}M cells/s"))
        checks.append((f"{fmt} {rows:,} rows CPU utilisation >= {TARGET_CPU:g}",
                       r["cpu_util"] >= TARGET_CPU, f"{r['cpu_util']:.2f}"))
    if args.big_rows:
        for fmt in ("Parquet", "CSV"):
            if (fmt, args.big_rows) not in results:
                continue
            lo, hi = results[fmt, args.rows]["rss_mb"], results[fmt, args.big_rows]["rss_mb"]
            checks.append((f"{fmt} peak RSS at {args.big_rows:,} rows <= {TARGET_RSS_GROWTH}x "
                           f"that at {args.rows:,} and <= {TARGET_RSS_MB} MiB",
                           hi <= TARGET_RSS_GROWTH * lo and hi <= TARGET_RSS_MB,
                           f"{lo:.0f} -> {hi:.0f} MiB, {hi / lo:.2f}x"))
        ratio = sampled[sizes[-1]]["seconds"] / sampled[100_000]["seconds"]
        checks.append((f"sampled scan of {sizes[-1]:,} rows <= {TARGET_SAMPLE_RATIO}x "
                       "one of 100,000", ratio <= TARGET_SAMPLE_RATIO, f"{ratio:.2f}x"))
    checks.append((f"10-row CSV scan <= {TARGET_START_S} s", scan_s <= TARGET_START_S,
                   f"{scan_s:.2f} s"))
    checks.append((f"piiscan --help <= {TARGET_HELP_S} s", help_s <= TARGET_HELP_S,
                   f"{help_s:.2f} s"))
    for what, ok, measured in checks:
        print(f"target {what}: {'met' if ok else 'NOT met'} ({measured})")
    ok_text = True
    if args.text_rows:
        print()
        ok_text = text_case(args.text_rows)
    sys.exit(0 if all(ok for _, ok, _ in checks) and ok_text else 1)


if __name__ == "__main__":
    main()
