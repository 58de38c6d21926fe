"""Column names as evidence: tokenizing, expanding abbreviations, matching phrases.

``callingPartyNumber`` → ``calling party number``; ``cc_num`` → ``credit card
number``; ``BIRTHDATE`` → ``birth date``. A detector's :class:`NameRule` lists
phrases that support it (strong or weak) and tokens that veto it
(``created_at`` is not a birth date, ``cc_type`` is not a card number).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: Abbreviations and run-together words, expanded before matching.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "ccn": ("credit", "card", "number"),
    "cc": ("credit", "card"),
    "ccnum": ("credit", "card", "number"),
    "pan": ("card", "number"),
    "dob": ("date", "of", "birth"),
    "bday": ("birth", "day"),
    "birthdate": ("birth", "date"),
    "birthday": ("birth", "day"),
    "ua": ("user", "agent"),
    "useragent": ("user", "agent"),
    "fname": ("first", "name"),
    "lname": ("last", "name"),
    "mname": ("middle", "name"),
    "firstname": ("first", "name"),
    "lastname": ("last", "name"),
    "surname": ("last", "name"),
    "fullname": ("full", "name"),
    "givenname": ("first", "name"),
    "addr": ("address",),
    "tel": ("telephone",),
    "telno": ("telephone", "number"),
    "ph": ("phone",),
    "mobile": ("mobile", "phone"),
    "cell": ("cell",),
    "cellid": ("cell", "id"),
    "zipcode": ("zip",),
    "postcode": ("postal", "code"),
    "postalcode": ("postal", "code"),
    "acct": ("account",),
    "acc": ("account",),
    "accountcode": ("account", "code"),
    "accountno": ("account", "number"),
    "no": ("number",),
    "num": ("number",),
    "nbr": ("number",),
    "nr": ("number",),
    "lat": ("latitude",),
    "lng": ("longitude",),
    "lon": ("longitude",),
    "long": ("longitude",),
    "cli": ("caller", "id"),
    "clid": ("caller", "id"),
    "callerid": ("caller", "id"),
    "cid": ("caller", "id"),
    "ani": ("calling", "number"),
    "dnis": ("called", "number"),
    "src": ("source",),
    "dst": ("destination",),
    "dest": ("destination",),
    "billsec": ("billable", "seconds"),
    "billsecs": ("billable", "seconds"),
    "dur": ("duration",),
    "cust": ("customer",),
    "subid": ("subscriber", "id"),
    "sub": ("subscriber",),
    "username": ("user", "name"),
    "userid": ("user", "id"),
    "login": ("login",),
    "email": ("email",),
    "emailaddress": ("email", "address"),
    "mail": ("email",),
    "ipaddr": ("ip", "address"),
    "ipaddress": ("ip", "address"),
    "macaddr": ("mac", "address"),
    "macaddress": ("mac", "address"),
    "hwaddr": ("mac", "address"),
    "phonenumber": ("phone", "number"),
    "phoneno": ("phone", "number"),
    "creditcard": ("credit", "card"),
    "cardnumber": ("card", "number"),
    "cardno": ("card", "number"),
    "accountnumber": ("account", "number"),
    "routingnumber": ("routing", "number"),
    "aba": ("routing", "number"),
    "rtn": ("routing", "number"),
    "iban": ("iban",),
    "ssn": ("ssn",),
    "socialsecurity": ("social", "security"),
    "dstchannel": ("destination", "channel"),
    "dcontext": ("destination", "context"),
    "lastapp": ("last", "app"),
    "lastdata": ("last", "data"),
    "uniqueid": ("unique", "id"),
    "userfield": ("user", "field"),
    "amaflags": ("ama", "flags"),
    "streetaddress": ("street", "address"),
    "geo": ("geo",),
    "geolocation": ("geo", "location"),
    "latlong": ("latitude", "longitude"),
    "latlng": ("latitude", "longitude"),
    "ts": ("timestamp",),
    "dt": ("date",),
    "qty": ("quantity",),
    "amt": ("amount",),
    "msisdn": ("msisdn",),
    "fico": ("fico",),
    "hostname": ("host", "name"),
    "filename": ("file", "name"),
    "devid": ("device", "id"),
    "deviceid": ("device", "id"),
    "udid": ("device", "id"),
    "idfa": ("device", "id"),
    "imei": ("imei",),
    "dn": ("directory", "number"),
    "cdate": ("call", "date"),
    "ctime": ("call", "time"),
    "sn": ("serial", "number"),
    "serialno": ("serial", "number"),
    "imsi": ("imsi",),
    "iccid": ("iccid",),
    "meid": ("meid",),
}

#: Column names in the main European and Latin American languages, read as the English
#: words the rules use (accents are folded first: ``Teléfono`` is ``telefono``).
TRANSLATIONS: dict[str, tuple[str, ...]] = {
    # Names of people.
    "vorname": ("first", "name"), "nachname": ("last", "name"), "familienname": ("last", "name"),
    "nombre": ("name",), "nombres": ("first", "name"), "apellido": ("last", "name"),
    "apellidos": ("last", "name"), "prenom": ("first", "name"), "nom": ("name",),
    "nome": ("name",), "sobrenome": ("last", "name"), "cognome": ("last", "name"),
    "voornaam": ("first", "name"), "achternaam": ("last", "name"), "completo": ("full",),
    "complet": ("full",), "vollstandiger": ("full",),
    # Birth.
    "geburtsdatum": ("birth", "date"), "geburtstag": ("birth", "day"),
    "nacimiento": ("birth",), "naissance": ("birth",), "nascimento": ("birth",),
    "nascita": ("birth",), "geboortedatum": ("birth", "date"), "fecha": ("date",),
    "datum": ("date",),
    # Contact.
    "telefono": ("telephone",), "telefone": ("telephone",), "telefon": ("telephone",),
    "telefoon": ("telephone",), "telephone": ("telephone",), "handy": ("mobile", "phone"),
    "movil": ("mobile", "phone"), "celular": ("mobile", "phone"),
    "telemovel": ("mobile", "phone"), "cellulare": ("mobile", "phone"),
    "correo": ("email",), "courriel": ("email",), "adresse": ("address",),
    "direccion": ("address",), "endereco": ("address",), "indirizzo": ("address",),
    "anschrift": ("address",), "adres": ("address",), "strasse": ("street",),
    "calle": ("street",), "rue": ("street",), "straat": ("street",),
    "postleitzahl": ("postal", "code"), "plz": ("postal", "code"), "cep": ("postal", "code"),
    "postcode": ("postal", "code"), "codigo": ("code",), "ort": ("city",), "stadt": ("city",),
    "ciudad": ("city",), "ville": ("city",), "cidade": ("city",), "citta": ("city",),
    "localidad": ("city",), "woonplaats": ("city",), "plaats": ("city",),
    # Customers and accounts.
    "kunde": ("customer",), "kunden": ("customer",), "cliente": ("customer",),
    "kundennummer": ("customer", "number"), "konto": ("account",),
    "kontonummer": ("account", "number"), "cuenta": ("account",), "conta": ("account",),
    "numero": ("number",), "nummer": ("number",), "benutzername": ("user", "name"),
    "usuario": ("user",), "utilisateur": ("user",), "utente": ("user",),
    # Post office boxes and bank codes.
    "postfach": ("po", "box"), "postbus": ("po", "box"), "pobox": ("po", "box"),
    "bankleitzahl": ("bank", "code"), "blz": ("bank", "code"),
    # Organisations (a company's name is no person's).
    "unternehmen": ("company",), "empresa": ("company",), "entreprise": ("company",),
    "societe": ("company",), "azienda": ("company",), "bedrijf": ("company",),
    # Remarks about a field (see REMARK_WORDS).
    "bemerkung": ("remark",), "bemerkungen": ("remark",), "anmerkung": ("remark",),
    "anmerkungen": ("remark",), "kommentar": ("comment",), "notiz": ("note",),
    "notizen": ("note",), "hinweis": ("note",), "hinweise": ("note",),
    "beschreibung": ("description",), "comentario": ("comment",), "comentarios": ("comment",),
    "observacion": ("remark",), "observaciones": ("remark",), "observacao": ("remark",),
    "observacoes": ("remark",), "nota": ("note",), "notas": ("note",),
    "descripcion": ("description",), "descricao": ("description",),
    "commentaire": ("comment",), "commentaires": ("comment",), "remarque": ("remark",),
    "remarques": ("remark",), "commento": ("comment",), "commenti": ("comment",),
    "osservazione": ("remark",), "osservazioni": ("remark",), "descrizione": ("description",),
    "opmerking": ("remark",), "opmerkingen": ("remark",), "notitie": ("note",),
    "notities": ("note",), "toelichting": ("note",), "omschrijving": ("description",),
    "beschrijving": ("description",),
    # Whether a field is valid, checked or changed, and since when (see STATE_WORDS).
    "gultig": ("valid",), "gueltig": ("valid",), "gultigkeit": ("validity",),
    "geandert": ("changed",), "geaendert": ("changed",), "aktualisiert": ("updated",),
    "bestatigt": ("confirmed",), "verifiziert": ("verified",), "gepruft": ("checked",),
    "valido": ("valid",), "valida": ("valid",), "vigencia": ("validity",),
    "validez": ("validity",), "validade": ("validity",), "validita": ("validity",),
    "validite": ("validity",), "valide": ("valid",), "modificado": ("changed",),
    "modificada": ("changed",), "modifie": ("changed",), "modifiee": ("changed",),
    "modificato": ("changed",), "modificata": ("changed",), "alterado": ("changed",),
    "alterada": ("changed",), "actualizado": ("updated",), "actualizada": ("updated",),
    "atualizado": ("updated",), "atualizada": ("updated",), "aggiornato": ("updated",),
    "verificado": ("verified",), "verificada": ("verified",), "verifie": ("verified",),
    "verificato": ("verified",), "confirmado": ("confirmed",), "confirmada": ("confirmed",),
    "confirme": ("confirmed",), "confermato": ("confirmed",), "geldig": ("valid",),
    "geldigheid": ("validity",), "gewijzigd": ("changed",), "bijgewerkt": ("updated",),
    "geverifieerd": ("verified",), "bevestigd": ("confirmed",),
}
ABBREVIATIONS.update(TRANSLATIONS)

#: Words used to split run-together lowercase names (``customername``).
_VOCAB = {
    "account", "address", "agent", "amount", "answer", "app", "area", "balance", "bank", "bill",
    "billing", "birth", "browser", "call", "called", "caller", "calling", "card", "cell", "channel",
    "charge", "city", "code", "contact", "context", "country", "credit", "customer", "data", "date",
    "day", "destination", "device", "dial", "dialed", "dialled", "duration", "email", "end",
    "family", "first", "full", "given", "holder", "home", "host", "last", "latitude", "line",
    "location", "login", "longitude", "maiden", "middle", "mobile", "name", "number", "party",
    "phone", "plan", "postal", "routing", "score", "security", "service", "social", "source",
    "start", "state", "street", "subscriber", "telephone", "time", "type", "usage", "user", "zip",
    "unique", "field", "status", "network", "product", "package", "tariff", "rate", "minutes",
    "seconds", "trunk", "disposition", "hangup", "cause", "orig", "dest", "ip", "mac", "id",
    "created", "updated", "modified", "register", "registered", "expiry", "expiration", "exp",
    "reg", "signup", "expire", "expires", "expired", "cvc", "cvv", "county", "province",
    "region", "site", "file", "order", "remark", "remarks", "comment", "comments", "note",
    "notes", "memo", "valid", "verified", "changed",
}

_IP_VERSION = re.compile(r"(?i)ipv4v6|ipv6|ipv4")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def _split_compound(word: str) -> tuple[str, ...]:
    """Split ``customername`` into known words when it splits cleanly; else keep it."""
    n = len(word)
    # best[i]: the fewest known words that spell word[:i], when any do.
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for i in range(n):
        head = best[i]
        if head is None:
            continue
        for j in range(i + 2, n + 1):
            piece = word[i:j]
            if piece in _VOCAB or (piece in ABBREVIATIONS and (
                    len(piece) >= 5 or piece not in TRANSLATIONS)):
                # Short foreign words split nothing: `export` is no `exp` + `ort`.
                cand = head + (piece,)
                current = best[j]
                if current is None or len(cand) < len(current):
                    best[j] = cand
    found = best[n]
    return found if found else (word,)


@lru_cache(maxsize=4096)
def tokenize(name: str) -> tuple[str, ...]:
    """Split a column name into lowercase words, expanding abbreviations."""
    # "IPv4", "ipv6", "IPv4v6" are one word each, whatever the case convention.
    name = _IP_VERSION.sub("_ip_", name)
    if not name.isascii():
        # Accents folded, so `Teléfono`, `Straße` and `prénom` read as their words.
        name = unicodedata.normalize("NFKD", name.replace("ß", "ss").replace("ẞ", "SS"))
        name = "".join(ch for ch in name if not unicodedata.combining(ch))
    raw: list[str] = []
    for part in re.split(r"[^0-9A-Za-z]+", name):
        if part:
            raw.extend(m.group(0) for m in _CAMEL.finditer(part))
    out: list[str] = []
    for tok in raw:
        low = tok.lower()
        if low in ABBREVIATIONS:
            out.extend(ABBREVIATIONS[low])
        elif low in _VOCAB or low.isdigit() or len(low) < 6:
            out.append(low)
        else:
            for piece in _split_compound(low):
                out.extend(ABBREVIATIONS.get(piece, (piece,)))
    return tuple(out)


@lru_cache(maxsize=4096)
def _phrase(phrase: str) -> tuple[str, ...]:
    """Read a rule's phrase the way column names are read (``remote addr``: remote address).

    A rule then matches whichever spelling the column uses.
    """
    words = tuple(phrase.split())
    expanded = tuple(w for word in words for w in ABBREVIATIONS.get(word, (word,)))
    return expanded


def _has_phrase(tokens: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    k = len(phrase)
    return any(tokens[i:i + k] == phrase for i in range(len(tokens) - k + 1))


@dataclass(frozen=True)
class NameEvidence:
    """How much a column name supports a detector, and why."""

    score: float
    reason: str = ""


NO_EVIDENCE = NameEvidence(0.0)


@dataclass(frozen=True)
class NameRule:
    """Phrases that support an entity, and tokens that rule it out."""

    strong: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()
    veto: tuple[str, ...] = ()
    #: The name must be exactly one of these phrases (for generic words like ``name``).
    exact: tuple[str, ...] = ()

    def evaluate(self, column: str) -> NameEvidence:
        """Say how much ``column`` supports the entity (cached: names repeat across tables)."""
        return _evaluate(self, column)


#: Words that make a name a flag or a description of another field, whatever else it says:
#: ``AccountEnabled``, ``ShowInAddressList``, ``is_email_verified``, ``has_phone``,
#: ``DeviceCustomIPv6Address1Label``, ``phone_format``.
FLAG_WORDS = frozenset({
    "is", "has", "show", "hide", "hidden", "visible", "enabled", "disabled", "enable", "disable",
    "allow", "allowed", "flag", "flags", "can", "should", "label", "format", "pattern", "regex",
})


#: Head nouns of a column that holds a remark about a field, not the field:
#: ``phone_comment``, ``Bemerkung (Telefon)``, ``notes on address``, ``email_description``.
REMARK_WORDS = frozenset({
    "remark", "remarks", "comment", "comments", "note", "notes", "memo", "memos",
    "description", "annotation", "annotations",
})
#: Words after a field that make the column a fact about it (whether or since when it is
#: valid, checked or changed): ``email_verified``, ``address_valid_from``,
#: ``Adresse Gültig bis``, ``phone_changed_at``, ``Anschrift manuell geändert``.
#: Before the field they describe the value itself: ``verified_email`` is an address.
STATE_WORDS = frozenset({
    "valid", "validity", "verified", "verification", "confirmed", "validated", "checked",
    "changed", "modified", "updated", "edited",
})
#: Words after a state word that make it a date: ``valid from``, ``gültig bis``, ``changed at``.
_WHEN = frozenset({"from", "until", "till", "to", "since", "at", "on", "date", "time",
                   "timestamp", "von", "bis", "ab", "seit", "desde", "hasta", "depuis", "vanaf",
                   "tot", "dal", "fino"})
#: Words naming who wrote a remark: ``comment_author_email`` holds the author's address.
_AGENT_WORDS = frozenset({"author", "by", "user", "owner", "creator", "sender", "poster",
                          "writer", "editor", "from"})


def _ordered(column: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Tokens read head last, as English writes them, and the head's own tokens.

    A qualifier in brackets reads as a modifier before its head: ``Bemerkung
    (Telefon)`` as ``telephone remark``, ``Name (natürl. Person)`` as ``person name``.
    """
    head, bracket, rest = column.partition("(")
    if bracket and head.strip():
        head_tokens = tokenize(head)
        qualifier = tokenize(rest.replace(")", " "))
        if head_tokens and qualifier:
            return qualifier + head_tokens, head_tokens
    tokens = tokenize(column)
    return tokens, tokens


