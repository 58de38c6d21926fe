"""Where each source is stored, and whether that keeps the policy's storage rule.

A source's location is, in order of precedence:

1. *declared* in the scan configuration (``location: eu-west-1`` or ``DE``);
2. *inferred* from a cloud hostname or object-store URL that carries its
   region (AWS RDS, Aurora, Redshift and other ``*.amazonaws.com`` endpoints,
   S3 virtual-host and path URLs, Cloud SQL connection names, Azure endpoints
   with a region label, Snowflake and DigitalOcean hostnames);
3. the configuration's ``default_location`` for local files (and databases on
   this machine);
4. otherwise *unknown*, with the step that would settle it.

Each source then gets a verdict: ``compliant``, ``violation`` (PII or CPNI
stored outside the allowed countries) or ``unverified``.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote, urlsplit

from scanner.model import ScanResult, SourceResult, Status

if TYPE_CHECKING:
    from scanner.policy import Policy

logger = logging.getLogger(__name__)


class Declarations(Protocol):
    """Where the scan configuration says sources are stored (a ``ConfigFile`` is one)."""

    @property
    def default_location(self) -> str | None: ...

    def declared_location(self, source_name: str) -> str | None: ...


class StorageVerdict(StrEnum):
    """A source's standing against the storage rule."""

    COMPLIANT = "compliant"
    VIOLATION = "violation"
    UNVERIFIED = "unverified"


class How(StrEnum):
    """How a source's location was established."""

    DECLARED = "declared"
    INFERRED = "inferred"
    DEFAULT = "default"
    UNKNOWN = "unknown"


# --- Region tables: provider region -> ISO 3166 alpha-2 country (or EU) ---

# fmt: off

AWS_REGIONS: dict[str, str] = {
    "us-east-1": "US", "us-east-2": "US", "us-west-1": "US", "us-west-2": "US",
    "us-gov-east-1": "US", "us-gov-west-1": "US",
    "ca-central-1": "CA", "ca-west-1": "CA", "mx-central-1": "MX", "sa-east-1": "BR",
    "eu-west-1": "IE", "eu-west-2": "GB", "eu-west-3": "FR", "eu-central-1": "DE",
    "eu-central-2": "CH", "eu-north-1": "SE", "eu-south-1": "IT", "eu-south-2": "ES",
    "ap-northeast-1": "JP", "ap-northeast-2": "KR", "ap-northeast-3": "JP",
    "ap-southeast-1": "SG", "ap-southeast-2": "AU", "ap-southeast-3": "ID",
    "ap-southeast-4": "AU", "ap-southeast-5": "MY", "ap-southeast-7": "TH",
    "ap-south-1": "IN", "ap-south-2": "IN", "ap-east-1": "HK", "ap-east-2": "TW",
    "me-south-1": "BH", "me-central-1": "AE", "il-central-1": "IL", "af-south-1": "ZA",
    "cn-north-1": "CN", "cn-northwest-1": "CN",
}

GCP_REGIONS: dict[str, str] = {
    "us-central1": "US", "us-east1": "US", "us-east4": "US", "us-east5": "US",
    "us-south1": "US", "us-west1": "US", "us-west2": "US", "us-west3": "US", "us-west4": "US",
    "northamerica-northeast1": "CA", "northamerica-northeast2": "CA",
    "northamerica-south1": "MX", "southamerica-east1": "BR", "southamerica-west1": "CL",
    "europe-west1": "BE", "europe-west2": "GB", "europe-west3": "DE", "europe-west4": "NL",
    "europe-west6": "CH", "europe-west8": "IT", "europe-west9": "FR", "europe-west10": "DE",
    "europe-west12": "IT", "europe-north1": "FI", "europe-north2": "SE",
    "europe-central2": "PL", "europe-southwest1": "ES",
    "asia-east1": "TW", "asia-east2": "HK", "asia-northeast1": "JP", "asia-northeast2": "JP",
    "asia-northeast3": "KR", "asia-south1": "IN", "asia-south2": "IN",
    "asia-southeast1": "SG", "asia-southeast2": "ID",
    "australia-southeast1": "AU", "australia-southeast2": "AU",
    "me-west1": "IL", "me-central1": "QA", "me-central2": "SA", "africa-south1": "ZA",
    # Multi- and dual-regions (Cloud Storage, BigQuery).
    "us": "US", "eu": "EU", "nam4": "US", "eur4": "EU", "eur5": "EU", "eur7": "EU",
    "eur8": "EU", "asia1": "JP",
}

