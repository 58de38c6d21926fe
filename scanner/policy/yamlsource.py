"""The line-tracking YAML loader, now in :mod:`scanner.validation` (kept for its importers)."""

from scanner.validation import (
    LocatedDict,
    LocatedList,
    YamlSourceError,
    check_keys,
    line_of,
    load,
)

__all__ = ["LocatedDict", "LocatedList", "YamlSourceError", "check_keys", "line_of", "load"]
