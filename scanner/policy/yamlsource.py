"""Load YAML while remembering the line of every key and list item.

Configuration errors must name the line that is wrong ("scan.yaml: line 7:
unknown location 'mars-1'"), which plain ``yaml.safe_load`` forgets. This
module composes the node graph and builds ordinary dicts and lists that also
carry their line numbers, so validators can point at the offending line.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

import yaml

from scanner.fileio import YamlLimit, check_yaml


class YamlSourceError(Exception):
    """The text is not valid YAML. ``line`` is 1-based, or None when unknown."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


class LocatedDict(dict[str, Any]):
    """A mapping that knows the line it starts on and the line of each key."""

    line: int = 0

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        """Return the 1-based line of ``key``, or of the mapping when the key is absent."""
        return self.key_lines.get(key, self.line)


class LocatedList(list[Any]):
    """A sequence that knows the line it starts on and the line of each item."""

    line: int = 0

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        """Return the 1-based line of item ``index``."""
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


def line_of(container: object, key: str | int) -> int | None:
    """Return the line of ``key`` in a located container; None for plain dicts and lists."""
    if isinstance(container, LocatedDict) and isinstance(key, str):
        return container.line_of(key)
    if isinstance(container, LocatedList) and isinstance(key, int):
        return container.line_of(key)
    if isinstance(container, LocatedDict | LocatedList):
        return container.line
    return None


def load(text: str) -> Any:
    """Parse one YAML document into located dicts and lists (scalars stay plain).

    Raises YamlSourceError for invalid YAML, for duplicate keys, which
    ``yaml.safe_load`` would silently let the last one win, and for a text
    beyond the limits of :func:`scanner.fileio.check_yaml` (size, depth,
    recursive or exploding aliases).
    """
    try:
        check_yaml(text)
    except YamlLimit as exc:
        raise YamlSourceError(str(exc), exc.line) from exc
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _build(loader, node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.problem and exc.context and exc.context_mark is not None:
            # "found unexpected end of stream (while scanning a quoted scalar on line 2)"
            problem += f" ({exc.context} on line {exc.context_mark.line + 1})"
        raise YamlSourceError(problem, line) from exc
    except yaml.YAMLError as exc:
        raise YamlSourceError(
            str(exc).splitlines()[0] if str(exc) else "invalid YAML", None
        ) from exc
    finally:
        loader.dispose()


def _build(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out = LocatedDict(line)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise YamlSourceError(
                    "mapping keys must be plain strings", key_node.start_mark.line + 1
                )
            skey = str(key)
            if skey in out:
                raise YamlSourceError(
                    f"duplicate key '{skey}' (first on line {out.key_lines[skey]})",
                    key_node.start_mark.line + 1,
                )
            out[skey] = _build(loader, value_node)
            out.key_lines[skey] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LocatedList(line)
        for item in node.value:
            seq.append(_build(loader, item))
            seq.item_lines.append(item.start_mark.line + 1)
        return seq
    return loader.construct_object(node, deep=True)


def check_keys(mapping: dict[str, Any], allowed: tuple[str, ...], what: str,
               fail: Callable[[object, str | int, str], Exception]) -> None:
    """Reject an unknown key, suggesting the closest allowed one (typos in YAML files)."""
    for key in mapping:
        if key not in allowed:
            hint = difflib.get_close_matches(key, allowed, n=1)
            suggestion = (
                f"did you mean '{hint[0]}'?" if hint else f"expected one of {', '.join(allowed)}"
            )
            raise fail(mapping, key, f"{what}: unknown key '{key}' ({suggestion})")
