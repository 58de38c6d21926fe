"""What the ``piiscan`` process does once, before it reads anything.

pyarrow imports pandas on its first conversion of Python values, only to ask
whether they are DataFrames: 0.7 s of CPU, two fifths of a small scan. The
``piiscan`` command never hands Arrow a DataFrame, so it lets pyarrow find no
pandas at that first question. Only the question is answered: a later call that
really needs pandas (``to_pandas``) still imports it, and a program using
piiscan as a library (the Python API, tests) is left alone.
"""

from __future__ import annotations

import sys
from importlib.abc import MetaPathFinder
from pathlib import Path


class _NoPandas(MetaPathFinder):
    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "pandas":
            raise ImportError("pandas is not needed by the piiscan command")


def arrow_without_pandas() -> None:
    """In the ``piiscan`` process, let pyarrow's "is pandas installed?" answer no."""
    if Path(sys.argv[0]).name != "piiscan" or "pandas" in sys.modules:
        return
    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        import pyarrow as pa

        pa.array([0])  # pyarrow asks here, finds none, and remembers the answer
    finally:
        sys.meta_path.remove(finder)
