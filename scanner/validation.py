"""Validate configuration files against their models, naming the line that is wrong.

Configuration errors must name the line that is wrong ("scan.yaml: line 7:
unknown location 'mars-1'"), which plain ``yaml.safe_load`` forgets. This
module composes the node graph and builds ordinary dicts and lists that also
carry their line numbers (:func:`load`). The files' pydantic models (scan
configuration, policy, custom detectors, CDR layouts, baseline) validate those
dicts; :func:`validate` maps the first error's location back to its line and
says it in the file's own words (:class:`Problem`, per-field ``messages``).

pydantic is imported only when a file is validated, and PyYAML only when one is
read, so the command line starts without them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from scanner.fileio import YamlLimit, check_yaml

if TYPE_CHECKING:
    import yaml
    from pydantic import BaseModel


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
    import yaml

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
    import yaml

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
            import difflib  # only for a mistake

            hint = difflib.get_close_matches(key, allowed, n=1)
            suggestion = (
                f"did you mean '{hint[0]}'?" if hint else f"expected one of {', '.join(allowed)}"
            )
            raise fail(mapping, key, f"{what}: unknown key '{key}' ({suggestion})")


class Problem(ValueError):
    """A validator's complaint in the file's own words, raised inside a model.

    ``path`` continues the error's location below the value being validated (the
    key of a mapping, say), so the message points at that key's line. ``{n}``
    in the message becomes the 1-based number of the nearest list item
    ("source #{n}" reads "source #2").
    """

    def __init__(self, message: str, *path: str | int) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return self.message


def unknown_key(data: object, allowed: Sequence[str], what: str) -> None:
    """Raise :class:`Problem` for a key of ``data`` not in ``allowed``, suggesting the closest."""
    if not isinstance(data, Mapping):
        return
    for key in data:
        if key not in allowed:
            import difflib  # only for a mistake

            hint = difflib.get_close_matches(str(key), allowed, n=1)
            suggestion = (
                f"did you mean '{hint[0]}'?" if hint else f"expected one of {', '.join(allowed)}"
            )
            raise Problem(f"{what}: unknown key '{key}' ({suggestion})", key)


def mapping_with(data: object, allowed: Sequence[str], what: str, shape: str) -> Any:
    """Return ``data`` when it is a mapping with only ``allowed`` keys; else raise :class:`Problem`.

    ``shape`` says what was expected when ``data`` is not a mapping at all; ``what`` names
    the mapping in the message for an unknown key.
    """
    if not isinstance(data, Mapping):
        raise Problem(shape)
    unknown_key(data, allowed, what)
    return data


class Invalid(Exception):
    """A document failed its model: ``message`` in the file's words, ``line`` where (or None)."""

    def __init__(self, message: str, line: int | None, loc: tuple[str | int, ...]) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.loc = loc


def validate(model: type[BaseModel], doc: Any, *,
             messages: Mapping[str, str] | None = None,
             line_finder: Callable[[tuple[str | int, ...]], int | None] | None = None) -> Any:
    """Validate ``doc`` (located dicts and lists) with ``model``; raise :class:`Invalid`.

    ``messages`` words pydantic's own errors (a wrong type, a number out of range,
    a missing key) per field: keys are dotted locations with ``*`` for list items
    (``sources.*.options.jobs``), matched on their last parts, so ``jobs`` covers
    every ``jobs``. ``{input}`` becomes the repr of the value found. ``line_finder``
    maps a location to a line for documents that are not located YAML (JSON).
    """
    from pydantic import ValidationError

    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
    loc = tuple(error["loc"])
    ctx = error.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, Problem):
        loc = (*loc, *cause.path)
        message = cause.message
    else:
        message = _worded(loc, error, messages or {})
    index = next((part for part in reversed(loc) if isinstance(part, int)), None)
    if index is not None:
        message = message.replace("{n}", f"{index + 1}")
    line = line_finder(loc) if line_finder is not None else locate(doc, loc)
    raise Invalid(message, line, loc)


_TYPE_TAGS = frozenset({"str", "int", "float", "bool", "list", "dict", "none"})


def _worded(loc: tuple[str | int, ...], error: Any, messages: Mapping[str, str]) -> str:
    dotted = [("*" if isinstance(part, int) else str(part)) for part in loc]
    # A union's member tag ('str', 'list[str]') ends the location of an error in a union.
    while len(dotted) > 1 and ("[" in dotted[-1] or dotted[-1] in _TYPE_TAGS):
        dotted.pop()
    template = None
    for start in range(len(dotted)):
        template = messages.get(".".join(dotted[start:]))
        if template is not None:
            break
    if template is None:
        if error["type"] == "value_error":
            return str(error["msg"]).removeprefix("Value error, ")
        names = [str(part) for part in loc if not isinstance(part, int)]
        field = names[-1] if names else "the file"
        return f"'{field}': {str(error['msg']).lower()}"
    return template.replace("{input}", repr(error.get("input")))


def locate(doc: Any, loc: Sequence[str | int]) -> int | None:
    """Return the line of the deepest part of ``loc`` found in a located document."""
    line = doc.line if isinstance(doc, LocatedDict | LocatedList) else None
    node = doc
    for part in loc:
        if isinstance(node, LocatedDict) and isinstance(part, str) and part in node:
            line = node.line_of(part)
            node = node[part]
        elif (isinstance(node, LocatedList) and isinstance(part, int)
              and 0 <= part < len(node)):
            line = node.line_of(part)
            node = node[part]
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            break
    return line
