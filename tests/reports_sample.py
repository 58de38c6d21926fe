"""A fixed ScanResult for the report tests (golden files) and a large one for speed.

Three sources in different places: a SQLite file declared in us-east-1, an RDS
database whose hostname says eu-west-1, a call-record file and a broken CSV
with no location at all. Evidence is masked as the engine masks it.
"""

from __future__ import annotations

from scanner.core.classify import apply_policy
from scanner.core.config_file import ConfigFile, parse_config_file
from scanner.model import (
    ColumnRef,
    ColumnVerdict,
    Detection,
    ScanResult,
    SourceResult,
    Status,
    TableResult,
)
from scanner.policy import Policy

SQLITE = "examples/data/customers.sqlite"
RDS = "postgresql://scanner@crm.abc123.eu-west-1.rds.amazonaws.com/crm"
CDR = "examples/data/cdr/Master.csv"
BROKEN = "examples/data/broken.csv"

SCAN_YAML = f"""\
version: 1
sources:
  - path: {SQLITE}
    location: us-east-1
  - url: {RDS}
  - path: {CDR}
  - path: {BROKEN}
"""


def det(
    entity: str,
    confidence: float,
    matched: int,
    sampled: int,
    reasons: tuple[str, ...],
    evidence: tuple[str, ...] = (),
    detector: str | None = None,
) -> Detection:
    return Detection(
        entity=entity,
        detector=detector or entity.lower(),
        confidence=confidence,
        matched=matched,
        sampled=sampled,
        reasons=reasons,
        evidence=evidence,
    )


def col(
    source: str,
    table: str,
    name: str,
    position: int,
    data_type: str,
    detections: tuple[Detection, ...] = (),
    *,
    cpni: bool = False,
    schema: str | None = None,
    skipped: str | None = None,
) -> ColumnVerdict:
    ref = ColumnRef(source, table, name, position, data_type, schema)
    return ColumnVerdict(ref=ref, detections=detections, cpni=cpni, skipped=skipped)