AZURE_REGIONS: dict[str, str] = {
    "eastus": "US", "eastus2": "US", "centralus": "US", "northcentralus": "US",
    "southcentralus": "US", "westcentralus": "US", "westus": "US", "westus2": "US",
    "westus3": "US", "usgovvirginia": "US", "usgovarizona": "US", "usgovtexas": "US",
    "canadacentral": "CA", "canadaeast": "CA", "brazilsouth": "BR", "brazilsoutheast": "BR",
    "mexicocentral": "MX", "chilecentral": "CL",
    "northeurope": "IE", "westeurope": "NL", "uksouth": "GB", "ukwest": "GB",
    "francecentral": "FR", "francesouth": "FR", "germanywestcentral": "DE",
    "germanynorth": "DE", "switzerlandnorth": "CH", "switzerlandwest": "CH",
    "norwayeast": "NO", "norwaywest": "NO", "swedencentral": "SE", "polandcentral": "PL",
    "italynorth": "IT", "spaincentral": "ES",
    "eastasia": "HK", "southeastasia": "SG", "japaneast": "JP", "japanwest": "JP",
    "koreacentral": "KR", "koreasouth": "KR", "centralindia": "IN", "southindia": "IN",
    "westindia": "IN", "australiaeast": "AU", "australiasoutheast": "AU",
    "australiacentral": "AU", "australiacentral2": "AU", "indonesiacentral": "ID",
    "malaysiawest": "MY", "newzealandnorth": "NZ",
    "uaenorth": "AE", "uaecentral": "AE", "qatarcentral": "QA", "israelcentral": "IL",
    "southafricanorth": "ZA", "southafricawest": "ZA",
    "chinanorth": "CN", "chinanorth2": "CN", "chinanorth3": "CN", "chinaeast": "CN",
    "chinaeast2": "CN", "chinaeast3": "CN",
}

DIGITALOCEAN_REGIONS: dict[str, str] = {
    "nyc1": "US", "nyc2": "US", "nyc3": "US", "sfo1": "US", "sfo2": "US", "sfo3": "US",
    "atl1": "US", "tor1": "CA", "ams2": "NL", "ams3": "NL", "fra1": "DE", "lon1": "GB",
    "sgp1": "SG", "blr1": "IN", "syd1": "AU",
}

#: Provider name -> region table, in the order declared names are looked up.
REGION_TABLES: dict[str, dict[str, str]] = {
    "aws": AWS_REGIONS,
    "gcp": GCP_REGIONS,
    "azure": AZURE_REGIONS,
    "digitalocean": DIGITALOCEAN_REGIONS,
}

#: Country names and groups accepted in a declaration besides two-letter codes.
_COUNTRY_ALIASES: dict[str, str] = {
    "usa": "US", "united states": "US", "united states of america": "US", "us": "US",
    "uk": "GB", "united kingdom": "GB", "great britain": "GB", "germany": "DE",
    "ireland": "IE", "france": "FR", "netherlands": "NL", "canada": "CA", "japan": "JP",
    "india": "IN", "australia": "AU", "singapore": "SG", "brazil": "BR",
    "eu": "EU", "europe": "EU",
}
# fmt: on

_AWS_REGION_RE = re.compile(r"(?<![a-z0-9])([a-z]{2}(?:-gov)?-[a-z]+-\d)(?![a-z0-9])")
_LOCAL_HOSTS = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


@dataclass(frozen=True)
class Place:
    """A resolved location: country and, for cloud regions, provider and region."""

    country: str
    provider: str | None = None
    region: str | None = None

    @property
    def label(self) -> str:
        """Return e.g. ``IE (aws eu-west-1)`` or ``US``."""
        if self.region:
            return f"{self.country} ({self.provider} {self.region})"
        return self.country


