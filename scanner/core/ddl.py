r"""Schema changes before any data exists: new columns in SQL migrations, classified.

``piiscan ddl migrations/*.sql`` and ``piiscan check --ddl`` read the
``CREATE TABLE`` and ``ALTER TABLE ... ADD [COLUMN]`` statements of SQL files
(PostgreSQL, MySQL/MariaDB and SQLite dialects, parsed with sqlglot) and judge
each new column by its name (the detectors' :class:`~detectors.names.NameRule`
objects, through the same ``judge`` the engine uses for a column without
values) and by its declared type (``inet`` is an IP address, ``macaddr`` a MAC
address, a ``date`` named ``dob`` a date of birth).

Files are split into statements here, not by sqlglot: the splitter knows
quotes, dollar quotes, comments, MySQL's ``/*! ... */`` and ``DELIMITER``,
psql meta-commands (``\connect``, ``\restrict``) and ``COPY ... FROM stdin``
data blocks, and it blanks out every comment and string literal before
anything is parsed. Line numbers therefore come from the file's own text, and
no literal (a default value, a row of a data dump) ever reaches the parser, a
log line or a report.

Column identity
---------------
A DDL column is named like a scanned column, ``SOURCE/TABLE/COLUMN``:

* ``SOURCE`` is ``ddl`` unless ``--ddl-source`` names it. Giving the URL of
  the database the migrations build (as ``piiscan scan`` prints it, password
  hidden) makes the DDL identities equal to those of a scan of that database,
  so one baseline approves a column in both.
* ``TABLE`` is ``schema.table`` when the statement names a schema; an
  unqualified table gets ``--ddl-schema`` (default ``public`` for PostgreSQL,
  none for MySQL and SQLite, which is how the database connectors name
  tables).
* Names are as the database stores them: PostgreSQL folds unquoted names to
  lower case; MySQL and SQLite keep them as written.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from detectors.base import ColumnFacts, Detector, Verdict
from detectors.registry import all_detectors
from scanner.core.classify import Claim, finish_records, judge_column, resolve_column
from scanner.core.identity import url_identity
from scanner.fileio import reading
from scanner.model import ColumnRef, ScanResult, SourceResult, Status, TableResult
from scanner.policy import Policy
from scanner.redact import redact_url

logger = logging.getLogger(__name__)

DIALECTS: tuple[str, ...] = ("postgres", "mysql", "sqlite")
#: ``--dialect auto`` picks one of DIALECTS per file from tell-tale syntax.
AUTO = "auto"
DEFAULT_SOURCE = "ddl"
#: Unqualified tables get this schema, per dialect (as the database connectors name them).
DEFAULT_SCHEMA: dict[str, str | None] = {"postgres": "public", "mysql": None, "sqlite": None}

_CREATE_RE = re.compile(
    r"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?"
    r"(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\b", re.IGNORECASE)
_ALTER_RE = re.compile(r"^ALTER\s+TABLE\b", re.IGNORECASE)
#: ``ADD [COLUMN] [IF NOT EXISTS] name`` that is not a constraint or an index.
_ADD_COLUMN_RE = re.compile(
    r"\bADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?!(?:CONSTRAINT|PRIMARY|FOREIGN|UNIQUE|INDEX|KEY|CHECK|FULLTEXT|SPATIAL|PARTITION|"
    r"EXCLUDE|PERIOD|SYSTEM)\b)[\"`\[]?\w", re.IGNORECASE)
_COPY_STDIN_RE = re.compile(r"^COPY\b.*\bFROM\s+stdin\b", re.IGNORECASE | re.DOTALL)
_DELIMITER_RE = re.compile(r"DELIMITER[ \t]+(\S+)[ \t]*(?:\r?\n|$)", re.IGNORECASE)

#: Declared types that say what a column holds whatever it is called.
_TYPE_ENTITIES: dict[str, str] = {
    "inet": "IP_ADDRESS",
    "cidr": "IP_ADDRESS",
    "macaddr": "MAC_ADDRESS",
    "macaddr8": "MAC_ADDRESS",
}


class DdlError(Exception):
    """A DDL file cannot be read (missing, not text)."""


@dataclass(frozen=True)
class Statement:
    """One statement of a file: its text with comments and literals blanked out."""

    text: str
    #: Offset of the statement's first character in the file.
    offset: int
    #: 1-based line of the statement's first non-blank character.
    line: int


@dataclass(frozen=True)
class DdlColumn:
    """A column a statement creates, with where it was written."""

    schema: str | None
    table: str
    column: str
    data_type: str
    kind: str
    file: str
    line: int
    statement: str  # "create" or "alter"


@dataclass(frozen=True)
class DdlProblem:
    """A statement that could not be read; its columns went unchecked."""

    file: str
    line: int
    message: str


@dataclass(frozen=True)
class DdlLocation:
    """Where a DDL column was declared."""

    file: str
    line: int


@dataclass(frozen=True)
class DdlScan:
    """The DDL files as a scan result, plus where each column was declared."""

    result: ScanResult
    #: Column identity (``str(ColumnRef)``) -> where it was declared (first declaration).
    locations: dict[str, DdlLocation]
    problems: tuple[DdlProblem, ...]
    #: Statements that create columns piiscan cannot see (``CREATE TABLE ... AS SELECT``).
    warnings: tuple[DdlProblem, ...]

    @property
    def complete(self) -> bool:
        """Whether every table-creating statement was read."""
        return not self.problems


# --- Splitting -------------------------------------------------------------------------------


def guess_dialect(text: str) -> str:
    """Pick a dialect from tell-tale syntax: backquotes or ENGINE= (MySQL), AUTOINCREMENT."""
    if re.search(r"`|\bENGINE\s*=|\bAUTO_INCREMENT\b|/\*!\d{5}", text, re.IGNORECASE):
        return "mysql"
    if re.search(r"\bAUTOINCREMENT\b|\bPRAGMA\b|\bWITHOUT\s+ROWID\b", text, re.IGNORECASE):
        return "sqlite"
    return "postgres"


def split_statements(text: str, dialect: str) -> list[Statement]:
    """Split SQL text into statements, blanking comments, literals and data blocks.

    The blanked text keeps every newline and every offset, so a position in a
    statement is a position in the file.
    """
    masked = _mask(text, dialect)
    out: list[Statement] = []
    delimiter = ";"
    start = 0
    i = 0
    n = len(masked)
    line_starts = _line_starts(masked)
    while i < n:
        at_line_start = i == 0 or masked[i - 1] == "\n"
        if at_line_start and dialect == "mysql" and not masked[start:i].strip():
            m = _DELIMITER_RE.match(masked, i)
            if m:
                delimiter = m.group(1)
                i = start = m.end()
                continue
        if masked.startswith(delimiter, i):
            _emit(out, masked, start, i, line_starts)
            i = start = i + len(delimiter)
            continue
        if at_line_start and masked[i] == "\x00":
            # A psql meta-command ends whatever statement is open.
            _emit(out, masked, start, i, line_starts)
            end = masked.find("\n", i)
            i = start = n if end < 0 else end
            continue
        i += 1
    _emit(out, masked, start, n, line_starts)
    return out


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    return starts


def line_of(line_starts: Sequence[int], offset: int) -> int:
    """Return the 1-based line number holding ``offset``."""
    lo, hi = 0, len(line_starts)
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if line_starts[mid] <= offset:
            lo = mid
        else:
            hi = mid
    return lo + 1


def _emit(out: list[Statement], masked: str, start: int, end: int,
          line_starts: Sequence[int]) -> None:
    chunk = masked[start:end]
    stripped = chunk.lstrip()
    if not stripped.strip():
        return
    first = start + (len(chunk) - len(stripped))
    out.append(Statement(chunk.replace("\x00", " "), start, line_of(line_starts, first)))


def _mask(text: str, dialect: str) -> str:
    r"""Blank comments, literal contents, dollar-quoted bodies and COPY data; mark meta-commands.

    Quote characters stay (``DEFAULT '   '`` still parses); identifiers in
    double quotes or backquotes stay as written. A psql meta-command line
    becomes ``\x00`` followed by blanks, which the splitter treats as a
    statement boundary.
    """
    out = list(text)
    n = len(text)
    i = 0
    stmt_start = 0

    def blank(a: int, b: int) -> None:
        for k in range(a, min(b, n)):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        at_line_start = i == 0 or text[i - 1] == "\n"
        if ch == "-" and nxt == "-":
            end = text.find("\n", i)
            end = n if end < 0 else end
            blank(i, end)
            i = end
        elif ch == "#" and dialect == "mysql":
            end = text.find("\n", i)
            end = n if end < 0 else end
            blank(i, end)
            i = end
        elif ch == "/" and nxt == "*":
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            blank(i, end)
            i = end
        elif ch == "'":
            escapes = dialect == "mysql" or (i > 0 and text[i - 1] in "eE"
                                              and (i < 2 or not text[i - 2].isalnum()))
            end = _string_end(text, i, "'", escapes)
            blank(i + 1, end - 1)
            i = end
        elif ch == '"' and dialect == "mysql":
            # MySQL's default mode reads "..." as a string.
            end = _string_end(text, i, '"', True)
            blank(i + 1, end - 1)
            i = end
        elif ch in '"`':
            end = text.find(ch, i + 1)
            i = n if end < 0 else end + 1
        elif ch == "$" and dialect == "postgres" and (i == 0 or not text[i - 1].isalnum()):
            m = re.match(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$", text[i:])
            if m:
                tag = m.group(0)
                end = text.find(tag, i + len(tag))
                body_end = n if end < 0 else end
                blank(i + len(tag), body_end)
                i = n if end < 0 else end + len(tag)
            else:
                i += 1
        elif ch == "\\" and at_line_start and dialect == "postgres":
            end = text.find("\n", i)
            end = n if end < 0 else end
            blank(i, end)
            out[i] = "\x00"
            i = end
        elif ch == ";":
            stmt = "".join(out[stmt_start:i]).strip()
            i += 1
            stmt_start = i
            if _COPY_STDIN_RE.match(stmt):
                # Rows of a data dump follow, up to a line holding only "\.".
                m = re.compile(r"^\\\.[ \t]*$", re.MULTILINE).search(text, i)
                end = n if m is None else m.end()
                blank(i, end)
                i = stmt_start = end
        else:
            i += 1
    return "".join(out)


def _string_end(text: str, i: int, quote: str, escapes: bool) -> int:
    """Return the offset just past the literal starting at ``i``."""
    n = len(text)
    j = i + 1
    while j < n:
        c = text[j]
        if escapes and c == "\\":
            j += 2
            continue
        if c == quote:
            if j + 1 < n and text[j + 1] == quote:
                j += 2
                continue
            return j + 1
        j += 1
    return n


# --- Parsing ---------------------------------------------------------------------------------


def _read(path: str | Path) -> str:
    return reading(DdlError)(path, encoding="utf-8-sig")


def parse_text(text: str, where: str, dialect: str = AUTO
               ) -> tuple[list[DdlColumn], list[DdlProblem], list[DdlProblem]]:
    """Return the columns ``text`` creates; ``where`` names the file in results and messages."""
    if dialect == AUTO:
        dialect = guess_dialect(text)
        logger.debug("%s: read as %s", where, dialect)
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r} (choose from {', '.join(DIALECTS)})")
    columns: list[DdlColumn] = []
    problems: list[DdlProblem] = []
    warnings: list[DdlProblem] = []
    for stmt in split_statements(text, dialect):
        body = stmt.text.strip()
        is_create = bool(_CREATE_RE.match(body))
        is_alter = bool(_ALTER_RE.match(body))
        if not (is_create or is_alter):
            continue
        adds_column = is_create or bool(_ADD_COLUMN_RE.search(body))
        if not adds_column:
            # OWNER TO, ADD CONSTRAINT, ALTER COLUMN ... SET DEFAULT: no new column.
            continue
        try:
            tree = sqlglot.parse_one(stmt.text, read=dialect)
        except SqlglotError as exc:
            problems.append(DdlProblem(where, stmt.line, _parse_message(exc)))
            continue
        found = _columns_of(tree, stmt, where, dialect)
        if found is None:
            if is_create:
                warnings.append(DdlProblem(
                    where, stmt.line, "CREATE TABLE without a column list (AS SELECT, LIKE, "
                    "PARTITION OF): its columns are not checked"))
            else:
                problems.append(DdlProblem(where, stmt.line, _UNREAD))
            continue
        if not found and is_alter:
            problems.append(DdlProblem(where, stmt.line, _UNREAD))
        columns.extend(found)
    return columns, problems, warnings


_UNREAD = "statement could not be parsed (read only as a command); its columns are not checked"


def _parse_message(exc: SqlglotError) -> str:
    # sqlglot's messages quote the statement; keep only what kind of error it was.
    return f"statement could not be parsed ({type(exc).__name__}); its columns are not checked"


def _columns_of(tree: exp.Expression | None, stmt: Statement, where: str,
                dialect: str) -> list[DdlColumn] | None:
    """Return the columns a parsed statement adds, or None when it is not readable as such."""
    if isinstance(tree, exp.Create) and str(tree.args.get("kind") or "").upper() == "TABLE":
        schema = tree.this
        if not isinstance(schema, exp.Schema):
            return None
        table = schema.this
        defs = [e for e in schema.expressions if isinstance(e, exp.ColumnDef)]
        return _locate(table, defs, stmt, where, dialect, "create")
    if isinstance(tree, exp.Alter) and str(tree.args.get("kind") or "").upper() == "TABLE":
        defs = [a for a in tree.args.get("actions") or () if isinstance(a, exp.ColumnDef)]
        return _locate(tree.this, defs, stmt, where, dialect, "alter")
    return None


def _locate(table: exp.Expression, defs: list[exp.ColumnDef], stmt: Statement, where: str,
            dialect: str, statement: str) -> list[DdlColumn] | None:
    if not isinstance(table, exp.Table):
        return None
    table_name = _ident(table.this, dialect)
    schema_name = _ident(table.args.get("db"), dialect) if table.args.get("db") else None
    # Newlines before the statement's first character, to turn offsets into file lines.
    lead = stmt.text.count("\n", 0, len(stmt.text) - len(stmt.text.lstrip()))
    cursor = 0
    out: list[DdlColumn] = []
    for d in defs:
        ident = d.this
        name = _ident(ident, dialect)
        kind_expr = d.args.get("kind")
        data_type = kind_expr.sql(dialect=dialect) if isinstance(kind_expr, exp.DataType) else ""
        pos = _find_column(stmt.text, ident, cursor, statement)
        if pos is not None:
            cursor = pos + 1
            line = stmt.line - lead + stmt.text.count("\n", 0, pos)
        else:
            line = stmt.line
        out.append(DdlColumn(schema_name, table_name, name, data_type,
                             declared_kind(kind_expr), where, line, statement))
    return out


def _ident(node: exp.Expression | str | None, dialect: str) -> str:
    """Return an identifier as the database stores it (PostgreSQL folds unquoted to lower)."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node
    if isinstance(node, exp.Identifier):
        if dialect == "postgres" and not node.quoted:
            return node.name.lower()
        return node.name
    return node.name


