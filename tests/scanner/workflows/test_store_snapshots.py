"""``Store.snapshots``: many runs read at once, the same as one ``snapshot`` per run."""

from __future__ import annotations

from pathlib import Path

from test_store import _residency, _result

from scanner.workflows.store import Store, config_identity


def test_snapshots_of_many_runs_equal_one_snapshot_each(tmp_path: Path) -> None:
    ident = config_identity(None, ["crm"])
    with Store.open(str(tmp_path / "results.db")) as store:
        runs = [
            {"email": (("EMAIL_ADDRESS",), False), "plan": (("SERVICE_PLAN",), True)},
            {"email": (("EMAIL_ADDRESS", "PERSON_NAME"), False), "note": ((), False)},
            {},
        ]
        for i, columns in enumerate(runs):
            result = _result(columns, started=f"2026-01-0{i + 1}T00:00:00+00:00")
            store.record(result, ident, _residency(result, "eu-west-1" if i else "US"))
        infos = store.runs()
        many = store.snapshots(infos)
        assert sorted(many) == [1, 2, 3]
        for info in infos:
            assert many[info.id] == store.snapshot(info)
        assert many[2].columns["crm/customers/email"].entities == ("EMAIL_ADDRESS", "PERSON_NAME")
        assert many[1].columns["crm/customers/plan"].cpni is True
        assert many[3].columns == {} and many[3].sources["crm"].verdict == "compliant"
        assert store.snapshots([]) == {}
