"""The real CDR samples in ../shared/corpus/cdr, read in place.

Recognition: each file gets the right format and every labelled field comes
out as a column. End to end: the scan flags every labelled column with its
label (or an ``also`` label) and leaves NONE columns unflagged.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from support import CORPUS as SHARED_CORPUS

from connectors.base import ConnectorOptions, ReadPlan
from connectors.registry import open_source

CORPUS = SHARED_CORPUS / "cdr"

FILES = [
    ("asterisk_cdr_custom", "Master.csv", "asterisk-cdr-custom"),
    ("cisco_cucm_cdr_cmr", "cdr_example_cucm14.txt", "cisco-cucm-cdr"),
    ("cisco_cucm_cdr_cmr", "cmr_example_cucm14.txt", "cisco-cucm-cmr"),
]

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason="the shared corpus (../shared/corpus) is not present beside this checkout")


def labels(folder: str, name: str) -> dict[str, Any]:
    doc = json.loads((CORPUS / folder / "labels.json").read_text())
    return doc["files"][name]


@pytest.mark.parametrize(("folder", "name", "fmt"), FILES)
def test_corpus_file_recognised_with_every_labelled_field(folder: str, name: str, fmt: str) -> None:
    spec = labels(folder, name)
    source = open_source(str(CORPUS / folder / name), ConnectorOptions())
    table = next(source.tables())
    assert table.format == fmt
    assert table.is_call_record is True
    data = pa.Table.from_batches(list(table.batches(ReadPlan(sample_size=None))))
    expected = [c["name"] for c in sorted(spec["columns"], key=lambda c: c["index"])]
    assert data.column_names == expected
    assert data.num_rows == spec["records"]
    assert table.warnings == []


def test_cucm_ip_fields_decoded_from_signed_integers() -> None:
    source = open_source(
        str(CORPUS / "cisco_cucm_cdr_cmr" / "cdr_example_cucm14.txt"), ConnectorOptions()
    )
    data = pa.Table.from_batches(list(next(source.tables()).batches(ReadPlan())))
    # The labels' note: 239138826 -> 10.248.64.14; origIpv4v6Addr carries the same text.
    assert data.column("origIpAddr").to_pylist() == data.column("origIpv4v6Addr").to_pylist()
    assert data.schema.field("dateTimeOrigination").type == pa.timestamp("s")


# --- end to end, through the engine --------------------------------------------

@lru_cache(maxsize=1)
def _scan_results() -> dict[tuple[str, str], set[str]]:
    from scanner.core.config import ScanConfig
    from scanner.core.engine import scan

    specs = [str(CORPUS / folder / name) for folder, name, _ in FILES]
    result = scan(specs, ScanConfig(ner=False))
    found: dict[tuple[str, str], set[str]] = {}
    for source, _table, column, entity in result.flatten():
        found.setdefault((Path(source).name, column), set()).add(entity)
    return found


def _cases() -> list[Any]:
    cases = []
    for folder, name, _ in FILES:
        if not CORPUS.is_dir():
            break
        for col in labels(folder, name)["columns"]:
            cases.append(pytest.param(name, col, id=f"{name}:{col['name']}"))
    return cases


@pytest.mark.slow
@pytest.mark.parametrize(("name", "col"), _cases())
def test_scan_flags_labelled_columns(name: str, col: dict[str, Any]) -> None:
    found = _scan_results().get((name, col["name"]), set())
    accepted = {col["label"], *col.get("also", [])}
    if col["label"] == "NONE" or ("NONE" in accepted and not found):
        assert found <= accepted - {"NONE"}, f"{col['name']} flagged {sorted(found)}"
    else:
        assert found & accepted, (
            f"{col['name']} flagged {sorted(found)}, want one of {sorted(accepted)}"
        )
