"""Schema changes before any data exists: DDL in the styles migration tools write.

The fixtures are written by hand after the tools' own output: Alembic's
offline SQL (``alembic upgrade head --sql``), Flyway's versioned scripts,
``pg_dump --schema-only`` and ``mysqldump --no-data``, plus SQLite.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from db_fixtures import pg_database, pg_exec
from support import ROOT, run_cli

from scanner.core.ddl import guess_dialect, parse_text, scan_ddl, split_statements
from scanner.core.identity import url_identity
from scanner.policy import Policy
from scanner.workflows.baseline import Baseline

ALEMBIC = """\
BEGIN;

CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL, 
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

-- Running upgrade  -> 1975ea83b712

CREATE TABLE account (
    id SERIAL NOT NULL, 
    email VARCHAR(255) NOT NULL, 
    description VARCHAR(200), 
    created_at TIMESTAMP WITHOUT TIME ZONE DEFAULT now() NOT NULL, 
    PRIMARY KEY (id), 
    UNIQUE (email)
);

INSERT INTO alembic_version (version_num) VALUES ('1975ea83b712') RETURNING alembic_version.version_num;

-- Running upgrade 1975ea83b712 -> ae1027a6acf

ALTER TABLE account ADD COLUMN date_of_birth DATE;

ALTER TABLE account ADD COLUMN last_login_ip INET;

UPDATE alembic_version SET version_num='ae1027a6acf' WHERE alembic_version.version_num = '1975ea83b712';

COMMIT;
"""  # noqa: W291, E501 - Alembic writes "NOT NULL, " with a trailing space, and long lines

FLYWAY_V1 = """\
-- V1__init.sql: the first schema
CREATE TABLE customer (
    id          BIGSERIAL PRIMARY KEY,
    full_name   VARCHAR(200) NOT NULL,
    phone       VARCHAR(32),
    is_active   BOOLEAN NOT NULL DEFAULT TRUE,
    notes       TEXT DEFAULT 'none; yet'  -- a literal with a semicolon
);

CREATE INDEX customer_name_idx ON customer (full_name);
"""

FLYWAY_V2 = """\
-- V2__add_payment_details.sql
ALTER TABLE customer
    ADD COLUMN ssn CHAR(11);

ALTER TABLE customer ADD COLUMN card_number VARCHAR(19),
                     ADD COLUMN card_expiry CHAR(5);
"""

PG_DUMP = """\
--
-- PostgreSQL database dump
--

\\restrict 8fJq2Zk1

