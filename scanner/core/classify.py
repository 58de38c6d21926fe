"""From detector claims to column verdicts: conflicts, call-record context, CPNI, categories."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from detectors.base import ColumnFacts, Detector, Tally, Verdict
from detectors.names import tokenize
from scanner.core.records import DETAIL_KINDS, RecordKind, kind_from_names
from scanner.model import ColumnRef, ColumnVerdict, Detection, ScanResult
from scanner.policy import Policy

#: Entities read from the shape of the value itself: two of them on the same
#: values contradict each other (a 16-digit number is a card or an ICCID, not both).
EXCLUSIVE = frozenset({
    "CREDIT_CARD", "BANK_ACCOUNT", "US_SSN", "PHONE_NUMBER", "IP_ADDRESS", "MAC_ADDRESS",
    "DEVICE_ID", "EMAIL_ADDRESS", "GEO_LOCATION", "USER_AGENT", "DATE_OF_BIRTH",
    "NATIONAL_ID", "TAX_ID",
})

# Words naming a party of a call, and the time or length of a call. A customer
# table's `phone` and `birthdate` are neither: a call record needs both kinds.
_PARTY_WORDS = {"caller", "called", "calling", "callee", "source", "destination", "dialed",
                "dialled", "party", "ani", "dnis", "clid", "msisdn"}
_TIME_WORDS = {"start", "end", "answer", "duration", "billable", "stamp", "origination",
               "connect", "disconnect", "seconds", "billsec"}
_CUSTOMER_BOUND = {"SERVICE_PLAN", "SERVICE_USAGE"}
#: Record kinds whose addresses come with a time of use.
_ADDRESS_KINDS = frozenset({"ip_assignment", "subscriber_usage", "network_log"})
_TIED = "an address with its time of use, tied to a subscriber in the same record"
_CUSTOMER_ENTITIES = {"ACCOUNT_ID", "PHONE_NUMBER", "PERSON_NAME", "EMAIL_ADDRESS",
                      "POSTAL_ADDRESS"}
#: Claims that hold only beside something else about a person. A city, state or postal
#: code says where, not who: a registry of ZIP codes, airports or offices names places.
#: Words from the census name lists (Green, Washington) are people's names in a table
#: of customers, not in a table of colours or towns.
_NEEDS_A_PERSON = frozenset({"city", "us_state", "postal_code", "name_lexicon"})
_NOT_ABOUT_ANYONE = frozenset({"GEO_LOCATION", "SERVICE_PLAN", "SERVICE_USAGE"})


@dataclass(frozen=True)
class Claim:
    """A detector's verdict plus what the resolver needs to rank it."""

    verdict: Verdict
    detector: str
    specificity: int
    named: bool


def judge_column(detectors: Iterable[Detector], facts: ColumnFacts,
                 tallies: Mapping[str, Tally] | None = None) -> list[Claim]:
    """Ask each detector for its verdict on one column: its tally, its facts and its name.

    A detector that reads other kinds of values than the column's is not asked
    when the column has values (a card detector has nothing to say of dates);
    over an empty column or a declared one every detector judges the name.
    """
    tallies = tallies or {}
    claims: list[Claim] = []
    for det in detectors:
        if facts.values and facts.kind not in det.kinds:
            continue
        name_ev = det.names.evaluate(facts.name)
        verdict = det.judge(tallies.get(det.name) or Tally(), facts, name_ev)
        if verdict is not None:
            claims.append(Claim(verdict, det.name, det.specificity, name_ev.score >= 0.5))
    return claims


