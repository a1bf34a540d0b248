"""Backups: a consistent copy checked table by table, taken while the dashboard runs too, put in
place whole (a kill -9 half-way leaves the previous one usable), taken before every schema
upgrade, and brought back only after every check, keeping the file it replaces."""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest
from returns_support import police, send

from thinktank.cli import EXIT_OK, EXIT_PROBLEM, main
from thinktank.errors import BackupError
from thinktank.settings import REPO_ROOT, Settings
from thinktank.store import Store, backup
from thinktank.store.backup import (
    AUTOMATIC_KEPT,
    automatic_backup,
    automatic_backups,
    check_backup,
    store_tables,
    write_backup,
)
from thinktank.store.control import control_path
from thinktank.store.migrations import available_migrations, migrate

NOW = dt.datetime(2026, 12, 3, 22, 0)


def every_row(database) -> dict[str, list]:
    """Every table's rows, row for row in a stable order, and where each sequence has got to."""
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = {table: connection.execute(f'SELECT * FROM "{table}" ORDER BY ALL').fetchall()
                for table in store_tables(connection)}
        rows["(sequences)"] = connection.execute(
            "SELECT sequence_name, last_value FROM duckdb_sequences() ORDER BY 1").fetchall()
    return rows


def run_cli(capsys, *arguments) -> tuple[int, dict]:
    code = main([*arguments, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_restore_drill_the_demo_comes_back_row_for_row_in_every_table(demo_copy, tmp_path, capsys):
    code, made = run_cli(capsys, "backup", "--db", str(demo_copy), "--out", str(tmp_path / "backup"))
    assert code == EXIT_OK
    assert made["schema_version"] == len(available_migrations())
    assert made["tables"]["submissions"]["rows"] > 200
    restored = tmp_path / "restored" / "thinktank.duckdb"
    code, summary = run_cli(capsys, "restore", str(tmp_path / "backup"), "--db", str(restored))
    assert code == EXIT_OK
    assert summary["previous_file_kept_as"] is None
    original, copy = every_row(demo_copy), every_row(restored)
    assert set(copy) == set(original) and len(original) > 20
    for table in original:
        assert copy[table] == original[table], table


def test_a_restored_store_takes_new_returns_without_reusing_an_id(settings, store, tmp_path):
    (first,) = send(store, police()).versions
    write_backup(store.cursor(), tmp_path / "backup", NOW)
    restored = Settings(tmp_path / "restored.duckdb", settings.catalogue_dir, settings.reference_dir)
    backup.restore_backup(tmp_path / "backup", restored.database_path, NOW)
    with Store.open(restored) as opened:
        (second,) = send(opened, police((0, "FD06,2024-25 Q1,All,All,,,1234,"))).versions
    assert second.version == 2 and second.submission_id > first.submission_id


def test_restoring_over_a_database_keeps_it_and_its_journal_beside_it(settings, tmp_path, capsys):
    with Store.open(settings) as opened:
        write_backup(opened.cursor(), tmp_path / "backup", NOW)
        send(opened, police())  # stored after the backup
    journal = settings.database_path.with_name("thinktank.duckdb.wal")
    journal.write_bytes(b"changes not yet in the file")
    code, summary = run_cli(capsys, "restore", str(tmp_path / "backup"), "--db", str(settings.database_path))
    assert code == EXIT_OK
    kept = tmp_path / summary["previous_file_kept_as"]
    assert kept.name.startswith("thinktank.duckdb.before-restore-")
    assert kept.with_name(kept.name + ".wal").read_bytes() == b"changes not yet in the file"
    assert not journal.exists()
    assert every_row(kept)["submissions"] and not every_row(settings.database_path)["submissions"]


def test_a_backup_changed_after_it_was_taken_is_refused_and_nothing_is_replaced(settings, tmp_path, capsys):
    with Store.open(settings) as opened:
        write_backup(opened.cursor(), tmp_path / "backup", NOW)
    with duckdb.connect(str(tmp_path / "backup" / "thinktank.duckdb")) as tampered:
        tampered.execute("UPDATE agencies SET name = 'Someone else' WHERE id = 'police'")
    before = every_row(settings.database_path)
    code, answer = run_cli(capsys, "restore", str(tmp_path / "backup"), "--db", str(settings.database_path))
    assert code == EXIT_PROBLEM
    assert answer["error"]["title"].endswith("does not match its manifest")
    assert "agencies" in answer["error"]["hint"]
    assert every_row(settings.database_path) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["backup", "thinktank.duckdb"]


def test_a_backup_never_replaces_a_folder_of_other_files(store, tmp_path):
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "minutes.docx").write_bytes(b"keep me")
    with pytest.raises(BackupError) as raised:
        write_backup(store.cursor(), tmp_path / "documents", NOW)
    assert raised.value.title.endswith("holds other files")
    assert (tmp_path / "documents" / "minutes.docx").read_bytes() == b"keep me"


def test_a_second_backup_replaces_the_first_only_when_it_is_whole(store, tmp_path):
    write_backup(store.cursor(), tmp_path / "backup", NOW)
    send(store, police())
    second = write_backup(store.cursor(), tmp_path / "backup", NOW + dt.timedelta(hours=1))
    assert check_backup(tmp_path / "backup") == second
    assert second.tables["submissions"]["rows"] == 1
    assert not [path.name for path in tmp_path.iterdir() if "partial" in path.name]


SLOW_BACKUP = """
import pathlib, sys, time
from thinktank.cli import main
from thinktank.store import backup

copy_table = backup._copy_table

def slow_copy(cursor, copy, table):
    copy_table(cursor, copy, table)
    pathlib.Path(sys.argv[3]).touch()  # the new backup is being written
    time.sleep(60)

backup._copy_table = slow_copy
sys.exit(main(["backup", "--db", sys.argv[1], "--out", sys.argv[2]]))
"""


def test_a_backup_killed_half_way_leaves_the_previous_one_usable(settings, tmp_path):
    with Store.open(settings) as opened:
        previous = write_backup(opened.cursor(), tmp_path / "backup", NOW)
        send(opened, police())
    writing = tmp_path / "writing"
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_BACKUP, str(settings.database_path), str(tmp_path / "backup"), str(writing)],
        cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    try:
        deadline = time.monotonic() + 60
        while not writing.exists():
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        process.kill()
    assert check_backup(tmp_path / "backup") == previous
    (left,) = tmp_path.glob(".backup.partial-*")  # what the killed backup had written
    restored = tmp_path / "restored.duckdb"
    assert main(["restore", str(tmp_path / "backup"), "--db", str(restored)]) == EXIT_OK
    assert every_row(restored)["submissions"] == []  # as it was when the previous backup was taken
    with Store.open(settings) as opened:
        write_backup(opened.cursor(), tmp_path / "backup", NOW)
    assert not left.exists()  # the next backup clears it away