def _find_column(text: str, ident: exp.Expression, cursor: int, statement: str) -> int | None:
    """Return the offset of a column's definition in the (blanked) statement text."""
    name = ident.name if isinstance(ident, exp.Identifier) else str(ident)
    quoted = "|".join(re.escape(q[0] + name + q[1]) for q in ('""', "``", "[]"))
    bare = r"(?<![\w$])" + re.escape(name) + r"(?![\w$])"
    token = f"(?:{quoted}|{bare})"
    flags = re.IGNORECASE
    if statement == "alter":
        pattern = re.compile(r"\bADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(" + token + ")",
                             flags)
    else:
        # A column definition starts a line of the list or follows "(" or ",".
        pattern = re.compile(r"[(,]\s*(" + token + ")", flags)
    m = pattern.search(text, cursor)
    return m.start(1) if m else None


def declared_kind(data_type: exp.Expression | None) -> str:
    """Map a declared type to the value kinds detectors read (integer, string, temporal ...)."""
    if not isinstance(data_type, exp.DataType):
        return "other"
    t = data_type.this
    if t in exp.DataType.INTEGER_TYPES:
        return "integer"
    if t in exp.DataType.REAL_TYPES:
        return "float"
    if t in exp.DataType.TEMPORAL_TYPES or t in {exp.DataType.Type.INTERVAL}:
        return "temporal"
    if t == exp.DataType.Type.BOOLEAN:
        return "boolean"
    if t in exp.DataType.TEXT_TYPES or t in {
        exp.DataType.Type.UUID, exp.DataType.Type.INET, exp.DataType.Type.ENUM,
        exp.DataType.Type.SET, exp.DataType.Type.CHAR, exp.DataType.Type.NCHAR,
        exp.DataType.Type.VARCHAR, exp.DataType.Type.NVARCHAR,
    }:
        return "string"
    if t in {exp.DataType.Type.BINARY, exp.DataType.Type.VARBINARY, exp.DataType.Type.BLOB,
             exp.DataType.Type.LONGBLOB, exp.DataType.Type.MEDIUMBLOB,
             exp.DataType.Type.TINYBLOB}:
        return "binary"
    if t == exp.DataType.Type.USERDEFINED:
        # macaddr and other types sqlglot does not model: text-like for our purposes.
        return "string"
    return "other"


