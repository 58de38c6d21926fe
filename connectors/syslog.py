"""Syslog files (RFC 3164 BSD lines and RFC 5424), with the common daemons' messages parsed.

A line is ``[<PRI>]Mmm dd hh:mm:ss host program[pid]: message`` (RFC 3164,
what rsyslog writes to /var/log/auth.log, /var/log/secure, /var/log/maillog)
or ``<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG`` (RFC 5424). Each line
becomes a row: ``timestamp``, ``hostname``, ``program[pid]``, then what the
messages of the usual login and mail daemons say (sshd, sudo, su, login,
pam_unix, useradd, postfix, dovecot, sendmail):

* ``user``: the account (``for``, ``Invalid user``, ``session opened for
  user``, ``sudo: USER :``, ``user=``, ``sasl_username=``, ``name=``, Asterisk's
  ``AccountID="..."``);
* ``source address`` and ``source port``: where it came from (``from``,
  ``rhost=``, ``client=host[addr]``, ``rip=``, ``port``, netfilter's ``SRC=``,
  Asterisk's ``RemoteAddress="IPV4/UDP/addr/port"``, pfSense filterlog's CSV
  source field);
* ``destination address`` (netfilter's ``DST=``, filterlog's destination field);
* ``source mac`` and ``destination mac``: netfilter's ``MAC=`` is the Ethernet
  header (destination MAC, source MAC, EtherType); RouterOS's ``src-mac``. A
  loopback header's all-zero address is none;
* ``key fingerprint`` (sshd public keys);
* ``mail from`` and ``mail to`` (postfix/sendmail envelope addresses);
* ``message``: the rest of the text, with the extracted address replaced.

Only timestamp, hostname, program[pid] and message are always there: a field
no line of a batch holds is left out (a firewall log has no ``user`` column, so
nothing is claimed of an empty one).

All of it is extracted column-wise with RE2 patterns through
``pyarrow.compute`` (no per-line Python work beyond splitting lines). The
records are network log entries: the policy's information collected
automatically.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from connectors.base import ColumnInfo, ReadPlan, SourceError, Table
from connectors.lines import (
    LineCounts,
    LineRecordSource,
    iter_chunks,
    open_binary,
    read_head,
    rebatch,
)
from connectors.registry import register

FORMAT = "syslog"
_CHUNK = 4 << 20

_BSD = (r"^(?:<\d{1,3}>)?(?P<timestamp>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) "
        r"(?P<hostname>\S+) (?P<program>[^:\[\s]+(?:\[\d+\])?):? ?(?P<message>.*)$")
_RFC5424 = (r"^<\d{1,3}>1 (?P<timestamp>\S+) (?P<hostname>\S+) (?P<app>\S+) (?P<procid>\S+) "
            r"(?P<msgid>\S+) (?P<sd>-|(?:\[[^\]]*\])+) ?(?P<message>.*)$")
_SNIFF_BSD = re.compile(_BSD.replace("?P<", "?P<s_"))
_SNIFF_5424 = re.compile(_RFC5424.replace("?P<", "?P<s_"))

_IPV4 = r"(?:\d{1,3}\.){3}\d{1,3}"
_IPV6 = r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}"
_ADDR = f"(?:{_IPV4}|{_IPV6})"
_NAME = r"[A-Za-z0-9._@$\\-]+"
#: Where each daemon puts the account, in order of preference.
_USER = [
    rf"(?:Accepted|Failed) \S+ for (?:invalid user )?(?P<v>{_NAME}) from",
    rf"[Ii]nvalid user (?P<v>{_NAME})",
    rf"session (?:opened|closed) for user (?P<v>{_NAME})",
    rf"by user \"?(?P<v>{_NAME})\"?",
    rf"^\s*(?P<v>{_NAME}) : TTY=",
    rf"(?:^|\s)(?:user|sasl_username|name|USER|ruser)=<?\"?(?P<v>{_NAME})",
    # Asterisk's security events name the SIP endpoint (or "<unknown>").
    rf"\bAccountID=\"(?P<v>{_NAME})\"",
    rf"(?:for user|for) \"?(?P<v>{_NAME})\"?",
]
_SOURCE = [
    rf"\bfrom (?:\S+ )?\[?(?P<v>{_ADDR})\]?",
    rf"\brhost=(?P<v>{_ADDR})",
    rf"\bclient=[^\[\s]*\[(?P<v>{_ADDR})\]",
    rf"\brip=(?P<v>{_ADDR})",
    # Netfilter's LOG target (iptables, nftables, UFW): SRC=.
    rf"(?:^|\s)SRC=(?P<v>{_ADDR})(?:\s|$)",
    # Asterisk's security events: RemoteAddress="IPV4/UDP/addr/port".
    rf"\bRemoteAddress=\"IPV[46]/\w+/(?P<v>{_ADDR})/",
    # pfSense filterlog's CSV payload: ...,length,source,destination,ports...
    rf"(?:^|,)(?P<v>{_ADDR}),{_ADDR},\d",
    rf"\[(?P<v>{_IPV4})\]",
]
_DESTINATION = [
    rf"(?:^|\s)DST=(?P<v>{_ADDR})(?:\s|$)",
    rf"(?:^|,){_ADDR},(?P<v>{_ADDR}),\d",
]
_HEX2 = r"[0-9A-Fa-f]{2}"
_MAC = rf"{_HEX2}(?::{_HEX2}){{5}}"
#: Netfilter's MAC= is the Ethernet header: destination MAC, source MAC, EtherType.
_SOURCE_MAC = [rf"(?:^|\s)MAC={_MAC}:(?P<v>{_MAC}):{_HEX2}:{_HEX2}(?:\s|$)",
               rf"\bsrc-mac[ =](?P<v>{_MAC})\b"]
_DESTINATION_MAC = [rf"(?:^|\s)MAC=(?P<v>{_MAC}):{_MAC}:{_HEX2}:{_HEX2}(?:\s|$)"]
_PORT = [r"\bport (?P<v>\d{1,5})\b"]
_FINGERPRINT = [r"\b(?:RSA|DSA|ECDSA|ED25519)(?:-CERT)? (?P<v>SHA256:\S+|(?:[0-9a-f]{2}:){15}"
                r"[0-9a-f]{2})"]
_MAIL_FROM = [r"\bfrom=<(?P<v>[^>]*)>"]
_MAIL_TO = [r"\b(?:orig_)?to=<(?P<v>[^>]*)>"]

COLUMNS = ("timestamp", "hostname", "program[pid]", "user", "source address", "source port",
           "destination address", "source mac", "destination mac", "key fingerprint",
           "mail from", "mail to", "message")
#: Columns every line has; the others are read from the messages and exist only when
#: some line holds them (a firewall log has no envelope sender, an auth log no MAC).
ALWAYS = ("timestamp", "hostname", "program[pid]", "message")


def _first(message: pa.Array, patterns: list[str]) -> pa.Array:
    """Take the first pattern's capture ``v`` in each message (null when none matches)."""
    out = pa.nulls(len(message), pa.string())
    for pattern in reversed(patterns):
        found = pc.struct_field(pc.extract_regex(message, pattern), [0])
        out = pc.coalesce(found, out)
    return pc.if_else(pc.equal(out, ""), pa.scalar(None, pa.string()), out)


