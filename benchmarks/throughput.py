"""Full-scan throughput and memory, side by side with presidio's cell-by-cell analyzer.

Builds a seeded table of mixed PII and non-PII columns (10 columns), writes it
as Parquet at several sizes, scans each with ``--full`` in a fresh process, and
prints cells per second and peak RSS for each size (memory should stay flat as
rows grow). Then runs presidio's AnalyzerEngine cell by cell on a sample of the
same data and prints the speed ratio.

    python benchmarks/throughput.py [--rows 1000000] [--presidio-cells 2000]

Targets on a 2-core machine: >= 1,000,000 cells/s, peak RSS < 1 GiB, flat.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
TARGET_CELLS_PER_S = 1_000_000
TARGET_RSS_MB = 1024


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
    sku = pc.binary_join_element_wise(
        pa.array(np.full(rows, "SKU")), pa.array(rng.integers(10_000, 99_999, rows).astype(str)),
        "-")
    return pa.table({
        "email": email, "card_number": cards, "phone": phone, "ssn": ssn, "client_ip": ip,
        "customer_name": name, "status": status, "sku": sku,
        "amount": pa.array(rng.uniform(1, 500, rows).round(2)),
        "order_id": pa.array(rng.integers(1, 10**9, rows)),
    })


_CHILD = """
import json, resource, sys, time
from scanner.core.config import ScanConfig
from scanner.core.engine import scan
t = time.perf_counter()
r = scan([sys.argv[1]], ScanConfig(full=True))
dt = time.perf_counter() - t
rows = sum(t.rows_scanned for s in r.sources for t in s.tables)
cols = sum(len(t.columns) for s in r.sources for t in s.tables)
flagged = sorted({(c, e) for _, _, c, e in r.flatten()})
print(json.dumps({"seconds": dt, "rows": rows, "cols": cols, "complete": r.complete,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "flagged": flagged}))
"""


def scan_in_child(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(path)], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--presidio-cells", type=int, default=2_000)
    args = ap.parse_args()
    sizes = sorted({max(1, args.rows // 4), max(1, args.rows // 2), args.rows})
    print(f"building a seeded {args.rows:,}-row, 10-column table ...", flush=True)
    full = build_table(args.rows)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            path = Path(tmp) / f"bench_{rows}.parquet"
            pq.write_table(full.slice(0, rows), path, row_group_size=128_000)
            r = scan_in_child(path)
            cells = r["rows"] * r["cols"]
            r["cells_per_s"] = cells / r["seconds"]
            results.append(r)
            print(f"  {rows:>10,} rows  {cells:>11,} cells  {r['seconds']:6.2f} s  "
                  f"{r['cells_per_s']:>12,.0f} cells/s  peak RSS {r['rss_mb']:7.1f} MiB  "
                  f"complete={r['complete']}", flush=True)
    big = results[-1]
    print("flagged columns:", ", ".join(f"{c}={e}" for c, e in big["flagged"]))
    print(f"presidio AnalyzerEngine, cell by cell on {args.presidio_cells:,} cells ...",
          flush=True)
    pres = presidio_cells_per_s(full, args.presidio_cells)
    print(f"  presidio: {pres:,.0f} cells/s")
    print()
    print(f"speed ratio piiscan/presidio: {big['cells_per_s'] / pres:,.0f}x")
    rss_growth = big["rss_mb"] / results[0]["rss_mb"]
    print(f"RSS ratio {sizes[-1]:,} rows / {sizes[0]:,} rows: {rss_growth:.2f} "
          "(1.0 = flat)")
    ok_speed = big["cells_per_s"] >= TARGET_CELLS_PER_S
    ok_rss = big["rss_mb"] < TARGET_RSS_MB
    ok_flat = rss_growth < 1.5
    print(f"target >= {TARGET_CELLS_PER_S:,} cells/s: {'met' if ok_speed else 'NOT met'}")
    print(f"target peak RSS < {TARGET_RSS_MB} MiB: {'met' if ok_rss else 'NOT met'}")
    print(f"target RSS flat as rows grow (< 1.5x for 4x rows): {'met' if ok_flat else 'NOT met'}")
    sys.exit(0 if ok_speed and ok_rss and ok_flat else 1)


if __name__ == "__main__":
    main()
