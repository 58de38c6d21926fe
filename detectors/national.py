"""Who a person is outside the US: national IDs, tax numbers, passports and driving licences.

National and tax numbers are validated by python-stdnum (check digits, embedded
birth dates, issuing rules), one detector per number so each column says which
number it holds ("valid Polish PESEL 48/50"). A vectorized RE2 pattern picks
the candidates; stdnum sees only those, a bounded number per batch.

Generic numeric IDs are the danger: one random nine-digit number in eleven
passes the Dutch BSN check. So a bare run of digits counts only under a column
name that tells what it is (``bsn``, ``pesel``, ``national_id``); from values
alone only written forms count (``123.456.789-09``, ``811218-9876``, letters in
their places) and only numbers with a check digit. Passports and driving
licences have no check digit anyone can verify: a telling name over values of
a plausible shape gives a finding whose reason says so, at lower confidence.
"""

from __future__ import annotations

import importlib
import re
import re._parser as sre
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import (
    MAX_PYTHON_CHECKS,
    ColumnFacts,
    Detector,
    Match,
    Tally,
    ValueView,
    Verdict,
    check_all,
    check_each,
    count,
    filter_if_any,
    mask_tail,
    register,
    take_evidence,
)
from detectors.fastpaths import all_ascii, as_arrow
from detectors.names import NameEvidence, NameRule

# Values worth a second look: letters, digits and the separators numbers are written
# with, six to twenty-six characters, at least four digits. Both patterns read a value's
# form (see ``_forms``): every digit a 9, every letter an A.
_CANDIDATE = r"^[A9][A9 ./-]{4,24}[A9]$"
_FOUR_DIGITS = r"9[^9]*9[^9]*9[^9]*9"
_CANDIDATES_KEY = "_national_candidates"


@dataclass(frozen=True)
class Candidates:
    """A batch's values shaped like an identity or tax number, and their forms."""

    #: Upper-cased values.
    values: pa.Array
    #: For each value, its form's position in ``forms``.
    form_of: pa.Array
    #: The distinct forms (``12.345.678-K`` is ``99.999.999-A``): a few per column.
    forms: pa.Array

    def fitting(self, shape: str) -> pa.Array:
        """Return the values whose form a number's written forms allow (a superset)."""
        if len(self.values) == 0:
            return self.values
        fits = pc.match_substring_regex(self.forms, _form_pattern(shape))
        if not pc.any(fits).as_py():
            return self.values.slice(0, 0)
        if pc.all(fits).as_py():
            return self.values
        return self.values.filter(pc.take(fits, self.form_of))


def candidates(view: ValueView) -> Candidates:
    """Upper-cased values shaped like an identity or tax number (computed once per batch).

    The patterns run on the distinct forms of the values, not on the values: a
    column of phone numbers has one form (``999-999-9999``), and each number's
    detector learns from it alone whether any value can be one of its numbers.
    """
    cached = view.__dict__.get(_CANDIDATES_KEY)
    if cached is not None:
        return cached
    s = view.numeric if view.kind == "integer" else view.strings
    if len(s):
        n = pc.utf8_length(s) if view.kind == "integer" else view.lengths
        s = filter_if_any(s, pc.and_(pc.greater_equal(n, 6), pc.less_equal(n, 26)))
    # ASCII text has the same forms before and after upper-casing (a lower-case letter
    # is an A too): only the values kept are upper-cased. Other text is upper-cased
    # first (a dotless i becomes an I).
    cased = view.kind == "string" and len(s) > 0 and not all_ascii(s)
    if cased:
        s = pc.utf8_upper(s)
    found = Candidates(s, pa.array([], pa.int32()), pa.array([], pa.string()))
    if len(s):
        encoded = pc.dictionary_encode(_forms(s, cased or view.kind != "string"))
        forms = encoded.dictionary
        keep = None
        if view.kind == "string":
            # The cheap tests first: text without four digits needs no number's forms
            # (whose pattern takes some 20 ms to build, once).
            keep = pc.and_(pc.match_substring_regex(forms, _CANDIDATE),
                           pc.match_substring_regex(forms, _FOUR_DIGITS))
        if keep is None or pc.any(keep).as_py():
            shaped = pc.match_substring_regex(forms, _any_shape())
            keep = shaped if keep is None else pc.and_(keep, shaped)
        form_of = encoded.indices
        if not pc.all(keep).as_py():
            kept = pc.take(keep, form_of)
            s, form_of = filter_if_any(s, kept), filter_if_any(form_of, kept)
        if view.kind == "string" and not cased and len(s):
            s = pc.utf8_upper(s)
        found = Candidates(s, form_of, forms)
    view.__dict__[_CANDIDATES_KEY] = found
    return found


