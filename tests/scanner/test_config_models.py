"""Every configuration file's errors name the file and the line, whatever file it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.base import SourceError
from connectors.cdr.fixed_width import load_layout
from detectors.custom import CustomDetectorError
from detectors.custom import load as load_detectors
from scanner.policy import Policy, PolicyError

GOOD_CATEGORY = ("  - id: contact\n    quote: q\n    sensitivity: high\n"
                 "    entities: [EMAIL_ADDRESS]\n")


@pytest.mark.parametrize(("text", "line", "words"), [
    ("recognizers:\n  - name: badge\n    supported_entity: ACCOUNT_ID\n    contxt: [badge]\n",
     4, "unknown key 'contxt' (did you mean 'context'?)"),
    ("recognizers:\n  - name: a\n    supported_entity: ACCOUNT_ID\n    patterns: [{regex: x}]\n"
     "  - name: b\n    supported_entity: US_SNN\n    patterns: [{regex: y}]\n",
     6, "recognizer #2: supported_entity"),
    ("recognizers:\n  - name: a\n    supported_entity: ACCOUNT_ID\n    patterns:\n"
     "      - regex: 'EMP-(['\n", 5, "not valid RE2"),
])
def test_custom_detector_errors_name_the_line(tmp_path: Path, text: str, line: int,
                                              words: str) -> None:
    path = tmp_path / "detectors.yaml"
    path.write_text(text)
    with pytest.raises(CustomDetectorError) as info:
        load_detectors(path)
    assert str(info.value).startswith(f"{path}: line {line}: "), str(info.value)
    assert words in str(info.value)


def test_a_presidio_recognizer_file_loads_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "presidio.yaml"
    path.write_text("recognizers:\n  - name: badge\n    supported_language: en\n"
                    "    supported_entity: ACCOUNT_ID\n"
                    "    patterns:\n      - {name: badge, regex: 'EMP-[0-9]{6}', score: 0.6}\n")
    (detector,) = load_detectors(path)
    assert detector.entity == "ACCOUNT_ID"


@pytest.mark.parametrize(("text", "line", "words"), [
    ("fields:\n  - {name: a, start: 1, width: 4}\n  - {name: a, start: 5, width: 2}\n",
     3, "field 2 repeats a name"),
    ("fields:\n  - name: a\n    start: 1\n    width: 4\n    type: bogus\n",
     5, "field 1 has an unknown `type`"),
    ("skip_lines: -1\nfields:\n  - {name: a, start: 1, width: 4}\n", 1, "non-negative"),
    ("fields:\n  - {name: a, start: 5, end: 2}\n", 2, "ends before it starts"),
])
def test_layout_errors_name_the_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = tmp_path / "layout.yaml"
    path.write_text(text)
    with pytest.raises(SourceError) as info:
        load_layout(str(path))
    assert str(info.value).startswith(f"{path}: line {line}: invalid CDR layout ("), info.value
    assert words in str(info.value)


def test_next_steps_come_from_the_policy_with_a_default_by_sensitivity() -> None:
    policy = Policy.parse("categories:\n" + GOOD_CATEGORY
                          + "  - id: usage\n    quote: q\n    sensitivity: medium\n"
                          + "    entities: [IP_ADDRESS]\n"
                          + "next_steps:\n  usage: delete\n", "p.yaml")
    assert policy.next_step(["usage"]) == "delete"
    assert policy.next_step(["contact"]) == "mask"  # high sensitivity, not listed
    assert policy.next_step(["contact"], misplaced=True) == "move"
    assert policy.next_step([]) is None
    again = Policy.from_dict(policy.to_dict())
    assert again.next_step(["usage"]) == "delete"


@pytest.mark.parametrize(("tail", "line", "words"), [
    ("next_steps:\n  contct: mask\n", 7, "unknown category 'contct' (did you mean 'contact'?)"),
    ("next_steps:\n  contact: shred\n", 7, "'shred' is not one of approve, move, mask, delete"),
])
def test_next_steps_errors_name_the_line(tail: str, line: int, words: str) -> None:
    with pytest.raises(PolicyError) as info:
        Policy.parse("categories:\n" + GOOD_CATEGORY + tail, "p.yaml")
    assert str(info.value).startswith(f"p.yaml: line {line}: "), str(info.value)
    assert words in str(info.value)