def sample_result() -> ScanResult:
    customers = TableResult(
        name="customers",
        rows_scanned=500,
        rows_total=500,
        columns=(
            col(SQLITE, "customers", "id", 0, "INTEGER"),
            col(
                SQLITE,
                "customers",
                "full_name",
                1,
                "TEXT",
                (
                    det(
                        "PERSON_NAME",
                        0.91,
                        188,
                        200,
                        ("presidio PERSON 188/200", "column name `full_name`"),
                        ("J*** S****",),
                    ),
                ),
            ),
            col(
                SQLITE,
                "customers",
                "email",
                2,
                "TEXT",
                (
                    det(
                        "EMAIL_ADDRESS",
                        0.99,
                        500,
                        500,
                        ("valid address 500/500",),
                        ("j***@example.com",),
                    ),
                ),
            ),
            col(
                SQLITE,
                "customers",
                "phone",
                3,
                "TEXT",
                (
                    det(
                        "PHONE_NUMBER",
                        0.97,
                        490,
                        500,
                        ("valid NANP number 490/500",),
                        ("(***) ***-0142",),
                    ),
                ),
            ),
            col(
                SQLITE,
                "customers",
                "card_number",
                4,
                "INTEGER",
                (
                    det(
                        "CREDIT_CARD",
                        0.98,
                        497,
                        500,
                        ("Luhn-valid 497/500", "column name `card_number`"),
                        ("**** **** **** 1111", "**** **** **** 4242"),
                    ),
                ),
            ),
            col(
                SQLITE,
                "customers",
                "dob",
                5,
                "TEXT",
                (det("DATE_OF_BIRTH", 0.85, 500, 500, ("column name `dob`", "dates 1930..2006")),),
            ),
            col(SQLITE, "customers", "photo", 6, "BLOB", skipped="binary data"),
            col(SQLITE, "customers", "created_at", 7, "TEXT"),
        ),
    )
    payments = TableResult(
        name="payments",
        rows_scanned=1200,
        rows_total=1200,
        columns=(
            col(
                SQLITE,
                "payments",
                "iban",
                0,
                "TEXT",
                (
                    det(
                        "BANK_ACCOUNT",
                        0.96,
                        1180,
                        1200,
                        ("IBAN mod-97 valid 1180/1200",),
                        ("DE** **** **** **** **** 00",),
                    ),
                ),
            ),
            col(SQLITE, "payments", "amount", 1, "REAL"),
            # An untrusted column name: markup, a pipe and a formula prefix.
            col(
                SQLITE,
                "payments",
                '=memo<b>|"x"',
                2,
                "TEXT",
                (det("PERSON_NAME", 0.55, 12, 200, ("presidio PERSON 12/200",), ("A*** B****",)),),
            ),
        ),
    )
    sqlite = SourceResult(name=SQLITE, kind="sqlite", tables=(customers, payments))

    accounts = TableResult(
        name="accounts",
        schema="public",
        rows_scanned=10000,
        rows_total=250000,
        columns=(
            col(
                RDS,
                "accounts",
                "account_no",
                0,
                "varchar",
                (
                    det(
                        "ACCOUNT_ID",
                        0.8,
                        10000,
                        10000,
                        ("column name `account_no`", "unique 10000/10000"),
                    ),
                ),
                schema="public",
            ),
            col(
                RDS,
                "accounts",
                "credit_score",
                1,
                "integer",
                (
                    det(
                        "CREDIT_HISTORY",
                        0.75,
                        9950,
                        10000,
                        ("column name `credit_score`", "range 300..850"),
                    ),
                ),
                schema="public",
            ),
            col(
                RDS,
                "accounts",
                "last_login_ip",
                2,
                "inet",
                (
                    det(
                        "IP_ADDRESS",
                        0.99,
                        10000,
                        10000,
                        ("valid IPv4 10000/10000",),
                        ("203.0.113.*",),
                    ),
                ),
                schema="public",
            ),
            col(
                RDS,
                "accounts",
                "plan_code",
                3,
                "varchar",
                (det("SERVICE_PLAN", 0.7, 10000, 10000, ("column name `plan_code`",)),),
                cpni=True,
                schema="public",
            ),
        ),
    )
    audit = TableResult(
        name="audit",
        schema="public",
        columns=(),
        rows_scanned=0,
        rows_total=None,
        status=Status.FAILED,
        error="permission denied for table audit",
    )
    rds = SourceResult(name=RDS, kind="postgresql", tables=(accounts, audit), status=Status.PARTIAL)

    cdr = TableResult(
        name="Master.csv",
        rows_scanned=2000,
        rows_total=2000,
        is_call_record=True,
        format="asterisk-cdr-csv",
        format_reason="18 columns in the Asterisk cdr-csv order",
        warnings=("line 77: 17 fields, expected 18",),
        columns=(
            col(
                CDR,
                "Master.csv",
                "src",
                0,
                "string",
                (
                    det(
                        "CALL_DETAIL",
                        0.95,
                        2000,
                        2000,
                        ("calling number in a call record",),
                        ("***-***-0199",),
                    ),
                    det(
                        "PHONE_NUMBER",
                        0.95,
                        1990,
                        2000,
                        ("valid NANP number 1990/2000",),
                        ("***-***-0199",),
                    ),
                ),
                cpni=True,
            ),
            col(
                CDR,
                "Master.csv",
                "start",
                1,
                "timestamp",
                (det("CALL_DETAIL", 0.9, 2000, 2000, ("call start time in a call record",)),),
                cpni=True,
            ),
            col(
                CDR,
                "Master.csv",
                "billsec",
                2,
                "int64",
                (
                    det("CALL_DETAIL", 0.9, 2000, 2000, ("column name `billsec`",)),
                    det("SERVICE_USAGE", 0.6, 2000, 2000, ("billable seconds",)),
                ),
                cpni=True,
            ),
            col(
                CDR,
                "Master.csv",
                "cell_lat",
                3,
                "double",
                (
                    det(
                        "GEO_LOCATION",
                        0.8,
                        1500,
                        2000,
                        ("latitude range", "column name `cell_lat`"),
                        ("44.1*",),
                    ),
                ),
            ),
            col(CDR, "Master.csv", "channel", 4, "string"),
        ),
    )
    cdr_source = SourceResult(name=CDR, kind="asterisk-cdr", tables=(cdr,))
    broken = SourceResult(
        name=BROKEN,
        kind="csv",
        tables=(),
        status=Status.FAILED,
        error=f"{BROKEN}: binary data, not delimited text",
    )
    # Categories as the engine gives them: from the bundled policy.
    return apply_policy(ScanResult(
        sources=(sqlite, rds, cdr_source, broken),
        started_at="2026-01-02T03:04:05Z",
        finished_at="2026-01-02T03:04:17Z",
        seconds=12.25,
        config={"sample_size": 10000, "full": False},
    ), Policy.load(None))


def sample_config() -> ConfigFile:
    return parse_config_file(SCAN_YAML, "scan.yaml")


def big_result(n_columns: int = 10_000, per_table: int = 50) -> ScanResult:
    """A result with ``n_columns`` columns, half of them flagged, over four sources."""
    entities = ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IP_ADDRESS", "CALL_DETAIL")
    sources = []
    names = [
        "data/big_a.parquet",
        "postgresql://u@big.abc.eu-central-1.rds.amazonaws.com/db",
        "mysql://u@big.example.org/db",
        "s3://big-bucket/x.parquet",
    ]
    made = 0
    for si, sname in enumerate(names):
        tables = []
        ti = 0
        while made < n_columns * (si + 1) // len(names):
            tname = f"t{ti:04d}"
            cols = []
            for ci in range(per_table):
                if made >= n_columns * (si + 1) // len(names):
                    break
                e = entities[made % len(entities)]
                dets = (
                    (det(e, 0.5 + (made % 50) / 100, 90, 100, (f"rule {made % 7}",), ("***",)),)
                    if made % 2 == 0
                    else ()
                )
                cols.append(
                    col(sname, tname, f"c{ci:03d}", ci, "string", dets, cpni=e == "CALL_DETAIL")
                )
                made += 1
            tables.append(
                TableResult(name=tname, columns=tuple(cols), rows_scanned=100, rows_total=100)
            )
            ti += 1
        sources.append(SourceResult(name=sname, kind="bench", tables=tuple(tables)))
    return apply_policy(ScanResult(
        sources=tuple(sources),
        started_at="2026-01-02T03:04:05Z",
        finished_at="2026-01-02T03:05:05Z",
        seconds=60.0,
    ), Policy.load(None))