def _link(message: pa.Array, patterns: list[str]) -> pa.Array:
    """Take a MAC address; a loopback header's all-zero address is none."""
    out = _first(message, patterns)
    return pc.if_else(pc.equal(out, "00:00:00:00:00:00"), pa.scalar(None, pa.string()), out)


def parse_lines(lines: pa.Array) -> tuple[pa.RecordBatch, pa.Array]:
    """Split syslog lines into columns; also return which lines were syslog at all."""
    bsd = pc.extract_regex(lines, _BSD)
    new = pc.extract_regex(lines, _RFC5424)
    is_bsd = pc.is_valid(bsd)
    ok = pc.or_(is_bsd, pc.is_valid(new))

    def part(name: str, fallback: str | None) -> pa.Array:
        a = pc.struct_field(bsd, [bsd.type.get_field_index(name)])
        if fallback is None:
            return a
        b = pc.struct_field(new, [new.type.get_field_index(fallback)])
        return pc.if_else(is_bsd, a, b)

    app = pc.struct_field(new, [new.type.get_field_index("app")])
    procid = pc.struct_field(new, [new.type.get_field_index("procid")])
    program_5424 = pc.binary_join_element_wise(app, "[", procid, "]", "")
    program = pc.if_else(is_bsd, pc.struct_field(bsd, [bsd.type.get_field_index("program")]),
                         program_5424)
    message = pc.fill_null(part("message", "message"), "")
    source = _first(message, _SOURCE)
    rest = pc.replace_substring_regex(message, _ADDR, "<address>")
    columns = [part("timestamp", "timestamp"), part("hostname", "hostname"), program,
               _first(message, _USER), source, _first(message, _PORT),
               _first(message, _DESTINATION), _link(message, _SOURCE_MAC),
               _link(message, _DESTINATION_MAC), _first(message, _FINGERPRINT),
               _first(message, _MAIL_FROM), _first(message, _MAIL_TO), rest]
    batch = pa.RecordBatch.from_arrays([c.filter(ok) for c in columns], names=list(COLUMNS))
    return batch, ok


