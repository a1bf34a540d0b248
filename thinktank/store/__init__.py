"""The store: one DuckDB file, owned by one process, opened once at start-up.

Opening it checks the file is a whole Think Tank database, backs it up before a schema
upgrade, creates or upgrades the schema through the numbered migrations, then syncs the
catalogue and reference files into it. Callers take a cursor per thread or session. A file
or folder that cannot be written is opened read-only, for reading.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from thinktank.catalogue import Catalogue, load_catalogue
from thinktank.errors import DatabaseInUseError, StoreError
from thinktank.reference import load_reference
from thinktank.settings import Settings
from thinktank.store import control
from thinktank.store.backup import automatic_backup, automatic_backups, store_tables, write_backup
from thinktank.store.catalogue import stored_catalogue
from thinktank.store.migrations import available_migrations, migrate, schema_version
from thinktank.store.series_points import refresh_series_points
from thinktank.store.sync import sync
from thinktank.store.transactions import (
    DAMAGED_MESSAGES,
    NOT_WRITABLE_MESSAGES,
    damaged_error,
    store_error,
    transaction,
)
from thinktank.users import SYSTEM, User


def utc_now() -> dt.datetime:
    """Timestamps are stored as naive UTC."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass
class Store:
    path: Path
    catalogue: Catalogue
    _connection: duckdb.DuckDBPyConnection
    # Opened read-only because the file or its folder cannot be written: nothing can be stored.
    read_only: bool = False
    # Why the catalogue files were not applied at start-up, when they changed but the catalogue
    # of record had been changed otherwise (`thinktank.store.sync`).
    catalogue_notice: str | None = None
    _control: control.ControlServer | None = None
    _reopening: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, settings: Settings, actor: User = SYSTEM, serve_control: bool = False) -> Store:
        """Load the catalogue, then open (creating if need be), check, migrate and sync the
        database. ``serve_control`` (the dashboard) answers commands run while it holds the
        database (`thinktank.store.control`).

        The catalogue is checked before the database is touched, so a broken catalogue file
        never leaves a half-made database behind.
        """
        files = load_catalogue(settings.catalogue_dir)
        reference = load_reference(settings.reference_dir, files)
        catalogue, notice = files, None
        path = settings.database_path
        connection, read_only = _connect(path)
        try:
            now = utc_now()
            try:
                version = _checked_schema_version(connection, path)
            except duckdb.Error as error:
                raise _open_error(error, path) from error
            if read_only:
                _refuse_upgrade_when_read_only(version, path)
                catalogue = stored_catalogue(connection) or files
            else:
                try:
                    _backup_before_upgrade(connection, path, version, now)
                    migrated = migrate(connection, now)
                    synced = sync(connection, files, reference, actor, now)
                    catalogue, notice = synced.catalogue, synced.notice
                    if migrated and not synced.written:
                        # A new schema may change what the derived series hold.
                        with transaction(connection):
                            refresh_series_points(connection)
                except duckdb.Error as error:
                    raise _open_error(error, path) from error
        except BaseException:
            connection.close()
            raise
        opened = cls(path, catalogue, connection, read_only, catalogue_notice=notice)
        if serve_control:
            opened._control = control.ControlServer(path, {"ping": _ping, "backup": opened._backup_for_command})
            opened._control.start()
        return opened

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of its own for the calling thread or session.

        DuckDB stops using a database after a checkpoint fails (a full disk): every later
        statement fails with "database has been invalidated". The connection is then opened
        afresh, which reads everything committed, so later sessions read on without a restart.
        """
        connection = self._connection
        cursor = connection.cursor()
        try:
            cursor.execute("SELECT 1").fetchall()
        except duckdb.FatalException:
            cursor.close()
            with self._reopening:
                if self._connection is connection:  # not yet reopened by another session
                    connection.close()
                    self._connection, self.read_only = _connect(self.path)
            cursor = self._connection.cursor()
        return cursor

    def close(self) -> None:
        if self._control is not None:
            self._control.close()
        self._connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _backup_for_command(self, request: control.Request) -> dict:
        with self.cursor() as cursor:
            manifest = write_backup(cursor, Path(request["out"]), utc_now())
        return {"manifest": manifest.as_json()}


def _ping(_request: control.Request) -> dict:
    return {"pid": os.getpid()}


def _checked_schema_version(connection: duckdb.DuckDBPyConnection, path: Path) -> int | None:
    """The database's schema version, once its tables are all there and readable: a quick check
    at start-up, before anything is written, that the file is a whole Think Tank database."""
    tables = store_tables(connection)
    version = schema_version(connection)
    if version is None:
        if tables:
            raise StoreError(
                f"The database {path} is not a Think Tank database",
                f"It holds other tables ({', '.join(tables[:5])}) and no schema version. Nothing in it "
                "was changed. Check THINKTANK_DB or --db names the right file.",
            )
        return None
    applied = {row[0] for row in connection.execute("SELECT version FROM schema_migrations").fetchall()}
    missing = sorted(set(_tables_of_migrations(applied)) - set(tables))
    if missing:
        raise damaged_error(path, _latest_backup(path), f"tables missing: {', '.join(missing)}")
    for table in tables:
        # Every row read (a count alone reads none), so that DuckDB checks each block's checksum:
        # well under a second for years of returns.
        connection.execute(f'SELECT bit_xor(hash(stored_row)) FROM "{table}" AS stored_row').fetchone()
    return version


def _tables_of_migrations(applied: set[int]) -> set[str]:
    """The tables the applied migrations made, each migration's found by running them all in
    order in a database in memory. A migration the database has not had yet (it is applied
    next) is expected to have made nothing."""
    scratch = duckdb.connect(config=HARDENED)
    made: set[str] = set()
    try:
        before: set[str] = set()
        for version in sorted(migration.version for migration in available_migrations()):
            migrate(scratch, utc_now(), up_to=version)
            after = set(store_tables(scratch))
            if version in applied:  # what it made is there, and what it dropped is gone
                made = (made | (after - before)) - (before - after)
            before = after
        return made
    finally:
        scratch.close()


def _latest_backup(path: Path) -> Path | None:
    backups = automatic_backups(path)
    return backups[-1] if backups else None


def _newest_schema() -> int:
    return max(migration.version for migration in available_migrations())


def _refuse_upgrade_when_read_only(version: int | None, path: Path) -> None:
    if version is None or version < _newest_schema():
        raise StoreError(
            f"The database {path} needs upgrading, and cannot be written to",
            "This version of Think Tank must upgrade (or create) the database before it can read it, "
            "and the file or its folder is read-only. Ask whoever runs Think Tank to make both "
            "writable, then start it again.",
        )


def _backup_before_upgrade(connection: duckdb.DuckDBPyConnection, path: Path, version: int | None,
                           now: dt.datetime) -> None:
    """An existing database is backed up before any migration runs on it."""
    newest = _newest_schema()
    if version is None or version >= newest:
        return
    taken = automatic_backup(connection, path, now, f"before-schema-{newest:03d}")
    print(f"Think Tank: backed up {path} (schema version {version}) to {taken} before upgrading it "
          f"to version {newest}.", file=sys.stderr)


# No SQL run on the store can read or write another file, load an extension or change these
# settings back: the store's own file is the only one DuckDB touches.
HARDENED = {"enable_external_access": False, "autoinstall_known_extensions": False,
            "autoload_known_extensions": False, "lock_configuration": True}

# DuckDB's own memory is capped. Left to itself it keeps every block it has read cached up to
# 80% of the machine's memory: the check of every row at start-up and the reads of a 5-million-figure
# store alone then held 900 MiB, and the server 1.25 GiB after a full recomputation. Under the cap,
# what DuckDB has read is evicted and what its joins, sorts and windows hold past it goes to its
# temporary folder beside the database (`<database>.tmp`, DuckDB's default for a file): the server
# peaks near 800 MiB at 100x (bench/RESULTS.md). The cap is DuckDB's alone; Python's frames come on
# top. An index is the one thing the cap counts that cannot be evicted: DuckDB holds what an insert
# added to one (about 100 bytes a figure for the primary key of `observations`) until a checkpoint
# writes it out, and checkpoints once its log passes `checkpoint_threshold`. A large insert goes
# straight into the file rather than the log, so at the default of 16 MiB a run of large returns
# never checkpointed, and their indexes filled the cap until it refused the next insert. At 4 MiB
# each such return checkpoints as it commits (tests/test_store_memory.py).
MEMORY = {"memory_limit": "400MiB", "checkpoint_threshold": "4MiB"}


def open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """The database opened read-only (to back it up), with the same checks and messages."""
    if not path.exists():
        raise StoreError(f"There is no database {path}", "Check THINKTANK_DB or --db names the right file.")
    connection, _ = _connect(path, read_only=True)
    try:
        _checked_schema_version(connection, path)
    except duckdb.Error as error:
        connection.close()
        raise _open_error(error, path) from error
    except BaseException:
        connection.close()
        raise
    return connection


def _connect(path: Path, read_only: bool = False) -> tuple[duckdb.DuckDBPyConnection, bool]:
    """The connection, and whether it is read-only: asked for, or because the file or its
    folder cannot be written (DuckDB writes a journal beside the file)."""
    exists = path.exists()
    read_only = read_only or (exists and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(path), read_only=read_only, config=HARDENED | MEMORY), read_only
    except duckdb.Error as error:
        message = str(error)
        if isinstance(error, duckdb.IOException) and "lock" in message.lower():
            raise _in_use_error(path) from error
        if exists and not read_only and any(text in message for text in NOT_WRITABLE_MESSAGES):
            return _connect(path, read_only=True)
        raise _open_error(error, path) from error
    except OSError as error:
        raise StoreError(
            f"The folder for the database {path} cannot be created",
            f"{error.strerror}. Choose a folder you can write to with --db or THINKTANK_DB.",
        ) from error


def _open_error(error: duckdb.Error, path: Path) -> StoreError:
    """Our error for a file that cannot be opened or read at start-up; a damaged one names the
    latest automatic backup to restore."""
    message = str(error)
    if any(text in message for text in DAMAGED_MESSAGES):
        return damaged_error(path, _latest_backup(path), message)
    translated = store_error(error, path)
    if translated is not None:
        return translated
    if isinstance(error, duckdb.IOException):
        return damaged_error(path, _latest_backup(path), message)
    raise error


def refuse_while_in_use(path: Path) -> None:
    """Raise `DatabaseInUseError` if another process has the database open; a damaged file is
    not in use (bringing a backup back over it is the cure)."""
    try:
        connection, _ = _connect(path, read_only=True)
    except DatabaseInUseError:
        raise
    except StoreError:
        return
    connection.close()


def _in_use_error(path: Path) -> StoreError:
    if control.dashboard_serves(path):
        return DatabaseInUseError(
            f"The database {path} is in use by the dashboard",
            "While the dashboard runs, only it can change the database: send returns from its Upload page, "
            "or stop the dashboard first, then run this again. Commands that only read, and "
            "python -m thinktank backup, work while it runs.",
        )
    return DatabaseInUseError(
        f"The database {path} is in use by another program",
        "Only one program may open it at a time: wait for the other command to finish (or stop it), "
        "then run this again.",
    )
