"""In-memory Arrow data (a pyarrow Table or a RecordBatchReader) as a source to scan.

The Python API (``scanner.scan_frame``) hands DataFrames and Arrow tables to
the engine through this connector, so they are sampled, flattened and judged
exactly as a Parquet file would be. It is not registered for specs: nothing on
the command line names an in-memory table.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pyarrow as pa

from connectors._nested import flat_schema, flatten
from connectors.base import ColumnInfo, ConnectorOptions, ReadPlan, Source, Table, TableError


class ArrowSource(Source):
    """One in-memory table: a ``pyarrow.Table`` (sampled) or a ``RecordBatchReader`` (streamed)."""

    kind = "arrow"

    def __init__(self, name: str, data: pa.Table | pa.RecordBatchReader,
                 options: ConnectorOptions | None = None, *, table: str | None = None) -> None:
        if not isinstance(data, pa.Table | pa.RecordBatchReader):
            raise TypeError(f"expected a pyarrow Table or RecordBatchReader, not "
                            f"{type(data).__name__}")
        super().__init__(name, options or ConnectorOptions())
        self.data = data
        self.table_name = table or name

    def tables(self) -> Iterator[Table]:
        schema = self.data.schema
        columns = [ColumnInfo(f.name, str(f.type)) for f in flat_schema(schema)
                   if self.options.wants(self.table_name, f.name)]
        total = self.data.num_rows if isinstance(self.data, pa.Table) else None
        yield ArrowTable(name=self.table_name, columns=columns, rows_total=total,
                         data=self.data, wanted={c.name for c in columns},
                         format="arrow",
                         format_reason="in-memory Arrow table" if total is not None
                         else "in-memory Arrow record batch stream")


class ArrowTable(Table):
    """An in-memory table: a random sample of its rows, or every row in batches.

    A ``RecordBatchReader`` can be read once: a sample is its first rows.
    """

    def __init__(self, *, data: pa.Table | pa.RecordBatchReader, wanted: set[str],
                 **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.data = data
        self.wanted = wanted

    def batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        try:
            if isinstance(self.data, pa.Table):
                table = self.data
                if plan.sample_size is not None and table.num_rows > plan.sample_size:
                    # Rows drawn from the whole table, in their order, as for Parquet.
                    rng = random.Random(plan.seed)
                    picked = sorted(rng.sample(range(table.num_rows), plan.sample_size))
                    table = table.take(pa.array(picked, pa.int64()))
                stream: Iterator[pa.RecordBatch] = iter(table.to_batches(plan.batch_size))
            else:
                stream = iter(self.data)
            for batch in stream:
                yield self._wanted(flatten(batch))
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise TableError(f"{self.name}: unreadable Arrow data ({type(exc).__name__})") \
                from exc

    def _wanted(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        if len(self.wanted) == batch.num_columns:
            return batch
        keep = [i for i, f in enumerate(batch.schema) if f.name in self.wanted]
        return pa.RecordBatch.from_arrays([batch.column(i) for i in keep],
                                          names=[batch.schema[i].name for i in keep])
