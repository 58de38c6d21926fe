"""Benchmark: a generated Asterisk Master.csv scanned in full.

Writes a seeded N-record cdr_csv file (standard 18-field layout) into a
temporary directory and, each in a fresh process so peak RSS is per run:

* ``read``: the CDR connector alone (every batch of ``Table.batches``);
* ``scan``: the whole scan, ``scanner.core.engine.scan`` with ``ScanConfig(full=True)``
  (what ``piiscan scan --full`` runs), skipped if the engine is missing.

It prints records/s and peak RSS for the big file (default 2,000,000 records)
and a smaller one (default 200,000), and the RSS ratio: flat memory means a
ratio near 1 although the file is 10x bigger. Targets: >= 200,000 records/s
and flat memory. Not part of ``make test``.

    .venv/bin/python benchmarks/cdr.py [--records 2000000] [--small 200000] [--mode read|scan|both]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATE = 200_000


def generate(path: Path, records: int, seed: int = 7) -> None:
    """Write ``records`` cdr_csv lines: varied numbers, channels, dispositions."""
    rng = random.Random(seed)
    dispositions = ["ANSWERED", "ANSWERED", "ANSWERED", "NO ANSWER", "BUSY", "FAILED"]
    names = ["Alice Smith", "Bob Jones", "Иван Петров", "José Núñez", "Carol White"]
    base = 1_709_280_000
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        buf = []
        for i in range(records):
            start = base + i * 3 + rng.randrange(3)
            ring = rng.randrange(0, 30)
            disp = rng.choice(dispositions)
            billsec = rng.randrange(1, 900) if disp == "ANSWERED" else 0
            src = f"+1{rng.randrange(2012000000, 9899999999)}"
            dst = (
                str(rng.randrange(200, 299))
                if rng.random() < 0.5
                else (f"1{rng.randrange(2012000000, 9899999999)}")
            )
            t0 = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(start))
            t1 = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(start + ring)) if billsec else ""
            t2 = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(start + ring + billsec))
            name = rng.choice(names)
            buf.append(
                f'"{rng.choice(["", "sales", "support"])}","{src}","{dst}","from-trunk",'
                f'"""{name}"" <{src}>","SIP/carrier-{i:08x}","SIP/{dst}-{i:08x}","Dial",'
                f'"SIP/{dst},30,tT","{t0}","{t1}","{t2}",{ring + billsec},{billsec},'
                f'"{disp}","DOCUMENTATION","{start}.{i}",""\n'
            )
            if len(buf) >= 10_000:
                fh.write("".join(buf))
                buf.clear()
        fh.write("".join(buf))


def run_one(mode: str, path: str) -> dict[str, float]:
    """Measure one run in this process (called in a child process)."""
    sys.path.insert(0, str(ROOT))
    from connectors.base import ConnectorOptions, ReadPlan
    from connectors.registry import connectors, open_source

    connectors()  # import every connector before the clock starts
    if mode == "scan":
        import scanner.core.engine  # noqa: F401
    started = time.perf_counter()
    if mode == "read":
        rows = 0
        fmt = None
        for table in open_source(path, ConnectorOptions()).tables():
            fmt = table.format
            for batch in table.batches(ReadPlan(sample_size=None)):
                rows += batch.num_rows
        assert fmt == "asterisk-cdr-csv", fmt
    else:
        from scanner.core.config import ScanConfig
        from scanner.core.engine import scan

        result = scan([path], ScanConfig(full=True))
        rows = sum(t.rows_scanned for s in result.sources for t in s.tables)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"rows": rows, "seconds": seconds, "peak_mib": peak_kib / 1024}


def measure(mode: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2_000_000)
    parser.add_argument("--small", type=int, default=200_000)
    parser.add_argument("--mode", choices=["read", "scan", "both"], default="both")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(*args.child)))
        return 0

    modes = ["read", "scan"] if args.mode == "both" else [args.mode]
    if "scan" in modes and not (ROOT / "scanner" / "engine.py").exists():
        print("scanner.core.engine missing: benchmarking the connector read only")
        modes = ["read"]
    ok = True
    with tempfile.TemporaryDirectory(prefix="piiscan-cdr-bench-") as tmp:
        files = {}
        for n in (args.small, args.records):
            path = Path(tmp) / f"Master_{n}.csv"
            t = time.perf_counter()
            generate(path, n)
            size = path.stat().st_size / 2**20
            print(f"generated {n:,} records ({size:,.0f} MiB) in {time.perf_counter() - t:.1f}s")
            files[n] = path
        for mode in modes:
            results = {n: measure(mode, p) for n, p in files.items()}
            for n, r in results.items():
                rate = r["rows"] / r["seconds"]
                print(
                    f"{mode:>4} {n:>10,} records: {r['rows']:,.0f} rows in {r['seconds']:.2f}s = "
                    f"{rate:,.0f} records/s, peak RSS {r['peak_mib']:,.0f} MiB"
                )
            big, small = results[args.records], results[args.small]
            rate = big["rows"] / big["seconds"]
            ratio = big["peak_mib"] / small["peak_mib"]
            flat = ratio < 1.5
            fast = rate >= TARGET_RATE
            print(
                f"{mode:>4}: {rate:,.0f} records/s (target {TARGET_RATE:,}: "
                f"{'met' if fast else 'NOT met'}); RSS ratio {args.records // args.small}x file = "
                f"{ratio:.2f} ({'flat' if flat else 'NOT flat'})"
            )
            ok = ok and fast and flat
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
