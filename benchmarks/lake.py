"""Sampling a partitioned Parquet lake: cost flat in the number of files.

Writes two hive-partitioned lakes of the same table (``month=…/day=…``),
one of 10 files and one of 1,000, and scans each, sampled, with a fresh
engine: wall time and Parquet files opened (footers read). Side by side,
the way a dataset was read before lakes were one table (pyarrow.dataset
over the folder, every fragment's row groups listed: every footer read).

    python benchmarks/lake.py [--files 1000] [--small 10] [--rows 1000] [--s3] [--dask]
                              [--dask-files 40] [--dask-rows 50000] [--per-row]

``--s3`` repeats the sampled scans through a moto S3 server (started here),
counting objects opened. ``--dask`` times ``--full`` of one dataset folder
(``--dask-files`` 40 files x ``--dask-rows`` 50,000 rows) on a Dask cluster
of 1 and of 2 worker processes: the folder is one table, read in runs of
files spread over the workers and judged once. It prints the wall times, the
speed-up and the CPU seconds used (workers and client), since other work on
the machine slows wall times but not CPU seconds.

Targets: the sampled 1,000-file lake costs <= 2x the 10-file one (time and
files opened); 2 workers give >= 1.7x on --full (needs >= 2 free cores).
On a shared Linux machine the kernel shares CPU fairly between sessions
(autogroups), not processes: while others are busy, this benchmark's workers
together get one session's share, whether there is one of them or two, and
the wall-time speed-up falls towards 1x. So ``--dask`` also prints, from each
worker's busiest thread, the time spent waiting for a CPU, and the speed-up
with those waits taken out.

``--per-row`` reads a lake of ``--per-row-files`` (200) files of 1,000 rows and
one of a single ``--per-row-big`` (1,000,000) row file with ``--full``, and prints
rows per CPU second of each: small files should cost about what large ones do
per row (they are read in batches across files).

``--big-file`` measures one large Parquet file instead: the 10-column table of
benchmarks/throughput.py written with pyarrow's default row groups (1 Mi rows)
at 100,000, 1,000,000 and ``--big-rows`` (10,000,000) rows, kept in
``--data-dir`` for the next run (about 700 MB). Each scan runs in a fresh
process: peak RSS of ``--full`` at 1M and 10M rows, and the wall time of a
sampled scan (NER off, detectors loaded first) of the 100k and the 10M file,
run in turns ``--repeats`` times (the median). Targets: --full peak RSS at 10M
within 1.2x of 1M and <= 600 MiB; the sampled 10M file within 1.2x of the 100k one.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.fs as pafs
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connectors import lake as lake_mod  # noqa: E402
from scanner.core.config import ScanConfig  # noqa: E402
from scanner.core.engine import Engine  # noqa: E402
from scanner.policy import Policy  # noqa: E402

TARGET_RATIO = 2.0
TARGET_SPEEDUP = 1.7
TARGET_RSS_RATIO = 1.2
TARGET_RSS_MB = 600
TARGET_SAMPLE_RATIO = 1.2
FIRST = ["ada", "grace", "alan", "edsger", "barbara", "donald", "ken", "margaret"]


def write_lake(root: Path, files: int, rows: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    for f in range(files):
        folder = root / f"month=2024-{1 + f % 12:02d}" / f"day={1 + (f // 12) % 28:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        names = [rng.choice(FIRST) for _ in range(rows)]
        table = pa.table({
            "email": [f"{n}.{f}.{i}@example.com" for i, n in enumerate(names)],
            "msisdn": [f"+1-{rng.randint(201, 989)}-555-{rng.randint(1000, 9999)}"
                       for _ in range(rows)],
            "bytes_down": pa.array([rng.randint(0, 10**9) for _ in range(rows)], pa.int64()),
            "plan": [rng.choice(["fiber-1g", "dsl-25"]) for _ in range(rows)],
        })
        pq.write_table(table, folder / f"part-{f:05d}.parquet")


def counting_opens() -> Callable[[], int]:
    """Count Parquet footers the lake reader opens (wraps LakeTable._open)."""
    count = [0]
    original = lake_mod.LakeTable._open

    def _open(self: lake_mod.LakeTable, path: str) -> pq.ParquetFile:
        count[0] += 1
        return original(self, path)

    lake_mod.LakeTable._open = _open  # type: ignore[method-assign]
    return lambda: count[0]


def timed_scan(spec: str, config: ScanConfig, policy: Policy) -> tuple[float, int]:
    engine = Engine(config, policy)  # detectors load outside the timing
    return _scan_with(engine, spec)


def _scan_with(engine: Engine, spec: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    result = engine.run([spec])
    seconds = time.perf_counter() - t0
    rows = sum(t.rows_scanned for s in result.sources for t in s.tables)
    bad = [s.error for s in result.sources if s.status.value != "ok"]
    if bad:
        raise SystemExit(f"scan failed: {bad[0]}")
    return seconds, rows


def old_way(root: Path, sample: int) -> tuple[float, int]:
    """The pre-lake reader: pyarrow.dataset over the folder, every footer read to sample.

    Every fragment's row groups are listed (each file's footer read), evenly spaced
    row groups holding twice the sample are read whole, and the sample drawn from them.
    """
    t0 = time.perf_counter()
    ds = pads.dataset(str(root), format="parquet", partitioning="hive")
    ds.count_rows()
    groups = [rg for fragment in ds.get_fragments() for rg in fragment.split_by_row_group()]
    sizes = [sum(rg.num_rows for rg in g.row_groups) for g in groups]
    average = max(1, sum(sizes) // len(groups))
    k = min(len(groups), max(4, -(-2 * sample // average)))
    last = len(groups) - 1
    picked = sorted({round(i * last / max(1, k - 1)) for i in range(k)})
    table = pa.concat_tables([groups[i].to_table(schema=ds.schema) for i in picked])
    rows = min(sample, table.num_rows)
    table.take(pa.array(sorted(random.Random(0).sample(range(table.num_rows), rows))))
    return time.perf_counter() - t0, rows


def new_way(root: Path, sample: int) -> float:
    """The lake reader alone (list, probe, sample), for a like-for-like reader comparison."""
    from connectors.base import ReadPlan

    t0 = time.perf_counter()
    files, skipped = lake_mod.list_local(str(root))
    table = lake_mod.LakeTable(name=root.name, fs=pafs.LocalFileSystem(), root=str(root),
                               files=files, spec=str(root), skipped=skipped)
    sum(b.num_rows for b in table.batches(ReadPlan(sample_size=sample)))
    return time.perf_counter() - t0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def counting_requests() -> list[tuple[str, str, str]]:
    """Record every S3 request s3fs makes in this process: (operation, key, byte range)."""
    import s3fs

    seen: list[tuple[str, str, str]] = []
    original = s3fs.S3FileSystem._call_s3

    async def _call_s3(self: s3fs.S3FileSystem, method: str, *args: object,
                       **kwargs: object) -> object:
        seen.append((method, str(kwargs.get("Key", "")), str(kwargs.get("Range", ""))))
        return await original(self, method, *args, **kwargs)

    s3fs.S3FileSystem._call_s3 = _call_s3  # type: ignore[method-assign]
    return seen


def s3_run(lakes: dict[str, Path], config: ScanConfig, policy: Policy,
           opened: Callable[[], int]) -> None:
    import boto3

    env = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
           "AWS_DEFAULT_REGION": "us-east-1"}
    os.environ.update(env)
    port = _free_port()
    exe = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen([str(exe), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        s3 = boto3.client("s3", endpoint_url=endpoint)
        s3.create_bucket(Bucket="bench")
        for name, root in lakes.items():
            for path in sorted(root.rglob("*.parquet")):
                s3.upload_file(str(path), "bench", f"{name}/{path.relative_to(root)}")
        print("\nthrough S3 (moto server), sampled:")
        out = {}
        requests = counting_requests()
        for name in lakes:
            before = opened()
            del requests[:]
            seconds, rows = timed_scan(f"s3://bench/{name}/", config, policy)
            out[name] = (seconds, opened() - before)
            gets = [(key, span) for op, key, span in requests if op == "get_object"]
            keys = [key for key, _ in gets]
            twice = sum(1 for k in set(keys) if keys.count(k) > 1)
            print(f"  {name:>10}: {seconds:6.2f} s  {out[name][1]:6d} objects opened  {rows} rows"
                  " (plus one listing)")
            ops = ", ".join(f"{op} {n}" for op, n in sorted(
                {op: sum(1 for o, _, _ in requests if o == op) for op, _, _ in requests}.items()))
            print(f"  {'':>10}  {len(requests)} requests ({ops}): ranged GETs of "
                  f"{len(set(keys))} objects, {twice} of them fetched more than once")
        (small_s, small_r), (big_s, big_r) = out.values()
        print(f"  ratio big/small: time {big_s / small_s:.2f}x, objects opened "
              f"{big_r / max(1, small_r):.2f}x")
    finally:
        proc.terminate()
        proc.wait(10)


def per_row(tmp: Path, policy: Policy, files: int, big_rows: int) -> None:
    """--full CPU seconds per row: a lake of 1,000-row files vs one large file, same columns."""
    lakes = {f"{files} x 1,000 rows": (files, 1_000),
             f"1 x {big_rows:,} rows": (1, big_rows)}
    print("\n--full, rows per CPU second (NER off), small files vs one large file:")
    rates = []
    for i, (name, (n, rows)) in enumerate(lakes.items()):
        root = tmp / f"per_row{i}"
        write_lake(root, n, rows)
        config = ScanConfig(ner=False, full=True)
        engine = Engine(config, policy)
        c0 = time.process_time()
        seconds, got = _scan_with(engine, str(root))
        cpu = time.process_time() - c0
        rates.append(got / cpu)
        print(f"  {name:>22}: {got:9,} rows  {cpu:6.1f} CPU s  {seconds:6.1f} s wall  "
              f"{got / cpu:9,.0f} rows/CPU s")
    print(f"  small files cost {rates[1] / rates[0]:.1f}x per row what the large file costs")


def _worker_cpu() -> float:
    """CPU seconds this process has used (run on each Dask worker)."""
    t = os.times()
    return t.user + t.system


def _thread_times() -> dict[str, tuple[float, float]]:
    """Per thread of this process: (seconds on a CPU, seconds runnable but waiting for one).

    From Linux's ``/proc/self/task/*/schedstat``; empty elsewhere. The wait is
    what other work on the machine (or this run's other processes) costs.
    """
    out = {}
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/self/task/{tid}/schedstat") as fh:
                ran, waited = fh.read().split()[:2]
        except (OSError, ValueError):
            continue
        out[tid] = (int(ran) / 1e9, int(waited) / 1e9)
    return out


def _busiest(before: dict[str, tuple[float, float]],
             after: dict[str, tuple[float, float]]) -> tuple[float, float]:
    """(CPU, wait for a CPU) of the thread that ran most between two ``_thread_times``."""
    deltas = [(ran - before.get(t, (0.0, 0.0))[0], waited - before.get(t, (0.0, 0.0))[1])
              for t, (ran, waited) in after.items()]
    return max(deltas, default=(0.0, 0.0))


def _warm(config: ScanConfig, policy: Policy, path: str | None = None) -> None:
    """Load the detectors on a worker once, outside the timing (and their data: one scan)."""
    from scanner.core import dask_executor

    engine = dask_executor._engine(Engine, config, policy)
    if path:
        # A long-running worker has its detectors' lazily loaded data (number plans,
        # patterns) from earlier scans; a fresh one loads it on its first batch.
        engine.scan_source(path)


def dask_run(tmp: Path, policy: Policy, files: int, rows: int) -> None:
    from distributed import Client, LocalCluster

    print(f"\n--full of one dataset folder of {files} Parquet files x {rows:,} rows on a Dask "
          "cluster (the folder is read in runs of files, several tasks per worker):")
    flat = tmp / "dataset"
    t0 = time.perf_counter()
    distinct = tmp / "distinct"
    write_lake(distinct, min(files, 8), rows)  # a few distinct files, copied: quick to build
    made = sorted(distinct.rglob("*.parquet"))
    flat.mkdir()
    for i in range(files):
        shutil.copy(made[i % len(made)], flat / f"f{i:03d}.parquet")
    print(f"  wrote it in {time.perf_counter() - t0:.1f} s")
    times, cpus, uncontended = {}, {}, {}
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as lc:
            spec = "dask://" + lc.scheduler_address.removeprefix("tcp://")
            config = ScanConfig(ner=False, full=True, executor=spec)
            with Client(lc, set_as_default=False) as client:
                # As a task on each worker (the engine sizes itself to the worker's threads).
                one = str(made[0])
                client.gather([client.submit(_warm, config, policy, one, workers=[w],
                                             pure=False, allow_other_workers=False)
                               for w in client.scheduler_info()["workers"]])
                _warm(config, policy)  # the client judges the dataset
                before = client.run(_worker_cpu)
                threads = client.run(_thread_times)
                mine = _worker_cpu()
                times[workers], got = timed_scan(str(flat), config, policy)
                after = client.run(_worker_cpu)
                busy = {w: _busiest(threads[w], t) for w, t in client.run(_thread_times).items()}
                each = sorted((after[w] - before[w] for w in before), reverse=True)
                here = _worker_cpu() - mine
                cpus[workers] = sum(each) + here
        wall = times[workers]
        print(f"  {workers} worker(s): {wall:6.2f} s wall, {cpus[workers]:6.1f} CPU s: "
              f"worker(s) {' + '.join(f'{c:.1f}' for c in each)}, client and scheduler "
              f"{here:.1f}  {got:,} rows")
        if all(ran for ran, _ in busy.values()):
            # Each worker's busiest thread (the one checking columns): its wall time is
            # on a CPU, waiting for one (the machine's other work), or idle (no work).
            for ran, waited in sorted(busy.values(), reverse=True):
                print(f"      a worker's busiest thread: {ran:5.1f} s on a CPU, {waited:5.1f} s "
                      f"waiting for one, {max(0.0, wall - ran - waited):5.1f} s idle")
            # Without waiting for a CPU, the run would take about its wall time less the
            # critical worker's wait (the one least idle).
            ran, waited = min(busy.values(), key=lambda b: wall - b[0] - b[1])
            uncontended[workers] = wall - waited
    # How evenly the work was spread: with idle cores, wall time follows the busiest worker.
    print(f"  the busiest of 2 workers did {each[0] / sum(each):.0%} of their work")
    speedup = times[1] / times[2]
    mark = "ok" if speedup >= TARGET_SPEEDUP else f"below target ({os.cpu_count()} cores)"
    print(f"  speed-up 2 vs 1 workers: {speedup:.2f}x (target >= {TARGET_SPEEDUP}x) {mark}")
    print(f"  CPU used 2 vs 1 workers: {cpus[2] / cpus[1]:.2f}x (1.0: no work repeated; wall "
          "times need 2 idle cores)")
    if len(uncontended) == 2:
        print(f"  speed-up without the waits for a CPU: {uncontended[1] / uncontended[2]:.2f}x "
              f"({uncontended[1]:.1f} s vs {uncontended[2]:.1f} s; load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


#: One scan in a fresh process: the scan's wall time (detectors loaded before) and the
#: process's peak RSS. argv: full|sample, path.
_SCAN_CHILD = r"""
import json, resource, sys, time
from scanner.core.config import ScanConfig
from scanner.core.engine import Engine
from scanner.policy import Policy
full = sys.argv[1] == "full"
engine = Engine(ScanConfig(full=True) if full else ScanConfig(ner=False), Policy.load(None))
t = time.perf_counter()
r = engine.run([sys.argv[2]])
print(json.dumps({"seconds": time.perf_counter() - t, "complete": r.complete,
                  "rows": sum(t.rows_scanned for s in r.sources for t in s.tables),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def scan_child(mode: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", _SCAN_CHILD, mode, str(path)], cwd=ROOT,
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_big(path: Path, rows: int) -> None:
    """The throughput benchmark's table, written in 1 Mi-row parts: pyarrow's default row groups."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from throughput import build_table

    chunk = 1 << 20
    tmp = path.with_suffix(".partial")
    writer = None
    try:
        for i, start in enumerate(range(0, rows, chunk)):
            part = build_table(min(chunk, rows - start), seed=7 + i)
            if writer is None:
                writer = pq.ParquetWriter(tmp, part.schema)
            writer.write_table(part)  # default row_group_size
    finally:
        if writer is not None:
            writer.close()
    tmp.rename(path)


def big_file(data_dir: Path, big_rows: int, repeats: int) -> bool:
    """Peak RSS of --full at 1M and ``big_rows`` rows; sampled time, 100k vs ``big_rows``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for rows in sorted({100_000, 1_000_000, big_rows}):
        path = data_dir / f"table_{rows}.parquet"
        if not (path.exists() and pq.ParquetFile(path).metadata.num_rows == rows):
            t0 = time.perf_counter()
            write_big(path, rows)
            print(f"wrote {path} in {time.perf_counter() - t0:.0f} s", flush=True)
        md = pq.ParquetFile(path).metadata
        print(f"  {path.name}: {md.num_rows:,} rows, {md.num_row_groups} row groups of up to "
              f"{max(md.row_group(g).num_rows for g in range(md.num_row_groups)):,} rows, "
              f"{path.stat().st_size / 2**20:.0f} MiB", flush=True)
        paths[rows] = path
    small, big = paths[100_000], paths[big_rows]
    print(f"\nsampled scan (10,000 rows, NER off), fresh process each, {repeats} turns:")
    times: dict[int, list[float]] = {100_000: [], big_rows: []}
    for _ in range(repeats):
        for rows, path in ((100_000, small), (big_rows, big)):
            r = scan_child("sample", path)
            times[rows].append(r["seconds"])
    med = {rows: statistics.median(ts) for rows, ts in times.items()}
    for rows, ts in times.items():
        print(f"  {rows:>12,} rows: median {med[rows]:6.2f} s  "
              f"({', '.join(f'{t:.2f}' for t in ts)})")
    sample_ratio = med[big_rows] / med[100_000]
    ok_sample = sample_ratio <= TARGET_SAMPLE_RATIO
    print(f"  ratio {big_rows:,} / 100,000 rows: {sample_ratio:.2f}x "
          f"(target <= {TARGET_SAMPLE_RATIO}x) {'met' if ok_sample else 'NOT met'}")
    print("\n--full scan, fresh process each:", flush=True)
    rss = {}
    for rows in (1_000_000, big_rows):
        r = scan_child("full", paths[rows])
        rss[rows] = r["rss_mb"]
        print(f"  {rows:>12,} rows: {r['seconds']:7.1f} s  peak RSS {r['rss_mb']:6.0f} MiB  "
              f"complete={r['complete']}", flush=True)
    rss_ratio = rss[big_rows] / rss[1_000_000]
    ok_ratio = rss_ratio <= TARGET_RSS_RATIO
    ok_rss = rss[big_rows] <= TARGET_RSS_MB
    print(f"  peak RSS ratio {big_rows:,} / 1,000,000 rows: {rss_ratio:.2f}x "
          f"(target <= {TARGET_RSS_RATIO}x) {'met' if ok_ratio else 'NOT met'}")
    print(f"  peak RSS at {big_rows:,} rows: {rss[big_rows]:.0f} MiB "
          f"(target <= {TARGET_RSS_MB} MiB) {'met' if ok_rss else 'NOT met'}")
    return ok_sample and ok_ratio and ok_rss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--small", type=int, default=10)
    ap.add_argument("--rows", type=int, default=1000, help="rows per file")
    ap.add_argument("--sample-size", type=int, default=10_000)
    ap.add_argument("--s3", action="store_true")
    ap.add_argument("--dask", action="store_true")
    ap.add_argument("--per-row", action="store_true",
                    help="--full CPU seconds per row: 1,000-row files vs one large file")
    ap.add_argument("--per-row-files", type=int, default=200)
    ap.add_argument("--per-row-big", type=int, default=1_000_000)
    ap.add_argument("--dask-files", type=int, default=40)
    ap.add_argument("--dask-rows", type=int, default=50_000, help="rows per file (--dask)")
    ap.add_argument("--big-file", action="store_true",
                    help="measure one large Parquet file (memory of --full, cost of a sample)")
    ap.add_argument("--big-rows", type=int, default=10_000_000)
    ap.add_argument("--data-dir", type=Path,
                    default=Path(tempfile.gettempdir()) / "piiscan-bench-parquet")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    if args.big_file:
        sys.exit(0 if big_file(args.data_dir, args.big_rows, args.repeats) else 1)
    policy = Policy.load(None)
    config = ScanConfig(ner=False, sample_size=args.sample_size)
    tmp = Path(tempfile.mkdtemp(prefix="piiscan-lake-"))
    try:
        lakes = {}
        for n in (args.small, args.files):
            root = tmp / f"lake{n}"
            t0 = time.perf_counter()
            write_lake(root, n, args.rows)
            lakes[f"lake{n}"] = root
            print(f"wrote {n} files x {args.rows} rows in {time.perf_counter() - t0:.1f} s")
        opened = counting_opens()
        print(f"\nsampled ({args.sample_size} rows), local disk:")
        print(f"  {'lake':>10}  {'scan':>8}  {'files opened':>12}  {'rows':>6}  "
              f"{'reader alone':>12}  {'before (every footer)':>21}")
        got = {}
        for name, root in lakes.items():
            timed_scan(str(root), config, policy)  # warm the page cache for both
            before = opened()
            seconds, rows = timed_scan(str(root), config, policy)
            files = opened() - before
            old_s, _ = old_way(root, args.sample_size)
            new_s = new_way(root, args.sample_size)
            got[name] = (seconds, files)
            print(f"  {name:>10}  {seconds:7.2f}s  {files:12d}  {rows:6d}  {new_s:11.2f}s  "
                  f"{old_s:20.2f}s  ({old_s / new_s:.1f}x the reader)")
        (small_s, small_f), (big_s, big_f) = got.values()
        ratio = big_s / small_s
        mark = "ok" if ratio <= TARGET_RATIO else "ABOVE TARGET"
        print(f"  ratio {args.files} vs {args.small} files: time {ratio:.2f}x, files opened "
              f"{big_f / max(1, small_f):.2f}x (target <= {TARGET_RATIO}x) {mark}")
        if args.per_row:
            per_row(tmp, policy, args.per_row_files, args.per_row_big)
        if args.s3:
            s3_run(lakes, config, policy, opened)
        if args.dask:
            dask_run(tmp, policy, args.dask_files, args.dask_rows)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
