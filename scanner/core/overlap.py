"""Overlapping sources: a file listed twice, a directory and a file inside it, a glob.

Each file is scanned once. A spec listed again is dropped (the first listing
wins); an entry inside a wider one (a file in a listed directory, a file a
listed glob matches) claims its files, and the wider entry's walk passes over
them. No connector is imported here: reports read configurations too.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Sequence


def covered(item: str, spec: str, claimed: Iterable[str]) -> bool:
    """Tell whether ``item``, found by walking ``spec``, belongs to a more specific entry.

    ``claimed`` are the paths (files, directories, globs) other entries name;
    one strictly inside ``spec`` that holds ``item`` claims it.
    """
    item = os.path.normpath(item)
    spec = os.path.normpath(spec)
    for path in claimed:
        path = os.path.normpath(path)
        if path == spec or not _inside(path, spec):
            continue
        if item == path or _inside(item, path):
            return True
    return False


def _inside(path: str, outer: str) -> bool:
    """Tell whether ``path`` lies within ``outer`` (a directory or a glob)."""
    if path.startswith(outer.rstrip(os.sep) + os.sep):
        return True
    return any(ch in outer for ch in "*?[") and fnmatch.fnmatchcase(path, outer)


def overlaps(entries: Sequence[tuple[str, str]]) -> tuple[list[int], tuple[str, ...], list[str]]:
    """Resolve overlapping entries ``(spec, label)``: each file is scanned once.

    Returns the indices of the entries to scan (a spec listed again is dropped:
    the first listing wins), the paths that entries nested in a wider one
    claim (a directory or glob scanned passes over them, see ``covered``),
    and one note per overlap for the warning.
    """
    keep: list[int] = []
    first: dict[str, int] = {}
    notes: list[str] = []
    for i, (spec, label) in enumerate(entries):
        key = spec if "://" in spec else os.path.abspath(spec)
        if key in first:
            notes.append(f"{label} is listed twice (the first listing, "
                         f"{entries[first[key]][1]}, wins)")
            continue
        first[key] = i
        keep.append(i)
    paths = [(i, os.path.abspath(entries[i][0])) for i in keep if "://" not in entries[i][0]]
    claimed: list[str] = []
    for i, path in paths:
        wider = [j for j, other in paths if j != i and _inside(path, other)]
        if wider:
            claimed.append(entries[i][0])
            notes.append(f"{entries[i][1]} is inside {entries[wider[0]][1]} (the more specific "
                         f"entry wins)")
    return keep, tuple(claimed), notes