def _find(tokens: tuple[str, ...], phrase: tuple[str, ...]) -> int:
    k = len(phrase)
    return next((i for i in range(len(tokens) - k + 1) if tokens[i:i + k] == phrase), -1)


def is_about(tokens: tuple[str, ...], start: int, end: int) -> bool:
    """Whether the field at ``tokens[start:end]`` is what the column is about, not what it holds.

    A remark word anywhere but before the name of its author (``comment_author_email``)
    and a state word after the field make the column a remark or a fact about the field.
    """
    after = tokens[end:]
    if REMARK_WORDS.intersection(after) or STATE_WORDS.intersection(after):
        return True
    if any(t in STATE_WORDS and nxt in _WHEN for t, nxt in zip(tokens, tokens[1:], strict=False)):
        return True  # `Address (valid from)`, `email (changed on)`: a date about the field
    before = tokens[:start]
    remarks = [i for i, t in enumerate(before) if t in REMARK_WORDS]
    return bool(remarks) and not _AGENT_WORDS.intersection(before[remarks[-1] + 1:])


@lru_cache(maxsize=65536)
def _evaluate(rule: NameRule, column: str) -> NameEvidence:
    tokens, head = _ordered(column)
    if not tokens or any(v in tokens for v in rule.veto) or FLAG_WORDS.intersection(tokens):
        return NO_EVIDENCE
    # The name as written too, when its brackets were moved: `Card (number)`, `Last (name)`.
    orders = (tokens,) if head == tokens else (tokens, tokenize(column))
    for phrases, exact, score, reason in (
            (rule.strong, False, 0.9, f"column name `{column}`"),
            (rule.exact, True, 0.7, f"column name `{column}`"),
            (rule.weak, False, 0.5, f"column name `{column}` suggests it")):
        for phrase in phrases:
            words = _phrase(phrase)
            for seq in orders[:1] if exact else orders:
                if exact:
                    if head != words:
                        continue
                    at = len(seq) - len(head)
                else:
                    at = _find(seq, words)
                    if at < 0:
                        continue
                if is_about(seq, at, at + len(words)):
                    return NO_EVIDENCE
                return NameEvidence(score, reason)
    return NO_EVIDENCE


