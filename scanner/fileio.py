"""Reading and writing the project's own files (configuration, policy, baselines, reports).

One way to read a text file that turns every failure into a one-line message
naming the file, and one way to write a file atomically (a temporary file in
the same directory, renamed over the target), so a failed write never leaves
a half-written report, baseline or result behind. Imports nothing of the project.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


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
    import tempfile  # only where a file is written

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


# --- YAML and JSON that cannot exhaust memory or the stack ------------------------------

#: Every YAML file piiscan reads (configuration, policy, custom detectors, CDR layouts)
#: is refused beyond these: a bigger file is a mistake or an attack ("billion laughs").
YAML_MAX_CHARS = 4 * 1024 * 1024
YAML_MAX_DEPTH = 64
#: Nodes once every alias is expanded (a 9-level "billion laughs" expands to 10^9).
YAML_MAX_NODES = 200_000


class YamlLimit(ValueError):
    """A YAML text goes beyond a limit. ``line`` is 1-based, or None when unknown."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def check_yaml(text: str) -> None:
    """Refuse YAML that is too big, too deep, recursive or expands past the node cap.

    Raises YamlLimit with a one-line message. Syntax errors are left to the
    caller's own loader (which words them for its file).
    """
    import yaml

    if len(text) > YAML_MAX_CHARS:
        raise YamlLimit(f"larger than {YAML_MAX_CHARS // (1024 * 1024)} MiB")
    # The depth, from the event stream first: PyYAML's parser is iterative, its
    # composer recursive (5,000 levels would be a RecursionError).
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > YAML_MAX_DEPTH:
                    raise YamlLimit(f"nested deeper than {YAML_MAX_DEPTH} levels",
                                    event.start_mark.line + 1)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError:
        return
    if root is not None:
        _check_expansion(root)


def _children(node: Any) -> list[Any]:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expansion(root: Any) -> None:
    """Walk the node graph as its aliases expand, without expanding it (sizes are memoised)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, Iterator[Any]]] = [(root, iter(_children(root)))]
    on_path = {id(root)}
    acc = [1]
    while stack:
        node, rest = stack[-1]
        child = next(rest, None)
        if child is None:
            stack.pop()
            on_path.discard(id(node))
            size = acc.pop()
            sizes[id(node)] = size
            if acc:
                acc[-1] += size
            continue
        line = child.start_mark.line + 1
        if id(child) in on_path:
            raise YamlLimit("an alias refers to the collection that holds it (recursive)", line)
        if id(child) in sizes:
            acc[-1] += sizes[id(child)]
        else:
            if len(stack) >= YAML_MAX_DEPTH:
                raise YamlLimit(f"nested deeper than {YAML_MAX_DEPTH} levels (through aliases)",
                                line)
            stack.append((child, iter(_children(child))))
            on_path.add(id(child))
            acc.append(1)
        if acc[-1] > YAML_MAX_NODES or (len(acc) > 1 and sum(acc) > YAML_MAX_NODES):
            raise YamlLimit(f"aliases expand to more than {YAML_MAX_NODES:,} values", line)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` behind :func:`check_yaml`'s limits (YamlLimit, yaml.YAMLError)."""
    import yaml

    check_yaml(text)
    return yaml.safe_load(text)

