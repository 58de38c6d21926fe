"""Where sources are stored: declared, inferred from hostnames and URLs, or unknown; verdicts."""

from __future__ import annotations

import dataclasses

import pytest
from reports_sample import BROKEN, CDR, RDS, SQLITE, sample_config, sample_result

from scanner.model import ScanResult, SourceResult, Status
from scanner.policy import Policy
from scanner.policy.residency import (
    AWS_REGIONS,
    AZURE_REGIONS,
    GCP_REGIONS,
    How,
    StorageVerdict,
    assess,
    judge,
    locate,
    parse_location,
)

POLICY = Policy.load(None)


@pytest.mark.parametrize(
    ("text", "country", "provider", "region"),
    [
        ("US", "US", None, None),
        ("de", "DE", None, None),
        ("Germany", "DE", None, None),
        ("United States", "US", None, None),
        ("EU", "EU", None, None),
        ("us-east-1", "US", "aws", "us-east-1"),
        ("eu-west-1", "IE", "aws", "eu-west-1"),
        ("us-gov-west-1", "US", "aws", "us-gov-west-1"),
        ("europe-west3", "DE", "gcp", "europe-west3"),
        ("us-central1", "US", "gcp", "us-central1"),
        ("westeurope", "NL", "azure", "westeurope"),
        ("West Europe", "NL", "azure", "westeurope"),
        ("eastus2", "US", "azure", "eastus2"),
        ("aws:ap-southeast-2", "AU", "aws", "ap-southeast-2"),
        ("gcp:us", "US", "gcp", "us"),
    ],
)
def test_parse_location(text: str, country: str, provider: str | None, region: str | None) -> None:
    place = parse_location(text)
    assert place is not None
    assert (place.country, place.provider, place.region) == (country, provider, region)


@pytest.mark.parametrize(
    "text", ["mars-1", "", "aws:westeurope", "azure:us-east-1", "nowhere land"]
)
def test_unknown_locations(text: str) -> None:
    assert parse_location(text) is None


def test_region_tables_map_to_country_codes() -> None:
    for table in (AWS_REGIONS, GCP_REGIONS, AZURE_REGIONS):
        assert all(len(c) == 2 and c.isupper() for c in table.values())
    assert len(AWS_REGIONS) >= 30 and len(GCP_REGIONS) >= 35 and len(AZURE_REGIONS) >= 50


INFERRED = [
    # (source name, country, region, words in the detail)
    ("postgresql://u:***@mydb.abc123.eu-west-1.rds.amazonaws.com/crm", "IE", "eu-west-1", "RDS"),
    ("mysql://u@app.cluster-ro-c9x.us-east-2.rds.amazonaws.com:3306/db", "US", "us-east-2", "RDS"),
    ("redshift+psycopg2://u@wh.abc.us-west-2.redshift.amazonaws.com:5439/dev", "US", "us-west-2",
     "Redshift"),
    ("redshift://u@wg.123456789012.eu-north-1.redshift-serverless.amazonaws.com/dev", "SE",
     "eu-north-1", "Serverless"),
    ("https://bucket.s3.eu-central-1.amazonaws.com/exports/a.csv", "DE", "eu-central-1", "S3"),
    ("https://s3.ap-south-1.amazonaws.com/bucket/a.csv", "IN", "ap-south-1", "S3"),
    ("https://bucket.s3-eu-west-1.amazonaws.com/a.csv", "IE", "eu-west-1", "S3"),
    ("postgresql+pg8000://u@/db?unix_sock=/cloudsql/proj:europe-west3:inst/.s.PGSQL.5432", "DE",
     "europe-west3", "Google Cloud"),
    ("https://storage.europe-west4.rep.googleapis.com/b/o", "NL", "europe-west4", "Google Cloud"),
    ("https://acct-westeurope.documents.azure.com:443/", "NL", "westeurope", "Azure"),
    ("https://logs.uksouth.kusto.windows.net", "GB", "uksouth", "Azure"),
    ("snowflake://u@xy123.west-europe.azure.snowflakecomputing.com/db", "NL", "westeurope",
     "Snowflake"),
    ("snowflake://u@xy123.us-east-2.aws.snowflakecomputing.com/db", "US", "us-east-2", "Snowflake"),
    ("postgresql://u@db-pg-fra1-123.b.db.ondigitalocean.com:25060/db", "DE", "fra1",
     "DigitalOcean"),
]  # fmt: skip


@pytest.mark.parametrize(("source", "country", "region", "word"), INFERRED)
def test_inferred_from_hostname(source: str, country: str, region: str, word: str) -> None:
    loc = locate(source, default_location="US")
    assert loc.how is How.INFERRED
    assert (loc.country, loc.place and loc.place.region) == (country, region)
    assert word in loc.detail