# --- Classifying -----------------------------------------------------------------------------


def scan_ddl(paths: Iterable[str | Path], policy: Policy, *, dialect: str = AUTO,
             source: str = DEFAULT_SOURCE, schema: str | None = None) -> DdlScan:
    """Read DDL files and classify every column they create, as a scan result.

    ``schema`` is given to unqualified tables: None means the dialect's
    default (``public`` for PostgreSQL), ``""`` means no schema. The result
    has one source, ``source``, whose tables hold the columns in the order
    the files declare them.
    """
    # `--ddl-source` may be a database URL: its columns take the identity a scan of that
    # database gives them (no user, password, host or port), so one baseline serves both.
    source = url_identity(source) if "://" in source else redact_url(source)
    detectors = all_detectors()
    columns: list[DdlColumn] = []
    problems: list[DdlProblem] = []
    warnings: list[DdlProblem] = []
    file_dialects: dict[str, str] = {}
    for path in paths:
        where = str(path)
        text = _read(path)
        used = guess_dialect(text) if dialect == AUTO else dialect
        file_dialects[where] = used
        cols, probs, warns = parse_text(text, where, used)
        columns.extend(cols)
        problems.extend(probs)
        warnings.extend(warns)

    # Group by table identity, first declaration wins (a later CREATE of the same
    # table, or a dump of a schema the migrations built, adds nothing new).
    tables: dict[tuple[str | None, str], dict[str, DdlColumn]] = {}
    for col in columns:
        table_schema = col.schema
        if table_schema is None:
            if schema is None:
                table_schema = DEFAULT_SCHEMA.get(file_dialects[col.file])
            else:
                table_schema = schema or None
        key = (table_schema, col.table)
        tables.setdefault(key, {}).setdefault(col.column, dataclasses.replace(
            col, schema=table_schema))

    policy_tables: list[TableResult] = []
    locations: dict[str, DdlLocation] = {}
    for (table_schema, table_name), cols in sorted(
            tables.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
        work: list[tuple[ColumnRef, list[Claim], str | None]] = []
        for position, col in enumerate(cols.values()):
            ref = ColumnRef(source, table_name, col.column, position, col.data_type,
                            table_schema)
            locations[str(ref)] = DdlLocation(col.file, col.line)
            work.append((ref, classify_column(col.column, col.data_type, col.kind, detectors),
                         None))
        verdicts, record = finish_records(work, policy, None, None)
        policy_tables.append(TableResult(
            name=table_name, columns=tuple(verdicts), rows_scanned=0, rows_total=None,
            schema=table_schema, is_call_record=record.kind == "call_detail",
            record_kind=record.kind, format="ddl",
            format_reason="declared in SQL DDL"))
    status = Status.OK if not problems else Status.PARTIAL
    error = None
    if problems:
        first = problems[0]
        error = f"{first.file}: line {first.line}: {first.message}"
        if len(problems) > 1:
            error += f" (and {len(problems) - 1} more)"
    result = ScanResult(
        sources=(SourceResult(source, "ddl", tuple(policy_tables), status, error),),
        started_at="", finished_at="", seconds=0.0,
        config={"ddl": {"files": sorted(file_dialects), "dialect": dialect}},
    )
    logger.info("ddl: %s columns in %s tables from %s files", len(columns), len(tables),
                len(file_dialects))
    return DdlScan(result, locations, tuple(problems), tuple(warnings))


def classify_column(name: str, data_type: str, kind: str,
                    detectors: Sequence[Detector] | None = None) -> list[Claim]:
    """Judge one declared column by its name and type, as the engine judges an empty column."""
    dets = list(detectors) if detectors is not None else all_detectors()
    facts = ColumnFacts(name, data_type, kind, 0)
    if kind in {"boolean", "binary"}:
        dets = []  # a flag or a blob holds no value a detector reads
    elif kind in {"integer", "float", "temporal", "string"}:
        dets = [d for d in dets if kind in d.kinds]
    claims = []
    for claim in judge_column(dets, facts):
        reasons = tuple(r for r in claim.verdict.reasons
                        if not r.startswith("no values to check"))
        reasons += (f"declared {data_type or 'without a type'}",)
        claims.append(dataclasses.replace(
            claim, verdict=dataclasses.replace(claim.verdict, reasons=reasons)))
    base_type = data_type.split("(")[0].strip().lower()
    entity = _TYPE_ENTITIES.get(base_type)
    if entity is not None:
        # The type says what the values are, as a validator would: other claims
        # from the name (``last_login_ip`` is no login name) do not stand.
        claims = [c for c in claims if c.verdict.entity == entity]
    if entity is not None and not claims:
        claims.append(Claim(
            Verdict(entity=entity, confidence=0.6, matched=0, sampled=0,
                    reasons=(f"declared type {base_type} holds {entity}",), evidence=(),
                    from_values=False),
            "declared_type", 90, False))
    return resolve_column(claims, 0)
