"""One transaction: everything inside it is stored, or none of it is.

This is also where a DuckDB error that a person can cause (another upload writing the same
figures at the same moment, a full disk, a file that cannot be written) becomes our own
`StoreError` with a title and a hint. Any other DuckDB error is a bug and surfaces as such.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb

from thinktank.errors import StoreError, WriteConflictError

Result = TypeVar("Result")

# Enough for a handful of people storing at once; each attempt takes well under a second.
WRITE_ATTEMPTS = 5
# Attempts wait a random while, longer each time, so that two writers do not meet again.
PAUSE_SECONDS = 0.1

# Every write of this process waits here for the one before it: DuckDB checks writers
# optimistically, so two uploads for the same agency at once conflicted (19 of 40 failed with
# four at once, even retrying). Reads never take it. Re-entrant, so that a nested call on the
# same thread fails as DuckDB's own error rather than waiting for ever.
_WRITE_LOCK = threading.RLock()
_writing = threading.local()

DISK_FULL_MESSAGES = ("No space left on device", "Disk quota exceeded")
NOT_WRITABLE_MESSAGES = ("Read-only file system", "Permission denied")


def store_error(error: duckdb.Error, path: Path | None = None) -> StoreError | None:
    """Our error for a DuckDB error a person can cause or fix; None for any other (a bug).
    ``path`` names the database file in the title where the caller knows it."""
    message = str(error)
    database = f"the database {path}" if path else "the database"
    if isinstance(error, duckdb.TransactionException) and (
        "conflict" in message.lower() or "constraint violation" in message.lower()
    ):
        # DuckDB checks writers optimistically: the second of two transactions to change the
        # same rows, or to take the same version number, is the one rolled back.
        return WriteConflictError(
            "Someone else was storing changes to the same figures at the same moment",
            "Nothing of yours was stored; the other change was. Wait a minute, then do it again.",
        )
    if any(text in message for text in DISK_FULL_MESSAGES):
        return StoreError(
            f"The disk that holds {database} is full",
            "Nothing was stored. Ask whoever runs Think Tank to free some space on that disk "
            "(or to choose a file on another disk with --db or THINKTANK_DB), then do it again.",
        )
    if any(text in message for text in NOT_WRITABLE_MESSAGES):
        return StoreError(
            f"{_first_upper(database)} cannot be written to",
            "Nothing was stored. The file or its folder is read-only for the account that runs "
            "Think Tank: ask whoever runs it to make both writable, or to choose another file "
            "with --db or THINKTANK_DB.",
        )
    if isinstance(error, duckdb.FatalException):
        return StoreError(
            f"{_first_upper(database)} stopped after a serious error and cannot be used until a restart",
            f"Returns already stored are kept. Ask whoever runs Think Tank to restart it. ({message})",
        )
    return None


def _first_upper(text: str) -> str:
    # Not str.capitalize, which would lower-case the rest of a path.
    return text[0].upper() + text[1:]


@contextmanager
def store_errors_translated() -> Iterator[None]:
    """Raise a DuckDB error a person can cause as our StoreError; let any other through."""
    try:
        yield
    except duckdb.Error as error:
        translated = store_error(error)
        if translated is None:
            raise
        raise translated from error


@contextmanager
def transaction(cursor: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Begin; commit when the block ends, roll back and re-raise when it raises (including
    KeyboardInterrupt, so that a stopped upload leaves nothing half-written). Writes in this
    process take their turn: the block runs while no other thread's transaction does."""
    with _WRITE_LOCK, store_errors_translated():
        cursor.begin()
        _writing.depth = getattr(_writing, "depth", 0) + 1
        try:
            yield cursor
        except BaseException:
            cursor.rollback()
            raise
        finally:
            _writing.depth -= 1
        # A commit that fails has already ended the transaction: there is nothing to roll back.
        cursor.commit()


def in_transaction() -> bool:
    """Whether this thread is inside a transaction, holding the turn to write."""
    return getattr(_writing, "depth", 0) > 0


def run_transaction_retrying(
    cursor: duckdb.DuckDBPyConnection, body: Callable[[], Result], attempts: int = WRITE_ATTEMPTS
) -> Result:
    """Run ``body`` in one transaction, and run the whole of it again when another writer
    changed the same rows first, up to ``attempts`` times in all.

    Only for a body that reads what it needs inside the transaction and writes nothing outside
    the database, so that a second run does exactly what the first would have done on the data
    as it now is. A unique key (such as a version number) taken by a writer that committed
    while this one ran reads as a constraint violation, so that is tried again too: a real
    duplicate fails every attempt and surfaces as the bug it is.
    """
    attempt = 1
    while True:
        try:
            with transaction(cursor):
                return body()
        except (WriteConflictError, duckdb.ConstraintException):
            if attempt >= attempts:
                raise
        pause_before_retry(attempt)
        attempt += 1


def pause_before_retry(attempt: int) -> None:
    time.sleep(random.uniform(0, PAUSE_SECONDS * attempt))