def resolve_column(claims: list[Claim], values: int) -> list[Claim]:
    """Keep the claims that are each justified; drop those contradicted by stronger ones."""
    # One claim per entity: the most confident.
    best: dict[str, Claim] = {}
    for c in claims:
        cur = best.get(c.verdict.entity)
        if cur is None or c.verdict.confidence > cur.verdict.confidence:
            best[c.verdict.entity] = c
    kept = list(best.values())

    def covers(c: Claim) -> bool:
        v = c.verdict
        return v.from_values and not v.in_text and values > 0 and v.matched / values >= 0.5

    if any(covers(c) for c in kept):
        # The values are one thing (user agents, say): what a free-text search
        # finds inside them is part of that thing, not another finding.
        kept = [c for c in kept if not c.verdict.in_text]

    exclusive = [c for c in kept if c.verdict.entity in EXCLUSIVE and covers(c)]
    if len(exclusive) > 1:
        winner = max(exclusive, key=lambda c: (c.named, c.specificity, c.verdict.confidence))
        kept = [c for c in kept if c is winner or c not in exclusive]
    dominant = [c for c in kept if c.verdict.entity in EXCLUSIVE and covers(c)]
    if dominant:
        # A name-only claim of another value type is contradicted by what the values are.
        kept = [c for c in kept if c.verdict.from_values or c.verdict.entity not in EXCLUSIVE]
    return sorted(kept, key=lambda c: (-c.verdict.confidence, c.verdict.entity))


def is_call_record(columns: list[tuple[ColumnRef, list[Claim]]], declared: bool | None) -> bool:
    """Tell whether a table is a call record: a calling or called party, and a time or duration."""
    if declared is not None:
        return declared
    party = timing = False
    for ref, claims in columns:
        entities = {c.verdict.entity for c in claims}
        words = set(tokenize(ref.column))
        if "CALL_DETAIL" in entities or "PHONE_NUMBER" in entities:
            if words & _PARTY_WORDS:
                party = True
            if words & _TIME_WORDS or ("call" in words and words & {"date", "time"}):
                timing = True
    return party and timing


def to_detection(claim: Claim) -> Detection:
    """Turn a kept claim into the Detection the result carries."""
    v = claim.verdict
    return Detection(entity=v.entity, detector=claim.detector, confidence=v.confidence,
                     matched=v.matched, sampled=v.sampled, reasons=v.reasons,
                     evidence=v.evidence, scope="embedded" if v.in_text else "value")


def table_kind(columns: list[tuple[ColumnRef, list[Claim]]], declared_kind: str | None,
               declared_call_record: bool | None) -> RecordKind:
    """Tell what a table's records are: the connector's word, a documented schema, or the columns.

    A documented schema (SIP accounting, RADIUS accounting) outranks the
    party-and-time rule: a ``radacct`` table's ``CallingStationId`` beside its
    session times is not a call.
    """
    by_names = kind_from_names([ref.column for ref, _ in columns])
    if declared_kind is not None:
        schema = by_names.schema if by_names.kind == declared_kind else None
        return RecordKind(declared_kind, "recognised by its connector", schema)
    if declared_call_record is not None:
        return RecordKind("call_detail" if declared_call_record else None)
    if by_names.kind is not None:
        return by_names
    if is_call_record(columns, None):
        return RecordKind("call_detail", "a call party beside a call time or duration")
    return RecordKind(None)


def _schema_detection(entity: str, record: RecordKind, column: str) -> Detection:
    schema = record.schema.name if record.schema else "recognised record"
    return Detection(entity=entity, detector="record_context", confidence=0.6, matched=0,
                     sampled=0, reasons=(f"`{column}` in a {schema} table",))


def finish_table(columns: list[tuple[ColumnRef, list[Claim], str | None]], policy: Policy,
                 declared_call_record: bool | None) -> tuple[list[ColumnVerdict], bool]:
    """Apply the table context (call record, customer link) and the policy to every column."""
    verdicts, record = finish_records(columns, policy, declared_call_record, None)
    return verdicts, record.kind == "call_detail"


