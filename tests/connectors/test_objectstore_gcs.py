"""Cloud Storage through gcsfs against a real emulator (gcp-storage-emulator, started here).

Needs the ``test-gcs`` extra (``pip install -e '.[test-gcs]'``): gcsfs and the
emulator are not in requirements.lock, so the default suite skips this file;
test_objectstore.py covers the same lookup with only the bucket request faked.
A bucket in US, US-CENTRAL1 or NAM4 holding PII is compliant; in EU,
EUROPE-WEST1 or ASIA it is a violation; a missing bucket is failed and
unverified.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from lake_data import build_lake

from scanner.core.config import ScanConfig
from scanner.core.engine import scan
from scanner.model import ScanResult, Status
from scanner.policy import Policy
from scanner.policy.residency import StorageVerdict, assess

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not all(importlib.util.find_spec(m) for m in ("gcsfs", "gcp_storage_emulator")),
        reason="gcsfs and gcp-storage-emulator are not installed (pip install -e '.[test-gcs]')"),
]

POLICY = Policy.load(None)
LOCATIONS = {"crm-us": "US", "crm-iowa": "US-CENTRAL1", "crm-nam4": "NAM4",
             "crm-eu": "EU", "crm-belgium": "EUROPE-WEST1", "crm-asia": "ASIA"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def gcs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gcp_storage_emulator", "start", "--host",
                             "127.0.0.1", "--port", str(port), "--in-memory"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    # The emulator speaks the JSON API only: no gRPC bucket-type probe, no metadata server.
    env = {"STORAGE_EMULATOR_HOST": endpoint, "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false",
           "NO_GCE_CHECK": "true"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gcp-storage-emulator did not start") from None
                time.sleep(0.1)
        import gcsfs

        lake = build_lake(tmp_path_factory.mktemp("lake") / "lake")
        fs = gcsfs.GCSFileSystem(token="anon")
        for bucket, location in LOCATIONS.items():
            fs.mkdir(bucket)
            # The emulator creates every bucket in US; a PATCH sets the location it reports.
            fs.call("PATCH", "b/{}", bucket, json={"location": location})
            fs.put(str(lake / "crm"), f"{bucket}/crm", recursive=True)
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_bucket_location_gives_the_storage_verdict(gcs: str) -> None:
    urls = [f"gs://{bucket}/crm/" for bucket in (*LOCATIONS, "crm-missing")]
    result = scan(urls, ScanConfig(ner=False), policy=POLICY)
    sources = {s.name: s for s in result.sources}
    assert {name: s.found_location for name, s in sources.items()} == {
        **{f"gs://{bucket}/crm/": f"gcp:{location}" for bucket, location in LOCATIONS.items()},
        "gs://crm-missing/crm/": None}
    assert sources["gs://crm-missing/crm/"].status is Status.FAILED
    assert all(s.status is Status.OK and s.tables for n, s in sources.items()
               if n != "gs://crm-missing/crm/")
    verdicts = {e.source: e.verdict for e in assess(result, POLICY).sources}
    assert verdicts == {
        "gs://crm-us/crm/": StorageVerdict.COMPLIANT,
        "gs://crm-iowa/crm/": StorageVerdict.COMPLIANT,
        "gs://crm-nam4/crm/": StorageVerdict.COMPLIANT,
        "gs://crm-eu/crm/": StorageVerdict.VIOLATION,
        "gs://crm-belgium/crm/": StorageVerdict.VIOLATION,
        "gs://crm-asia/crm/": StorageVerdict.VIOLATION,
        "gs://crm-missing/crm/": StorageVerdict.UNVERIFIED}


def test_same_columns_as_on_local_disk(gcs: str, tmp_path: Path) -> None:
    lake = build_lake(tmp_path / "lake")
    remote = scan(["gs://crm-us/crm/customers.csv"], ScanConfig(ner=False, full=True),
                  policy=POLICY)
    local = scan([str(lake / "crm" / "customers.csv")], ScanConfig(ner=False, full=True),
                 policy=POLICY)

    def columns(result: ScanResult) -> list[tuple[str, tuple[str, ...]]]:
        return sorted((c.ref.column, tuple(sorted(d.entity for d in c.detections)))
                      for t in result.sources[0].tables for c in t.columns)

    assert columns(remote) == columns(local) and columns(local)
