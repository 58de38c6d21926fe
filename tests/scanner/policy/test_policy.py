"""The policy as data: the shipped policy's mapping, and errors that name the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.model import ENTITY_TYPES
from scanner.policy import CPNI_CATEGORY, Policy, PolicyError

DEFAULT = Policy.load(None)


def test_default_policy_categories_follow_the_privacy_policy() -> None:
    assert [c.id for c in DEFAULT.categories] == [
        "customer_provided",
        "collected_automatically",
        "other_sources",
        "cpni",
        "location",
        "cookies",
    ]
    assert DEFAULT.allowed_countries == ("US",)
    assert DEFAULT.storage_quote == "All data is stored in the United States."
    for cat in DEFAULT.categories:
        assert cat.quote, f"{cat.id} must quote the policy"
        assert cat.sensitivity in {"low", "medium", "high", "critical"}


def test_every_entity_type_has_a_category() -> None:
    covered = {e for c in DEFAULT.categories for e in c.entities}
    assert covered == set(ENTITY_TYPES)


@pytest.mark.parametrize(
    ("entities", "cpni", "expected"),
    [
        (["CREDIT_CARD"], False, ("customer_provided",)),
        (["PHONE_NUMBER"], False, ("customer_provided",)),
        (["IP_ADDRESS", "USER_AGENT"], False, ("collected_automatically",)),
        (["CREDIT_HISTORY"], False, ("other_sources",)),
        (["GEO_LOCATION"], False, ("location",)),
        # Calling details are CPNI only where the engine says so (in a call record).
        (["CALL_DETAIL"], True, ("collected_automatically", "cpni")),
        (["CALL_DETAIL"], False, ("collected_automatically",)),
        (["SERVICE_PLAN"], True, ("cpni",)),
        (
            ["PHONE_NUMBER", "CALL_DETAIL"],
            True,
            ("customer_provided", "collected_automatically", "cpni"),
        ),
        ([], False, ()),
    ],
)
def test_categories_for(entities: list[str], cpni: bool, expected: tuple[str, ...]) -> None:
    assert DEFAULT.categories_for(entities, cpni) == expected


def test_cpni_entities_and_the_not_cpni_sentence() -> None:
    assert DEFAULT.cpni_entities() == {"CALL_DETAIL", "SERVICE_PLAN", "SERVICE_USAGE"}
    assert DEFAULT.not_cpni_entities() == {"PHONE_NUMBER", "PERSON_NAME", "POSTAL_ADDRESS"}
    assert "not considered CPNI" in DEFAULT.category(CPNI_CATEGORY).not_cpni_quote


def test_sensitivity_is_the_highest_of_the_categories() -> None:
    assert DEFAULT.sensitivity(["collected_automatically", "cpni"]) == "critical"
    assert DEFAULT.sensitivity(["collected_automatically"]) == "medium"
    assert DEFAULT.sensitivity([]) is None


def test_round_trip_through_a_saved_report() -> None:
    again = Policy.from_dict(DEFAULT.to_dict())
    assert again == DEFAULT


def test_another_company_policy_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(
        "name: ACME\n"
        "storage: {allowed_countries: [US, CA], quote: 'Data stays in North America.'}\n"
        "categories:\n"
        "  - id: contact\n"
        "    quote: We keep your email.\n"
        "    sensitivity: low\n"
        "    entities: [EMAIL_ADDRESS]\n",
        "utf-8",
    )
    policy = Policy.load(path)
    assert policy.name == "ACME"
    assert policy.allows_country("ca")
    assert policy.categories_for(["EMAIL_ADDRESS", "CREDIT_CARD"], False) == ("contact",)
    assert policy.cpni_entities() == frozenset()


GOOD_CATEGORY = "  - id: contact\n    quote: q\n    entities: [EMAIL_ADDRESS]\n"

BAD_POLICIES = [
    # (text, expected line, words the message must contain)
    ("name: x\ncategories:\n  - id: a\n    quote: q\n    entities: [EMAIL_ADRESS]\n", 5,
     ["unknown entity type 'EMAIL_ADRESS'", "did you mean EMAIL_ADDRESS"]),
    ("categories:\n" + GOOD_CATEGORY + "  - id: b\n    quote: q\n    sensitivity: extreme\n", 7,
     ["sensitivity 'extreme'", "low, medium, high, critical"]),
    ("categories:\n" + GOOD_CATEGORY + GOOD_CATEGORY, 5, ["duplicate category id 'contact'"]),
    ("categories:\n  - id: a\n    entities: [EMAIL_ADDRESS]\n", 2, ["needs a 'quote'"]),
    ("categories:\n" + GOOD_CATEGORY + "storage:\n  allowed_countries: [USA]\n", 6,
     ["'USA' is not a two-letter country code"]),
    ("categoris:\n" + GOOD_CATEGORY, 1, ["unknown key 'categoris'", "did you mean 'categories'"]),
    ("name: a\nname: b\ncategories:\n" + GOOD_CATEGORY, 2, ["duplicate key 'name'"]),
    ("categories:\n  - id: a\n    quote: [unclosed\n", 4, []),
    ("categories:\n  - id: Bad Id\n    quote: q\n", 2, ["needs an 'id'"]),
    ("categories: []\n", 1, ["non-empty list"]),
    ("categories:\n" + GOOD_CATEGORY + "    not_cpni: [PHONE_NUMBER]\n", 5,
     ["'not_cpni' belongs to the 'cpni' category"]),
    ("- just\n- a list\n", 1, ["expected a mapping"]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "words"), BAD_POLICIES)
def test_malformed_policy_names_the_line(text: str, line: int, words: list[str]) -> None:
    with pytest.raises(PolicyError) as info:
        Policy.parse(text, "bad.yaml")
    message = str(info.value)
    assert message.startswith(f"bad.yaml: line {line}:"), message
    for w in words:
        assert w in message


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"nope\.yaml: cannot read"):
        Policy.load(tmp_path / "nope.yaml")
