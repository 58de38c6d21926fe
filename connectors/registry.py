"""Find the connector for a source spec; expand directories and globs.

A connector module registers its ``Source`` subclass with ``@register``. Each
class answers ``claims(spec, head)`` with a score (0: not mine); the highest
score wins, so a CDR connector that recognises an Asterisk file outranks the
generic CSV reader without any if/elif chain here.
"""

from __future__ import annotations

import glob
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from connectors.base import ConnectorOptions, Source, SourceError, UnrecognisedSource
from scanner.plugins import Registry
from scanner.redact import redact_url

SNIFF_BYTES = 64 * 1024

_URL_SCHEMES = ("://",)


@dataclass(frozen=True)
class Sniff:
    """What a connector may look at to claim a spec: its path and first bytes."""

    spec: str
    path: Path | None
    head: bytes

    @property
    def is_url(self) -> bool:
        return self.path is None

    @property
    def suffixes(self) -> tuple[str, ...]:
        if self.path is None:
            return ()
        return tuple(s.lower() for s in self.path.suffixes)

    @property
    def gzipped(self) -> bool:
        """Tell whether the path ends in ``.gz``."""
        return self.suffixes[-1:] == (".gz",)

    @property
    def inner_suffixes(self) -> tuple[str, ...]:
        """Return the suffixes without a closing ``.gz`` (``a.json.gz``: ``(".json",)``)."""
        return self.suffixes[:-1] if self.gzipped else self.suffixes

    @property
    def scheme(self) -> str:
        return self.spec.split("://", 1)[0].lower() if "://" in self.spec else ""


SourceFactory = type[Source]

#: Every connector class, registered with ``@register`` in its module (or package).
CONNECTORS: Registry[SourceFactory] = Registry("connectors")


def register(cls: SourceFactory) -> SourceFactory:
    """Class decorator: make a connector available to ``open_source``."""
    return CONNECTORS.register(cls)


def connectors() -> list[SourceFactory]:
    """Return every registered connector class."""
    return CONNECTORS.classes()


def format_names() -> list[str]:
    """Return the formats ``--cdr-format`` may force (each connector's ``formats``)."""
    return sorted({f for cls in connectors() for f in getattr(cls, "formats", ())})


def is_url(spec: str) -> bool:
    """Tell whether a spec is a URL (a database) rather than a path."""
    return any(marker in spec for marker in _URL_SCHEMES)


def expand(spec: str, skipped: list[tuple[str, str]] | None = None) -> list[str]:
    """Expand a directory or a glob into the files it holds, sorted; URLs pass through.

    Raises SourceError when a path does not exist, cannot be reached (a
    directory on its way may not be searched) or a glob matches nothing.
    Directories the walk cannot list are added to ``skipped`` as
    ``(path, reason)``: nothing is passed over in silence.
    """
    if is_url(spec):
        return [spec]
    path = Path(spec)
    kind = _kind(spec)
    if kind == "dir":
        if _is_parquet_dataset(path):
            return [spec]
        files = []

        def unlistable(err: OSError) -> None:
            if skipped is not None:
                skipped.append((str(err.filename or spec),
                                f"cannot list this directory ({err.strerror or err})"))

        for root, dirs, names in os.walk(path, onerror=unlistable):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            root_path = Path(root)
            for d in list(dirs):
                if _is_parquet_dataset(root_path / d):
                    files.append(str(root_path / d))
                    dirs.remove(d)
            files.extend(str(root_path / n) for n in sorted(names)
                         if not n.startswith(".") and not _OWN_FILE.fullmatch(n))
        return sorted(files)
    if any(ch in spec for ch in "*?[") and kind == "missing":  # `report[1].csv` is a file
        matches = sorted(glob.glob(spec, recursive=True))
        if not matches:
            raise SourceError(f"{spec}: no file matches this pattern")
        out: list[str] = []
        for m in matches:
            out.extend(expand(m, skipped))
        return out
    if kind == "missing":
        raise SourceError(f"{spec}: no such file or directory")
    return [spec]