UNKNOWN = [
    # (source name, words in what would settle it)
    ("s3://bucket/exports/", "aws s3api get-bucket-location --bucket bucket"),
    ("gs://bucket/x.parquet", "gcloud storage buckets describe gs://bucket"),
    ("az://container/x.csv", "az storage account show"),
    ("abfss://fs@acct.dfs.core.windows.net/x", "az storage account show --name acct"),
    ("mssql+pyodbc://u@srv.database.windows.net/db", "az resource list"),
    ("https://bucket.s3.amazonaws.com/x.csv", "get-bucket-location"),
    ("postgresql://u@db.example.com/crm", "declare `location:`"),
    ("mysql://u@10.1.2.3/db", "declare `location:`"),
]


@pytest.mark.parametrize(("source", "settle"), UNKNOWN)
def test_unknown_says_what_would_settle_it(source: str, settle: str) -> None:
    loc = locate(source, default_location="US")
    assert loc.how is How.UNKNOWN and loc.country is None
    assert loc.settle is not None and settle in loc.settle


@pytest.mark.parametrize(
    "source",
    ["data/customers.csv", "/abs/x.parquet", "sqlite:///x.db", "postgresql://u@localhost/db"],
)
def test_local_sources_take_the_default(source: str) -> None:
    loc = locate(source, default_location="us-west-2")
    assert loc.how is How.DEFAULT and loc.country == "US"
    unknown = locate(source)
    assert unknown.how is How.UNKNOWN and "default_location" in (unknown.settle or "")


def test_declared_beats_inferred() -> None:
    loc = locate("postgresql://u@db.abc.eu-west-1.rds.amazonaws.com/x", declared="us-east-1")
    assert loc.how is How.DECLARED and loc.country == "US"


def _source(name: str, *, pii: bool, status: Status = Status.OK) -> SourceResult:
    result = sample_result()
    template = next(s for s in result.sources if s.name == SQLITE)
    tables = template.tables if pii else ()
    return dataclasses.replace(template, name=name, tables=tables, status=status)


@pytest.mark.parametrize(
    ("declared", "pii", "status", "verdict"),
    [
        ("US", True, Status.OK, StorageVerdict.COMPLIANT),
        ("us-east-1", True, Status.OK, StorageVerdict.COMPLIANT),
        ("eu-west-1", True, Status.OK, StorageVerdict.VIOLATION),
        ("eu-west-1", True, Status.PARTIAL, StorageVerdict.VIOLATION),
        ("eu-west-1", False, Status.OK, StorageVerdict.COMPLIANT),
        ("eu-west-1", False, Status.FAILED, StorageVerdict.UNVERIFIED),
        (None, True, Status.OK, StorageVerdict.UNVERIFIED),
        (None, False, Status.OK, StorageVerdict.COMPLIANT),
        (None, False, Status.FAILED, StorageVerdict.UNVERIFIED),
        # Never read: not compliant, even where the declared place is allowed.
        ("US", False, Status.FAILED, StorageVerdict.UNVERIFIED),
        ("us-west-2", False, Status.FAILED, StorageVerdict.UNVERIFIED),
    ],
)
def test_verdicts(declared: str | None, pii: bool, status: Status, verdict: StorageVerdict) -> None:
    source = _source("exports/x.csv", pii=pii, status=status)
    res = judge(source, locate(source.name, declared=declared), POLICY)
    assert res.verdict is verdict, res.reason
    if verdict is StorageVerdict.UNVERIFIED:
        assert res.settle
    if verdict is StorageVerdict.VIOLATION:
        assert "IE" in res.reason and "outside US" in res.reason


def test_sample_scan_declared_inferred_unknown() -> None:
    residency = assess(sample_result(), POLICY, sample_config())
    got = {r.source: (r.location.how, r.verdict) for r in residency.sources}
    assert got == {
        SQLITE: (How.DECLARED, StorageVerdict.COMPLIANT),
        RDS: (How.INFERRED, StorageVerdict.VIOLATION),
        CDR: (How.UNKNOWN, StorageVerdict.UNVERIFIED),
        BROKEN: (How.UNKNOWN, StorageVerdict.UNVERIFIED),
    }
    assert [r.source for r in residency.sources] == sorted(got)
    violation = residency.get(RDS)
    assert violation is not None
    assert (violation.pii_columns, violation.cpni_columns) == (4, 1)


