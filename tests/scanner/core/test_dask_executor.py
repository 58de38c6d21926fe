"""The Dask executor against a real cluster: a scheduler and two worker processes started here.

The same lake scanned locally, on the cluster, and from the S3 test server
through the cluster gives the same column results; a worker killed mid-scan
leaves a complete or honestly failed result, never a missing source.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lake_data import build_lake, customers, write_dataset
from s3_server import FAKE_ENV, make_bucket, moto_server, upload

from scanner.core.config import ScanConfig
from scanner.core.dask_executor import ExecutorError, check_executor, scheduler_address
from scanner.core.engine import scan
from scanner.model import ScanResult, Status
from scanner.policy import Policy

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow
POLICY = Policy.load(None)


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    # Workers take their cloud credentials from their own environment (here the
    # test server's fake ones), as on a real cluster.
    saved = {k: os.environ.get(k) for k in FAKE_ENV}
    os.environ.update(FAKE_ENV)
    try:
        yield from _cluster()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _cluster() -> Iterator[str]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, host="127.0.0.1") as lc:
        yield "dask://" + lc.scheduler_address.removeprefix("tcp://")


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_lake(tmp_path_factory.mktemp("lake") / "lake")


def flat(result: ScanResult) -> list[tuple[str, str, str, str]]:
    return sorted((s.name, t.name, c.ref.column, d.entity)
                  for s in result.sources for t in s.tables for c in t.columns
                  for d in c.detections)


def test_executor_setting_is_checked() -> None:
    assert scheduler_address("dask://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    check_executor(None)
    check_executor("local")
    for bad in ("spark://x:1", "dask://", "dask://u:p@host:8786", "dask://host"):
        with pytest.raises(ExecutorError):
            check_executor(bad)


def test_cluster_gives_the_local_result(lake: Path, cluster: str) -> None:
    config = ScanConfig(ner=False)
    local = scan([str(lake)], config, policy=POLICY)
    remote = scan([str(lake)], ScanConfig(ner=False, executor=cluster), policy=POLICY)
    assert [s.name for s in remote.sources] == [s.name for s in local.sources]
    assert [s.status for s in remote.sources] == [s.status for s in local.sources]
    assert flat(remote) == flat(local) and flat(local)
    for a, b in zip(local.sources, remote.sources, strict=True):
        assert [(t.name, t.rows_scanned, t.columns) for t in a.tables] == \
            [(t.name, t.rows_scanned, t.columns) for t in b.tables]


def test_cluster_reads_object_storage(lake: Path, cluster: str) -> None:
    saved = {k: os.environ.get(k) for k in (*FAKE_ENV, "AWS_ENDPOINT_URL")}
    os.environ.update(FAKE_ENV)
    try:
        with moto_server() as endpoint:
            os.environ["AWS_ENDPOINT_URL"] = endpoint
            make_bucket(endpoint, "lake-dask", "eu-west-1")
            upload(endpoint, lake, "lake-dask", "x")
            # Workers started before the endpoint was known: it travels in the options.
            from connectors.base import ConnectorOptions

            opts = ConnectorOptions(endpoint_url=endpoint)
            here = scan(["s3://lake-dask/x/"], ScanConfig(ner=False, connector=opts),
                        policy=POLICY)
            there = scan(["s3://lake-dask/x/"],
                         ScanConfig(ner=False, connector=opts, executor=cluster), policy=POLICY)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert here.sources[0].status is Status.OK, here.sources[0].error
    assert flat(there) == flat(here)
    assert there.sources[0].found_location == "eu-west-1"


def test_unreachable_scheduler_fails_every_source(lake: Path) -> None:
    result = scan([str(lake / "events.jsonl")], ScanConfig(ner=False,
                                                           executor="dask://127.0.0.1:9"),
                  policy=POLICY)
    assert [s.status for s in result.sources] == [Status.FAILED]
    assert "unreachable" in (result.sources[0].error or "")


def test_worker_killed_mid_scan_gives_complete_or_honest_result(
        tmp_path: Path, cluster: str) -> None:
    rows = customers(3000)
    body = "full_name,email,phone\n" + "".join(
        f"{r['full_name']},{r['email']},{r['phone']}\n" for r in rows)
    for i in range(24):
        (tmp_path / f"part{i:02d}.csv").write_text(body)
    client = distributed.Client(cluster.replace("dask://", "tcp://"), set_as_default=False)
    pids = list(client.run(os.getpid).values())
    client.close()
    box: dict[str, ScanResult] = {}
    worker = threading.Thread(target=lambda: box.setdefault("r", scan(
        [str(tmp_path)], ScanConfig(ner=False, full=True, executor=cluster), policy=POLICY)))
    worker.start()
    time.sleep(3)
    os.kill(pids[0], signal.SIGKILL)  # the nanny restarts it; its tasks run again
    worker.join(300)
    result = box["r"]
    assert len(result.sources) == 24  # nothing silently dropped
    for s in result.sources:
        assert s.status is Status.OK or (s.status is Status.FAILED and "Dask" in (s.error or ""))
    ok = [s for s in result.sources if s.status is Status.OK]
    assert ok and all(s.tables[0].rows_scanned == 3000 for s in ok)


def test_cli_executor_option_and_configuration(lake: Path, cluster: str, tmp_path: Path) -> None:
    from support import run_cli

    target = str(lake / "crm" / "customers.csv")
    local = run_cli("scan", target, "--no-store", "--no-ner", "--format", "json", "-q")
    remote = run_cli("scan", target, "--executor", cluster, "--no-store", "--no-ner",
                     "--format", "json", "-q")
    assert local.code == remote.code == 0, remote.stderr
    assert remote.json()["sources"] == local.json()["sources"]
    config = tmp_path / "scan.yaml"
    config.write_text(f"version: 1\nexecutor: {cluster}\nsources:\n  - path: {target}\n")
    via_file = run_cli("scan", "--config", str(config), "--no-store", "--no-ner", "--format",
                       "json", "-q")
    assert via_file.code == 0 and via_file.json()["sources"] == local.json()["sources"]
    bad = run_cli("scan", target, "--executor", "spark://x:1", "--no-store")
    assert bad.code == 2 and len(bad.stderr.strip().splitlines()) <= 3


def test_split_prefix_results_merge_like_one_scan() -> None:
    from scanner.core.dask_executor import _merge
    from scanner.model import SourceResult, TableResult

    def table(name: str, status: Status = Status.OK) -> TableResult:
        return TableResult(name=name, columns=(), rows_scanned=1, rows_total=None,
                           status=status, error=None if status is Status.OK else f"{name}: bad")

    ok = SourceResult("s3://b/p/", "s3", (table("a"),), found_location="eu-west-1")
    ok2 = SourceResult("s3://b/p/", "s3", (table("b"),), found_location="eu-west-1")
    lost = SourceResult("s3://b/p/", "unknown", (), Status.FAILED,
                        "s3://b/p/: its worker was lost on the Dask cluster (tried 3 times)")
    merged = _merge([ok, ok2])
    assert (merged.status, [t.name for t in merged.tables], merged.found_location) == \
        (Status.OK, ["a", "b"], "eu-west-1")
    partial = _merge([ok, lost])
    assert partial.status is Status.PARTIAL and "worker was lost" in (partial.error or "")
    assert _merge([lost, lost]).status is Status.FAILED
    bad = _merge([ok, SourceResult("s3://b/p/", "s3", (table("c", Status.PARTIAL),),
                                   Status.PARTIAL, "c: bad")])
    assert bad.status is Status.PARTIAL and bad.error == "c: bad"


def _tables(result: ScanResult) -> list[tuple[object, ...]]:
    return [(s.name, s.status, t.name, t.rows_scanned, t.rows_total, t.status, t.warnings,
             t.format_reason, t.columns) for s in result.sources for t in s.tables]


def _splits(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record the tables the client splits into runs of files."""
    from scanner.core import dask_executor

    split: list[Any] = []
    plan = dask_executor._split

    def spy(*args: Any) -> list[Any]:
        tasks = plan(*args)
        split.extend(t for t in tasks if isinstance(t, dask_executor._TableTask))
        return tasks

    monkeypatch.setattr(dask_executor, "_split", spy)
    return split


