"""National, tax, passport and driving-licence values for the detector tables.

Valid numbers are made here from templates: random digits and letters where the
format allows any, and the check characters (``?``) searched until the number
validates. Each look-alike is the same number with a check character changed, or
a form the rules forbid. Nothing is copied from any library's test data.
"""

from __future__ import annotations

import importlib
import itertools
import random
import string

# key: (template, alphabet of the check characters ``?``, written form counts from values)
# ``#`` is a random digit, ``L`` a random capital letter; anything else is literal.
TEMPLATES: dict[str, tuple[str, str, bool]] = {
    "es_dni": ("########?", string.ascii_uppercase, True),
    "es_nie": ("Y#######?", string.ascii_uppercase, True),
    "it_codicefiscale": ("LLLLLL7#C2#F205?", string.ascii_uppercase, True),
    "fr_nir": ("2 7# 04 69 ### ### ??", string.digits, True),
    "gb_nhs": ("### ### ###?", string.digits, False),
    "nl_bsn": ("########?", string.digits, False),
    "se_personnummer": ("7#0415-###?", string.digits, True),
    "fi_hetu": ("1#0678-###?", string.digits + "ABCDEFHJKLMNPRSTUVWXY", True),
    "no_fodselsnummer": ("1#0678###??", string.digits, False),
    "pl_pesel": ("8#0917####?", string.digits, False),
    "br_cpf": ("###.###.###-??", string.digits, True),
    "mx_curp": ("LLLL8#0917HJCLLL0?", string.digits, True),
    "cl_rut": ("1#.###.###-?", string.digits + "K", True),
    "in_aadhaar": ("7### #### ###?", string.digits, True),
    "ca_sin": ("4## ### ##?", string.digits, False),
    "cn_ric": ("31010419791015###?", string.digits + "X", False),
    "ch_ssn": ("756.####.####.#?", string.digits, True),
    "be_nn": ("8#.04.15-###.??", string.digits, True),
    "za_idnr": ("8#0415####08?", string.digits, False),
    "pt_cc": ("######## ? ZZ?", string.digits, True),
    "kr_rrn": ("8#0415-2#####?", string.digits, True),
    "eu_vat": ("DE########?", string.digits, True),
    "es_nif": ("B#######?", string.digits, True),
    "br_cnpj": ("##.###.###/0001-??", string.digits, True),
    "au_abn": ("?? ### ### ###", string.digits, True),
    "au_tfn": ("### ### ##?", string.digits, False),
    "de_idnr": ("## ### ### ##?", string.digits, False),
    "gb_utr": ("?#########", string.digits, False),
    "ar_cuit": ("20-########-?", string.digits, True),
}

#: Numbers with no check digit: valid forms, and forms their rules forbid.
FORMAT_ONLY: dict[str, tuple[list[str], list[str]]] = {
    "gb_nino": (["JG 10 37 59 A", "PR481922C", "CE 60 12 84 D"],
                ["QQ123456C", "GB123456A", "JG103759E"]),
    "dk_cpr": (["150982-1047", "0311754418"], ["320182-1047", "151382-1047"]),
    "ar_dni": (["20.481.922", "7.654.321"], ["20.481.9222", "2048"]),
    "us_ein": (["12-3456789", "954817264"], ["00-3456789", "07-1234567"]),
    "mx_rfc": (["GOML850917AB1", "BAJA-790415-K72"], ["GOML851317AB1", "GO1L850917AB1"]),
    "in_pan": (["BNZPM2501F", "AAACR4849R"], ["BNZXM2501F", "BNZPM25010"]),
    "de_stnr": (["143/815/08157", "2893081508152"], ["14/81/508157", "143-815-08157"]),
}

