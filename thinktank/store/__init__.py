"""The store: one DuckDB file, owned by one process, opened once at start-up.

Opening it creates or upgrades the schema through the numbered migrations, then syncs the
catalogue and reference files into it. Callers take a cursor per thread or session.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from thinktank.catalogue import Catalogue, load_catalogue
from thinktank.errors import StoreError
from thinktank.reference import load_reference
from thinktank.settings import Settings
from thinktank.store.migrations import migrate
from thinktank.store.series_points import refresh_series_points
from thinktank.store.sync import sync
from thinktank.store.transactions import store_error, store_errors_translated, transaction
from thinktank.users import SYSTEM, User


def utc_now() -> dt.datetime:
    """Timestamps are stored as naive UTC."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass
class Store:
    path: Path
    catalogue: Catalogue
    _connection: duckdb.DuckDBPyConnection

    @classmethod
    def open(cls, settings: Settings, actor: User = SYSTEM) -> Store:
        """Load the catalogue, then open (creating if need be), migrate and sync the database.

        The catalogue is checked before the database is touched, so a broken catalogue file
        never leaves a half-made database behind.
        """
        catalogue = load_catalogue(settings.catalogue_dir)
        reference = load_reference(settings.reference_dir, catalogue)
        connection = _connect(settings.database_path)
        try:
            now = utc_now()
            with store_errors_translated():
                migrated = migrate(connection, now)
                synced = sync(connection, catalogue, reference, actor, now)
                if migrated and not synced:
                    # A new schema may change what the derived series hold.
                    with transaction(connection):
                        refresh_series_points(connection)
        except BaseException:
            connection.close()
            raise
        return cls(settings.database_path, catalogue, connection)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of its own for the calling thread or session."""
        return self._connection.cursor()

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


# No SQL run on the store can read or write another file, load an extension or change these
# settings back: the store's own file is the only one DuckDB touches.
HARDENED = {"enable_external_access": False, "autoinstall_known_extensions": False,
            "autoload_known_extensions": False, "lock_configuration": True}


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(path), config=HARDENED)
    except duckdb.IOException as error:
        message = str(error)
        if "lock" in message.lower():
            raise StoreError(
                f"The database {path} is in use by another program",
                "Only one program may open it at a time: close the dashboard or the other "
                "command using it, or point this one at another file with --db.",
            ) from error
        translated = store_error(error, path)
        if translated is not None:
            raise translated from error
        raise StoreError(
            f"The database {path} cannot be opened",
            f"It may not be a Think Tank database ({error}). Move it aside and start again "
            "to build a new one, or choose another file with --db.",
        ) from error
    except OSError as error:
        raise StoreError(
            f"The folder for the database {path} cannot be created",
            f"{error.strerror}. Choose a folder you can write to with --db or THINKTANK_DB.",
        ) from error
