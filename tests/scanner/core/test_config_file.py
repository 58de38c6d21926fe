"""The scan configuration file: sources, declared locations, options; errors name the line."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from support import ROOT

from connectors.base import ConnectorOptions
from scanner.core.config import ScanConfig
from scanner.core.config_file import (
    CONNECTOR_OPTIONS,
    ConfigFileError,
    load_config_file,
    merge_results,
    parse_config_file,
)
from scanner.model import ScanResult, SourceResult

EXAMPLE = ROOT / "examples" / "scan.yaml"


def test_option_table_matches_connector_options() -> None:
    fields = {f.name: f.default for f in dataclasses.fields(ConnectorOptions)}
    assert CONNECTOR_OPTIONS == fields


def test_paths_resolve_against_the_file_and_urls_expand_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIISCAN_TEST_PW", "s3cr/t")
    conf = tmp_path / "conf"
    conf.mkdir()
    path = conf / "scan.yaml"
    path.write_text(
        "version: 1\n"
        "default_location: US\n"
        "sources:\n"
        "  - path: data/customers.db\n"
        "    location: us-east-1\n"
        "  - data/logs\n"
        "  - url: postgresql://scanner:${PIISCAN_TEST_PW}@crm.abc.eu-west-1.rds.amazonaws.com/crm\n"
        "    options: {include: [public.*], query_timeout: 10}\n",
        "utf-8",
    )
    f = load_config_file(path)
    assert f.specs() == [
        str(conf / "data/customers.db"),
        str(conf / "data/logs"),
        "postgresql://scanner:s3cr%2Ft@crm.abc.eu-west-1.rds.amazonaws.com/crm",
    ]
    assert f.default_location == "US"
    assert f.sources[0].line == 4 and f.sources[2].line == 7
    # Scanned sources map back to their entries: exact file, a file under a folder, a URL
    # whose password the engine redacted.
    assert f.declared_location(str(conf / "data/customers.db")) == "us-east-1"
    assert f.entry_for(str(conf / "data/logs/access.log")) is f.sources[1]
    rds = "postgresql://scanner:***@crm.abc.eu-west-1.rds.amazonaws.com/crm"
    assert f.entry_for(rds) is f.sources[2]
    assert f.declared_location(rds) is None
    assert f.entry_for(str(conf / "other.csv")) is None


def test_plan_groups_sources_by_options() -> None:
    f = parse_config_file(
        "sample_size: 50\nfull: true\noptions: {jobs: 4}\nsources:\n"
        "  - a.csv\n  - path: b.csv\n    options: {delimiter: ';'}\n  - c.csv\n",
        "s.yaml",
    )
    plan = f.plan(ScanConfig(), keep={"full"})
    assert [specs for specs, _ in plan] == [["a.csv", "c.csv"], ["b.csv"]]
    first, second = plan[0][1], plan[1][1]
    assert first.sample_size == 50 and first.full is False  # --full given on the command line
    assert first.connector.jobs == 4 and first.connector.delimiter is None
    assert second.connector.delimiter == ";" and second.connector.jobs == 4


def test_merge_results() -> None:
    a = ScanResult(
        (SourceResult("a", "csv", ()),), "2026-01-01T00:00:02Z", "2026-01-01T00:00:05Z", 3
    )
    b = ScanResult(
        (SourceResult("b", "csv", ()),), "2026-01-01T00:00:01Z", "2026-01-01T00:00:09Z", 4
    )
    m = merge_results([a, b])
    assert [s.name for s in m.sources] == ["a", "b"]
    assert (m.started_at, m.finished_at, m.seconds) == (
        "2026-01-01T00:00:01Z",
        "2026-01-01T00:00:09Z",
        7,
    )


BAD = [
    ("sources:\n  - path: a.csv\n    location: mars-1\n", 3, "unknown location 'mars-1'"),
    ("default_location: atlantis\nsources: [a.csv]\n", 1, "unknown location 'atlantis'"),
    ("sources:\n  - path: a.csv\n    locaton: US\n", 3, "did you mean 'location'"),
    ("sources:\n  - path: a.csv\n    url: b://x\n", 2, "exactly one of 'path' or 'url'"),
    ("sources:\n  - url: not-a-url\n", 2, "is not a URL"),
    (
        "sources:\n  - url: pg://u:${PIISCAN_NO_SUCH_VAR}@h/db\n",
        2,
        "PIISCAN_NO_SUCH_VAR is not set",
    ),
    ("sources:\n  - path: a.csv\n    options:\n      jobz: 3\n", 4, "did you mean 'jobs'"),
    ("sources:\n  - path: a.csv\n    options:\n      jobs: many\n", 4, "positive number"),
    ("sources:\n  - path: a.csv\n    options:\n      header: maybe\n", 4, "true or false"),
    ("sources: []\n", 1, "non-empty list"),
    ("version: 2\nsources: [a.csv]\n", 1, "unsupported version 2"),
    ("sample_size: -5\nsources: [a.csv]\n", 1, "positive integer"),
    ("sources:\n  - path: a.csv\n  - [x]\n", 3, "source #2 must be a mapping"),
    ("sources:\n  - path: a.csv\n    location: US\n    location: DE\n", 4, "duplicate key"),
    ("sources:\n  - path: 'a.csv\n", 3, "while scanning a quoted scalar on line 2"),
]


@pytest.mark.parametrize(("text", "line", "words"), BAD)
def test_errors_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ConfigFileError) as info:
        parse_config_file(text, "scan.yaml")
    assert str(info.value).startswith(f"scan.yaml: line {line}: "), str(info.value)
    assert words in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match="cannot read"):
        load_config_file(tmp_path / "nope.yaml")


def test_shipped_example_parses() -> None:
    f = load_config_file(EXAMPLE)
    assert f.default_location
    locations = {s.location for s in f.sources if s.location}
    assert len(locations) >= 2  # the example spans two regions