#: Key -> python-stdnum module, for the search of check characters.
MODULES = {"es_dni": "es.dni", "es_nie": "es.nie", "it_codicefiscale": "it.codicefiscale",
           "fr_nir": "fr.nir", "gb_nhs": "gb.nhs", "nl_bsn": "nl.bsn",
           "se_personnummer": "se.personnummer", "fi_hetu": "fi.hetu",
           "no_fodselsnummer": "no.fodselsnummer", "pl_pesel": "pl.pesel", "br_cpf": "br.cpf",
           "mx_curp": "mx.curp", "cl_rut": "cl.rut", "in_aadhaar": "in_.aadhaar",
           "ca_sin": "ca.sin", "cn_ric": "cn.ric", "ch_ssn": "ch.ssn", "be_nn": "be.nn",
           "za_idnr": "za.idnr", "pt_cc": "pt.cc", "kr_rrn": "kr.rrn", "eu_vat": "eu.vat",
           "es_nif": "es.nif", "br_cnpj": "br.cnpj", "au_abn": "au.abn", "au_tfn": "au.tfn",
           "de_idnr": "de.idnr", "gb_utr": "gb.utr", "ar_cuit": "ar.cuit"}


def _fill(template: str, rng: random.Random) -> str:
    out = []
    for ch in template:
        if ch == "#":
            out.append(rng.choice(string.digits))
        elif ch == "L":
            out.append(rng.choice(string.ascii_uppercase))
        else:
            out.append(ch)
    return "".join(out)


def make(key: str, n: int, seed: int = 0) -> list[str]:
    """Return ``n`` distinct valid numbers of one kind, written as the template says."""
    if key in FORMAT_ONLY:
        valid = FORMAT_ONLY[key][0]
        return [valid[i % len(valid)] for i in range(n)]
    template, alphabet, _ = TEMPLATES[key]
    is_valid = importlib.import_module(f"stdnum.{MODULES[key]}").is_valid
    rng = random.Random(f"{key}-{seed}")
    found: list[str] = []
    while len(found) < n:
        base = _fill(template, rng)
        slots = [i for i, ch in enumerate(base) if ch == "?"]
        for combo in itertools.product(alphabet, repeat=len(slots)):
            chars = list(base)
            for i, c in zip(slots, combo, strict=True):
                chars[i] = c
            value = "".join(chars)
            if is_valid(value):
                if value not in found:
                    found.append(value)
                break
    return found


def broken(key: str, value: str) -> str:
    """Return ``value`` with its last check character changed so that it fails."""
    template, alphabet, _ = TEMPLATES[key]
    is_valid = importlib.import_module(f"stdnum.{MODULES[key]}").is_valid
    slot = max(i for i, ch in enumerate(template) if ch == "?")
    for c in alphabet:
        candidate = value[:slot] + c + value[slot + 1:]
        if candidate != value and not is_valid(candidate):
            return candidate
    raise AssertionError(f"no invalid variant of a {key} value")


def value_cases() -> list[tuple[str, str, bool]]:
    """``(detector, value, counts from values alone?)`` for the shared detector table."""
    cases: list[tuple[str, str, bool]] = []
    for key, (_, _, written) in TEMPLATES.items():
        good = make(key, 1)[0]
        cases.append((key, good, written))
        cases.append((key, broken(key, good), False))
    for key, (good, bad) in FORMAT_ONLY.items():
        # No check digit: never a finding from values alone.
        cases.append((key, good[0], False))
        cases.append((key, bad[0], False))
    cases += [("passport", "X1973060", True), ("passport", "C01X00T47", True),
              ("passport", "unknown", False), ("passport", "see scan", False),
              ("driver_license", "D951-3358-2210", True), ("driver_license", "S53002841", True),
              ("driver_license", "none", False), ("driver_license", "-", False)]
    return cases


def named_cases() -> list[tuple[str, str, bool]]:
    """``(detector, value, valid under a telling column name?)``."""
    cases: list[tuple[str, str, bool]] = []
    for key in TEMPLATES:
        good = make(key, 1, seed=1)[0]
        cases.append((key, good, True))
        cases.append((key, broken(key, good), False))
        # Written without its separators, as a database keeps it.
        bare = good.replace(" ", "").replace(".", "").replace("-", "").replace("/", "")
        if key != "fi_hetu":  # its separator is part of the number (century)
            cases.append((key, bare, True))
    for key, (good, bad) in FORMAT_ONLY.items():
        cases += [(key, v, True) for v in good] + [(key, v, False) for v in bad]
    return cases
