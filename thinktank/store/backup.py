"""Backups: a consistent copy of the whole store in a folder, checked before it is brought back.

A backup folder holds `thinktank.duckdb`, a database file of its own, and `manifest.json`,
which says what it holds: every table with its row count and a checksum of its rows, the
schema version, when it was taken and by which version of Think Tank.

The store's own connection can read no other file (see `HARDENED`), so the copy is made from
Python: every table and sequence is read inside ONE transaction, which is a consistent
snapshot even while others write, and written through a separate connection on the backup's
own file, whose schema is made by the same migrations as the store's. The folder is written
beside its destination under a temporary name and only then put in its place, so a backup
stopped half-way (even by kill -9) leaves the previous one there whole.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import datetime as dt
import hashlib
import json
import os
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from thinktank.errors import BackupError
from thinktank.settings import REPO_ROOT
from thinktank.store.migrations import available_migrations, migrate, schema_version

BACKUP_DATABASE = "thinktank.duckdb"
MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
TOOL_VERSION = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
# Automatic backups go in this folder beside the database; the newest few are kept.
AUTOMATIC_FOLDER = "backups"
AUTOMATIC_KEPT = 5
ROWS_PER_BATCH = 50_000


@dataclass(frozen=True)
class Manifest:
    made_at: str
    schema_version: int
    tool_version: str
    duckdb_version: str
    tables: dict[str, dict[str, Any]]  # name -> {"rows": int, "sha256": str}

    def as_json(self) -> dict[str, Any]:
        return {"format": MANIFEST_FORMAT, "made_at": self.made_at, "schema_version": self.schema_version,
                "tool_version": self.tool_version, "duckdb_version": self.duckdb_version, "tables": self.tables}

    @property
    def rows(self) -> int:
        return sum(table["rows"] for table in self.tables.values())


def store_tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    return [name for (name,) in connection.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary ORDER BY table_name"
    ).fetchall()]


def table_checksum(connection: duckdb.DuckDBPyConnection, table: str) -> dict[str, Any]:
    """The row count and a SHA-256 of every row as text, in text order: the same for the same
    rows whatever file or order they are stored in."""
    digest = hashlib.sha256()
    rows = 0
    result = connection.execute(f'SELECT CAST(stored_row AS VARCHAR) AS text FROM "{table}" AS stored_row ORDER BY text')
    while batch := result.fetchmany(ROWS_PER_BATCH):
        for (text,) in batch:
            digest.update(text.encode("utf-8"))
            digest.update(b"\n")
        rows += len(batch)
    return {"rows": rows, "sha256": digest.hexdigest()}


def write_backup(cursor: duckdb.DuckDBPyConnection, out: Path, now: dt.datetime) -> Manifest:
    """Back the store up into the folder ``out``: a new folder, an empty one, or an earlier
    backup, which is replaced only once the new one is whole."""
    out = out.absolute()
    _check_destination(out)
    _remove_stopped_backups(out)
    partial = out.parent / f".{out.name}.partial-{os.getpid()}"
    partial.mkdir(parents=True)
    try:
        manifest = _write_snapshot(cursor, partial / BACKUP_DATABASE, now)
        _write_durably(partial / MANIFEST, json.dumps(manifest.as_json(), indent=2).encode("utf-8"))
        _fsync(partial)
        _put_in_place(partial, out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def _remove_stopped_backups(out: Path) -> None:
    """Half-written folders that backups to ``out`` left when they were stopped (by kill -9, or a
    power cut): each is named after its process, and one whose process has gone is deleted."""
    for partial in out.parent.glob(f".{out.name}.partial-*"):
        process = int(partial.name.rsplit("-", 1)[1])
        try:
            os.kill(process, 0)
        except ProcessLookupError:
            shutil.rmtree(partial)
        else:
            if process == os.getpid():
                shutil.rmtree(partial)


def _check_destination(out: Path) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise BackupError(f"{out} is a file, not a folder", "Give --out a new or empty folder, or an earlier backup.")
    held = {path.name for path in out.iterdir()}
    if held and held != {BACKUP_DATABASE, MANIFEST}:
        raise BackupError(
            f"The folder {out} holds other files",
            "A backup replaces only an earlier backup (a folder with just thinktank.duckdb and manifest.json): "
            "give --out a new or empty folder.",
        )


def _write_snapshot(cursor: duckdb.DuckDBPyConnection, path: Path, now: dt.datetime) -> Manifest:
    copy = duckdb.connect(str(path), config={"enable_external_access": False})
    try:
        cursor.begin()
        try:
            version = schema_version(cursor)
            if version is None:
                raise BackupError("There is nothing to back up", "The database has no Think Tank tables yet.")
            migrate(copy, now, up_to=version)
            copy.begin()
            tables = {}
            for table in store_tables(cursor):
                tables[table] = table_checksum(cursor, table)
                _copy_table(cursor, copy, table)
            _copy_sequences(cursor, copy)
            copy.commit()
        finally:
            cursor.rollback()
        copy.execute("CHECKPOINT")
        written = {table: table_checksum(copy, table) for table in store_tables(copy)}
    finally:
        copy.close()
    if written != tables:
        raise BackupError("The backup does not match the database it was taken from",
                          f"Nothing was replaced. Take it again; if this happens again, report it. ({path})")
    _fsync(path)
    return Manifest(now.isoformat(timespec="seconds"), version, TOOL_VERSION, duckdb.__version__, tables)


def _copy_table(cursor: duckdb.DuckDBPyConnection, copy: duckdb.DuckDBPyConnection, table: str) -> None:
    copy.execute(f'DELETE FROM "{table}"')  # rows a migration put in
    copy.register("source_rows", cursor.sql(f'SELECT * FROM "{table}"').to_arrow_reader(ROWS_PER_BATCH))
    try:
        copy.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM source_rows')
    finally:
        copy.unregister("source_rows")


def _copy_sequences(cursor: duckdb.DuckDBPyConnection, copy: duckdb.DuckDBPyConnection) -> None:
    """Each sequence taken as far as the store's has gone, so that a restored store never hands
    out an id twice."""
    used = dict(cursor.execute(
        "SELECT sequence_name, last_value FROM duckdb_sequences() WHERE schema_name = 'main' AND last_value IS NOT NULL"
    ).fetchall())
    # The copy's sequences start where its migrations start them (a reopened store's report
    # where they would go on from instead).
    for name, start, step in copy.execute(
        "SELECT sequence_name, start_value, increment_by FROM duckdb_sequences() WHERE schema_name = 'main'"
    ).fetchall():
        if name in used:
            copy.execute(f"SELECT max(nextval('{name}')) FROM range(?)", [(used[name] - start) // step + 1])


def read_manifest(directory: Path) -> Manifest:
    path = directory / MANIFEST
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return Manifest(document["made_at"], int(document["schema_version"]), document["tool_version"],
                        document["duckdb_version"], dict(document["tables"]))
    except FileNotFoundError as error:
        raise BackupError(f"{directory} is not a Think Tank backup",
                          f"It has no {MANIFEST}. Give the folder a backup was written to.") from error
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"The backup's {MANIFEST} in {directory} cannot be read",
                          "The backup may be damaged: use another one.") from error


def check_backup(directory: Path) -> Manifest:
    """The backup's manifest, once every table in its database has been read and matches it."""
    directory = directory.absolute()
    manifest = read_manifest(directory)
    newest = max(migration.version for migration in available_migrations())
    if manifest.schema_version > newest:
        raise BackupError(
            f"The backup in {directory} was made by a newer version of Think Tank",
            f"It has schema version {manifest.schema_version}; this version knows up to {newest}. "
            "Update Think Tank first.",
        )
    database = directory / BACKUP_DATABASE
    if not database.is_file():
        raise BackupError(f"The backup in {directory} has no {BACKUP_DATABASE}", "Use another backup.")
    try:
        with contextlib.closing(duckdb.connect(str(database), read_only=True,
                                               config={"enable_external_access": False})) as copy:
            found = {table: table_checksum(copy, table) for table in store_tables(copy)}
    except duckdb.Error as error:
        raise BackupError(f"The backup in {directory} is damaged", f"Use another backup. ({error})") from error
    differing = sorted(set(found) ^ set(manifest.tables)
                       | {table for table in found if found[table] != manifest.tables.get(table)})
    if differing:
        raise BackupError(f"The backup in {directory} does not match its manifest",
                          f"Tables that differ: {', '.join(differing)}. It may be damaged: use another backup.")
    return manifest


