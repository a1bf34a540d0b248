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
# A limit on file sizes (RLIMIT_FSIZE, a quota) reads the same to a person as a full disk.
DISK_FULL_MESSAGES += ("File too large",)
# DuckDB's word that a transaction was committed, and only the checkpoint after it failed.
COMMITTED_MESSAGE = "COMMIT succeeded and is durable"
# A read-only connection refuses every write with this.
READ_ONLY_MESSAGES = ("attached in read-only mode",)
# What DuckDB says of a file that is not whole: checksums that do not match, a short file, a
# file that is not a database at all.
DAMAGED_MESSAGES = ("Corrupt database file", "not a valid DuckDB database file", "Could not read enough bytes")


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
    if COMMITTED_MESSAGE in message and any(text in message for text in DISK_FULL_MESSAGES):
        return StoreError(
            f"Stored, but the disk that holds {database} is now full",
            "What you sent was stored and is kept (the Submissions page lists it). Ask whoever runs Think "
            "Tank to free some space on that disk before anything more is sent.",
        )
    if any(text in message for text in DISK_FULL_MESSAGES):
        return StoreError(
            f"The disk that holds {database} is full",
            "Nothing was stored, and everything stored before is kept. Ask whoever runs Think Tank to free "
            "some space on that disk, then do it again.",
        )
    if any(text in message for text in READ_ONLY_MESSAGES):
        return StoreError(
            f"{_first_upper(database)} is open read-only: nothing can be stored",
            "Nothing was stored. The file or its folder could not be written to when Think Tank started, so "
            "it was opened for reading only. Ask whoever runs Think Tank to make both writable and restart it.",
        )
    if any(text in message for text in DAMAGED_MESSAGES):
        return damaged_error(path, None, message)
    if any(text in message for text in NOT_WRITABLE_MESSAGES):
        return StoreError(
            f"{_first_upper(database)} cannot be written to",
            "Nothing was stored. The file or its folder is read-only for the account that runs "
            "Think Tank: ask whoever runs it to make both writable. Pointing Think Tank at a new file "
            "instead would start an empty store, without the returns in this one.",
        )
    if isinstance(error, duckdb.FatalException):
        return StoreError(
            f"{_first_upper(database)} stopped after a serious error",
            "Returns already stored are kept; what was being done now may not have been. Think Tank opens the "
            "database afresh for the next page: reload the page, check, and do it again. If this keeps "
            f"happening, ask whoever runs Think Tank to restart it. ({message})",
        )
    return None


def damaged_error(path: Path | None, latest_backup: Path | None, detail: str) -> StoreError:
    """A database file that cannot be read whole, and how to bring back a backup of it."""
    database = f"the database {path}" if path else "the database"
    backup = (f"the latest automatic backup, {latest_backup}" if latest_backup else
              "the newest folder in backups/ beside the database (one is taken before every upgrade)")
    return StoreError(
        f"{_first_upper(database)} is damaged or is not a Think Tank database",
        "Nothing more was written to it. Stop the dashboard, then bring back a backup with "
        f"python -m thinktank restore DIR, where DIR is {backup}, or a backup taken with "
        f"python -m thinktank backup. The damaged file is kept aside, not deleted. ({detail})",
    )


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
