"""The shipped policy, loaded without its validation model, is the validated policy."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from scanner.policy import Policy, PolicyError
from scanner.policy.rules import DEFAULT_SOURCE, _build_plain, bundled_json, bundled_text


def test_bundled_policy_is_the_validated_policy() -> None:
    validated = Policy.parse(bundled_text(), DEFAULT_SOURCE)
    loaded = Policy.load(None)
    assert loaded == validated
    assert loaded.to_dict() == validated.to_dict()
    assert loaded.source == "<default policy>" and loaded.allowed_countries == ("US",)


def test_bundled_json_is_the_yaml() -> None:
    """A scan reads policy.json: it must say what policy.yaml, the file people edit, says."""
    from importlib import resources

    shipped = resources.files("scanner.policy").joinpath("data/policy.json").read_text("utf-8")
    assert shipped == bundled_json(), "policy.yaml changed: run `make policy-json`"


def test_plain_build_applies_the_models_defaults() -> None:
    # What a policy may leave out: the plain build fills it in as the model does.
    text = ("categories:\n  - id: contact\n    quote: ' We keep\n      your e-mail. '\n"
            "    entities: [EMAIL_ADDRESS]\nstorage:\n  allowed_countries: [' us', CA]\n")
    validated = Policy.parse(text, "mine.yaml")
    assert _build_plain(yaml.safe_load(text), "mine.yaml") == validated
    assert dataclasses.astuple(validated.categories[0])[1:4] == (
        "contact", "We keep your e-mail.", "medium")


def test_a_policy_file_is_still_validated(tmp_path) -> None:  # noqa: ANN001
    bad = tmp_path / "policy.yaml"
    bad.write_text(bundled_text().replace("sensitivity: high", "sensitivity: extreme", 1))
    with pytest.raises(PolicyError, match="extreme"):
        Policy.load(bad)
