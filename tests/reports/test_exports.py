"""Exports (`piiscan export --to fides|dbt`): validated by fideslang, dbt structure, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from reports_sample import sample_result
from support import run_cli

from reports.exports import exporter_names, get_exporter
from reports.exports.dbt import model_name
from scanner.model import ColumnRef, ColumnVerdict, Detection, ScanResult, SourceResult, TableResult
from scanner.policy import Policy, PolicyError

fideslang = pytest.importorskip("fideslang", reason="the test extra installs fideslang")
from fideslang import DEFAULT_TAXONOMY  # noqa: E402
from fideslang.models import Dataset  # noqa: E402

FIDES_KEYS = {c.fides_key for c in DEFAULT_TAXONOMY.data_category}


def _nested_result() -> ScanResult:
    def verdict(column: str, pos: int, entity: str, conf: float, cpni: bool = False,
                categories: tuple[str, ...] = ("customer_provided",)) -> ColumnVerdict:
        ref = ColumnRef("exports/orders.jsonl", "orders.jsonl", column, pos, "string")
        det = Detection(entity, entity.lower(), conf, 9, 10, ("shape 9/10",), ("u***@x.org",))
        return ColumnVerdict(ref, (det,), categories, cpni)

    table = TableResult("orders.jsonl", (
        verdict("customer.email", 0, "EMAIL_ADDRESS", 0.95),
        verdict("customer.phone", 1, "PHONE_NUMBER", 0.4),
        ColumnVerdict(ColumnRef("exports/orders.jsonl", "orders.jsonl", "total", 2), ()),
        verdict("call_seconds", 3, "CALL_DETAIL", 0.9, True, ("collected_automatically", "cpni")),
    ), 10, 10)
    return ScanResult((SourceResult("exports/orders.jsonl", "jsonl", (table,)),), "", "", 0.0)


def _fields(field: dict) -> list[dict]:
    out = [field]
    for sub in field.get("fields") or []:
        out.extend(_fields(sub))
    return out


def test_targets_are_registered() -> None:
    assert {"fides", "dbt"} <= set(exporter_names())


def test_bundled_policy_maps_every_entity_to_a_real_fideslang_category() -> None:
    policy = Policy.load()
    mapped = dict(policy.fides)
    from scanner.model import ENTITY_TYPES

    assert set(mapped) == set(ENTITY_TYPES)
    for keys in mapped.values():
        assert set(keys) <= FIDES_KEYS
    assert policy.fides_categories("EMAIL_ADDRESS") == ("user.contact.email",)
    assert policy.fides_categories("BANK_ACCOUNT") == ("user.financial.bank_account",)
    assert policy.fides_categories("IP_ADDRESS") == ("user.device.ip_address",)


def test_fides_manifest_validates_with_fideslang() -> None:
    text = get_exporter("fides").export(sample_result(), Policy.load())
    doc = yaml.safe_load(text)
    datasets = [Dataset.model_validate(d) for d in doc["dataset"]]
    assert datasets
    keys = [d.fides_key for d in datasets]
    assert len(keys) == len(set(keys))
    by_field = {}
    for d in doc["dataset"]:
        for coll in d["collections"]:
            for field in coll["fields"]:
                for f in _fields(field):
                    if "data_categories" in f:
                        by_field[(d["name"], coll["name"], f["name"])] = f["data_categories"]
                        assert set(f["data_categories"]) <= FIDES_KEYS
    assert by_field[("examples/data/customers.sqlite", "customers", "email")] == \
        ["user.contact.email"]
    # The RDS password never appears; the URL was already redacted in the result.
    assert "password" not in text.lower()


def test_fides_nests_dotted_columns_and_honours_min_confidence() -> None:
    exporter = get_exporter("fides")
    doc = yaml.safe_load(exporter.export(_nested_result(), Policy.load()))
    Dataset.model_validate(doc["dataset"][0])
    fields = doc["dataset"][0]["collections"][0]["fields"]
    customer = next(f for f in fields if f["name"] == "customer")
    assert [f["name"] for f in customer["fields"]] == ["email", "phone"]
    assert "total" not in [f["name"] for f in fields]
    high = yaml.safe_load(exporter.export(_nested_result(), Policy.load(), min_confidence=0.5))
    customer = next(f for f in high["dataset"][0]["collections"][0]["fields"]
                    if f["name"] == "customer")
    assert [f["name"] for f in customer["fields"]] == ["email"]
    assert "u***@x.org" not in exporter.export(_nested_result(), Policy.load())


def test_dbt_patch_has_meta_and_tags_per_column() -> None:
    doc = yaml.safe_load(get_exporter("dbt").export(_nested_result(), Policy.load()))
    assert doc["version"] == 2
    (model,) = doc["models"]
    assert model["name"] == "orders"
    cols = {c["name"]: c for c in model["columns"]}
    assert set(cols) == {"customer.email", "customer.phone", "call_seconds"}
    email = cols["customer.email"]
    assert email["meta"]["piiscan"] == {"entities": ["EMAIL_ADDRESS"],
                                        "categories": ["customer_provided"], "cpni": False,
                                        "confidence": 0.95, "sensitivity": "high"}
    assert email["tags"] == ["pii", "pii:email_address", "policy:customer_provided"]
    call = cols["call_seconds"]
    assert call["meta"]["piiscan"]["cpni"] is True
    assert call["meta"]["piiscan"]["sensitivity"] == "critical"
    assert "cpni" in call["tags"] and "policy:cpni" in call["tags"]


def test_dbt_models_merge_across_sources() -> None:
    doc = yaml.safe_load(get_exporter("dbt").export(sample_result(), Policy.load()))
    names = [m["name"] for m in doc["models"]]
    assert names == sorted(set(names))
    for m in doc["models"]:
        for c in m["columns"]:
            assert c["tags"][0] == "pii" and c["meta"]["piiscan"]["entities"]


@pytest.mark.parametrize(("table", "model"), [
    ("customers", "customers"), ("billing.csv", "billing"), ("Master.csv.gz", "Master"),
    ("exports/2024/orders.jsonl", "orders"), ("events.parquet", "events"),
])
def test_dbt_model_names(table: str, model: str) -> None:
    assert model_name(table) == model


def test_policy_rejects_bad_fides_categories(tmp_path: Path) -> None:
    base = (Path(__file__).resolve().parents[2] / "scanner/policy/data/policy.yaml").read_text()
    head = base.split("fides_categories:")[0]
    bad = tmp_path / "p.yaml"
    bad.write_text(head + "fides_categories:\n  EMAIL_ADRESS: user.contact.email\n")
    with pytest.raises(PolicyError, match=r"line \d+: .*EMAIL_ADRESS.*did you mean EMAIL_ADDRESS"):
        Policy.load(bad)
    bad.write_text(head + "fides_categories:\n  EMAIL_ADDRESS: 'User Contact'\n")
    with pytest.raises(PolicyError, match="not a fideslang data category key"):
        Policy.load(bad)
    bad.write_text(head)
    assert Policy.load(bad).fides_categories("EMAIL_ADDRESS") == ("user",)
    bad.write_text(head + "fides_categories:\n  IP_ADDRESS: [user.device.ip_address, user]\n")
    assert Policy.load(bad).fides_categories("IP_ADDRESS") == ("user.device.ip_address", "user")


def test_export_cli(tmp_path: Path) -> None:
    saved = tmp_path / "result.json"
    saved.write_text(json.dumps(sample_result().to_dict()))
    out = tmp_path / "report.fides.yml"
    run = run_cli("export", "--to", "fides", str(saved), "-o", str(out))
    assert run.code == 0, run.stderr
    for d in yaml.safe_load(out.read_text())["dataset"]:
        Dataset.model_validate(d)
    run = run_cli("export", "--to", "dbt", str(saved))
    assert run.code == 0 and yaml.safe_load(run.stdout)["version"] == 2
    bad = run_cli("export", "--to", "datahubx", str(saved))
    assert bad.code == 2 and "unknown export target" in bad.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    bad = run_cli("export", "--to", "fides", str(broken))
    assert bad.code == 2 and "invalid JSON" in bad.stderr


#: RFC 6902 "add" operations, as OpenMetadata's PATCH endpoints take them.
JSON_PATCH_ADD = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["op", "path", "value"],
        "properties": {
            "op": {"const": "add"},
            "path": {"type": "string", "pattern": r"^/columns/\d+/tags/-$"},
            "value": {
                "type": "object",
                "required": ["tagFQN", "source", "labelType", "state"],
                "properties": {"source": {"const": "Classification"},
                               "labelType": {"const": "Automated"},
                               "state": {"const": "Suggested"}},
            },
        },
    },
}


def test_openmetadata_patches_tag_flagged_columns() -> None:
    import jsonschema

    policy = Policy.load()
    doc = json.loads(get_exporter("openmetadata").export(_nested_result(), policy))
    assert doc["classification"]["name"] == "PiiscanPolicy"
    assert {t["name"] for t in doc["tags"]} == {c.id for c in policy.categories}
    (table,) = doc["tables"]
    assert table["table"] == "orders.jsonl"
    jsonschema.validate(table["patch"], JSON_PATCH_ADD)
    tags = {}
    for op in table["patch"]:
        tags.setdefault(int(op["path"].split("/")[2]), []).append(op["value"]["tagFQN"])
    assert tags[0] == ["PII.Sensitive", "PiiscanPolicy.customer_provided"]  # email: high
    assert tags[3][0] == "PII.Sensitive" and "PiiscanPolicy.cpni" in tags[3]  # CPNI: critical
    assert 2 not in tags  # nothing found, nothing tagged
    tag_names = {f"PiiscanPolicy.{t['name']}" for t in doc["tags"]} | {"PII.Sensitive",
                                                                        "PII.NonSensitive"}
    assert {fqn for fqns in tags.values() for fqn in fqns} <= tag_names


def test_datahub_proposals_validate_with_datahub_classes() -> None:
    pytest.importorskip("datahub", reason="acryl-datahub is an optional test dependency")
    from datahub.emitter.mcp import MetadataChangeProposalWrapper
    from datahub.metadata.schema_classes import (
        EditableSchemaMetadataClass,
        GlossaryTermInfoClass,
    )

    text = get_exporter("datahub").export(sample_result(), Policy.load())
    objs = json.loads(text)
    wrappers = [MetadataChangeProposalWrapper.from_obj(o) for o in objs]
    for w in wrappers:
        assert w.validate(), w.entityUrn
    terms = [w for w in wrappers if isinstance(w.aspect, GlossaryTermInfoClass)]
    schemas = [w for w in wrappers if isinstance(w.aspect, EditableSchemaMetadataClass)]
    assert terms and schemas
    assert "urn:li:glossaryTerm:piiscan.EMAIL_ADDRESS" in {t.entityUrn for t in terms}
    by_field = {(w.entityUrn, f.fieldPath): f for w in schemas
                for f in w.aspect.editableSchemaFieldInfo}
    urns = {u for u, _ in by_field}
    assert "urn:li:dataset:(urn:li:dataPlatform:postgres,crm.public.accounts,PROD)" in urns
    assert "urn:li:dataset:(urn:li:dataPlatform:file,examples/data/cdr/Master.csv,PROD)" in urns
    email = next(f for (u, p), f in by_field.items() if p == "email")
    assert [t.urn for t in email.glossaryTerms.terms] == [
        "urn:li:glossaryTerm:piiscan.EMAIL_ADDRESS"]
    assert "urn:li:tag:pii" in [t.tag for t in email.globalTags.tags]
    assert "password" not in text.lower() and "J*** S****" not in text  # no evidence