#: piiscan's own run locks, beside a results store kept in a scanned directory.
_OWN_FILE = re.compile(r"piiscan-[0-9a-f]{8,64}\.lock")


def _kind(spec: str) -> str:
    """Return "dir", "other" or "missing"; SourceError when the path cannot be reached."""
    try:
        st = os.stat(spec)
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    except PermissionError as exc:
        raise SourceError(f"{spec}: permission denied (a directory on its path may not "
                          "be searched)") from exc
    except OSError as exc:
        raise SourceError(f"{spec}: cannot read ({exc.strerror or type(exc).__name__})") from exc
    return "dir" if stat.S_ISDIR(st.st_mode) else "other"


def _is_parquet_dataset(path: Path) -> bool:
    """Tell whether a directory is a Parquet dataset (hive or date partitions): one table.

    A few stray files (a README among a thousand Parquet files) do not split it:
    the dataset's table reports them as skipped, with the reason.
    """
    if not path.is_dir():
        return False
    parquet = strays = 0
    for root, dirs, names in os.walk(path):
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        for n in names:
            if n.startswith((".", "_")):
                continue
            if n.lower().endswith((".parquet", ".parq", ".pq")):
                parquet += 1
            else:
                strays += 1
        name = Path(root).name
        if root != str(path) and "=" not in name and not name.replace("-", "").isdigit():
            return False
    return parquet > 0 and (strays == 0 or (parquet >= 2 and strays * 10 <= parquet))


def sniff(spec: str) -> Sniff:
    """Read what connectors need to claim a spec: for a file, its first bytes."""
    if is_url(spec):
        return Sniff(spec, None, b"")
    path = Path(spec)
    if _kind(spec) == "dir":
        return Sniff(spec, path, b"")
    try:
        # Opened without blocking and checked before reading: a FIFO, socket or
        # device would hang the scan (a FIFO's open waits for a writer).
        fd = os.open(spec, os.O_RDONLY | os.O_NONBLOCK)
        try:
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):
                raise SourceError(f"{spec}: skipped, not a regular file ({_what(mode)})")
            os.set_blocking(fd, True)
            with os.fdopen(fd, "rb") as fh:
                fd = -1
                head = fh.read(SNIFF_BYTES)
        finally:
            if fd >= 0:
                os.close(fd)
    except PermissionError as exc:
        raise SourceError(f"{spec}: permission denied") from exc
    except OSError as exc:
        raise SourceError(f"{spec}: cannot read ({exc.strerror or type(exc).__name__})") from exc
    return Sniff(spec, path, head)


def _what(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a file"


#: Claims below this are guesses ("try it as text"): fine for a file the user
#: named, not for every file found in a directory.
CONFIDENT_CLAIM = 10
#: What a connector claims when ``--cdr-format`` names its format: above any sniffed claim.
CLAIM_FORCED = 100


def open_source(spec: str, options: ConnectorOptions, min_score: int = 1) -> Source:
    """Pick the best connector for one expanded spec and open it."""
    probe = sniff(spec)
    best: tuple[int, SourceFactory] | None = None
    for cls in connectors():
        claim: Callable[[Sniff, ConnectorOptions], int] | None = getattr(cls, "claims", None)
        if claim is None:
            continue
        score = claim(probe, options)
        if score > 0 and (best is None or score > best[0]):
            best = (score, cls)
    if best is not None and best[0] < min_score:
        raise UnrecognisedSource(f"{spec}: not a recognised data file")
    if best is None:
        if probe.is_url:
            raise SourceError(
                f"{redact_url(spec)}: no connector for this URL scheme "
                "(is its SQLAlchemy driver installed?)"
            )
        raise SourceError(f"{spec}: unrecognised file type")
    return best[1](spec, options)