def present_columns(path: Path, size: int = 1 << 20) -> list[str]:
    """Return the columns the file's first lines hold, in their usual order.

    Declared before the read so that their places are stable; a field first seen
    further on joins the table when its batch comes.
    """
    head = read_head(path, size)
    if len(head) == size:
        head = head[:head.rfind(b"\n") + 1]
    texts = [ln.rstrip(b"\r").decode("utf-8", errors="replace")
             for ln in head.split(b"\n") if ln.strip()]
    batch, _ok = parse_lines(pa.array(texts, pa.string()))
    return [name for i, name in enumerate(batch.schema.names)
            if name in ALWAYS or batch.column(i).null_count < batch.num_rows]


class SyslogTable(Table):
    """One syslog file: a row per line, the daemons' fields extracted."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            name=path.name,
            columns=[ColumnInfo(n, "string") for n in present_columns(path)],
            format=FORMAT,
            format_reason="RFC 3164/5424 syslog lines (timestamp, host, program[pid]: "
                          "message); sshd, sudo, pam, postfix, dovecot, netfilter, "
                          "pfSense filterlog and Asterisk security messages parsed",
            record_kind="network_log",
            # A line that is not syslog (a wrapped continuation) is reported, not lost data.
            partial_on_warnings=False,
        )
        self.path = path
        #: Lines of the last read that were not syslog lines.
        self.skipped = 0

    def batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        """Yield parsed lines in batches (the first ``sample_size`` unless reading in full)."""
        self.warnings.clear()
        counts = LineCounts(warnings=self.warnings)
        size = max(1, plan.batch_size)
        self.skipped = 0
        for batch in rebatch(self._parsed(counts, plan.sample_size), size):
            keep = [i for i, name in enumerate(batch.schema.names)
                    if name in ALWAYS or batch.column(i).null_count < batch.num_rows]
            yield batch.select(keep)
        if self.skipped:
            self.warnings.append(f"{self.skipped} lines are not syslog lines; skipped")
        counts.note_unlisted()
        if counts.long_lines:
            # A line skipped for its length may hide records: the read is partial.
            self.partial_on_warnings = True

    def _parsed(self, counts: LineCounts, limit: int | None) -> Iterator[pa.RecordBatch]:
        seen = 0
        with open_binary(self.path) as fh:
            for first, chunk, _ in iter_chunks(fh, 1, _CHUNK, counts):
                texts = []
                for offset, line in enumerate(chunk.split(b"\n")):
                    if len(line) > counts.max_line:
                        counts.long_line(first + offset)
                    elif line.strip():
                        texts.append(line.rstrip(b"\r").decode("utf-8", errors="replace"))
                batch, _ok = parse_lines(pa.array(texts, pa.string()))
                self.skipped += len(texts) - batch.num_rows
                if limit is not None:
                    batch = batch.slice(0, limit - seen)
                seen += batch.num_rows
                yield batch
                if limit is not None and seen >= limit:
                    return


@register
class SyslogSource(LineRecordSource):
    """Syslog files (RFC 3164/5424): auth, secure and mail logs, messages parsed."""

    kind = FORMAT
    formats = (FORMAT,)

    @classmethod
    def recognise(cls, head: bytes) -> int:
        """Score the first bytes of a file as this format (0: not it)."""
        lines = [ln for ln in head.decode("utf-8", errors="replace").splitlines()[:50]
                 if ln.strip()]
        if len(lines) > 1 and head[-1:] != b"\n":
            lines = lines[:-1]
        if not lines:
            return 0
        hits = sum(1 for ln in lines if _SNIFF_BSD.match(ln) or _SNIFF_5424.match(ln))
        return 50 if hits >= 0.8 * len(lines) else 0

    def tables(self) -> Iterator[Table]:
        path = Path(self.spec)
        if not path.is_file():
            raise SourceError(f"{path}: not a file")
        yield self.forced(SyslogTable(path))