@dataclass(frozen=True)
class Location:
    """Where one source is stored and how that was established."""

    how: How
    detail: str
    place: Place | None = None
    value: str | None = None
    settle: str | None = None

    @property
    def country(self) -> str | None:
        """Return the ISO country code (or ``EU``), None when unknown."""
        return self.place.country if self.place else None

    @property
    def label(self) -> str:
        """Return a short human label: ``IE (aws eu-west-1)`` or ``unknown``."""
        return self.place.label if self.place else "unknown"

    def to_dict(self) -> dict[str, Any]:
        """Return the location as plain data (JSON report)."""
        return {
            "value": self.value,
            "country": self.country,
            "provider": self.place.provider if self.place else None,
            "region": self.place.region if self.place else None,
            "how": self.how.value,
            "detail": self.detail,
            "settle": self.settle,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Location:
        """Rebuild a location saved by ``to_dict``."""
        country = data.get("country")
        place = Place(str(country), data.get("provider"), data.get("region")) if country else None
        return cls(
            how=How(data.get("how", "unknown")),
            detail=str(data.get("detail", "")),
            place=place,
            value=data.get("value"),
            settle=data.get("settle"),
        )


@dataclass(frozen=True)
class SourceResidency:
    """One source's location and verdict."""

    source: str
    location: Location
    verdict: StorageVerdict
    reason: str
    pii_columns: int
    cpni_columns: int
    settle: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return plain data for the JSON report's ``residency`` section."""
        return {
            "source": self.source,
            "location": self.location.to_dict(),
            "verdict": self.verdict.value,
            "reason": self.reason,
            "settle": self.settle,
            "pii_columns": self.pii_columns,
            "cpni_columns": self.cpni_columns,
        }


@dataclass(frozen=True)
class Residency:
    """The residency verdict for every source of a scan, sorted by source name."""

    sources: tuple[SourceResidency, ...]
    allowed_countries: tuple[str, ...]

    def get(self, source: str) -> SourceResidency | None:
        """Return the entry for ``source``, or None."""
        for s in self.sources:
            if s.source == source:
                return s
        return None

    def count(self, verdict: StorageVerdict) -> int:
        """Return how many sources have ``verdict``."""
        return sum(1 for s in self.sources if s.verdict is verdict)

    def to_dict(self) -> dict[str, Any]:
        """Return plain data for the JSON report's ``residency`` section."""
        return {
            "allowed_countries": list(self.allowed_countries),
            "summary": {v.value: self.count(v) for v in StorageVerdict},
            "sources": [s.to_dict() for s in self.sources],
        }

    @staticmethod
    def locations_from_dict(data: Mapping[str, Any]) -> dict[str, Location]:
        """Return the saved location of each source of a ``to_dict`` section."""
        out: dict[str, Location] = {}
        for entry in data.get("sources") or []:
            if isinstance(entry, Mapping) and isinstance(entry.get("location"), Mapping):
                out[str(entry["source"])] = Location.from_dict(entry["location"])
        return out


# --- Resolving names ---


def parse_location(text: str) -> Place | None:
    """Resolve a declared location: a country code or name, or a cloud region.

    Accepts ``US``, ``de``, ``Germany``, ``us-east-1``, ``europe-west3``,
    ``westeurope`` / ``West Europe``, and ``aws:eu-west-1`` with a provider
    prefix. Returns None when the text names nothing known.
    """
    raw = text.strip()
    if not raw:
        return None
    provider_hint: str | None = None
    if ":" in raw:
        provider_hint, raw = (p.strip() for p in raw.split(":", 1))
        provider_hint = provider_hint.lower()
        if provider_hint not in REGION_TABLES:
            return None
    key = raw.lower()
    squashed = re.sub(r"[\s_-]+", "", key)
    if not provider_hint:
        if key in _COUNTRY_ALIASES:
            return Place(_COUNTRY_ALIASES[key])
        if re.fullmatch(r"[a-z]{2}", key):
            return Place(key.upper())
    tables = [provider_hint] if provider_hint else list(REGION_TABLES)
    for name in tables:
        table = REGION_TABLES[name]
        for candidate in (key, squashed) if name == "azure" else (key,):
            if candidate in table:
                return Place(table[candidate], name, candidate)
    return None


def is_local_file(source: str) -> bool:
    """Tell whether a source name is a local path (or a file URL)."""
    return "://" not in source or source.startswith(("file://", "sqlite:///"))


def infer_location(source: str) -> Location | None:
    """Infer a location from a source name (URL or hostname); None for local files.

    A remote source whose name carries no region gets an *unknown* location
    that says what would settle it.
    """
    if is_local_file(source):
        return None
    parts = urlsplit(source)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    whole = unquote(source)

    # Object stores addressed by bucket: the bucket's region is not in the URL.
    if scheme in {"s3", "s3a", "s3n"}:
        return _unknown(
            f"S3 URL {scheme}://{parts.netloc} does not carry the bucket's region",
            f"run `aws s3api get-bucket-location --bucket {parts.netloc}` and declare "
            "`location:` for this source",
        )
    if scheme in {"gs", "gcs"}:
        return _unknown(
            f"Cloud Storage URL gs://{parts.netloc} does not carry the bucket's location, "
            "and the bucket's location was not read",
            f"run `gcloud storage buckets describe gs://{parts.netloc} "
            "--format='value(location)'` and declare `location:` for this source (or let "
            "the scanning identity read the bucket: storage.buckets.get)",
        )
    if scheme in {"az", "abfs", "abfss", "wasb", "wasbs", "adl"}:
        # container@account.<host> names the account; az://container takes it from
        # AZURE_STORAGE_ACCOUNT_NAME, which the URL does not show.
        named = "@" in parts.netloc or "." in host
        account = host.split(".", 1)[0] if named else "<account>"
        return _unknown(
            f"Azure storage URL {scheme}://{parts.netloc} does not carry the account's region, "
            "and Azure's blob service does not report it",
            f"run `az storage account show --name {account} --query primaryLocation`"
            + ("" if named else " for the account in AZURE_STORAGE_ACCOUNT_NAME")
            + " and declare `location:` for this source",
        )

    # Cloud SQL connection names and resource paths carry the region.
    m = re.search(r"/cloudsql/[^:/]+:([a-z0-9-]+):", whole) or re.search(
        r"locations/([a-z0-9-]+)/", whole
    )
    if m and m.group(1) in GCP_REGIONS:
        return _inferred("gcp", m.group(1), f"Google Cloud resource name ({m.group(1)})")

    if not host:
        return _unknown(
            "the URL names no host",
            "declare `location:` for this source in the scan configuration",
        )
    if host in _LOCAL_HOSTS or _is_loopback(host):
        return None

    found = _from_hostname(host)
    if found is not None:
        return found
    if _is_private(host):
        return _unknown(
            f"host {host} is a private address; its site is not known",
            "declare `location:` for this source in the scan configuration",
        )
    return _unknown(
        f"hostname {host} does not name a cloud region",
        "declare `location:` for this source in the scan configuration" + _provider_hint(host),
    )


def _from_hostname(host: str) -> Location | None:
    labels = host.split(".")
    if host.endswith((".amazonaws.com", ".amazonaws.com.cn")):
        for label in labels:
            # Legacy S3 hosts spell the region with a dash: bucket.s3-eu-west-1.amazonaws.com
            for candidate in (label, label.removeprefix("s3-"), label.removeprefix("s3.")):
                if candidate in AWS_REGIONS:
                    service = _aws_service(host)
                    return _inferred("aws", candidate, f"{service} hostname {host}")
        if ".s3." in f".{host}":
            return _unknown(
                f"S3 hostname {host} does not carry the bucket's region",
                "run `aws s3api get-bucket-location` for the bucket and declare `location:`",
            )
        return _unknown(
            f"AWS hostname {host} names no region",
            "declare `location:` for this source (the AWS console shows the region)",
        )
    if host.endswith(".snowflakecomputing.com"):
        for label in labels[1:-2]:
            place = _any_region(label)
            if place is not None:
                return _inferred(
                    place.provider or "", place.region or label, f"Snowflake hostname {host}"
                )
        return _unknown(
            f"Snowflake hostname {host} names no region",
            "run `SELECT CURRENT_REGION()` in Snowflake and declare `location:`",
        )
    if host.endswith((".googleapis.com", ".goog", ".cloud.goog")):
        for label in labels:
            for candidate in _region_fragments(label):
                if candidate in GCP_REGIONS:
                    return _inferred("gcp", candidate, f"Google Cloud hostname {host}")
    if host.endswith((".windows.net", ".azure.com", ".azure.net", ".azuresynapse.net")):
        for label in labels:
            for candidate in (label, label.rsplit("-", 1)[-1]):
                if candidate in AZURE_REGIONS:
                    return _inferred("azure", candidate, f"Azure hostname {host}")
        return _unknown(
            f"Azure hostname {host} does not carry its region",
            "run `az resource list --name <server> --query [].location` and declare `location:`",
        )
    if host.endswith((".ondigitalocean.com", ".digitaloceanspaces.com")):
        for label in labels:
            for candidate in label.split("-"):
                if candidate in DIGITALOCEAN_REGIONS:
                    return _inferred("digitalocean", candidate, f"DigitalOcean hostname {host}")
    return None


def _aws_service(host: str) -> str:
    for marker, name in (
        (".rds.", "AWS RDS/Aurora"),
        (".redshift-serverless.", "AWS Redshift Serverless"),
        (".redshift.", "AWS Redshift"),
        (".docdb.", "AWS DocumentDB"),
        ("s3", "AWS S3"),
    ):
        if marker in host:
            return name
    return "AWS"


def _region_fragments(label: str) -> list[str]:
    # `storage.europe-west3.rep` and `europe-west3-aiplatform` both carry the region.
    parts = label.split("-")
    return ["-".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)]