#: A value's form: ASCII digits become 9, ASCII capitals A, other characters stay.
_FORM_TABLE = np.arange(256, dtype=np.uint8)
_FORM_TABLE[ord("0"):ord("9") + 1] = ord("9")
_FORM_TABLE[ord("A"):ord("Z") + 1] = ord("A")
#: The same for text not upper-cased yet: ASCII lower-case letters are an A too.
_FORM_TABLE_ANY_CASE = _FORM_TABLE.copy()
_FORM_TABLE_ANY_CASE[ord("a"):ord("z") + 1] = ord("A")


def _forms(s: pa.Array, upper_cased: bool = True) -> pa.Array:
    """Return each value's form (``AB 12 34 56 C`` -> ``AA 99 99 99 A``), byte by byte.

    ``upper_cased=False``: ASCII text not upper-cased yet (``ab 12`` -> ``AA 99``).
    """
    validity, offsets, data = s.buffers()
    if data is None:
        return s
    table = np.take(_FORM_TABLE if upper_cased else _FORM_TABLE_ANY_CASE,
                    np.frombuffer(data, dtype=np.uint8))
    return pa.StringArray.from_buffers(len(s), offsets, pa.py_buffer(table),
                                       validity, s.null_count, s.offset)


def _form_char(ch: str) -> str:
    if "0" <= ch <= "9":
        return "9"
    if "A" <= ch <= "Z":
        return "A"
    return ch


def _re2_char(ch: str) -> str:
    """Return one character as an RE2 literal, inside or outside a class."""
    return ch if ch.isalnum() or ord(ch) > 127 else f"\\x{ord(ch):02X}"


def _class_forms(items: list) -> str:
    r"""Return the forms of the characters a class (``[0-9A-Z .-]``, ``\d``) admits."""
    admitted: set[str] = set()
    extra: list[str] = []
    for op, arg in items:
        if op is sre.LITERAL:
            admitted.add(_form_char(chr(arg)))
        elif op is sre.RANGE:
            low, high = arg
            admitted.update(_form_char(chr(c)) for c in range(low, min(high, 127) + 1))
            if high > 127:
                extra.append(f"{chr(max(low, 128))}-{chr(high)}")
        elif op is sre.CATEGORY and arg is sre.CATEGORY_DIGIT:
            admitted.add("9")
        elif op is sre.CATEGORY and arg is sre.CATEGORY_SPACE:
            admitted.update(" \t\n\r\f\v")
        else:
            raise ValueError(f"no form for {op}")
    return "[" + "".join(_re2_char(c) for c in sorted(admitted)) + "".join(extra) + "]"


def _form_of_pattern(parsed: Any) -> str:
    out: list[str] = []
    for op, arg in parsed:
        if op is sre.AT and arg is sre.AT_BEGINNING:
            out.append("^")
        elif op is sre.AT and arg is sre.AT_END:
            out.append("$")
        elif op is sre.LITERAL:
            out.append(_re2_char(_form_char(chr(arg))))
        elif op is sre.IN:
            out.append(_class_forms(arg))
        elif op is sre.MAX_REPEAT:
            low, high, sub = arg
            top = "" if high is sre.MAXREPEAT else str(high)
            out.append(f"(?:{_form_of_pattern(sub)}){{{low},{top}}}")
        elif op is sre.BRANCH:
            out.append("(?:" + "|".join(_form_of_pattern(b) for b in arg[1]) + ")")
        elif op is sre.SUBPATTERN and not arg[1] and not arg[2]:
            out.append(f"(?:{_form_of_pattern(arg[3])})")
        else:
            raise ValueError(f"no form for {op}")
    return "".join(out)


