"""Numbered schema migrations, applied in order at start-up, each in its own transaction.

A migration is a file ``NNN_what_it_does.sql`` beside this module. Once released, a
migration is never edited: a change to the schema is a new file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from thinktank.errors import StoreError
from thinktank.store.transactions import transaction

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file {path.name} must be named NNN_name.sql")
        migrations.append(Migration(int(match[1]), match[2], path.read_text(encoding="utf-8")))
    versions = [migration.version for migration in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migrations must be numbered 1, 2, 3... without gaps: {versions}")
    return migrations


def schema_version(connection: duckdb.DuckDBPyConnection) -> int | None:
    """The newest migration the database has; None for a database with no schema yet."""
    (has_migrations,) = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'schema_migrations'"
    ).fetchone()
    if not has_migrations:
        return None
    (version,) = connection.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return version


def migrate(connection: duckdb.DuckDBPyConnection, now: dt.datetime, up_to: int | None = None) -> list[int]:
    """Apply every migration the database lacks (up to version ``up_to``, if given); return
    the versions applied."""
    connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    applied = {row[0] for row in connection.execute("SELECT version FROM schema_migrations").fetchall()}
    migrations = available_migrations()
    newest_known = max((migration.version for migration in migrations), default=0)
    if applied and max(applied) > newest_known:
        raise StoreError(
            "The database was made by a newer version of Think Tank",
            f"It has schema version {max(applied)}; this version knows up to {newest_known}. "
            "Update Think Tank, or open another database with --db.",
        )
    done = []
    for migration in migrations:
        if migration.version in applied or (up_to is not None and migration.version > up_to):
            continue
        with transaction(connection):
            connection.execute(migration.sql)
            connection.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                [migration.version, migration.name, now],
            )
        done.append(migration.version)
    return done
