"""The language model: loaded only for columns worth reading, one pass per table."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scanner.core.config import ScanConfig
from scanner.core.engine import scan

_FIRST = ["Margit", "Oluwaseun", "Tobias", "Ingrid", "Rafael", "Keiko", "Declan", "Amara"]
_LAST = ["Haugland", "Adeyemi", "Kessler", "Lindqvist", "Moreno", "Tanaka", "Byrne", "Okafor"]
_TOWNS = ["Bergen", "Lagos", "Hamburg", "Uppsala", "Valencia", "Osaka", "Galway", "Enugu"]


def _notes(n: int, seed: int) -> list[str]:
    out = []
    for i in range(n):
        a, b, c = (i + seed) % 8, (i // 8 + seed) % 8, (i // 3 + seed) % 8
        out.append(f"Spoke with {_FIRST[a]} {_LAST[b]} about the late invoice; she flies "
                   f"to {_TOWNS[c]} on Friday and pays then")
    return out


def _model_available() -> bool:
    from detectors.language import LanguageModelUnavailable, analyzer

    try:
        analyzer()
    except LanguageModelUnavailable:
        return False
    return True


def test_one_pass_over_several_columns_counts_each_as_alone() -> None:
    if not _model_available():
        pytest.skip("the spaCy model is not installed")
    from detectors.language import recognise, recognise_each

    samples = [
        _notes(40, 1),
        ["pending", "shipped", "Lorem ipsum dolor sit amet consectetur"] * 5,
        [f"router {i} rebooted after firmware update" for i in range(30)],
        [],
        _notes(25, 4),
    ]
    together = recognise_each(samples)
    assert together == [recognise(s) for s in samples]
    assert together[0].person > 0 and together[0].sampled == 40
    assert together[3].sampled == 0


def test_names_in_two_note_columns_of_one_table(tmp_path: Path) -> None:
    if not _model_available():
        pytest.skip("the spaCy model is not installed")
    path = tmp_path / "tickets.parquet"
    pq.write_table(pa.table({"agent_note": _notes(60, 2), "customer_note": _notes(60, 5),
                             "status": ["open", "closed", "pending"] * 20}), path)
    table = scan([str(path)], ScanConfig()).sources[0].tables[0]
    cols = {c.ref.column: c for c in table.columns}
    assert "PERSON_NAME" in cols["agent_note"].entities
    assert "PERSON_NAME" in cols["customer_note"].entities
    assert not cols["status"].entities


def _loads_model(tmp_path: Path, csv_text: str) -> bool:
    path = tmp_path / "small.csv"
    path.write_text(csv_text)
    code = textwrap.dedent(f"""
        import sys
        from scanner.core.engine import scan
        scan([{str(path)!r}])
        print("spacy" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[3])
    return out.stdout.strip().endswith("True")


def test_a_small_file_of_codes_and_names_never_loads_the_model(tmp_path: Path) -> None:
    rows = ["first_name,status,order_ref"]
    for i in range(10):
        rows.append(f"{_FIRST[i % 8]},{['open', 'closed', 'pending'][i % 3]},ORD-{4100 + i}")
    assert not _loads_model(tmp_path, "\n".join(rows) + "\n")


def test_free_text_starts_the_model(tmp_path: Path) -> None:
    if not _model_available():
        pytest.skip("the spaCy model is not installed")
    rows = ["id,note"] + [f"{i},{n}" for i, n in enumerate(_notes(30, 3))]
    assert _loads_model(tmp_path, "\n".join(rows) + "\n")


def test_addresses_inside_free_text_are_found_once(tmp_path: Path) -> None:
    notes = [f"Customer asked for a callback, wrote from tomasz.{i}@kowalczyk-mail.pl, "
             f"case {7000 + i} pending review by the billing team today" for i in range(40)]
    notes += [f"Router at 198.51.100.{i} rebooted twice, firmware checked, no fault found "
              "on the line, closing" for i in range(40)]
    path = tmp_path / "cases.parquet"
    pq.write_table(pa.table({"remarks": notes}), path)
    (col,) = scan([str(path)], ScanConfig(ner=False)).sources[0].tables[0].columns
    found = {d.entity: d for d in col.detections}
    assert set(found) == {"EMAIL_ADDRESS", "IP_ADDRESS"}
    assert all(d.scope == "embedded" and d.matched == 40 for d in found.values())
    assert all(d.detector.startswith("embedded_") for d in found.values())
