"""Object storage through a real S3 server (moto in server mode, started here).

The same lake is scanned from local disk and from buckets in two regions:
the columns and findings match; a bucket in eu-west-1 holding PII is a
violation; an unreachable bucket is failed, never compliant; credentials
never appear in any output.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fsspec.implementations.dirfs import DirFileSystem
from fsspec.implementations.local import LocalFileSystem
from lake_data import build_lake
from s3_server import FAKE_ENV, make_bucket, moto_server, upload
from support import run_cli

import connectors.objectstore as objectstore
from connectors.base import ConnectorOptions, SourceError
from connectors.objectstore import filesystem
from scanner.core.config import ScanConfig
from scanner.core.engine import scan
from scanner.model import ScanResult, Status
from scanner.policy import Policy
from scanner.policy.residency import How, StorageVerdict, assess

pytestmark = pytest.mark.slow

POLICY = Policy.load(None)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_lake(tmp_path_factory.mktemp("lake") / "lake")


@pytest.fixture(scope="module")
def s3(lake: Path) -> Iterator[str]:
    saved = {k: os.environ.get(k) for k in (*FAKE_ENV, "AWS_ENDPOINT_URL")}
    os.environ.update(FAKE_ENV)
    with moto_server() as endpoint:
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        make_bucket(endpoint, "lake-us", "us-east-1")
        make_bucket(endpoint, "lake-eu", "eu-west-1")
        upload(endpoint, lake, "lake-us", "exports")
        upload(endpoint, lake, "lake-eu", "exports")
        yield endpoint
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _config(**kw: object) -> ScanConfig:
    return ScanConfig(ner=False, **kw)  # type: ignore[arg-type]


def columns(result: ScanResult) -> list[tuple[str, str, str]]:
    """(file or table, column, entity) with the location stripped: comparable across stores."""
    out = []
    for s in result.sources:
        for t in s.tables:
            name = Path(s.name).name if len(s.tables) == 1 and not s.name.startswith("s3://") \
                else t.name
            name = name.rsplit("/", 1)[-1]
            for c in t.columns:
                ents = sorted(d.entity for d in c.detections) or ["-"]
                out.extend((name, c.ref.column, e) for e in ents)
    return sorted(out)


def test_same_files_same_columns_locally_and_through_s3(lake: Path, s3: str) -> None:
    local = scan([str(lake)], _config(), policy=POLICY)
    remote = scan(["s3://lake-us/exports/"], _config(), policy=POLICY)
    # Locally the zstd export is not read (a file no connector reads is reported, not scanned).
    read = [s for s in local.sources if not s.name.endswith(".zst")]
    assert [s.status for s in read] == [Status.OK] * len(read)
    assert len(remote.sources) == 1 and remote.sources[0].status is Status.OK, \
        remote.sources[0].error
    # The zstd export is read only through object storage (decompressed on the way).
    got = [r for r in columns(remote) if r[0] != "accounts.csv.zst"]
    assert got == columns(local)
    assert ("accounts.csv.zst", "ssn", "US_SSN") in columns(remote)
    usage = next(t for t in remote.sources[0].tables if t.name == "usage")
    assert usage.status is Status.OK
    assert any("README.txt: skipped" in w for w in usage.warnings)


def test_sampled_dataset_fetches_each_object_once(s3: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import s3fs

    gets: list[str] = []
    call = s3fs.S3FileSystem._call_s3

    async def counted(self: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        if method == "get_object":
            gets.append(str(kwargs.get("Key")))
        return await call(self, method, *args, **kwargs)

    monkeypatch.setattr(s3fs.S3FileSystem, "_call_s3", counted)
    result = scan(["s3://lake-us/exports/usage/"], _config(sample_size=2_000), policy=POLICY)
    assert result.sources[0].status is Status.OK
    assert result.sources[0].tables[0].rows_scanned == 2_000
    # The files whose footers settled the columns are read on, not fetched again.
    assert gets and len(gets) == len(set(gets))


def test_one_object_and_full_read(lake: Path, s3: str) -> None:
    one = scan(["s3://lake-us/exports/crm/customers.csv"], _config(full=True), policy=POLICY)
    local = scan([str(lake / "crm" / "customers.csv")], _config(full=True), policy=POLICY)
    assert one.sources[0].name == "s3://lake-us/exports/crm/customers.csv"
    assert columns(one) == columns(local)
    assert one.sources[0].tables[0].rows_scanned == 300


def test_bucket_region_gives_the_storage_verdict(s3: str) -> None:
    result = scan(["s3://lake-us/exports/crm/", "s3://lake-eu/exports/crm/"], _config(),
                  policy=POLICY)
    assert [s.found_location for s in result.sources] == ["us-east-1", "eu-west-1"]
    residency = assess(result, POLICY)
    us = residency.get("s3://lake-us/exports/crm/")
    eu = residency.get("s3://lake-eu/exports/crm/")
    assert us is not None and us.verdict is StorageVerdict.COMPLIANT
    assert eu is not None and eu.verdict is StorageVerdict.VIOLATION, eu.reason
    assert "IE" in eu.reason


def test_unreachable_and_missing_buckets_are_failed_never_compliant(s3: str) -> None:
    missing = scan(["s3://no-such-bucket/cdr/"], _config(), policy=POLICY)
    dead = ScanConfig(ner=False, connector=ConnectorOptions(endpoint_url="http://127.0.0.1:9"))
    unreachable = scan(["s3://lake-us/exports/"], dead, policy=POLICY)
    for result in (missing, unreachable):
        source = result.sources[0]
        assert source.status is Status.FAILED and source.error
        assert "\n" not in source.error
        located = dataclasses.replace(source, location="us-west-2")
        entry = assess(dataclasses.replace(result, sources=(located,)), POLICY).sources[0]
        assert entry.verdict is StorageVerdict.UNVERIFIED


def test_credentials_in_the_url_are_refused_and_never_shown() -> None:
    with pytest.raises(SourceError) as err:
        filesystem("s3://AKIDEXAMPLE:sekrit@bucket/x", ConnectorOptions())
    assert "sekrit" not in str(err.value) and "AKIDEXAMPLE" not in str(err.value)


def test_cli_with_scan_configuration(tmp_path: Path, s3: str) -> None:
    config = tmp_path / "scan.yaml"
    config.write_text(
        "version: 1\n"
        "sources:\n"
        "  - url: s3://lake-eu/exports/crm/\n"
        "  - url: s3://lake-us/exports/usage/\n"
        "    location: eu-west-1\n"
        "  - url: s3://missing-bucket/cdr/\n"
        "    location: us-west-2\n"
        f"    options: {{endpoint_url: '{s3}'}}\n")
    run = run_cli("scan", "--config", str(config), "--no-store", "--no-ner", "--format",
                  "json", "-q")
    assert run.code == 3, run.stderr
    doc = run.json()
    verdicts = {r["source"]: r["verdict"] for r in doc["residency"]["sources"]}
    assert verdicts == {"s3://lake-eu/exports/crm/": "violation",
                        "s3://lake-us/exports/usage/": "violation",
                        "s3://missing-bucket/cdr/": "unverified"}
    everything = run.stdout + run.stderr
    assert FAKE_ENV["AWS_SECRET_ACCESS_KEY"] not in everything
    assert FAKE_ENV["AWS_ACCESS_KEY_ID"] not in everything
    assert len([ln for ln in run.stderr.splitlines() if "missing-bucket" in ln]) == 1


class _Buckets(DirFileSystem):
    """Buckets as folders on local disk, read through fsspec like any object store.

    gcsfs is not installed for the tests and no Cloud Storage server runs here:
    only the one request the location lookup makes, GET of the bucket resource
    through gcsfs's ``call``, is answered, with a body or an error as
    Cloud Storage gives them (gcsfs raises FileNotFoundError for 404 and
    OSError("Forbidden") for 403).
    """

    def __init__(self, root: Path, answers: dict[str, Any]) -> None:
        super().__init__(path=str(root), fs=LocalFileSystem())
        self.answers = answers
        self.requests: list[tuple[Any, ...]] = []

    def call(self, method: str, path: str, *args: str, json_out: bool = False,
             **params: Any) -> Any:
        self.requests.append((method, path, args, json_out, params))
        answer = self.answers.get(args[0], FileNotFoundError(args[0]))
        if isinstance(answer, BaseException):
            raise answer
        return answer


def _buckets(monkeypatch: pytest.MonkeyPatch, lake: Path, root: Path,
             answers: dict[str, Any]) -> _Buckets:
    for bucket in answers:
        shutil.copytree(lake / "crm", root / bucket / "crm")
    fs = _Buckets(root, answers)

    def opened(spec: str, options: ConnectorOptions) -> tuple[Any, str, str]:
        parts = urlsplit(spec)
        return fs, parts.netloc, parts.path.lstrip("/")

    monkeypatch.setattr(objectstore, "filesystem", opened)
    return fs


def test_cloud_storage_bucket_location_gives_the_storage_verdict(
        monkeypatch: pytest.MonkeyPatch, lake: Path, tmp_path: Path) -> None:
    answers = {"crm-us": {"location": "US"}, "crm-iowa": {"location": "US-CENTRAL1"},
               "crm-nam4": {"location": "NAM4"}, "crm-eu": {"location": "EU"},
               "crm-belgium": {"location": "EUROPE-WEST1"}, "crm-asia": {"location": "ASIA"},
               "crm-hidden": OSError("Forbidden"), "crm-blank": {}}
    fs = _buckets(monkeypatch, lake, tmp_path, answers)
    urls = [f"gs://{bucket}/crm/" for bucket in answers]
    result = scan(urls, _config(), policy=POLICY)
    found = {s.name: s.found_location for s in result.sources}
    assert found == {
        "gs://crm-us/crm/": "gcp:US", "gs://crm-iowa/crm/": "gcp:US-CENTRAL1",
        "gs://crm-nam4/crm/": "gcp:NAM4", "gs://crm-eu/crm/": "gcp:EU",
        "gs://crm-belgium/crm/": "gcp:EUROPE-WEST1", "gs://crm-asia/crm/": "gcp:ASIA",
        "gs://crm-hidden/crm/": None, "gs://crm-blank/crm/": None}
    # One request a source, for the bucket resource's location only.
    assert sorted(fs.requests) == sorted(("GET", "b/{}", (bucket,), True, {"fields": "location"})
                                         for bucket in answers)
    residency = assess(result, POLICY)
    verdicts = {e.source: e.verdict for e in residency.sources}
    assert all(s.status is Status.OK and s.tables for s in result.sources)
    assert verdicts == {
        "gs://crm-us/crm/": StorageVerdict.COMPLIANT,
        "gs://crm-iowa/crm/": StorageVerdict.COMPLIANT,
        "gs://crm-nam4/crm/": StorageVerdict.COMPLIANT,
        "gs://crm-eu/crm/": StorageVerdict.VIOLATION,
        "gs://crm-belgium/crm/": StorageVerdict.VIOLATION,
        "gs://crm-asia/crm/": StorageVerdict.VIOLATION,
        # The location could not be read: unverified, with what would settle it.
        "gs://crm-hidden/crm/": StorageVerdict.UNVERIFIED,
        "gs://crm-blank/crm/": StorageVerdict.UNVERIFIED}
    hidden = residency.get("gs://crm-hidden/crm/")
    assert hidden is not None and hidden.location.how is How.UNKNOWN
    assert hidden.settle and "gcloud storage buckets describe gs://crm-hidden" in hidden.settle
    belgium = residency.get("gs://crm-belgium/crm/")
    assert belgium is not None and "BE" in belgium.reason
    # `location:` in the configuration overrides what the bucket says.
    declared = dataclasses.replace(result.sources[0], location="eu-west-1")
    entry = assess(dataclasses.replace(result, sources=(declared,)), POLICY).sources[0]
    assert entry.verdict is StorageVerdict.VIOLATION


def test_azure_sources_stay_unlocated_unless_declared(monkeypatch: pytest.MonkeyPatch,
                                                      lake: Path, tmp_path: Path) -> None:
    fs = _buckets(monkeypatch, lake, tmp_path, {"claims": {"location": "eastus"}})
    result = scan(["az://claims/crm/"], _config(), policy=POLICY)
    [source] = result.sources
    assert source.status is Status.OK and source.tables
    assert source.found_location is None and fs.requests == []
    [entry] = assess(result, POLICY).sources
    assert entry.verdict is StorageVerdict.UNVERIFIED
    assert entry.settle and "az storage account show" in entry.settle
    located = dataclasses.replace(source, location="eastus")
    entry = assess(dataclasses.replace(result, sources=(located,)), POLICY).sources[0]
    assert entry.verdict is StorageVerdict.COMPLIANT


def test_missing_library_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real = builtins.__import__

    def no_gcsfs(name: str, *a: object, **kw: object) -> object:
        if name == "gcsfs":
            raise ImportError(name)
        return real(name, *a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_gcsfs)
    with pytest.raises(SourceError, match=r"pip install 'piiscan\[gcs\]'"):
        filesystem("gs://bucket/x", ConnectorOptions())
    assert json  # keep the import for debugging output


def test_example_configuration_against_the_test_server(tmp_path: Path, lake: Path,
                                                       s3: str) -> None:
    from support import ROOT

    make_bucket(s3, "exports-bucket", "us-west-2")
    upload(s3, lake / "cdr", "exports-bucket", "cdr")
    text = (ROOT / "examples" / "scan.yaml").read_text()
    commented = ("  # - url: s3://exports-bucket/cdr/\n  #   location: us-west-2\n"
                 "  #   options:\n  #     endpoint_url: http://127.0.0.1:5000")
    assert commented in text
    text = text.replace(commented, "  - url: s3://exports-bucket/cdr/\n"
                                   "    options:\n"
                                   f"      endpoint_url: {s3}")
    text = text.replace("path: data/", f"path: {ROOT / 'examples' / 'data'}/")
    config = tmp_path / "scan.yaml"
    config.write_text(text)
    run = run_cli("scan", "--config", str(config), "--no-store", "--no-ner", "--format",
                  "json", "-q")
    assert run.code == 0, run.stderr
    doc = run.json()
    source = next(s for s in doc["sources"] if s["name"] == "s3://exports-bucket/cdr/")
    assert source["status"] == "ok"
    assert source["tables"][0]["is_call_record"] or source["tables"][0].get("record_kind")
    entry = next(r for r in doc["residency"]["sources"]
                 if r["source"] == "s3://exports-bucket/cdr/")
    assert entry["verdict"] == "compliant"  # the bucket says us-west-2
    assert "us-west-2" in json.dumps(entry["location"])
