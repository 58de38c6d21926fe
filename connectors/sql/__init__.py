"""Databases: PostgreSQL, MySQL/MariaDB, SQLite and any other SQLAlchemy URL.

Every session is read-only and every query has a timeout. Tables are
introspected with SQLAlchemy's inspector and read with SQLAlchemy constructs
only, so odd identifiers are quoted by the dialect and never formatted into SQL.

The modules depend one way, top to bottom:

* ``source``: the registered :class:`~connectors.sql.source.SqlSource`, URL handling;
* ``catalog``: schemas, tables and views, ``--include``/``--exclude``, keys;
* ``table``: one table's JSON sub-columns and its read;
* ``sampling``: TABLESAMPLE, key ranges, random rows, top-ups, full paging;
* ``query``: the columns a table's reads select and rows to Arrow batches;
* ``session``: the engine, read-only timed sessions, reconnects;
* ``flavors``: what differs between database servers;
* ``arrow``: database values to Arrow arrays.
"""

# The registry imports this package to find its connectors: importing the source
# module runs its @register.
from connectors.sql import source as source

__all__ = ["source"]
