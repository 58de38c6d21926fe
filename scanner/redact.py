"""Credentials never reach an output: one function hides them in every URL shown.

Imports nothing of the project, so every layer (connectors naming a source,
the engine, the results store, reports) uses this same function.

What is hidden: the password of the userinfo (``u:***@host``), and the value
of every query or fragment parameter whose name says it holds a credential
(``password``, ``pwd``, ``token``, ``secret``, ``key``, ``sslpassword``,
``aws_secret_access_key``, ``sig``, ...). :func:`redact_text` does the same
for every URL inside a free text and for ``password=...`` pairs of a libpq or
ODBC connection string.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

MASK = "***"

#: Parameter names that are credentials themselves (compared lower-case, '-' as '_').
_SECRET_NAMES = frozenset({
    "password", "passwd", "pwd", "pass", "passphrase", "token", "secret", "key", "apikey",
    "api_key", "access_key", "accesskey", "secret_key", "private_key", "sslpassword",
    "sslkey", "sslcert_password", "aws_secret_access_key", "aws_session_token",
    "client_secret", "sig", "signature", "x_amz_signature", "x_amz_credential",
    "x_amz_security_token", "credential", "credentials", "auth", "authorization",
    "session_token", "access_token", "refresh_token", "id_token", "bearer",
    "sas", "sv_sig", "account_key", "accountkey", "sharedaccesskey", "jwt", "cookie",
})
#: Name parts that make any parameter a credential (``db_password``, ``authToken``).
_SECRET_PARTS = ("pass", "pwd", "secret", "token", "apikey", "api_key", "signature",
                 "credential", "privatekey", "private_key", "access_key", "accesskey")

_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>`]+")
# key=value pairs of a connection string outside a URL: ``password=x``, ``PWD=x;``.
_PAIR_IN_TEXT = re.compile(
    r"(?P<key>\b[A-Za-z_][A-Za-z0-9_\-]*)(?P<eq>\s*=\s*)"
    r"(?P<value>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s;&,)]+)")


def is_secret_name(name: str) -> bool:
    """Say whether a parameter called ``name`` holds a credential."""
    key = unquote(name).strip().lower().replace("-", "_").replace(".", "_")
    if key in _SECRET_NAMES:
        return True
    squashed = key.replace("_", "")
    return any(part.replace("_", "") in squashed for part in _SECRET_PARTS) or \
        key.endswith(("_key", "_sig"))


def _redact_params(text: str) -> str:
    """Mask the values of credential parameters in ``a=1&password=x;b=2``."""
    out = []
    for piece in re.split(r"([&;])", text):
        if piece in ("&", ";") or "=" not in piece:
            out.append(piece)
            continue
        name, value = piece.split("=", 1)
        # A value that is itself a connection string (``odbc_connect=...PWD%3Dx``)
        # is hidden whole when it holds a credential.
        inner = unquote(value)
        hidden = is_secret_name(name) or any(
            is_secret_name(m.group("key")) for m in _PAIR_IN_TEXT.finditer(inner))
        out.append(f"{name}={MASK}" if hidden else piece)
    return "".join(out)


def redact_url(spec: str) -> str:
    """Hide every credential of a URL: ``postgresql://u:***@host/db?password=***``.

    Anything that is not a URL is returned as it is.
    """
    if "://" not in spec:
        return spec
    scheme, rest = spec.split("://", 1)
    # The userinfo ends at an '@' (a password may hold '/', '?' or '#', as SQLAlchemy
    # reads it); an unescaped '@' inside a password moves the host to the last '@'
    # before the path.
    m = re.match(r"([^:/?#@]*)(?::([^@]*))?@", rest)
    if m:
        after = rest[m.end():]
        hostpart = re.match(r"[^/?#]*", after).group()  # type: ignore[union-attr]
        extra = hostpart.rfind("@")
        has_password = m.group(2) is not None or extra >= 0
        if extra >= 0:
            after = after[extra + 1:]
        user = m.group(1)
        head = f"{user}:{MASK}@" if has_password else f"{user}@"
    else:
        head = ""
        after = rest
    # Query and fragment parameters.
    cut = [i for i in (after.find("?"), after.find("#")) if i >= 0]
    if not cut:
        return f"{scheme}://{head}{after}"
    start = min(cut)
    path, tail = after[:start], after[start:]
    parts = re.split(r"([?#])", tail)
    tail = "".join(p if p in ("?", "#") else _redact_params(p) for p in parts)
    return f"{scheme}://{head}{path}{tail}"


def redact_text(text: str) -> str:
    """Hide the credentials of every URL and ``password=...`` pair inside a free text."""
    if not text:
        return text
    text = _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)

    def pair(m: re.Match[str]) -> str:
        if m.group("value") == MASK or not is_secret_name(m.group("key")):
            return m.group(0)
        return f"{m.group('key')}{m.group('eq')}{MASK}"

    return _PAIR_IN_TEXT.sub(pair, text)


# Quoted literals of a driver's message: an opening quote not inside a word (so the
# apostrophe of "Can't" is not one), a closing quote not followed by a word character.
_QUOTED = re.compile(r"""(?<![A-Za-z0-9])(['"`])(?:(?!\1).|\1(?=[A-Za-z0-9]))*\1(?![A-Za-z0-9])""")
# Seven or more digits, perhaps grouped by '-', '.', '/', ':' or a space (card, phone,
# SSN, dates of birth, device numbers): never a port, errno or SQLSTATE.
_DIGIT_RUN = re.compile(r"(?<![\w])\d(?:[-./: ]?\d){6,}(?![\w])")


def scrub_message(text: str) -> str:
    """Make an untrusted (driver, library) message safe to log; keep its first line.

    Quoted literals, long digit runs and URL credentials are hidden:
    ``date too small: '0950-07-04 BC'`` becomes ``date too small: '…'``.
    """
    lines = str(text).strip().splitlines()
    line = lines[0] if lines else ""
    line = redact_text(line)
    line = _QUOTED.sub(lambda m: f"{m.group(1)}…{m.group(1)}", line)
    return _DIGIT_RUN.sub("#", line)


def scrub_traceback(text: str) -> str:
    """Scrub the exception messages of a formatted traceback, keeping its frames.

    Frame lines (``  File ...`` and the source lines under them) are the
    program's own; every other line is an exception's message, which may quote
    data: the first line of each is scrubbed, the rest dropped.
    """
    out: list[str] = []
    in_message = False
    for line in text.splitlines():
        if line.startswith("Traceback (most recent call last):") or line.startswith("  File "):
            in_message = False
            out.append(line)
        elif line.startswith("    ") and not in_message:
            out.append(line)
        elif not line.strip() or line.startswith(("The above exception", "During handling")):
            in_message = False
            out.append(line)
        elif not in_message:
            in_message = True
            out.append(scrub_message(line))
        # further lines of one message (DETAIL, SQL, parameters) are dropped
    return "\n".join(out)


# Control characters (C0 but tab and newline, DEL, C1) and the invisible
# direction overrides that reorder what a terminal shows.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_ALL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, keep_newlines: bool = False) -> str:
    r"""Show control characters as escapes (``\x1b``) so a name cannot drive a terminal.

    File, table and column names come from the scanned data: a clear-screen,
    a colour or an OSC-8 link in one must reach no terminal or log as such.
    ``keep_newlines`` leaves tabs and newlines of multi-line text alone.
    """
    pattern = _CONTROL if keep_newlines else _CONTROL_ALL

    def escape(m: re.Match[str]) -> str:
        code = ord(m.group(0))
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return pattern.sub(escape, text)


def has_control(text: str) -> bool:
    """Say whether :func:`printable` (keeping newlines) would change ``text``."""
    return _CONTROL.search(text) is not None
