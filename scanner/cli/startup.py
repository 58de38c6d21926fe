"""What the ``piiscan`` process does once, before it reads anything, and as it ends.

pyarrow imports pandas on its first conversion of Python values, only to ask
whether they are DataFrames: 0.7 s of CPU, two fifths of a small scan. The
``piiscan`` command never hands Arrow a DataFrame, so it lets pyarrow find no
pandas at that first question. Only the question is answered: a later call that
really needs pandas (``to_pandas``) still imports it, and a program using
piiscan as a library (the Python API, tests) is left alone.

As it ends, the interpreter runs one last full garbage collection over every
object the imports made (pyarrow's, NumPy's, click's, the detectors'): 0.15 s
of a small scan's 0.8, to free memory the process is about to give back
whole. ``ending`` skips it, in the ``piiscan`` process alone.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path


class _NoPandas:
    """A finder on ``sys.meta_path`` (importlib.abc's base class costs 3 ms to import)."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "pandas":
            raise ImportError("pandas is not needed by the piiscan command")


def arrow_without_pandas() -> None:
    """In the ``piiscan`` process, let pyarrow's "is pandas installed?" answer no."""
    if not _own_process() or "pandas" in sys.modules:
        return
    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        import pyarrow as pa

        pa.array([0])  # pyarrow asks here, finds none, and remembers the answer
    finally:
        sys.meta_path.remove(finder)


def _own_process() -> bool:
    return Path(sys.argv[0]).name == "piiscan"


def ending() -> None:
    """In the ``piiscan`` process, about to exit: leave the last collection out.

    Everything alive moves to the collector's permanent generation, which the
    interpreter's final collection skips. Objects are still released as their
    references go (files, database connections, temporary directories are closed
    by the commands and ``atexit`` as before); only unreachable cycles are left for
    the operating system to reclaim with the rest of the process.
    """
    if _own_process():
        gc.freeze()