def test_saved_locations_are_reused_and_config_overrides_them() -> None:
    result = sample_result()
    first = assess(result, POLICY, sample_config())
    known = first.locations_from_dict(first.to_dict())
    again = assess(result, POLICY, known=known)
    assert again == first
    override = sample_config().__class__(
        path="x.yaml", sources=sample_config().sources, default_location="US"
    )
    redone = assess(result, POLICY, override, known=known)
    cdr = redone.get(CDR)
    assert cdr is not None and cdr.location.how is How.DEFAULT
    assert cdr.verdict is StorageVerdict.COMPLIANT


def test_engine_reported_location_counts_as_declared() -> None:
    result = sample_result()
    moved = dataclasses.replace(
        result,
        sources=tuple(
            dataclasses.replace(s, location="DE") if s.name == CDR else s for s in result.sources
        ),
    )
    entry = assess(moved, POLICY).get(CDR)
    assert entry is not None and entry.verdict is StorageVerdict.VIOLATION


def test_other_allowed_countries() -> None:
    policy = dataclasses.replace(POLICY, allowed_countries=("US", "IE"))
    res = assess(sample_result(), policy, sample_config()).get(RDS)
    assert res is not None and res.verdict is StorageVerdict.COMPLIANT


def test_empty_result() -> None:
    empty = ScanResult(sources=(), started_at="", finished_at="", seconds=0.0)
    assert assess(empty, POLICY).sources == ()


def test_unread_object_store_source_is_never_compliant() -> None:
    # examples/scan.yaml's `s3://exports-bucket/cdr/` declared in us-west-2, failing to open.
    failed = SourceResult("s3://exports-bucket/cdr/", "unknown", (), Status.FAILED,
                          "s3://exports-bucket/cdr/: no such bucket")
    res = judge(failed, locate(failed.name, declared="us-west-2"), POLICY)
    assert res.verdict is StorageVerdict.UNVERIFIED
    assert "could not be read" in res.reason and res.settle


def test_bucket_region_from_the_storage_service() -> None:
    source = _source("s3://lake-eu/exports/", pii=True)
    found = dataclasses.replace(source, found_location="eu-west-1")
    result = ScanResult(sources=(found,), started_at="", finished_at="", seconds=0.0)
    entry = assess(result, POLICY).get("s3://lake-eu/exports/")
    assert entry is not None and entry.verdict is StorageVerdict.VIOLATION
    assert entry.location.how is How.INFERRED and entry.location.country == "IE"
    assert "storage service" in entry.location.detail
    # `location:` in the configuration overrides what the bucket says.
    declared = dataclasses.replace(found, location="us-east-1")
    result = ScanResult(sources=(declared,), started_at="", finished_at="", seconds=0.0)
    entry = assess(result, POLICY).get("s3://lake-eu/exports/")
    assert entry is not None and entry.verdict is StorageVerdict.COMPLIANT


@pytest.mark.parametrize(
    ("reported", "country", "verdict"),
    [
        # Cloud Storage multi-regions, dual-regions and regions, as the bucket resource spells them.
        ("gcp:US", "US", StorageVerdict.COMPLIANT),
        ("gcp:NAM4", "US", StorageVerdict.COMPLIANT),
        ("gcp:US-CENTRAL1", "US", StorageVerdict.COMPLIANT),
        # A US region the tables do not list yet: every US location is named US-*.
        ("gcp:US-EAST9", "US", StorageVerdict.COMPLIANT),
        ("gcp:EU", "EU", StorageVerdict.VIOLATION),
        ("gcp:EUR4", "EU", StorageVerdict.VIOLATION),
        ("gcp:EUROPE-WEST1", "BE", StorageVerdict.VIOLATION),
        ("gcp:ASIA1", "JP", StorageVerdict.VIOLATION),
        # Outside the United States, in no one country the tables name.
        ("gcp:ASIA", "??", StorageVerdict.VIOLATION),
        ("gcp:EUROPE-WEST99", "??", StorageVerdict.VIOLATION),
        # Nothing usable reported: unknown, never compliant while the source holds PII.
        ("gcp:", None, StorageVerdict.UNVERIFIED),
        ("gcp:US CENTRAL", None, StorageVerdict.UNVERIFIED),
    ],
)
def test_cloud_storage_locations_under_the_us_only_rule(
        reported: str, country: str | None, verdict: StorageVerdict) -> None:
    source = dataclasses.replace(_source("gs://crm/exports/", pii=True), found_location=reported)
    result = ScanResult(sources=(source,), started_at="", finished_at="", seconds=0.0)
    entry = assess(result, POLICY).get("gs://crm/exports/")
    assert entry is not None
    assert (entry.location.country, entry.verdict) == (country, verdict), entry.reason
    if country is None:
        assert entry.settle and "declare `location:`" in entry.settle
