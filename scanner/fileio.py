"""Reading and writing the project's own files (configuration, policy, baselines, reports).

One way to read a text file that turns every failure into a one-line message
naming the file, and one way to write a file atomically (a temporary file in
the same directory, renamed over the target), so a failed write never leaves
a half-written report, baseline or result behind. Imports nothing of the project.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


class FileProblem(Exception):
    """A file could not be read or written. The message names the file and the problem."""


def read_text(path: str | Path, *, what: str = "", encoding: str = "utf-8",
              missing: str | None = None) -> str:
    """Return the text of ``path``; raise FileProblem with a one-line message otherwise.

    ``what`` names the kind of file in the message ("cannot read CDR layout");
    ``missing`` replaces the message for a file that does not exist (a hint on
    how to create it).
    """
    where = str(path)
    noun = f" {what}" if what else ""
    try:
        return Path(path).read_text(encoding)
    except FileNotFoundError as exc:
        if missing is not None:
            raise FileProblem(f"{where}: {missing}") from exc
        raise FileProblem(f"{where}: cannot read{noun} ({exc.strerror or exc})") from exc
    except OSError as exc:
        raise FileProblem(f"{where}: cannot read{noun} ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise FileProblem(f"{where}: not UTF-8 text") from exc


def reading(error: type[Exception]) -> Callable[..., str]:
    """Return :func:`read_text` raising ``error`` (a module's own exception type) instead."""

    def read(path: str | Path, **kw: object) -> str:
        try:
            return read_text(path, **kw)  # type: ignore[arg-type]
        except FileProblem as exc:
            raise error(str(exc)) from exc

    return read


@contextmanager
def atomic_writer(path: str | Path, *, newline: str = "") -> Iterator[IO[str]]:
    """Open a temporary file beside ``path`` for writing; rename it over ``path`` on success.

    On any failure the temporary file is removed and ``path`` is left as it was;
    an OSError becomes a FileProblem naming ``path``.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise FileProblem(f"{path}: cannot write ({exc.strerror or exc})") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as fh:
            yield fh
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise FileProblem(f"{path}: cannot write ({exc.strerror or exc})") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str, *, newline: str = "") -> None:
    """Write ``text`` to ``path`` atomically; FileProblem names the file on failure."""
    with atomic_writer(path, newline=newline) as fh:
        fh.write(text)
