"""The Python API: scan files, databases, DataFrames and Arrow tables from a pipeline or notebook.

::

    from scanner import scan, scan_frame, load_policy

    result = scan_frame(df, name="orders_v2")
    result.findings(min_confidence=0.8)   # one row per column finding
    result.to_pandas()                    # the same as a DataFrame
    result.to_json()                      # what `piiscan report` and `piiscan export` read

A DataFrame reaches the engine as an Arrow table through an in-memory
connector, so it is sampled and judged exactly as a Parquet file would be.
Nothing returned holds a raw sampled value: evidence is masked.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.core.config import ScanConfig
from scanner.model import ScanResult, SourceResult
from scanner.policy import Policy

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["ScanConfig", "ScanResult", "load_policy", "read_result", "scan", "scan_frame",
           "to_arrow"]

PathLike = str | os.PathLike[str]


def load_policy(path: PathLike | None = None) -> Policy:
    """Load a policy YAML file; ``None`` gives the bundled policy.

    Raises ``scanner.policy.PolicyError`` (naming the file and line) for a
    missing or malformed file.
    """
    return Policy.load(str(path) if path is not None else None)


def _policy(policy: Policy | PathLike | None, config: ScanConfig) -> Policy:
    if isinstance(policy, Policy):
        return policy
    if policy is not None:
        return load_policy(policy)
    return load_policy(config.policy_path)


def scan(sources: PathLike | Iterable[PathLike], config: ScanConfig | None = None,
         policy: Policy | PathLike | None = None) -> ScanResult:
    """Scan files, directories, globs or database URLs and return the ``ScanResult``.

    A source that cannot be read does not raise: it appears in the result with
    a ``failed`` or ``partial`` status and an error message, and
    ``result.complete`` is False.

    Args:
        sources: One source or several, as on the command line
            (``"exports/*.csv"``, ``"postgresql://app@db/app"``).
        config: Sample size, include/exclude globs and the other scan options;
            the defaults of ``piiscan scan`` when None.
        policy: A loaded :class:`~scanner.policy.Policy`, a policy YAML path,
            or None for ``config.policy_path`` (the bundled policy by default).

    """
    from scanner.core.engine import scan as run

    specs = [os.fspath(sources)] if isinstance(sources, str | os.PathLike) \
        else [os.fspath(s) for s in sources]
    if not specs:
        raise ValueError("scan() needs at least one source")
    cfg = config or ScanConfig()
    return run(specs, cfg, policy=_policy(policy, cfg))


def to_arrow(data: Any) -> pa.Table | pa.RecordBatchReader:
    """Return ``data`` as Arrow: a pyarrow Table or RecordBatchReader passes through.

    A pandas DataFrame goes through ``pyarrow.Table.from_pandas`` (no copy for
    Arrow-backed columns); its index becomes a column unless it is a plain
    range. An object offering the Arrow C stream interface
    (``__arrow_c_stream__``: polars, DuckDB relations) is read as a stream.
    Raises TypeError for anything else.
    """
    import pyarrow as pa

    if isinstance(data, pa.Table | pa.RecordBatchReader):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    module = type(data).__module__.split(".", 1)[0]
    if module == "pandas":
        import pandas as pd

        if isinstance(data, pd.DataFrame):
            return _from_pandas(data)
    if hasattr(data, "__arrow_c_stream__"):
        return pa.RecordBatchReader.from_stream(data)
    raise TypeError(f"scan_frame() takes a pandas DataFrame, a pyarrow Table or a "
                    f"RecordBatchReader, not {type(data).__name__}")


def _from_pandas(df: Any) -> pa.Table:
    import pandas as pd
    import pyarrow as pa

    frame = df.copy(deep=False)
    if not isinstance(frame.index, pd.RangeIndex):
        # An index of logins or emails is data: it is scanned as a column.
        frame = frame.reset_index()
    # Arrow needs text column names; integer or tuple labels become their text.
    frame.columns = [str(c) if not isinstance(c, tuple) else ".".join(map(str, c))
                     for c in frame.columns]
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        pass
    # A column of mixed Python objects (numbers and text, say) is scanned as text.
    arrays, names = [], []
    for name in frame.columns:
        series = frame[name]
        try:
            arr = pa.array(series, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            arr = pa.array(series.map(lambda v: None if _missing(v, pd) else str(v)),
                           pa.string())
        arrays.append(arr)
        names.append(name)
    return pa.Table.from_arrays(arrays, names=names)


def _missing(value: Any, pd: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays are values, not missing
        return False


def scan_frame(data: Any, name: str = "dataframe", *, config: ScanConfig | None = None,
               policy: Policy | PathLike | None = None, source: str | None = None,
               location: str | None = None) -> ScanResult:
    """Scan an in-memory table and return the ``ScanResult``.

    Nested structs become dotted columns and lists text, as for Parquet.

    Args:
        data: A pandas DataFrame, a pyarrow Table, a pyarrow RecordBatchReader
            (read once: its first ``sample_size`` rows are the sample), or any
            object with ``__arrow_c_stream__``.
        name: The table's name in the result (column identities are
            ``source/name/column``, what baselines key on).
        config: Scan options (sample size, ``full``, include/exclude, NER).
        policy: A Policy, a policy YAML path, or None for the bundled policy.
        source: The source's name in the result (default: ``name``), e.g. the
            pipeline or warehouse the table belongs to.
        location: Where the data is stored (``US``, ``eu-west-1``), for the
            storage check; unknown when None.

    """
    from connectors.memory import ArrowSource
    from scanner.core.engine import scan_sources

    table = to_arrow(data)
    cfg = config or ScanConfig()
    src = ArrowSource(source or name, table, cfg.connector, table=name)
    result = scan_sources([src], cfg, policy=_policy(policy, cfg))
    if location is None:
        return result
    return dataclasses.replace(result, sources=tuple(
        _located(s, location) for s in result.sources))


def _located(source: SourceResult, location: str) -> SourceResult:
    return dataclasses.replace(source, location=location)


def read_result(path: PathLike) -> ScanResult:
    """Read a JSON result written by ``piiscan scan --format json`` or ``ScanResult.to_json``."""
    import json

    return ScanResult.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