def finish_records(columns: list[tuple[ColumnRef, list[Claim], str | None]], policy: Policy,
                   declared_call_record: bool | None, declared_kind: str | None,
                   ) -> tuple[list[ColumnVerdict], RecordKind]:
    """Apply the table context (record kind, customer link) and the policy to every column.

    Calling and messaging details are CPNI; plans and usage are CPNI when the
    table ties them to a customer, and dropped as aggregate information when
    it does not.
    """
    record = table_kind([(r, c) for r, c, _ in columns], declared_kind, declared_call_record)
    detail = record.kind in DETAIL_KINDS
    has_customer = any(
        c.verdict.entity in _CUSTOMER_ENTITIES for _, claims, _ in columns for c in claims
    ) or any(record.entity_for(ref.column) in _CUSTOMER_ENTITIES for ref, _, _ in columns
             ) or bool(record.schema and record.schema.per_subscriber)
    about_someone = detail or bool(record.schema) or any(
        c.detector not in _NEEDS_A_PERSON and c.verdict.entity not in _NOT_ABOUT_ANYONE
        for _, claims, _ in columns for c in claims)
    cpni_entities = policy.cpni_entities()
    out: list[ColumnVerdict] = []
    for ref, claims, skipped in columns:
        kept: list[Claim] = []
        plain = record.is_plain(ref.column)
        hinted = record.entity_for(ref.column)
        for c in claims:
            if c.verdict.needs_call_record and not detail:
                continue
            if (plain or hinted) and (c.verdict.in_text or (
                    c.verdict.entity != hinted and (c.verdict.entity not in EXCLUSIVE
                                                    or not c.verdict.from_values))):
                # The documented schema says what the field is: other readings of
                # its name and what hides inside its text are not findings; what
                # its values are (an e-mail address as a user name) still is.
                continue
            if c.verdict.entity in _CUSTOMER_BOUND and not has_customer:
                # Plans and usage not tied to anyone are aggregate information, which
                # the policy says is not PII.
                continue
            if c.detector in _NEEDS_A_PERSON and not about_someone:
                continue  # a place in a table of places, a word that is also a surname
            kept.append(c)
        detections = [to_detection(c) for c in kept]
        entities = {d.entity for d in detections}
        if hinted and hinted not in entities and not (
                hinted in EXCLUSIVE and entities & EXCLUSIVE) and not (
                hinted in _CUSTOMER_BOUND and not has_customer):
            # The documented schema says what the column is (a RADIUS UserName
            # is an account; a CallingStationId holding phone numbers stays one).
            detections.append(_schema_detection(hinted, record, ref.column))
            entities.add(hinted)
        if detail and "PHONE_NUMBER" in entities and "CALL_DETAIL" not in entities:
            phone = next(d for d in detections if d.entity == "PHONE_NUMBER")
            what = "messaging record" if record.kind == "messaging" else "call record"
            detections.append(Detection(
                entity="CALL_DETAIL", detector="call_record_context",
                confidence=phone.confidence, matched=phone.matched, sampled=phone.sampled,
                reasons=(f"a telephone number inside a {what} is a calling detail",)))
            entities.add("CALL_DETAIL")
        if "IP_ADDRESS" in entities and record.kind in _ADDRESS_KINDS and has_customer:
            # The policy's information collected automatically, tied to a subscriber:
            # say so beside the address (who had it, and when).
            detections = [dataclasses.replace(d, reasons=(*d.reasons, _TIED))
                          if d.entity == "IP_ADDRESS" else d for d in detections]
        cpni = False
        if detail and "CALL_DETAIL" in entities:
            cpni = True
        if has_customer and entities & (cpni_entities - {"CALL_DETAIL"}):
            cpni = True
        categories = policy.categories_for(sorted(entities), cpni)
        out.append(ColumnVerdict(ref=ref, detections=tuple(detections),
                                 categories=categories, cpni=cpni, skipped=skipped))
    return out, record


def apply_policy(result: ScanResult, policy: Policy) -> ScanResult:
    """Return ``result`` with every column's categories taken from ``policy``.

    For a saved result shown under another policy (``piiscan report --policy``):
    the CPNI flags stay the engine's, which knew the table context.
    """
    changed = False
    new_sources = []
    for source in result.sources:
        new_tables = []
        for table in source.tables:
            new_cols = []
            for col in table.columns:
                cats = policy.categories_for(col.entities, col.cpni) if col.detections else ()
                if cats != col.categories:
                    col = dataclasses.replace(col, categories=cats)
                    changed = True
                new_cols.append(col)
            new_tables.append(dataclasses.replace(table, columns=tuple(new_cols)))
        new_sources.append(dataclasses.replace(source, tables=tuple(new_tables)))
    if not changed:
        return result
    return dataclasses.replace(result, sources=tuple(new_sources))
