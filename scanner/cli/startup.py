"""What the ``piiscan`` process does once, before it reads anything, and as it ends.

pyarrow imports pandas on its first conversion of Python values, only to ask
whether they are DataFrames: 0.7 s of CPU, two fifths of a small scan. The
``piiscan`` command never hands Arrow a DataFrame, so it lets pyarrow find no
pandas at that first question. Only the question is answered: a later call that
really needs pandas (``to_pandas``) still imports it, and a program using
piiscan as a library (the Python API, tests) is left alone.

While it starts, its imports (click's, pyarrow's, NumPy's, the detectors') make
some 400,000 objects the collector would sweep a hundred times, 30 ms of a small
scan: ``starting`` lets the youngest generation grow to 100,000 objects first.

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


#: Objects allocated between sweeps of the youngest generation (Python's default: 700).
_YOUNG = 100_000


def starting() -> None:
    """In the ``piiscan`` process, as it starts: sweep young objects less often.

    A sweep's cost grows with the objects it reads, and nearly all that start-up
    makes live until the process ends: fewer sweeps read them fewer times. A long
    scan keeps the setting; what it allocates per batch is mostly Arrow memory,
    which the collector does not track.
    """
    if _own_process():
        gc.set_threshold(_YOUNG)


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