@pytest.fixture
def dashboard_store(tmp_path_factory):
    """A store opened as the dashboard opens it, serving its control socket. (A short folder:
    a socket's path may be at most 107 bytes.)"""
    folder = tmp_path_factory.mktemp("dash")
    settings = Settings.from_environment(folder / "thinktank.duckdb")
    with Store.open(settings, serve_control=True) as opened:
        send(opened, police())
        yield opened


def command(*arguments: str) -> subprocess.CompletedProcess:
    """The command line in a process of its own, as a person runs it beside the dashboard."""
    return subprocess.run([sys.executable, "-m", "thinktank", *arguments], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})


def test_a_backup_is_taken_through_the_dashboard_while_it_holds_the_database(dashboard_store, tmp_path):
    socket_file = control_path(dashboard_store.path)
    assert socket_file.stat().st_mode & 0o777 == 0o600
    finished = command("backup", "--db", str(dashboard_store.path), "--out", str(tmp_path / "backup"))
    assert finished.returncode == EXIT_OK, finished.stderr
    assert "through the dashboard" in finished.stdout
    assert check_backup(tmp_path / "backup").tables["submissions"]["rows"] == 1


def test_read_commands_beside_the_dashboard_read_a_snapshot_it_takes(dashboard_store):
    read = command("submissions", "--db", str(dashboard_store.path), "--agency", "police", "--json")
    assert read.returncode == EXIT_OK, read.stderr
    (submission,) = json.loads(read.stdout)
    assert (submission["agency"], submission["version"]) == ("Police", 1)
    assert "a snapshot of" in read.stderr and "the dashboard took just now" in read.stderr


