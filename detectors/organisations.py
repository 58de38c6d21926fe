"""Words that say a value names an organisation, not a person.

Legal forms (GmbH, Inc, Ltd, S.A., Ltda, CRL) and the nouns firms and
institutions are named by (Bank, Banco, Caixa, Travel, Airlines, Insurance):
``Honauer Reisen GmbH``, ``NOVO BANCO, SA`` and ``Sunshine Travel`` are firms
whatever a name-shaped pattern or the language model makes of them.
"""

from __future__ import annotations

#: Alternatives of the organisation pattern (lower case; matched as whole words).
ORGANISATION_ALTERNATIVES = (
    r"inc|ltd|llc|gmbh|corp|co|company|group|bank|ltda|plc|pty|ag|kg|sa|sas|sarl|srl|spa|"
    r"nv|bv|crl|eireli|s\.a|s\.l|s\.r\.l|n\.v|b\.v|corporation|incorporated|limited|"
    r"enterprises|holding|holdings|partners|associates|consulting|trading|industries|"
    r"logistics|insurance|travel|travels|tours|trips|airlines|airways|agency|banco|banque|"
    r"caixa|sparkasse|foundation|association|society|cooperative|ministry|council|reisen|"
    r"seguros|comercio|servicios|servicos|university|hospital|hotel|school|college"
)
#: A value naming an organisation (Python's ``re`` and RE2 read it alike).
ORGANISATION_WORDS = rf"(?i)\b(?:{ORGANISATION_ALTERNATIVES})\b"
