"""One transaction: everything inside it is stored, or none of it is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb


@contextmanager
def transaction(cursor: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Begin; commit when the block ends, roll back and re-raise when it raises (including
    KeyboardInterrupt, so that a stopped upload leaves nothing half-written)."""
    cursor.begin()
    try:
        yield cursor
    except BaseException:
        cursor.rollback()
        raise
    cursor.commit()