def restore_backup(directory: Path, database_path: Path, now: dt.datetime) -> Path | None:
    """Bring a checked backup back as the database at ``database_path``, which nothing may
    have open. The file there before is kept beside it under a new name, never deleted, and
    that name is returned (None if there was none)."""
    directory = directory.absolute()
    check_backup(directory)
    incoming = database_path.parent / f".{database_path.name}.restoring-{os.getpid()}"
    database_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(directory / BACKUP_DATABASE, incoming)
    _fsync(incoming)
    kept = None
    if database_path.exists():
        kept = database_path.with_name(f"{database_path.name}.before-restore-{now:%Y%m%dT%H%M%S}")
        wal = Path(f"{database_path}.wal")
        if wal.exists():  # changes not yet written into the file: they belong with it
            wal.rename(f"{kept}.wal")
        database_path.rename(kept)
    incoming.rename(database_path)
    _fsync(database_path.parent)
    return kept


def automatic_backup(cursor: duckdb.DuckDBPyConnection, database_path: Path, now: dt.datetime,
                     reason: str) -> Path:
    """A backup into the `backups/` folder beside the database; only the newest few are kept."""
    folder = database_path.absolute().parent / AUTOMATIC_FOLDER
    out = folder / f"{database_path.stem}-{now:%Y%m%dT%H%M%S}-{reason}"
    write_backup(cursor, out, now)
    for old in automatic_backups(database_path)[:-AUTOMATIC_KEPT]:
        shutil.rmtree(old)
    return out


def automatic_backups(database_path: Path) -> list[Path]:
    """The automatic backups of this database, oldest first."""
    folder = database_path.absolute().parent / AUTOMATIC_FOLDER
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.glob(f"{database_path.stem}-*") if (path / MANIFEST).is_file())


def _write_durably(path: Path, content: bytes) -> None:
    with path.open("wb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# renameat2's flag to swap two paths in one step (Linux 3.15 and later).
_RENAME_EXCHANGE = 2


def _put_in_place(partial: Path, out: Path) -> None:
    """Move the finished folder to ``out``. An earlier backup there is swapped out in one step
    (Linux's renameat2), so that ``out`` always holds a whole backup, then deleted."""
    if not out.exists():
        partial.rename(out)
        _fsync(out.parent)
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if not hasattr(libc, "renameat2"):
        raise BackupError(f"An earlier backup in {out} cannot be replaced safely on this system",
                          "Give --out a new folder.")
    at_cwd = -100
    if libc.renameat2(at_cwd, os.fsencode(partial), at_cwd, os.fsencode(out), _RENAME_EXCHANGE) != 0:
        number = ctypes.get_errno()
        raise OSError(number, os.strerror(number), str(out))
    _fsync(out.parent)
    shutil.rmtree(partial)  # now the earlier backup
