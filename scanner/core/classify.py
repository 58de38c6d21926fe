"""From detector claims to column verdicts: conflicts, call-record context, CPNI, categories."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from detectors.base import ColumnFacts, Detector, Tally, Verdict
from detectors.dates import tells_nothing
from detectors.names import ledger_account, ledger_table, tokenize
from scanner.core.records import DETAIL_KINDS, RecordKind, call_log_schema, kind_from_names
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
_HOST_ENTITIES = frozenset({"IP_ADDRESS", "MAC_ADDRESS"})
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
#: Claims read from values alone (columns whose name says nothing) that another column
#: of the table must back, by its entity or its detector: dates spread like ages are
#: birth dates beside a person's name, login, e-mail or telephone number (a subscriber
#: list); digits shaped like postal codes are postal codes beside a street or a city. A
#: shape that tells alone (a Canadian or British postcode) needs only a table about someone.
_NEEDS_A_NEIGHBOUR: Mapping[str, frozenset[str]] = {
    "birth_date_values": frozenset({"PERSON_NAME", "EMAIL_ADDRESS", "ACCOUNT_ID", "US_SSN",
                                    "NATIONAL_ID", "PASSPORT", "DRIVER_LICENSE",
                                    "PHONE_NUMBER"}),
    "postal_code_values": frozenset({"street_address", "city"}),
    "postal_code_shape": frozenset(),
}
#: Claims that hold only beside an account: a bank code (routing number, BLZ) is part of
#: someone's bank details next to the account, a card or a personal identifier; in a
#: directory of banks (codes, BICs, bank names, their phones) it names an institution.
_NEEDS_AN_ACCOUNT = frozenset({"bank_code"})
_ACCOUNT_HOLDERS = frozenset({"BANK_ACCOUNT", "ACCOUNT_ID", "CREDIT_CARD", "US_SSN",
                              "NATIONAL_ID", "TAX_ID", "PASSPORT", "DRIVER_LICENSE"})


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
        # A name-only claim of another value type is contradicted by what the values are;
        # so is a generic claim read from a word inside the name (``Verdict.yields``).
        kept = [c for c in kept if (c.verdict.from_values or c.verdict.entity not in EXCLUSIVE)
                and not c.verdict.yields]
    return sorted(kept, key=lambda c: (-c.verdict.confidence, c.verdict.entity))


def _backed(columns: list[tuple[ColumnRef, list[Claim], str | None]]) -> dict[int, str]:
    """Find the value-only claims another column backs: id(claim) -> a reason naming it.

    Only in a table whose columns are all unnamed (a file without a header): where a
    header names the other columns, an unnamed one is a row index (pandas writes
    one, shuffled rows give it no order), not a postal code.
    """
    out: dict[int, str] = {}
    if not all(tells_nothing(ref.column) for ref, _, _ in columns):
        return out
    for i, (_, claims, _) in enumerate(columns):
        for c in claims:
            wanted = _NEEDS_A_NEIGHBOUR.get(c.detector)
            if not wanted:
                continue
            for j, (ref, others, _) in enumerate(columns):
                found = next((o for o in others if o.detector not in _NEEDS_A_NEIGHBOUR and (
                    o.detector in wanted or o.verdict.entity in wanted)), None)
                if j != i and found is not None:
                    what = {"street_address": "street lines", "city": "cities"}.get(
                        found.detector) or found.verdict.entity.lower().replace("_", " ")
                    out[id(c)] = f"beside `{ref.column}` ({what}) in the same table"
                    break
    return out


def is_call_record(columns: list[tuple[ColumnRef, list[Claim]]], declared: bool | None) -> bool:
    """Tell whether a table is a call record: a calling or called party, and a time or duration."""
    if declared is not None:
        return declared
    party = timing = False
    for ref, claims in columns:
        entities = {c.verdict.entity for c in claims}
        words = set(tokenize(ref.column))
        # A source or destination holding IP or MAC addresses is a host (a flow log).
        hosts = any(c.verdict.from_values and c.verdict.entity in _HOST_ENTITIES for c in claims)
        if "CALL_DETAIL" in entities or "PHONE_NUMBER" in entities:
            if words & _PARTY_WORDS and not hosts:
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
        if schema is None and declared_kind in DETAIL_KINDS:
            # A call log its connector recognised: its columns' roles still say what each is.
            generic = call_log_schema([ref.column for ref, _ in columns], confirmed=True)
            schema = generic.schema if generic is not None else None
        return RecordKind(declared_kind, "recognised by its connector", schema)
    if declared_call_record is not None:
        return RecordKind("call_detail" if declared_call_record else None)
    if by_names.kind is not None or by_names.schema is not None:
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
    backed = _backed(columns)
    about_someone = detail or bool(record.schema) or any(
        c.detector not in _NEEDS_A_PERSON and c.verdict.entity not in _NOT_ABOUT_ANYONE
        and (c.detector not in _NEEDS_A_NEIGHBOUR or id(c) in backed)
        for _, claims, _ in columns for c in claims)
    has_account = any(c.detector not in _NEEDS_AN_ACCOUNT and c.verdict.entity in _ACCOUNT_HOLDERS
                      for _, claims, _ in columns for c in claims)
    ledger = ledger_table(tuple(ref.column for ref, _, _ in columns))
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
            if c.detector in _NEEDS_A_NEIGHBOUR:
                if id(c) in backed:
                    c = dataclasses.replace(c, verdict=dataclasses.replace(
                        c.verdict, reasons=(*c.verdict.reasons, backed[id(c)])))
                elif _NEEDS_A_NEIGHBOUR[c.detector] or not about_someone:
                    continue  # years of films, ids beside no address, dates of no one
            if c.detector in _NEEDS_AN_ACCOUNT and not has_account:
                continue  # a bank code in a directory of banks
            if c.verdict.entity == "ACCOUNT_ID" and ledger_account(ref.column, ledger):
                continue  # a bookkeeping account (chart-of-accounts number), no customer's
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