-- Dumped from database version 16.4 (Debian 16.4-1.pgdg120+1)
-- Dumped by pg_dump version 16.4 (Debian 16.4-1.pgdg120+1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: touch_modified(); Type: FUNCTION; Schema: public; Owner: app
--

CREATE FUNCTION public.touch_modified() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.modified := now(); -- CREATE TABLE decoy (ssn text);
    RETURN NEW;
END;
$$;


ALTER FUNCTION public.touch_modified() OWNER TO app;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: subscribers; Type: TABLE; Schema: public; Owner: app
--

CREATE TABLE public.subscribers (
    id integer NOT NULL,
    "Email" text,
    msisdn character varying(20),
    birth_date date,
    device_mac macaddr,
    rate_plan text DEFAULT 'basic'::text,
    modified timestamp with time zone DEFAULT now() NOT NULL
);


ALTER TABLE public.subscribers OWNER TO app;

--
-- Name: TABLE subscribers; Type: COMMENT; Schema: public; Owner: app
--

COMMENT ON TABLE public.subscribers IS 'Mobile subscribers; don''t drop';


--
-- Name: subscribers_id_seq; Type: SEQUENCE; Schema: public; Owner: app
--

CREATE SEQUENCE public.subscribers_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER SEQUENCE public.subscribers_id_seq OWNED BY public.subscribers.id;

ALTER TABLE ONLY public.subscribers ALTER COLUMN id SET DEFAULT nextval('public.subscribers_id_seq'::regclass);

ALTER TABLE ONLY public.subscribers
    ADD CONSTRAINT subscribers_pkey PRIMARY KEY (id);

COPY public.subscribers (id, "Email", msisdn) FROM stdin;
1	jane@example.com	+14155550123
\\.

--
-- PostgreSQL database dump complete
--

\\unrestrict 8fJq2Zk1
"""  # noqa: E501 - pg_dump's lines as it writes them

MYSQLDUMP = """\
-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: localhost    Database: shop
-- ------------------------------------------------------
-- Server version	8.0.36

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;
/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;
/*!50503 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;

--
-- Table structure for table `payments`
--

DROP TABLE IF EXISTS `payments`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!50503 SET character_set_client = utf8mb4 */;
CREATE TABLE `payments` (
  `id` int NOT NULL AUTO_INCREMENT,
  `amount` decimal(10,2) NOT NULL DEFAULT '0.00',
  `card_number` varchar(19) COLLATE utf8mb4_unicode_ci DEFAULT NULL COMMENT 'PAN; to be tokenised',
  `billing_email` varchar(255) DEFAULT NULL,
  `paid_at` datetime DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (`id`),
  KEY `idx_paid_at` (`paid_at`)
) ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `payments_bi` BEFORE INSERT ON `payments` FOR EACH ROW BEGIN
  SET NEW.paid_at = NOW();
END */;;
DELIMITER ;
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;

/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
-- Dump completed on 2024-05-01 12:00:00
"""  # noqa: E501 - mysqldump's lines as it writes them

SQLITE = """\
CREATE TABLE IF NOT EXISTS "cdr" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "calling_party" TEXT,
  "called_party" TEXT,
  "start_stamp" TEXT,
  "billsec" INTEGER
);
ALTER TABLE cdr ADD COLUMN client_ip TEXT;
"""


def _flat(text: str, name: str = "f.sql", dialect: str = "auto") -> list[tuple[str, str, int]]:
    cols, problems, _ = parse_text(text, name, dialect)
    assert problems == []
    return [(c.table, c.column, c.line) for c in cols]


def _line_has(text: str, line: int, word: str) -> bool:
    return word.lower() in text.splitlines()[line - 1].lower()


def _findings(tmp_path: Path, files: dict[str, str], **kw: str
              ) -> list[tuple[str, str, int, tuple[str, ...]]]:
    paths = []
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        paths.append(tmp_path / name)
    scanned = scan_ddl(paths, Policy.load(None), **kw)
    assert scanned.problems == ()
    out = []
    for table in scanned.result.sources[0].tables:
        for col in table.columns:
            if col.detections:
                loc = scanned.locations[str(col.ref)]
                out.append((str(col.ref), Path(loc.file).name, loc.line, col.entities))
    return sorted(out)


# --- Parsing each style ----------------------------------------------------------------------


def test_alembic_offline_sql() -> None:
    cols = _flat(ALEMBIC)
    assert [(t, c) for t, c, _ in cols] == [
        ("alembic_version", "version_num"),
        ("account", "id"), ("account", "email"), ("account", "description"),
        ("account", "created_at"),
        ("account", "date_of_birth"), ("account", "last_login_ip"),
    ]
    for _, column, line in cols:
        assert _line_has(ALEMBIC, line, column), (column, line)


def test_alembic_findings(tmp_path: Path) -> None:
    assert _findings(tmp_path, {"upgrade.sql": ALEMBIC}) == [
        ("ddl/public.account/date_of_birth", "upgrade.sql", 23, ("DATE_OF_BIRTH",)),
        ("ddl/public.account/email", "upgrade.sql", 12, ("EMAIL_ADDRESS",)),
        ("ddl/public.account/last_login_ip", "upgrade.sql", 25, ("IP_ADDRESS",)),
    ]


def test_flyway_versioned_scripts(tmp_path: Path) -> None:
    found = _findings(tmp_path, {"V1__init.sql": FLYWAY_V1,
                                 "V2__add_payment_details.sql": FLYWAY_V2})
    assert found == [
        ("ddl/public.customer/card_number", "V2__add_payment_details.sql", 5, ("CREDIT_CARD",)),
        ("ddl/public.customer/full_name", "V1__init.sql", 4, ("PERSON_NAME",)),
        ("ddl/public.customer/phone", "V1__init.sql", 5, ("PHONE_NUMBER",)),
        ("ddl/public.customer/ssn", "V2__add_payment_details.sql", 3, ("US_SSN",)),
    ]
    # A boolean flag and the semicolon inside a literal do not confuse anything.
    assert [c for _, c, _ in _flat(FLYWAY_V1)] == ["id", "full_name", "phone", "is_active",
                                                    "notes"]


def test_pg_dump_schema() -> None:
    cols = _flat(PG_DUMP)
    assert [c for _, c, _ in cols] == ["id", "Email", "msisdn", "birth_date", "device_mac",
                                       "rate_plan", "modified"]
    for _, column, line in cols:
        assert _line_has(PG_DUMP, line, column), (column, line)
    # The function body (with a CREATE TABLE in a comment) adds no table.
    assert {t for t, _, _ in cols} == {"subscribers"}


def test_pg_dump_findings(tmp_path: Path) -> None:
    found = {(ident, entities) for ident, _, _, entities in
             _findings(tmp_path, {"schema.sql": PG_DUMP})}
    assert found == {
        ("ddl/public.subscribers/Email", ("EMAIL_ADDRESS",)),
        ("ddl/public.subscribers/msisdn", ("PHONE_NUMBER",)),
        ("ddl/public.subscribers/birth_date", ("DATE_OF_BIRTH",)),
        ("ddl/public.subscribers/device_mac", ("MAC_ADDRESS",)),
        # A plan in a table of subscribers is the type of services a customer has.
        ("ddl/public.subscribers/rate_plan", ("SERVICE_PLAN",)),
    }


def test_mysqldump_schema(tmp_path: Path) -> None:
    assert guess_dialect(MYSQLDUMP) == "mysql"
    cols = _flat(MYSQLDUMP)
    assert [c for _, c, _ in cols] == ["id", "amount", "card_number", "billing_email", "paid_at"]
    for _, column, line in cols:
        assert _line_has(MYSQLDUMP, line, f"`{column}`")
    assert _findings(tmp_path, {"shop.sql": MYSQLDUMP}) == [
        ("ddl/payments/billing_email", "shop.sql", 29, ("EMAIL_ADDRESS",)),
        ("ddl/payments/card_number", "shop.sql", 28, ("CREDIT_CARD",)),
    ]


def test_sqlite_call_records_are_cpni(tmp_path: Path) -> None:
    assert guess_dialect(SQLITE) == "sqlite"
    (tmp_path / "cdr.sql").write_text(SQLITE)
    scanned = scan_ddl([tmp_path / "cdr.sql"], Policy.load(None))
    table = scanned.result.sources[0].tables[0]
    assert table.is_call_record
    flagged = {c.ref.column: (c.entities, c.cpni) for c in table.columns if c.detections}
    assert flagged["called_party"] == (("CALL_DETAIL",), True)
    assert flagged["client_ip"] == (("IP_ADDRESS",), False)
    assert str(table.columns[0].ref) == "ddl/cdr/id"  # SQLite: no schema


def test_declared_types_decide() -> None:
    text = ("CREATE TABLE t (dob date, dob_verified boolean, origin_ip inet, router cidr, "
            "nic macaddr8, last_login_ip inet);")
    cols, _, _ = parse_text(text, "t.sql", "postgres")
    from scanner.core.ddl import classify_column

    got = {c.column: tuple(x.verdict.entity for x in classify_column(c.column, c.data_type,
                                                                       c.kind))
           for c in cols}
    assert got == {"dob": ("DATE_OF_BIRTH",), "dob_verified": (), "origin_ip": ("IP_ADDRESS",),
                   "router": ("IP_ADDRESS",), "nic": ("MAC_ADDRESS",),
                   "last_login_ip": ("IP_ADDRESS",)}


def test_postgres_folds_unquoted_names_and_mysql_keeps_them() -> None:
    pg, _, _ = parse_text('CREATE TABLE Public.Users (Email text, "SSN" text);', "a", "postgres")
    assert [(c.schema, c.table, c.column) for c in pg] == [("public", "users", "email"),
                                                          ("public", "users", "SSN")]
    my, _, _ = parse_text("CREATE TABLE Users (Email text);", "a", "mysql")
    assert [(c.table, c.column) for c in my] == [("Users", "Email")]


def test_splitter_keeps_lines_and_blanks_literals() -> None:
    text = "SELECT 'a;b';\n-- x; y\n/* c;\n d */ CREATE TABLE t (\n  ssn text\n);\n"
    stmts = split_statements(text, "postgres")
    assert [s.line for s in stmts] == [1, 4]
    assert "a;b" not in stmts[0].text
    assert _flat(text) == [("t", "ssn", 5)]


def test_copy_data_and_literals_never_reach_output(tmp_path: Path) -> None:
    (tmp_path / "dump.sql").write_text(PG_DUMP)
    out = run_cli("ddl", str(tmp_path / "dump.sql"), "--format", "json", "--all")
    assert out.code == 0, out.stderr
    for secret in ("jane@example.com", "+14155550123", "basic", "don''t", "8fJq2Zk1"):
        assert secret not in out.stdout + out.stderr


def test_unparseable_add_column_is_incomplete(tmp_path: Path) -> None:
    bad = tmp_path / "V3__broken.sql"
    bad.write_text("-- broken\nALTER TABLE customer ADD COLUMN ssn CHAR(11) NOT NULL GARBAGE;\n")
    out = run_cli("ddl", str(bad))
    assert out.code == 3
    assert f"{bad}:2: error: statement could not be parsed" in out.stdout
    assert "Traceback" not in out.stderr
    cut = tmp_path / "V4__cut.sql"
    cut.write_text("CREATE TABLE t (\n  id int,\n  ssn text\n")  # no closing parenthesis
    cut_out = run_cli("ddl", str(cut))
    assert cut_out.code == 3
    assert f"{cut}:1: error: statement could not be parsed (ParseError)" in cut_out.stdout
    base = tmp_path / "b.json"
    base.write_text(Baseline().to_json())
    checked = run_cli("check", "--ddl", "-b", str(base), str(bad))
    assert checked.code == 3, checked.stdout + checked.stderr
    assert "INCOMPLETE" in checked.stdout


def test_ctas_is_a_warning_not_a_pass_in_silence(tmp_path: Path) -> None:
    f = tmp_path / "V4.sql"
    f.write_text("CREATE TABLE archive AS SELECT * FROM customer;\n")
    out = run_cli("ddl", str(f))
    assert out.code == 0
    assert f"{f}:1: warning: CREATE TABLE without a column list" in out.stdout


def test_ddl_cli_table_and_json(tmp_path: Path) -> None:
    (tmp_path / "V2.sql").write_text(FLYWAY_V2)
    table = run_cli("ddl", str(tmp_path / "V2.sql"))
    assert table.code == 0
    assert f"{tmp_path / 'V2.sql'}:3: public.customer.ssn CHAR(11): US_SSN (high)" in \
        table.stdout
    as_json = run_cli("ddl", str(tmp_path / "V2.sql"), "--format", "json")
    rows = [(r["column"], r["line"], r["entities"]) for r in as_json.json()["columns"]]
    assert rows == [("ssn", 3, ["US_SSN"]), ("card_number", 5, ["CREDIT_CARD"])]
    missing = run_cli("ddl", str(tmp_path / "none.sql"))
    assert missing.code == 2
    assert missing.stderr.strip().startswith(f"piiscan: error: {tmp_path / 'none.sql'}: ")


# --- The gate on migrations ------------------------------------------------------------------


@pytest.fixture
def migrations(tmp_path: Path) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "V1__init.sql").write_text(FLYWAY_V1)
    return folder


def test_check_ddl_fails_on_unapproved_ssn_and_card_number(migrations: Path) -> None:
    base = migrations.parent / ".piiscan-baseline.json"
    v1 = migrations / "V1__init.sql"
    made = run_cli("baseline", "create", "--ddl", str(v1), "-o", str(base))
    assert made.code == 0, made.stderr
    assert sorted(json.loads(base.read_text())["approved"]) == [
        "ddl/public.customer/full_name", "ddl/public.customer/phone"]
    assert run_cli("check", "--ddl", "-b", str(base), str(v1)).code == 0

    v2 = migrations / "V2__add_payment_details.sql"
    v2.write_text(FLYWAY_V2)
    out = run_cli("check", "--ddl", "-b", str(base), str(v1), str(v2))
    assert out.code == 1, out.stdout + out.stderr
    assert f"{v2}:3: ddl/public.customer/ssn: new PII column (US_SSN)" in out.stdout
    assert f"{v2}:5: ddl/public.customer/card_number: new PII column (CREDIT_CARD)" in out.stdout

    # Only the changed file, as pre-commit passes it, fails as well.
    assert run_cli("check", "--ddl", "-b", str(base), str(v2)).code == 1

    sarif = run_cli("check", "--ddl", "-b", str(base), str(v2), "--format", "sarif")
    located = sorted(
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
         r["locations"][0]["physicalLocation"]["region"]["startLine"], r["baselineState"])
        for r in json.loads(sarif.stdout)["runs"][0]["results"])
    assert [(Path(u).name, line, s) for u, line, s in located] == [
        ("V2__add_payment_details.sql", 3, "new"), ("V2__add_payment_details.sql", 5, "new")]

    for column, entity in (("ssn", "US_SSN"), ("card_number", "CREDIT_CARD")):
        ok = run_cli("baseline", "approve", "-b", str(base), f"ddl/public.customer/{column}",
                     "-e", entity, "--reason", "payments service, ticket PAY-7")
        assert ok.code == 0
    assert run_cli("check", "--ddl", "-b", str(base), str(v1), str(v2)).code == 0


def test_ddl_identity_can_be_the_database_url(migrations: Path) -> None:
    base = migrations.parent / "b.json"
    url = "postgresql://app@db.internal:5432/app"
    made = run_cli("baseline", "create", "--ddl", "--ddl-source", url,
                   str(migrations / "V1__init.sql"), "-o", str(base))
    assert made.code == 0
    # The identity a scan of that database gives: no user, host or port.
    assert "postgresql:///app/public.customer/full_name" in json.loads(base.read_text())[
        "approved"]
    mysql_style = run_cli("ddl", "--ddl-schema", "shop", "--format", "json",
                          str(migrations / "V1__init.sql"))
    assert {r["identity"] for r in mysql_style.json()["columns"]} == {
        "ddl/shop.customer/full_name", "ddl/shop.customer/phone"}


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from pg_database()


@pytest.mark.db
def test_a_database_baseline_approves_the_migrations_that_built_it(
        pg_url: str, migrations: Path) -> None:
    """With --ddl-source set to the database URL, DDL and data share column identities."""
    pg_exec(pg_url, FLYWAY_V1.split("CREATE INDEX")[0])
    base = migrations.parent / "b.json"
    made = run_cli("baseline", "create", pg_url, "--no-ner", "-q", "-o", str(base))
    assert made.code == 0, made.stderr
    v2 = migrations / "V2__add_payment_details.sql"
    v2.write_text(FLYWAY_V2)
    out = run_cli("check", "--ddl", "--ddl-source", pg_url, "-b", str(base), "--format", "json",
                  str(migrations / "V1__init.sql"), str(v2))
    assert out.code == 1, out.stdout + out.stderr
    db = url_identity(pg_url)  # the database's identity: no user, host or port
    assert sorted((f["identity"], f["entity"]) for f in out.json()["findings"]) == [
        (f"{db}/public.customer/card_number", "CREDIT_CARD"),
        (f"{db}/public.customer/ssn", "US_SSN"),
    ]
    assert {a["identity"] for a in out.json()["approved"]} == {
        f"{db}/public.customer/full_name", f"{db}/public.customer/phone"}


# --- Shipped examples ------------------------------------------------------------------------


def test_pre_commit_hook_definition_runs(migrations: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "piiscan-ddl")
    assert re.search(hook["files"], "db/migrations/V2__add.sql")
    assert not re.search(hook["files"], "src/app.py")
    entry = hook["entry"].split()
    assert entry[:3] == ["piiscan", "check", "--ddl"]
    base = migrations.parent / ".piiscan-baseline.json"
    assert run_cli("baseline", "create", "--ddl", str(migrations / "V1__init.sql"),
                   "-o", str(base)).code == 0
    v2 = migrations / "V2__add_payment_details.sql"
    v2.write_text(FLYWAY_V2)
    # pre-commit runs: entry + args + the staged file names, from the repository root.
    argv = [*entry[1:], *hook.get("args", []), "V2__add_payment_details.sql"]
    assert run_cli(*argv, cwd=migrations.parent / "migrations").code == 2  # no baseline here
    (migrations / ".piiscan-baseline.json").write_text(base.read_text())
    out = run_cli(*argv, cwd=migrations)
    assert out.code == 1, out.stdout + out.stderr
    assert "V2__add_payment_details.sql:3: ddl/public.customer/ssn" in out.stdout


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_ci_examples_are_yaml_that_run_the_gate(name: str) -> None:
    text = (ROOT / "examples" / "ci" / name).read_text()
    doc = yaml.safe_load(text)
    assert isinstance(doc, dict)
    assert "piiscan check" in text and "--baseline" in text and "--ddl" in text
