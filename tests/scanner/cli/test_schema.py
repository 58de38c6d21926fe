"""`piiscan schema KIND`: JSON Schema for editors, from the models that validate the files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from support import ROOT, run_cli

from scanner.cli import main
from scanner.core.config_file import ConfigFileError, parse_config_file
from scanner.workflows.baseline import Approval, Baseline

LAYOUT = """\
name: site-smdr
skip_lines: 1
record_pattern: '^\\d\\d/\\d\\d '
fields:
  - {name: date, start: 1, width: 5, type: timestamp, format: '%m/%d'}
  - {name: duration, start: 7, end: 14, type: hms}
  - {name: dialled_number, start: 16, width: 18, type: phone}
"""


def _schema(kind: str) -> dict:
    out = CliRunner().invoke(main, ["schema", kind])
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def _errors(kind: str, doc: object) -> list[str]:
    validator = jsonschema.Draft202012Validator(_schema(kind))
    return [e.message for e in validator.iter_errors(doc)]


def test_every_kind_is_a_valid_json_schema() -> None:
    for kind in ("config", "policy", "detectors", "layout", "baseline"):
        schema = _schema(kind)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["additionalProperties"] is False  # typos are flagged by the editor


@pytest.mark.parametrize(("kind", "text"), [
    ("config", (ROOT / "examples" / "scan.yaml").read_text()),
    ("policy", (ROOT / "scanner" / "policy" / "data" / "policy.yaml").read_text()),
    ("detectors", (ROOT / "examples" / "detectors" / "company.yaml").read_text()),
    ("layout", LAYOUT),
    ("baseline", Baseline().approve("crm/public.customers/ssn", ["US_SSN"],
                                    Approval("KYC", None)).to_json()),
])
def test_the_files_piiscan_reads_pass_their_schema(kind: str, text: str) -> None:
    assert _errors(kind, yaml.safe_load(text)) == []


@pytest.mark.parametrize(("text", "words"), [
    ("sources:\n  - path: a.csv\n    locaton: US\n", "did you mean 'location'"),
    ("sample_size: 0\nsources: [a.csv]\n", "positive integer"),
    ("sources: []\n", "non-empty list"),
    ("sources:\n  - path: a.csv\n    options: {jobs: many}\n", "positive number"),
])
def test_the_schema_and_the_loader_refuse_the_same_mistakes(text: str, words: str) -> None:
    assert _errors("config", yaml.safe_load(text))
    with pytest.raises(ConfigFileError, match=words):
        parse_config_file(text, "piiscan.yaml")


def test_schema_written_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "piiscan-config.schema.json"
    run = run_cli("schema", "config", "-o", str(out))
    assert run.code == 0, run.stderr
    assert "sources" in json.loads(out.read_text())["required"]
    assert run_cli("schema", "nonsense").code == 2