#: Accounts of a bookkeeping system, named so: ``gl_account``, ``Sachkonto``,
#: ``Verknüpftes OPOS-Konto`` (open items), ``revenue_account``.
_LEDGER_QUALIFIERS = frozenset({
    "ledger", "gl", "nominal", "contra", "offset", "revenue", "expense", "opos",
})
_LEDGER_ACCOUNTS = frozenset({"sachkonto", "gegenkonto", "erloskonto", "aufwandskonto",
                              "bestandskonto"})
#: Columns that make a table a journal or a chart of accounts: a contra account beside the
#: account (``Gegenkonto``, ``offset_account``), or the accounts' labels.
_LEDGER_TABLE_WORDS = frozenset({"gegenkonto", "kontenbeschriftung", "kontobezeichnung",
                                 "kontenbezeichnung"})
_LEDGER_TABLE_PHRASES = (("contra", "account"), ("offset", "account"), ("counter", "account"),
                         ("balancing", "account"), ("account", "label"), ("account", "title"),
                         ("chart", "of", "accounts"))


def ledger_table(columns: tuple[str, ...]) -> bool:
    """Whether a table's column names make it a bookkeeping journal or a chart of accounts."""
    for column in columns:
        tokens = tokenize(column)
        if _LEDGER_TABLE_WORDS.intersection(tokens) or any(
                _has_phrase(tokens, phrase) for phrase in _LEDGER_TABLE_PHRASES):
            return True
    return False


def ledger_account(column: str, in_ledger_table: bool) -> bool:
    """Whether an ``account`` column holds bookkeeping accounts, not a customer's.

    Named for the ledger (``gl_account``, ``OPOS-Konto``), or a bare ``account``
    (``Konto``, ``Account 2``, ``account_number``) in a journal or a chart of accounts,
    where it holds chart-of-accounts numbers (DATEV's 1200 or 10000, a US chart's 4010).
    """
    tokens = tokenize(column)
    if _LEDGER_ACCOUNTS.intersection(tokens) or (
            "account" in tokens and _LEDGER_QUALIFIERS.intersection(tokens)):
        return True
    words = tuple(t for t in tokens if not t.isdigit())
    return in_ledger_table and words in {("account",), ("account", "number")}
