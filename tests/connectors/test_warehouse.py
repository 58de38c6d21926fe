"""Warehouse push-down: the SQL each flavor sends, per dialect (no warehouse needed)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import sqlglot
from sqlalchemy.dialects import mssql, oracle, postgresql
from sqlglot import exp

from connectors.sql.flavors import Flavor
from connectors.sql.warehouse import (
    WAREHOUSES,
    WarehouseFlavor,
    flavor_for,
    sample_sql,
    session_statements,
)

TABLE = sa.table("cust omers", sa.column("email"), sa.column('we"ird'), schema="crm")
SELECT = sa.select(TABLE.c.email, TABLE.c['we"ird']).select_from(TABLE)
DIALECTS = {"snowflake": postgresql.dialect(), "bigquery": postgresql.dialect(),
            "mssql": mssql.dialect(), "oracle": oracle.dialect(),
            "redshift": postgresql.dialect()}

EXPECTED = {
    "snowflake": 'SELECT crm."cust omers".email, crm."cust omers"."we""ird" FROM '
                 'crm."cust omers" TABLESAMPLE SYSTEM (1.5) SEED (7) LIMIT 400',
    "bigquery": 'SELECT crm.`cust omers`.email, crm.`cust omers`.`we"ird` FROM '
                "crm.`cust omers` TABLESAMPLE SYSTEM (1.5 PERCENT) LIMIT 400",
    "mssql": 'SELECT TOP 400 crm.[cust omers].email, crm.[cust omers].[we"ird] FROM '
             "crm.[cust omers] TABLESAMPLE SYSTEM (1.5 PERCENT) REPEATABLE (7)",
    "oracle": 'SELECT crm."cust omers".email, crm."cust omers"."we""ird" FROM '
              'crm."cust omers" SAMPLE (1.5) SEED (7) FETCH FIRST 400 ROWS ONLY',
    "redshift": 'SELECT crm."cust omers".email, crm."cust omers"."we""ird" FROM '
                'crm."cust omers" WHERE RANDOM() < 0.015 LIMIT 400',
}


@pytest.mark.parametrize("warehouse", sorted(WAREHOUSES))
def test_sample_sql_per_dialect(warehouse: str) -> None:
    flavor = WarehouseFlavor(warehouse)
    text = flavor.sample_statement(SELECT, DIALECTS[warehouse], 1.5, 7, 400).text
    assert text == EXPECTED[warehouse]
    # It parses back in the warehouse's dialect, naming the same table and columns.
    tree = sqlglot.parse_one(text, read=WAREHOUSES[warehouse].dialect)
    assert tree.find(exp.Table).name == "cust omers"
    assert [c.name for c in tree.expressions] == ["email", 'we"ird']


def test_percent_is_bounded_and_a_non_select_is_refused() -> None:
    assert "(100 PERCENT)" in sample_sql("SELECT a FROM t", "bigquery", 250.0, 1, 10)
    with pytest.raises(ValueError):
        sample_sql("DELETE FROM t", "snowflake", 1.0, 1, 10)


@pytest.mark.parametrize(
    ("warehouse", "statements"),
    [
        ("snowflake", ["ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = 30",
                       "ALTER SESSION SET QUERY_TAG = 'piiscan'"]),
        ("mssql", ["SET LOCK_TIMEOUT 30000", "SET TRANSACTION ISOLATION LEVEL READ COMMITTED"]),
        ("oracle", ["ALTER SESSION SET DDL_LOCK_TIMEOUT = 30"]),
        ("redshift", ["SET statement_timeout TO 30000"]),
        ("bigquery", []),
    ],
)
def test_session_statements(warehouse: str, statements: list[str]) -> None:
    assert session_statements(warehouse, 30.0) == statements


def test_flavors_say_whether_they_are_read_only() -> None:
    for name in ("snowflake", "bigquery", "mssql", "redshift"):
        flavor = flavor_for(name)
        assert isinstance(flavor, WarehouseFlavor) and flavor.read_only_note
    assert WarehouseFlavor("oracle").read_only_note == ""
    assert not isinstance(flavor_for("postgresql"), WarehouseFlavor)
    assert isinstance(flavor_for("postgresql"), Flavor)
