"""What each regular expression costs before it reads a value: its compile, paid per batch.

pyarrow compiles the RE2 pattern of ``match_substring_regex``, ``extract_regex`` and
the other regex kernels on every call, so a pattern is compiled once per batch and
column it runs on. Large Unicode classes (``\\p{L}``) under counted repetition
(``{0,4}``) make programs that take tens of milliseconds to build, which a
65,536-row batch pays before its first value. This runs every detector on
20-value slices of each text column of the realistic table (``throughput.py``)
twice and prints, per call site, the time per call of the second pass: at that
size it is the compile, nearly all of it.

    python benchmarks/pattern_cost.py [--top 25] [--min-ms 1.0]
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

_KERNELS = ("match_substring_regex", "extract_regex", "count_substring_regex",
            "replace_substring_regex", "split_pattern_regex")


def _instrument(spent: dict[tuple[str, str], list[float]]) -> None:
    """Wrap pyarrow's regex kernels to time each call by the detector line calling it."""
    for name in _KERNELS:
        original = getattr(pc, name)

        def timed(*args, _original=original, _name=name, **kwargs):  # noqa: ANN002, ANN003, ANN202
            start = time.perf_counter()
            out = _original(*args, **kwargs)
            frame = sys._getframe(1)
            where = f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno}"
            spent[(where, _name)].append(time.perf_counter() - start)
            return out

        setattr(pc, name, timed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--min-ms", type=float, default=1.0, help="list call sites above this")
    args = ap.parse_args()
    table = build_table(2_000)
    columns = {n: table.column(n).combine_chunks().slice(0, 20) for n in table.column_names
               if pa.types.is_string(table.column(n).type)}
    detectors = [d for d in all_detectors() if "string" in d.kinds]
    spent: dict[tuple[str, str], list[float]] = defaultdict(list)
    _instrument(spent)

    def run() -> None:
        for name, values in columns.items():
            view = ValueView(values, is_text=name == "note", region="US")
            for det in detectors:
                det.match(view)

    run()  # first use: lexicons and lazy tables load here
    spent.clear()
    run()
    total = sum(sum(v) for v in spent.values())
    print(f"{len(detectors)} detectors on {len(columns)} text columns of 20 values: "
          f"{total * 1000:.0f} ms in regex kernels, {sum(len(v) for v in spent.values())} calls "
          f"({total * 1000 / len(columns):.0f} ms a column: paid again by every batch)")
    rows = sorted(spent.items(), key=lambda kv: -sum(kv[1]) / len(kv[1]))
    for (where, kernel), times in rows[:args.top]:
        per = sum(times) / len(times) * 1000
        if per < args.min_ms:
            break
        print(f"  {where:<22} {kernel:<24} {per:7.2f} ms a call, {len(times):3d} calls")


if __name__ == "__main__":
    main()