@cache
def _form_pattern(shape: str) -> str:
    r"""Return the pattern of the forms a shape's values take (what ``_forms`` makes of them).

    Every value the shape matches has a form this pattern matches: ``^756\.?\d{4}$``
    becomes ``^999(?:\x2E){0,1}(?:[9]){4,4}$``. A shape it cannot read admits every form.
    """
    try:
        return _form_of_pattern(sre.parse(shape))
    except (ValueError, re.error):
        return ""


@cache
def _any_shape() -> str:
    """Return one RE2 alternation of every number's written forms, as forms."""
    return "|".join(f"(?:{_form_pattern(number.shape)})" for number in NUMBERS)


@cache
def _stdnum(module: str) -> Callable[[str], bool]:
    """Return ``stdnum.<module>.is_valid`` (imported on first use: stdnum has 200 modules)."""
    return importlib.import_module(f"stdnum.{module}").is_valid  # type: ignore[no-any-return]


def _nhs_checks(values: pa.Array) -> pa.BooleanArray:
    """Return ``stdnum.gb.nhs.is_valid`` of each value, over the array at once.

    Ten digits once blanks and dashes are out, weighted 10 down to 1, their sum a
    multiple of 11.
    """
    digits = pc.replace_substring_regex(values, "[ -]", "")
    out = np.zeros(len(values), dtype=bool)
    ten = pc.match_substring_regex(digits, "^[0-9]{10}$")
    if pc.any(ten).as_py():
        where = pc.indices_nonzero(ten)
        picked = digits.take(where)
        offsets = np.frombuffer(picked.buffers()[1], dtype=np.int32)[
            picked.offset:picked.offset + len(picked) + 1]
        data = np.frombuffer(picked.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
        table = data.reshape(-1, 10).astype(np.int64) - ord("0")
        out[where.to_numpy()] = table @ np.arange(10, 0, -1) % 11 == 0
    return as_arrow(out)


_NINO_PREFIX_BAD = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def _gb_nino(value: str) -> bool:
    """UK National Insurance number: HMRC's prefix rules and a suffix A-D (no check digit)."""
    v = re.sub(r"[\s-]", "", value.upper())
    if not re.fullmatch(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]", v):
        return False
    return v[:2] not in _NINO_PREFIX_BAD


@dataclass(frozen=True)
class Number:
    """One kind of national or tax number and how it is recognised."""

    #: Detector name (also the stdnum module, dots as underscores).
    key: str
    entity: str
    label: str
    #: python-stdnum module (``pl.pesel``), or None when ``check`` is given.
    module: str | None
    #: RE2 pattern of the written forms (on upper-cased values).
    shape: str
    #: Column-name phrases of this number in particular.
    names: tuple[str, ...]
    #: Validated values of this form count from values alone (no telling name): a
    #: check digit, and letters or separators in their places.
    distinctive: str | None = None
    #: The number has a check digit (False: format rules only, counted under a name).
    checksum: bool = True
    check: Callable[[str], bool] | None = None
    #: The validator over an array of values of the shape, where one is written (it
    #: says what ``module``'s ``is_valid`` says of each, without a Python call each).
    checks: Callable[[pa.Array], pa.BooleanArray] | None = None


# Names that say "a national identity number" or "a tax number", whatever the country.
_NATIONAL_NAMES = ("national id", "national identity", "national identification",
                   "national number", "national insurance", "nin", "personal number",
                   "personal id", "personal identity", "personal code", "identity number",
                   "identity card", "id card", "citizen id", "citizen number", "resident id",
                   "id card number", "identification number")
_TAX_NAMES = ("tax id", "tax number", "taxpayer id", "taxpayer number", "tin",
              "tax identification", "tax code", "tax reference", "fiscal code", "fiscal number",
              "vat", "vat number", "vat id", "vat no", "tax registration")
_VETO = ("count", "type", "status", "verified", "hash", "last4", "country", "issued", "expiry",
         "expiration", "exp", "date", "issuer", "order", "product", "rate", "amount", "exempt",
         "included", "total", "percent", "pct")

NUMBERS: tuple[Number, ...] = (
    # --- personal and national identity numbers -------------------------------------
    Number("es_dni", "NATIONAL_ID", "Spanish DNI", "es.dni", r"^\d{8}-?[A-Z]$", ("dni",),
           distinctive=r"^\d{8}-?[A-Z]$"),
    Number("es_nie", "NATIONAL_ID", "Spanish NIE", "es.nie", r"^[XYZ]-?\d{7}-?[A-Z]$",
           ("nie",), distinctive=r"^[XYZ]"),
    Number("it_codicefiscale", "NATIONAL_ID", "Italian codice fiscale", "it.codicefiscale",
           r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPR-T][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$",
           ("codice fiscale", "codicefiscale"), distinctive=r"^[A-Z]"),
    Number("fr_nir", "NATIONAL_ID", "French NIR (social security number)", "fr.nir",
           r"^[1-478]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}\s?\d{2}$",
           ("nir", "insee", "numero securite sociale", "securite sociale"),
           distinctive=r"^\d \d{2} \d{2} "),
    Number("gb_nino", "NATIONAL_ID", "UK National Insurance number", None,
           r"^[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]$",
           ("nino", "ni number", "national insurance", "insurance number"),
           checksum=False, check=_gb_nino),
    Number("gb_nhs", "NATIONAL_ID", "UK NHS number", "gb.nhs", r"^\d{3}[ -]?\d{3}[ -]?\d{4}$",
           ("nhs", "nhs number"), checks=_nhs_checks),
    Number("nl_bsn", "NATIONAL_ID", "Dutch BSN", "nl.bsn", r"^\d{4}\.?\d{2}\.?\d{3}$|^\d{8,9}$",
           ("bsn", "burgerservicenummer", "sofi")),
    Number("se_personnummer", "NATIONAL_ID", "Swedish personnummer", "se.personnummer",
           r"^(?:\d{2})?\d{6}[-+]\d{4}$|^(?:\d{2})?\d{10}$", ("personnummer",),
           distinctive=r"^(?:\d{2})?\d{6}[-+]\d{4}$"),
    Number("dk_cpr", "NATIONAL_ID", "Danish CPR number", "dk.cpr", r"^\d{6}-?\d{4}$",
           ("cpr", "cpr number", "cpr nummer"), checksum=False),
    Number("fi_hetu", "NATIONAL_ID", "Finnish personal identity code (HETU)", "fi.hetu",
           r"^\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]$", ("hetu", "henkilotunnus"),
           distinctive=r"^\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]$"),
    Number("no_fodselsnummer", "NATIONAL_ID", "Norwegian fødselsnummer", "no.fodselsnummer",
           r"^\d{6}\s?\d{5}$", ("fodselsnummer", "fnr", "personnummer")),
    Number("pl_pesel", "NATIONAL_ID", "Polish PESEL", "pl.pesel", r"^\d{11}$", ("pesel",)),
    Number("br_cpf", "NATIONAL_ID", "Brazilian CPF", "br.cpf",
           r"^\d{3}\.?\d{3}\.?\d{3}-?\d{2}$", ("cpf",), distinctive=r"^\d{3}\.\d{3}\.\d{3}-\d{2}$"),
    Number("mx_curp", "NATIONAL_ID", "Mexican CURP", "mx.curp",
           r"^[A-Z]{4}\d{6}[HM][A-Z]{5}[0-9A-Z]\d$", ("curp",), distinctive=r"^[A-Z]"),
    Number("cl_rut", "NATIONAL_ID", "Chilean RUT/RUN", "cl.rut",
           r"^\d{1,2}\.?\d{3}\.?\d{3}-?[0-9K]$", ("rut", "rol unico"),
           distinctive=r"^\d{1,2}\.\d{3}\.\d{3}-[0-9K]$"),
    Number("ar_dni", "NATIONAL_ID", "Argentine DNI", "ar.dni", r"^\d{1,2}\.?\d{3}\.?\d{3}$",
           ("dni", "documento nacional"), checksum=False),
    Number("in_aadhaar", "NATIONAL_ID", "Indian Aadhaar", "in_.aadhaar",
           r"^[2-9]\d{3}[ -]?\d{4}[ -]?\d{4}$", ("aadhaar", "aadhar", "uidai"),
           distinctive=r"^\d{4} \d{4} \d{4}$"),
    Number("ca_sin", "NATIONAL_ID", "Canadian SIN", "ca.sin", r"^\d{3}[ -]?\d{3}[ -]?\d{3}$",
           ("sin", "social insurance", "social insurance number")),
    Number("cn_ric", "NATIONAL_ID", "Chinese resident identity card number", "cn.ric",
           r"^\d{17}[0-9X]$", ("resident identity", "ric", "shenfenzheng"),
           distinctive=r"^\d{17}X$"),
    Number("ch_ssn", "NATIONAL_ID", "Swiss AHV/AVS number", "ch.ssn",
           r"^756\.?\d{4}\.?\d{4}\.?\d{2}$", ("ahv", "avs", "ahv number"),
           distinctive=r"^756\.\d{4}\.\d{4}\.\d{2}$"),
    Number("be_nn", "NATIONAL_ID", "Belgian national number", "be.nn",
           r"^\d{2}\.?\d{2}\.?\d{2}-?\d{3}\.?\d{2}$", ("rijksregisternummer", "insz", "niss"),
           distinctive=r"^\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2}$"),
    Number("za_idnr", "NATIONAL_ID", "South African ID number", "za.idnr", r"^\d{13}$",
           ("rsa id", "sa id")),
    Number("pt_cc", "NATIONAL_ID", "Portuguese Cartão de Cidadão", "pt.cc",
           r"^\d{8}\s?\d\s?[A-Z0-9]{2}\d$", ("cartao cidadao", "cartao de cidadao"),
           distinctive=r"^\d{8}\s?\d\s?[A-Z]"),
    Number("kr_rrn", "NATIONAL_ID", "South Korean resident registration number", "kr.rrn",
           r"^\d{6}-?\d{7}$", ("rrn", "resident registration"), distinctive=r"^\d{6}-\d{7}$"),
    # --- tax numbers ------------------------------------------------------------------
    Number("us_ein", "TAX_ID", "US EIN", "us.ein", r"^\d{2}-?\d{7}$",
           ("ein", "employer identification", "fein", "federal tax id"),
           distinctive=r"^\d{2}-\d{7}$", checksum=False),
    Number("eu_vat", "TAX_ID", "EU VAT number", "eu.vat",
           r"^(?:AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI"
           r"|SK|XI)[ -]?[0-9A-Z][0-9A-Z .+*-]{1,13}$",
           ("vat", "vat number", "vat id", "ust id", "ustid", "ustidnr", "u st id",
            "umsatzsteuer id", "tva", "iva", "btw", "moms"),
           distinctive=r"^[A-Z]{2}"),
    Number("es_nif", "TAX_ID", "Spanish NIF/CIF", "es.nif", r"^[A-HJ-NP-SUVW]-?\d{7}-?[0-9A-J]$",
           ("nif", "cif"), distinctive=r"^[A-Z]"),
    Number("br_cnpj", "TAX_ID", "Brazilian CNPJ", "br.cnpj",
           r"^\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}$", ("cnpj",),
           distinctive=r"^\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}$"),
    Number("mx_rfc", "TAX_ID", "Mexican RFC", "mx.rfc", r"^[A-Z&Ñ]{3,4}-?\d{6}-?[A-Z0-9]{3}$",
           ("rfc",), checksum=False),
    Number("in_pan", "TAX_ID", "Indian PAN", "in_.pan", r"^[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z]$",
           ("pan card", "pan number", "permanent account number"), checksum=False),
    Number("au_abn", "TAX_ID", "Australian ABN", "au.abn", r"^\d{2}\s?\d{3}\s?\d{3}\s?\d{3}$",
           ("abn", "australian business number"), distinctive=r"^\d{2} \d{3} \d{3} \d{3}$"),
    Number("au_tfn", "TAX_ID", "Australian TFN", "au.tfn", r"^\d{3}\s?\d{3}\s?\d{2,3}$",
           ("tfn", "tax file number")),
    Number("de_idnr", "TAX_ID", "German tax identification number (IdNr)", "de.idnr",
           r"^\d{2}\s?\d{3}\s?\d{3}\s?\d{3}$",
           ("steuer id", "steuerid", "steueridentifikationsnummer", "idnr", "steuer idnr")),
    Number("de_stnr", "TAX_ID", "German tax number (Steuernummer)", "de.stnr",
           r"^\d{2,3}/\d{3,4}/\d{4,5}$|^\d{10,13}$", ("steuernummer", "steuer nummer", "stnr"),
           checksum=False),
    Number("gb_utr", "TAX_ID", "UK Unique Taxpayer Reference", "gb.utr", r"^K?\d{10}K?$",
           ("utr", "unique taxpayer reference")),
    Number("ar_cuit", "TAX_ID", "Argentine CUIT/CUIL", "ar.cuit", r"^\d{2}-?\d{8}-?\d$",
           ("cuit", "cuil"), distinctive=r"^\d{2}-\d{8}-\d$"),
)


class NumberDetector(Detector):
    """Base of the national and tax number detectors (one subclass per number)."""

    kinds = frozenset({"string", "integer"})
    specificity = 65
    named_shape_counts = True
    number: Number

    def match(self, view: ValueView) -> Match | None:
        if view.count == 0:
            return None
        cand = candidates(view).fitting(self.number.shape)
        if len(cand) == 0:
            return Match(0, 0)
        shaped_mask = pc.match_substring_regex(cand, self.number.shape)
        shaped = count(shaped_mask)
        if not shaped:
            return Match(0, 0)
        formed = cand.filter(shaped_mask)
        valid = self._validator()
        # Every validated value counts under a telling name; from values alone only
        # the written forms that a generic number never takes.
        named = (check_each(formed, valid, self) if self.number.checks is None
                 else check_all(formed, self.number.checks, self))
        matched = 0
        if self.number.checksum and self.number.distinctive:
            written = filter_if_any(formed, pc.match_substring_regex(formed,
                                                                     self.number.distinctive))
            if len(written) == len(formed):
                matched = named.matched
            elif len(written):
                matched = check_each(written, valid, self,
                                     limit=MAX_PYTHON_CHECKS).matched
        return Match(shaped, matched, named.evidence, named.subset,
                     named_valid=named.matched)

    def _validator(self) -> Callable[[str], bool]:
        if self.number.check is not None:
            return self.number.check
        assert self.number.module is not None
        return _stdnum(self.number.module)

    def judge(self, tally: Tally, facts: ColumnFacts, name: NameEvidence) -> Verdict | None:
        verdict = super().judge(tally, facts, name)
        if verdict is None or self.number.checksum or not verdict.from_values:
            return verdict
        # Format rules only (no check digit): the name does most of the work.
        return Verdict(verdict.entity, min(verdict.confidence, 0.8), verdict.matched,
                       verdict.sampled, (*verdict.reasons, "format rules only: no check digit"),
                       verdict.evidence, verdict.from_values)

    def mask(self, value: str) -> str:
        return mask_tail(value, 2)


def _number_class(number: Number) -> type[NumberDetector]:
    generic = _NATIONAL_NAMES if number.entity == "NATIONAL_ID" else _TAX_NAMES
    doc = f"{number.label} ({number.entity}): python-stdnum" + (
        " check digits" if number.checksum else " format rules") + ", bare digits under a name."
    attributes = {
        "__doc__": doc,
        "__module__": __name__,
        "entity": number.entity,
        "name": number.key,
        "number": number,
        "valid_word": f"valid {number.label}",
        "names": NameRule(strong=(*number.names, *generic), veto=_VETO),
    }
    cls = type(f"{number.key.title().replace('_', '')}Detector", (NumberDetector,), attributes)
    return register(cls)


for _number in NUMBERS:
    _number_class(_number)


# --- passports and driving licences: no check digit anyone can verify ----------------

class DocumentNumberDetector(Detector):
    """Base of the passport and driving-licence detectors: a name and a plausible shape."""

    kinds = frozenset({"string", "integer"})
    requires_name = True
    # No check digit: a telling name over other values is still said, as name only.
    name_only_needs_shape = False
    specificity = 30
    shape: str = ""

    def match(self, view: ValueView) -> Match | None:
        s = view.numeric if view.kind == "integer" else view.strings
        if len(s) == 0:
            return None
        up = pc.utf8_upper(s)
        ok = pc.and_(pc.match_substring_regex(up, self.shape),
                     pc.match_substring_regex(up, r"\d"))
        k = count(ok)
        return Match(k, k, take_evidence(s, ok, self))

    def judge(self, tally: Tally, facts: ColumnFacts, name: NameEvidence) -> Verdict | None:
        verdict = super().judge(tally, facts, name)
        if verdict is None or not verdict.from_values:
            return verdict
        return Verdict(verdict.entity, min(verdict.confidence, 0.8), verdict.matched,
                       verdict.sampled,
                       (*verdict.reasons, "no check digit: judged from the name and the shape"),
                       verdict.evidence, verdict.from_values)

    def mask(self, value: str) -> str:
        return mask_tail(value, 2)


@register
class PassportDetector(DocumentNumberDetector):
    """Passport numbers in columns named for them (ICAO document numbers: 6-9 letters/digits)."""

    entity = "PASSPORT"
    name = "passport"
    valid_word = "passport-number-shaped"
    names = NameRule(strong=("passport", "passport number", "passport id", "travel document",
                             "reisepass", "pasaporte", "passeport", "passaporto", "paszport"),
                     veto=("country", "issued", "issuer", "expiry", "expiration", "exp", "date",
                           "type", "status", "count", "verified", "photo", "scan", "image",
                           "nationality", "authority", "place"))
    shape = r"^[A-Z0-9]{1,3}[ -]?[A-Z0-9]{4,8}$"


@register
class DriverLicenseDetector(DocumentNumberDetector):
    """Driver's licence numbers in columns named for them (letters and digits, 5-20)."""

    entity = "DRIVER_LICENSE"
    name = "driver_license"
    valid_word = "licence-number-shaped"
    names = NameRule(strong=("driver license", "drivers license", "driver licence",
                             "drivers licence", "driving license", "driving licence",
                             "dl number", "dl id", "license number", "licence number",
                             "driver license number", "fuhrerschein", "fuehrerschein",
                             "permis de conduire", "licencia de conducir", "carteira motorista",
                             "patente guida", "cnh"),
                     exact=("dl", "license", "licence", "dl no"),
                     veto=("plate", "vehicle", "software", "key", "business", "liquor", "radio",
                           "spectrum", "product", "seat", "seats", "state", "class", "country",
                           "issued", "issuer", "expiry", "expiration", "exp", "date", "type",
                           "status", "count", "verified", "url", "file", "text", "agreement"))
    shape = r"^[A-Z0-9][A-Z0-9 -]{3,18}[A-Z0-9]$"

