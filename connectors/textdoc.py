"""Plain text documents (``.txt`` notes, ``.log`` files): one column of lines, not a table.

A comma in a log line's timestamp (``10:22:33,123``) or in a sentence makes the
delimiter sniffer see columns that are not there. A ``.log`` file is read as
lines; a ``.txt`` file is when its comma- or semicolon-separated "cells" read
like sentences and their number varies from line to line.
"""

from __future__ import annotations

import csv
from pathlib import Path

_PROSE_DELIMITERS = {",", ";", " "}


def read_as_lines(path: Path, lines: list[str], delimiter: str | None) -> bool:
    """Tell whether a text file is a document of lines rather than delimited columns."""
    if delimiter is None:
        return False  # one column already
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    suffix = suffixes[-1] if suffixes else ""
    if suffix == ".log":
        return delimiter in _PROSE_DELIMITERS
    if suffix != ".txt" or delimiter not in _PROSE_DELIMITERS:
        return False
    sample = [ln for ln in lines[:200] if ln.strip()]
    if len(sample) < 2:
        return False
    rows = list(csv.reader(sample, delimiter=delimiter))
    widths = {len(r) for r in rows}
    cells = [c for r in rows for c in r]
    spaces = sum(c.strip().count(" ") for c in cells) / max(1, len(cells))
    return len(widths) > 1 and spaces >= 2