def _read_in_pairs(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read the dataset's small files two by two (batches across files), here and on workers."""
    from connectors import lake

    largest = max(p.stat().st_size for p in folder.rglob("*.parquet"))
    monkeypatch.setattr(lake, "SMALL_FILE_BYTES", largest)
    monkeypatch.setattr(lake, "COALESCE_BYTES", 2 * largest)


def test_full_scan_of_a_dataset_folder_is_split_and_gives_the_local_result(
        tmp_path: Path, cluster: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner.core import dask_executor

    # Small files here: every file may be a task of its own.
    monkeypatch.setattr(dask_executor, "MIN_GROUP_BYTES", 1)
    split = _splits(monkeypatch)
    folder = tmp_path / "usage"
    write_dataset(folder, files=6, rows_per_file=400)
    _read_in_pairs(folder, monkeypatch)
    local = scan([str(folder)], ScanConfig(ner=False, full=True), policy=POLICY)
    remote = scan([str(folder)], ScanConfig(ner=False, full=True, executor=cluster),
                  policy=POLICY)
    # One table, read in 3 tasks (2 workers: up to 8 runs of files; here a pair each, since
    # a run starts where files read together start).
    assert [[len(p.files) for p in t.parts] for t in split] == [[2, 2, 2]]
    assert [s.status for s in local.sources] == [Status.OK]
    # Same columns, entities, counts, evidence and reasons as one local pass.
    assert _tables(remote) == _tables(local)
    assert local.sources[0].tables[0].rows_scanned == 2400
    assert "EMAIL_ADDRESS" in {d.entity for c in local.sources[0].tables[0].columns
                               for d in c.detections}


def test_full_scan_of_a_prefix_splits_its_dataset_and_gives_the_local_result(
        lake: Path, cluster: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from connectors.base import ConnectorOptions
    from scanner.core import dask_executor

    monkeypatch.setattr(dask_executor, "MIN_GROUP_BYTES", 1)
    monkeypatch.setattr(dask_executor, "MAX_TASKS_PER_SOURCE", 2)  # objects grouped, too
    split = _splits(monkeypatch)
    for k, v in FAKE_ENV.items():
        monkeypatch.setenv(k, v)
    _read_in_pairs(lake / "usage", monkeypatch)
    with moto_server() as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        make_bucket(endpoint, "lake-full", "eu-west-1")
        upload(endpoint, lake, "lake-full", "x")
        opts = ConnectorOptions(endpoint_url=endpoint)
        here = scan(["s3://lake-full/x/"], ScanConfig(ner=False, full=True, connector=opts),
                    policy=POLICY)
        there = scan(["s3://lake-full/x/"], ScanConfig(ner=False, full=True, connector=opts,
                                                       executor=cluster), policy=POLICY)
    usage = [t for t in here.sources[0].tables if t.name == "usage"]
    assert usage and usage[0].rows_scanned == 12 * 400 and usage[0].warnings
    assert [(t.table.name, len(t.parts)) for t in split] == [("usage", 6)]  # 12 files
    assert _tables(there) == _tables(here)
    assert there.sources[0].found_location == "eu-west-1"