def _any_region(label: str) -> Place | None:
    for name in ("aws", "gcp"):
        if label in REGION_TABLES[name]:
            return Place(REGION_TABLES[name][label], name, label)
    squashed = label.replace("-", "")
    if squashed in AZURE_REGIONS:
        return Place(AZURE_REGIONS[squashed], "azure", squashed)
    return None


def _provider_hint(host: str) -> str:
    m = _AWS_REGION_RE.search(host)
    if m and m.group(1) not in AWS_REGIONS:
        return f" ({m.group(1)} looks like a region but is not in the region table)"
    return ""


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_private(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_private
    except ValueError:
        return host.endswith((".local", ".internal", ".lan", ".corp"))


def _inferred(provider: str, region: str, what: str) -> Location:
    table = REGION_TABLES.get(provider, {})
    return Location(
        how=How.INFERRED,
        detail=f"inferred from the {what}",
        place=Place(table.get(region, "??"), provider, region),
        value=region,
    )


def _unknown(detail: str, settle: str) -> Location:
    return Location(how=How.UNKNOWN, detail=detail, settle=settle)


def locate(
    source: str, *, declared: str | None = None, default_location: str | None = None
) -> Location:
    """Establish where ``source`` is stored: declared, else inferred, else the default.

    A declared value that names nothing known is treated as unknown (the scan
    configuration parser rejects such values before a scan starts).
    """
    if declared:
        place = parse_location(declared)
        if place is not None:
            return Location(
                how=How.DECLARED,
                detail=f"declared as '{declared}' in the scan configuration",
                place=place,
                value=declared,
            )
        return _unknown(
            f"declared location '{declared}' is not a known country or region",
            "declare a two-letter country code or a cloud region",
        )
    inferred = infer_location(source)
    if inferred is not None:
        return inferred
    if default_location:
        place = parse_location(default_location)
        if place is not None:
            return Location(
                how=How.DEFAULT,
                detail=f"local source; default_location '{default_location}' of the scan "
                "configuration",
                place=place,
                value=default_location,
            )
    return _unknown(
        "local source and no default_location configured",
        "set `default_location:` (or `location:` for this source) in a scan configuration "
        "passed with --config",
    )


# --- Verdicts ---


def assess(
    result: ScanResult,
    policy: Policy,
    config: Declarations | None = None,
    *,
    known: Mapping[str, Location] | None = None,
) -> Residency:
    """Give every source of ``result`` a location and a verdict.

    ``known`` holds locations established earlier (a saved JSON report's
    ``residency`` section); they are used only when no ``config`` is given, so
    re-rendering with ``--config`` re-establishes every location from that file.
    """
    entries: list[SourceResidency] = []
    for source in result.sources:
        declared = config.declared_location(source.name) if config is not None else None
        if declared is None and source.location:
            declared = source.location
        if config is None and declared is None and known is not None and source.name in known:
            location = known[source.name]
        elif declared is None and source.found_location:
            location = found_location(source.found_location)
        else:
            default = config.default_location if config is not None else None
            location = locate(source.name, declared=declared, default_location=default)
        entries.append(judge(source, location, policy))
    entries.sort(key=lambda e: e.source)
    return Residency(tuple(entries), policy.allowed_countries)


def found_location(region: str) -> Location:
    """Return the location a storage service reported for a source.

    ``region`` is an S3 bucket's region (``eu-west-1``) or a Cloud Storage
    bucket's location after ``gcp:`` (``gcp:US``, ``gcp:NAM4``,
    ``gcp:EUROPE-WEST1``). A Cloud Storage location missing from the region
    tables is placed by its name: the service names every location in the
    United States ``US``, ``NAM4`` or ``US-*``, so ``US-*`` is the United States
    and any other name (``ASIA``, a new ``EUROPE-*`` region) is outside it, in a
    country not known (``??``).
    """
    place = parse_location(region) or _cloud_storage_place(region)
    if place is None:
        return _unknown(
            f"the storage service reports region '{region}', which is not in the region tables",
            "declare `location:` for this source in the scan configuration",
        )
    detail = f"reported by the storage service (bucket region {region})"
    if place.country == "??":
        detail += "; outside the United States, in a country the region tables do not name"
    return Location(how=How.INFERRED, detail=detail, place=place, value=region)


def _cloud_storage_place(value: str) -> Place | None:
    provider, _, name = value.partition(":")
    name = name.strip().lower()
    if provider.strip().lower() != "gcp" or not re.fullmatch(r"[a-z0-9-]+", name):
        return None
    return Place("US" if name.startswith("us-") else "??", "gcp", name)


def judge(source: SourceResult, location: Location, policy: Policy) -> SourceResidency:
    """Return the verdict for one source at ``location`` under ``policy``'s storage rule."""
    pii = 0
    cpni = 0
    for table in source.tables:
        for column in table.columns:
            if column.detections:
                pii += 1
                cpni += 1 if column.cpni else 0
    holds = _holds(pii, cpni)
    allowed = ", ".join(policy.allowed_countries) or "no country"
    incomplete = source.status is not Status.OK
    country = location.country

    if source.status is Status.FAILED:
        # A source that was never read is not known to be anything: not compliant,
        # wherever it is stored, since whether it holds PII (and where the data
        # really is) was never established.
        where = location.label if country is not None else f"location unknown ({location.detail})"
        return SourceResidency(
            source.name,
            location,
            StorageVerdict.UNVERIFIED,
            f"the source could not be read, so what it holds is unknown; {where}",
            pii,
            cpni,
            settle="fix the source's error and scan it again",
        )
    if country is None:
        if pii == 0 and not incomplete:
            return SourceResidency(
                source.name,
                location,
                StorageVerdict.COMPLIANT,
                f"location unknown, but the source holds no PII or CPNI ({location.detail})",
                pii,
                cpni,
            )
        what = holds if pii else "may hold PII (the scan did not complete)"
        return SourceResidency(
            source.name,
            location,
            StorageVerdict.UNVERIFIED,
            f"location unknown: {location.detail}; the source {what}",
            pii,
            cpni,
            settle=location.settle,
        )
    where = f"{location.label}, location {location.how.value}"
    if policy.allows_country(country):
        return SourceResidency(
            source.name, location, StorageVerdict.COMPLIANT, f"stored in {where}", pii, cpni
        )
    if pii:
        return SourceResidency(
            source.name,
            location,
            StorageVerdict.VIOLATION,
            f"{holds} stored in {where}, outside {allowed}",
            pii,
            cpni,
        )
    if incomplete:
        return SourceResidency(
            source.name,
            location,
            StorageVerdict.UNVERIFIED,
            f"stored in {where}, outside {allowed}; the scan did not complete, so whether "
            "it holds PII is unknown",
            pii,
            cpni,
            settle="fix the source's error and scan it again",
        )
    return SourceResidency(
        source.name,
        location,
        StorageVerdict.COMPLIANT,
        f"stored in {where}, outside {allowed}, but holds no PII or CPNI",
        pii,
        cpni,
    )


def _holds(pii: int, cpni: int) -> str:
    if not pii:
        return "holds no PII or CPNI"
    text = f"holds PII ({pii} column{'s' if pii != 1 else ''}"
    if cpni:
        text += f", {cpni} of them CPNI"
    return text + ")"
