"""Where a full scan's time goes: each detector's cost on each column of the realistic table.

Builds the seeded 10-column table of ``throughput.py`` (names, e-mails, phones,
cards, SSNs, IPs, a free-text note, an amount, a date, a status), cuts it into
the scan's 65,536-row batches and times every detector's ``match`` on every
column, next to the floor (one RE2 pattern over the same column). Prints, per
column, the detectors that cost most and their ratio to that floor, and the
total: the sum of the table's detector time over its floor is what a full scan
cannot beat however well it keeps both cores busy.

    python benchmarks/detector_cost.py [--rows 1000000] [--top 6] [--column NAME] [--as-text]

Detectors run in one thread here, on every batch, as the engine runs them before
it drops those that find nothing (see ``Engine._worth_running`` and ``_settle``);
so this is an upper bound on a scan's detector time and a guide to which
detector to make cheaper. Times are CPU seconds of this process, steadier than
wall time when other work shares the machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.throughput import build_table  # noqa: E402
from detectors.base import ValueView  # noqa: E402
from detectors.registry import all_detectors  # noqa: E402

BATCH = 65_536


def floor_seconds(column: pa.Array) -> float:
    """One RE2 pattern over the column as text, batch by batch."""
    t = time.process_time()
    for start in range(0, len(column), BATCH):
        part = column.slice(start, BATCH)
        s = part if pa.types.is_string(part.type) else pc.cast(part, pa.string())
        pc.sum(pc.match_substring_regex(s, r"\d{3}-\d{2}-\d{4}"))
    return time.process_time() - t


def detector_seconds(name: str, column: pa.Array,
                     only: set[str] | None = None) -> dict[str, float]:
    """Seconds each detector's ``match`` spends on the column (shared view work included)."""
    spent: dict[str, float] = defaultdict(float)
    # As the engine does: a detector that only confirms a telling name reads values
    # only under one.
    detectors = [d for d in all_detectors() if (only is None or d.name in only) and (
        not d.requires_name or d.names.evaluate(name).score >= 0.5)]
    for start in range(0, len(column), BATCH):
        part = column.slice(start, BATCH)
        # The engine decides free text once per column, on its first values.
        is_text = ValueView(column.slice(0, BATCH)).is_text if pa.types.is_string(
            column.type) else False
        view = ValueView(part, is_text=is_text, region="US")
        t = time.process_time()
        _ = view.strings
        spent["(view: strings)"] += time.process_time() - t
        for det in detectors:
            if view.kind not in det.kinds:
                continue
            t = time.process_time()
            det.match(view)
            spent[det.name] += time.process_time() - t
    return spent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--top", type=int, default=6)
    ap.add_argument("--column", action="append", help="only these columns (repeatable)")
    ap.add_argument("--detector", action="append", help="only these detectors (repeatable)")
    ap.add_argument("--as-text", action="store_true",
                    help="every column as text, as a CSV file is read (amounts and dates too)")
    args = ap.parse_args()
    print(f"building a seeded {args.rows:,}-row, 10-column table ...", flush=True)
    table = build_table(args.rows)
    all_detectors()  # load and compile before timing
    total = total_floor = 0.0
    by_detector: dict[str, float] = defaultdict(float)
    for name in table.column_names:
        if args.column and name not in args.column:
            continue
        column = table.column(name).combine_chunks()
        if args.as_text and not pa.types.is_string(column.type):
            column = pc.cast(column, pa.string())
        floor = floor_seconds(column)
        spent = detector_seconds(name, column, set(args.detector) if args.detector else None)
        col_total = sum(spent.values())
        total += col_total
        total_floor += floor
        for det, s in spent.items():
            by_detector[det] += s
        top = sorted(spent.items(), key=lambda kv: -kv[1])[:args.top]
        print(f"{name:<14} detectors {col_total:6.2f} s  floor {floor:5.2f} s  "
              f"ratio {col_total / floor:5.1f}x   "
              + ", ".join(f"{d} {s:.2f}" for d, s in top), flush=True)
    print(f"\nall columns: detectors {total:.2f} s, floor {total_floor:.2f} s, "
          f"ratio {total / total_floor:.1f}x (single thread, every detector on every batch)")
    print("costliest detectors over the table:",
          ", ".join(f"{d} {s:.2f} s" for d, s in sorted(by_detector.items(),
                                                       key=lambda kv: -kv[1])[:12]))


if __name__ == "__main__":
    main()
