"""Item 2: a driver's message is untrusted; it never brings a value to a log or error line.

PostgreSQL's driver quotes the value it cannot load (``date too small ...
'0950-07-04 BC'``); with ``--debug`` the traceback used to print it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest
from db_fixtures import pg_database, pg_exec
from support import run_cli

from scanner.cli.common import _OneLine
from scanner.redact import scrub_message


@pytest.mark.parametrize(("raw", "hidden"), [
    ("(psycopg.DataError) date too small (before year 1): '0950-07-04 BC'", "0950-07-04"),
    ('invalid input syntax for type integer: "536-22-8726"', "536-22-8726"),
    ("Incorrect string value: '\\xF0\\x9F' for column 'zelda.q@example.org'", "zelda"),
    ("value too long for 4556737586899855 in row", "4556737586899855"),
    ("duplicate key\nDETAIL:  Key (ssn)=(536-22-8726) already exists.", "536-22-8726"),
    ("could not connect to postgresql://u:Pw9x@h/db?password=Q7x", "Pw9x"),
])
def test_scrub_hides_quoted_literals_and_digit_runs(raw: str, hidden: str) -> None:
    shown = scrub_message(raw)
    assert hidden not in shown
    assert "\n" not in shown
    assert shown  # the kind of problem is still said


def test_scrub_keeps_the_kind_of_problem() -> None:
    assert scrub_message("Can't connect to MySQL server on '10.0.0.7' (111)") == \
        "Can't connect to MySQL server on '…' (111)"


@pytest.fixture(scope="module")
def bc_dates() -> Iterator[str]:
    for url in pg_database():
        pg_exec(url, "CREATE TABLE people (id int, born date, email text)",
                "INSERT INTO people VALUES (1, '0950-07-04 BC', 'zelda@example.org'),"
                " (2, '1971-08-14', 'quill@example.org')")
        yield url


@pytest.mark.db
def test_debug_traceback_does_not_print_the_value_a_driver_quotes(bc_dates: str) -> None:
    out = run_cli("scan", bc_dates, "--no-store", "--no-ner", "-q", "--debug")
    assert "Traceback" in out.stderr or out.code == 0  # frames are still shown
    for value in ("0950-07-04", "1971-08-14", "zelda@example.org", "quill@example.org"):
        assert value not in out.stderr + out.stdout


def test_debug_log_scrubs_every_exception_in_a_chain() -> None:
    formatter = _OneLine(debug=True)
    # Built at run time: the traceback shows this source line, never the joined values.
    ssn, card, name = "536-22-" + "8726", "4556737586" + "899855", "Zelda" + " Q"
    try:
        try:
            raise ValueError(f"bad value '{ssn}'\nDETAIL: Failing row contains ({name})")
        except ValueError as inner:
            raise RuntimeError(f"wrapped {card}") from inner
    except RuntimeError:
        record = logging.LogRecord("t", logging.DEBUG, __file__, 1, "failure %s", ("x",),
                                   sys.exc_info())
    text = formatter.format(record)
    assert "Traceback" in text and "RuntimeError" in text and "ValueError" in text
    for value in (ssn, card, name):
        assert value not in text