def test_an_upload_beside_the_dashboard_is_refused_naming_it_in_valid_json(dashboard_store, tmp_path):
    database = str(dashboard_store.path)
    (tmp_path / "police.csv").write_bytes(police())
    upload = command("ingest", str(tmp_path / "police.csv"), "--db", database, "--agency", "police", "--json")
    assert upload.returncode == EXIT_PROBLEM
    error = json.loads(upload.stdout)["error"]
    assert error["title"] == f"The database {database} is in use by the dashboard"
    assert "send returns from its Upload page" in error["hint"]
    assert "stop the dashboard first" in error["hint"]


def test_a_restore_is_refused_while_the_dashboard_runs(dashboard_store, tmp_path):
    write_backup(dashboard_store.cursor(), tmp_path / "backup", NOW)
    refused = command("restore", str(tmp_path / "backup"), "--db", str(dashboard_store.path))
    assert refused.returncode == EXIT_PROBLEM
    assert f"Error: The database {dashboard_store.path} is in use by the dashboard" in refused.stderr
    assert sorted(path.name for path in dashboard_store.path.parent.iterdir()) == [
        "thinktank.duckdb", "thinktank.duckdb.control", "thinktank.duckdb.wal"]


def test_the_control_socket_goes_when_the_dashboard_store_closes(tmp_path_factory):
    settings = Settings.from_environment(tmp_path_factory.mktemp("dash") / "thinktank.duckdb")
    with Store.open(settings, serve_control=True):
        assert control_path(settings.database_path).exists()
    assert not control_path(settings.database_path).exists()


def test_the_control_socket_goes_when_the_dashboard_stops_without_closing_its_store(tmp_path_factory):
    database = tmp_path_factory.mktemp("dash") / "thinktank.duckdb"
    opened_and_left = ("import sys\nfrom thinktank.settings import Settings\nfrom thinktank.store import Store\n"
                       "Store.open(Settings.from_environment(sys.argv[1]), serve_control=True)\n"
                       "print(__import__('os').path.exists(sys.argv[1] + '.control'))")
    finished = subprocess.run([sys.executable, "-c", opened_and_left, str(database)], capture_output=True, text=True,
                              cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, timeout=120)
    assert finished.stdout.strip() == "True", finished.stderr
    assert not control_path(database).exists()


def test_an_existing_database_is_backed_up_before_its_schema_is_upgraded(settings, capsys):
    older = len(available_migrations()) - 1
    with duckdb.connect(str(settings.database_path)) as connection:
        migrate(connection, NOW, up_to=older)
    Store.open(settings).close()
    (taken,) = automatic_backups(settings.database_path)
    assert taken.parent == settings.database_path.parent / "backups"
    assert check_backup(taken).schema_version == older
    assert f"to {taken} before upgrading it" in capsys.readouterr().err
    Store.open(settings).close()  # up to date now: no second backup
    assert automatic_backups(settings.database_path) == [taken]


def test_only_the_newest_automatic_backups_are_kept(store):
    taken = [automatic_backup(store.cursor(), store.path, NOW + dt.timedelta(minutes=minute), "test")
             for minute in range(AUTOMATIC_KEPT + 2)]
    assert automatic_backups(store.path) == taken[-AUTOMATIC_KEPT:]


def test_a_new_database_is_not_backed_up(settings):
    Store.open(settings).close()
    assert automatic_backups(settings.database_path) == []
    assert not (settings.database_path.parent / backup.AUTOMATIC_FOLDER).exists()
