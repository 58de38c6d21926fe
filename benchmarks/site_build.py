"""The privacy site at scale: build time and size on disk for a large store.

Records ``--runs`` runs (default 100) of a synthetic estate of ``--columns``
columns (default 10,000; ``--flagged`` of them hold PII, a few CPNI) straight
into a fresh SQLite results store, with a little churn per run (columns
appear, disappear, change type; a source moves abroad and back). Then times
``piiscan site`` in a fresh process: a first build, a rebuild with nothing
new, and a rebuild after one more run. Prints seconds, peak RSS, pages
written and the site's size on disk.

    python benchmarks/site_build.py [--runs 100] [--columns 10000] [--flagged 3000]

Targets: a build in under 30 s, the site under 200 MB on disk.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner.model import (  # noqa: E402 - after the path set-up, as a script
    ColumnRef,
    ColumnVerdict,
    Detection,
    ScanResult,
    SourceResult,
    TableResult,
)
from scanner.policy import Policy  # noqa: E402
from scanner.policy.residency import Residency, judge, locate  # noqa: E402
from scanner.workflows.store import Store, config_identity  # noqa: E402

TARGET_SECONDS = 30.0
TARGET_MB = 200.0
ENTITIES = [("EMAIL_ADDRESS", False, "customer_provided"), ("PHONE_NUMBER", False,
            "customer_provided"), ("IP_ADDRESS", False, "collected_automatically"),
            ("CALL_DETAIL", True, "cpni"), ("CREDIT_CARD", False, "customer_provided"),
            ("GEO_LOCATION", False, "location")]
SOURCES = 20
TABLES_PER_SOURCE = 25


def _estate(columns: int, flagged: int, rng: random.Random) -> dict[str, int]:
    """Return column identity -> entity index (-1: no PII)."""
    per_table = max(1, columns // (SOURCES * TABLES_PER_SOURCE))
    idents = [f"{s}/{t}/{c}" for s in range(SOURCES) for t in range(TABLES_PER_SOURCE)
              for c in range(per_table)][:columns]
    state = {i: -1 for i in idents}
    for ident in rng.sample(idents, min(flagged, len(idents))):
        state[ident] = rng.randrange(len(ENTITIES))
    return state


def _result(state: dict[str, int], run: int) -> ScanResult:
    tables: dict[tuple[str, str], list[ColumnVerdict]] = {}
    for ident, ent in state.items():
        s, t, c = ident.split("/")
        source = f"postgresql://scanner:***@db{s}.internal/crm"
        dets: tuple[Detection, ...] = ()
        cats: tuple[str, ...] = ()
        cpni = False
        if ent >= 0:
            name, cpni, cat = ENTITIES[ent]
            dets = (Detection(name, name.lower(), 0.9, 90, 100, ("values match 90/100",),
                              ("j***@***", "***-0142")),)
            cats = (cat,)
        ref = ColumnRef(source, f"table_{t}", f"col_{c}", int(c), "text", "public")
        tables.setdefault((source, t), []).append(ColumnVerdict(ref, dets, cats, cpni))
    sources: dict[str, list[TableResult]] = {}
    for (source, t), cols in tables.items():
        sources.setdefault(source, []).append(
            TableResult(f"table_{t}", tuple(cols), 1000, 1000, schema="public"))
    stamp = f"2026-{1 + run // 28 % 12:02d}-{1 + run % 28:02d}T02:30:00+00:00"
    return ScanResult(tuple(SourceResult(s, "postgresql", tuple(ts)) for s, ts in sources.items()),
                      stamp, stamp, 60.0)


def _record(store: Store, state: dict[str, int], run: int, abroad: bool) -> None:
    policy = Policy.load(None)
    result = _result(state, run)
    entries = tuple(
        judge(s, locate(s.name, declared="eu-west-1" if abroad and i == 0 else "us-east-1"),
              policy)
        for i, s in enumerate(result.sources))
    store.record(result, config_identity("/etc/piiscan/scans.yaml"),
                 Residency(entries, policy.allowed_countries))


def _churn(state: dict[str, int], rng: random.Random, share: float = 0.005) -> None:
    for ident in rng.sample(list(state), max(1, int(len(state) * share))):
        state[ident] = rng.randrange(-1, len(ENTITIES))


def _site(store: Path, out: Path) -> tuple[float, float, float, str]:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0 = usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "scanner", "site", "--store", str(store),
                           "-o", str(out), "--runs", "100"],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"piiscan site failed: {proc.stderr[-2000:]}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    # ru_maxrss of children is the largest child so far: the first build is the largest.
    return seconds, usage.ru_utime + usage.ru_stime - cpu0, usage.ru_maxrss / 1024, \
        proc.stdout.strip()


def _disk_mb(path: Path) -> tuple[float, int]:
    total = 0
    files = 0
    for p in path.rglob("*"):
        if p.is_file():
            total += p.stat().st_blocks * 512
            files += 1
    return total / 1e6, files


def main() -> None:
    """Record the runs, build the site three ways, print the numbers."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--columns", type=int, default=10_000)
    ap.add_argument("--flagged", type=int, default=3_000)
    ap.add_argument("--seed", type=int, default=17)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="piiscan-site-bench-") as tmp:
        work = Path(tmp)
        store_path = work / "results.db"
        os.environ["XDG_DATA_HOME"] = str(work / "xdg")
        state = _estate(args.columns, args.flagged, rng)
        start = time.perf_counter()
        with Store.open(str(store_path)) as store:
            for run in range(args.runs):
                _record(store, state, run, abroad=run % 10 == 5)
                _churn(state, rng)
        print(f"store: {args.runs} runs of {args.columns:,} columns "
              f"({args.flagged:,} flagged) recorded in {time.perf_counter() - start:.1f} s, "
              f"{store_path.stat().st_size / 1e6:.0f} MB", flush=True)
        site = work / "site"
        rows = []
        for label in ("first build", "rebuild, nothing new", "rebuild after one more run"):
            if label.endswith("one more run"):
                _churn(state, rng)
                with Store.open(str(store_path)) as store:
                    _record(store, state, args.runs, abroad=False)
            seconds, cpu, rss, out = _site(store_path, site)
            mb, files = _disk_mb(site)
            written = re.search(r"(\d+) written", out)
            rows.append((label, seconds, cpu, rss, mb, files,
                         written.group(1) if written else "?"))
        print(f"{'build':28} {'wall s':>7} {'CPU s':>7} {'peak RSS MB':>12} {'site MB':>8} "
              f"{'files':>7} {'written':>8}   (load average {os.getloadavg()[0]:.1f})")
        for label, seconds, cpu, rss, mb, files, written in rows:
            print(f"{label:28} {seconds:7.1f} {cpu:7.1f} {rss:12.0f} {mb:8.1f} {files:7,} "
                  f"{written:>8}")
        worst = max(r[1] for r in rows)
        size = max(r[4] for r in rows)
        fast = "met" if worst < TARGET_SECONDS else "MISSED"
        small = "met" if size < TARGET_MB else "MISSED"
        print(f"target: under {TARGET_SECONDS:.0f} s ({fast}), under {TARGET_MB:.0f} MB ({small})")


if __name__ == "__main__":
    main()
