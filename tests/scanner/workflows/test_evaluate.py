"""Scoring a scan against labels.json: what counts as a hit, a miss and a false positive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.core.config import ScanConfig
from scanner.workflows.evaluate import EvalError, evaluate, failing

EMAILS = ["ana.lima@example.org", "b.okafor@example.net", "chen.wei@example.com",
          "dora.k@example.org", "e.muller@example.net", "farah.h@example.com"]
IPS = ["192.0.2.10", "198.51.100.7", "203.0.113.99", "192.0.2.200", "198.51.100.31",
       "203.0.113.4"]
WORDS = ["open", "closed", "pending", "open", "closed", "pending"]


def _corpus(root: Path, *, ip_label: str = "IP_ADDRESS") -> Path:
    folder = root / "set"
    folder.mkdir(parents=True)
    rows = ["contact,status,addr"] + [f"{e},{w},{i}" for e, w, i in zip(EMAILS, WORDS, IPS,
                                                                           strict=True)]
    (folder / "with_header.csv").write_text("\n".join(rows) + "\n")
    # No header: the labels name the fields; they are paired by position.
    (folder / "no_header.csv").write_text("\n".join(f"{w};{e}" for w, e in
                                                     zip(WORDS, EMAILS, strict=True)) + "\n")
    labels = {"files": {
        "with_header.csv": {"has_header": True, "columns": [
            {"index": 0, "name": "contact", "label": "EMAIL_ADDRESS"},
            {"index": 1, "name": "status", "label": "NONE"},
            {"index": 2, "name": "addr", "label": ip_label},
        ]},
        "no_header.csv": {"has_header": False, "columns": [
            {"index": 0, "name": "state word", "label": "NONE"},
            {"index": 1, "name": "mail box", "label": "EMAIL_ADDRESS"},
        ]},
    }}
    (folder / "labels.json").write_text(json.dumps(labels))
    return folder


def test_every_labelled_column_found_scores_one(tmp_path: Path) -> None:
    ev = evaluate([str(_corpus(tmp_path))], ScanConfig(ner=False))
    assert (ev.files, ev.columns) == (2, 5)
    assert ev.per_type["EMAIL_ADDRESS"].tp == 2
    assert ev.per_type["IP_ADDRESS"].tp == 1
    assert (ev.overall.precision, ev.overall.recall, ev.overall.f1) == (1.0, 1.0, 1.0)
    assert ev.mistakes == []


def test_wrong_type_is_a_false_positive_and_a_miss(tmp_path: Path) -> None:
    ev = evaluate([str(_corpus(tmp_path, ip_label="MAC_ADDRESS"))], ScanConfig(ner=False))
    assert (ev.per_type["IP_ADDRESS"].fp, ev.per_type["MAC_ADDRESS"].fn) == (1, 1)
    assert ev.overall.tp == 2
    assert ev.overall.precision == pytest.approx(2 / 3)
    assert ev.overall.recall == pytest.approx(2 / 3)
    [mistake] = ev.mistakes
    assert (mistake.column, mistake.kind, mistake.found) == ("addr", "wrong type",
                                                             ("IP_ADDRESS",))
    assert failing(ev, min_f1=0.9, min_precision=None)
    assert failing(ev, min_f1=0.6, min_precision=0.6) == []


def test_flagging_a_none_column_is_a_false_positive(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    doc = json.loads((folder / "labels.json").read_text())
    doc["files"]["with_header.csv"]["columns"][0]["label"] = "NONE"
    (folder / "labels.json").write_text(json.dumps(doc))
    ev = evaluate([str(folder)], ScanConfig(ner=False))
    assert ev.per_type["EMAIL_ADDRESS"].fp == 1
    assert [m.kind for m in ev.mistakes] == ["false positive"]


def test_also_accepts_another_answer_and_none(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    doc = json.loads((folder / "labels.json").read_text())
    cols = doc["files"]["with_header.csv"]["columns"]
    cols[2].update(label="GEO_LOCATION", also=["IP_ADDRESS"])
    cols[1].update(label="ACCOUNT_ID", also=["NONE"])  # nothing found there: accepted
    (folder / "labels.json").write_text(json.dumps(doc))
    ev = evaluate([str(folder)], ScanConfig(ner=False))
    assert ev.mistakes == []
    assert ev.per_type["GEO_LOCATION"].tp == 1
    assert ev.per_type["ACCOUNT_ID"].support == 0


def test_missing_file_counts_its_labels_as_misses(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    (folder / "no_header.csv").unlink()
    ev = evaluate([str(folder)], ScanConfig(ner=False))
    assert ev.per_type["EMAIL_ADDRESS"].fn == 1
    assert ev.unreadable == ["no_header.csv"]


def test_bad_corpus_is_one_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(EvalError, match="no labels.json"):
        evaluate([str(tmp_path)])
    (tmp_path / "labels.json").write_text("{not json")
    with pytest.raises(EvalError, match=r"labels\.json: not a labels file"):
        evaluate([str(tmp_path)])


def test_min_confidence_leaves_name_only_findings_out(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "t.csv").write_text("contact,card_number\n" + "".join(f"{e},\n" for e in EMAILS))
    (folder / "labels.json").write_text(json.dumps({"files": {"t.csv": {"columns": [
        {"index": 0, "name": "contact", "label": "EMAIL_ADDRESS"},
        {"index": 1, "name": "card_number", "label": "NONE", "note": "empty in every row"}]}}}))
    every = evaluate([str(folder)], ScanConfig(ner=False))
    assert every.per_type["CREDIT_CARD"].fp == 1  # judged from the name alone
    confident = evaluate([str(folder)], ScanConfig(ner=False), min_confidence=0.5)
    assert confident.mistakes == []
    assert confident.overall.tp == 1
