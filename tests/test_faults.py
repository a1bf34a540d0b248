"""Storage faults met for real (a small disk filled up, a disk made read-only, a file damaged),
each ending in a clear message, with nothing accepted lost and no fault recorded as an agency's
refused return."""

import contextlib
import json
import os
import subprocess
import sys

import pytest
from conftest import dashboard_app
from returns_support import police, send

from thinktank.cli import EXIT_OK, EXIT_PROBLEM, main
from thinktank.errors import StoreError
from thinktank.periods import Quarter
from thinktank.settings import REPO_ROOT, Settings
from thinktank.store import Store, utc_now
from thinktank.store.backup import automatic_backup
from thinktank.store.returns import submission_history
from thinktank.store.transactions import store_errors_translated
from thinktank.users import LOCAL_ANALYST
from views.common import store

CHANGED = police((0, "FD06,2024-25 Q1,All,All,,,1234,"))


@pytest.fixture
def disk(tmp_path):
    """A small disk of the test's own (a tmpfs), which it can fill or make read-only."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"this machine cannot mount a small disk for the test: {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "--lazy", str(mount_point)], check=True)


@pytest.fixture
def disk_settings(disk, settings):
    return Settings(disk / "thinktank.duckdb", settings.catalogue_dir, settings.reference_dir)


def fill(disk) -> None:
    with (disk / "filler").open("wb", buffering=0) as filler, contextlib.suppress(OSError):
        while True:
            filler.write(b"\0" * 65536)


def police_audit(store) -> list[tuple]:
    return store.cursor().execute(
        "SELECT action, outcome FROM audit_log WHERE agency_id = 'police' ORDER BY id").fetchall()


def test_a_full_disk_stores_nothing_says_so_and_the_store_reads_on_without_a_restart(disk, disk_settings):
    with Store.open(disk_settings) as store:
        send(store, police())
        fill(disk)
        with pytest.raises(StoreError) as raised:
            send(store, CHANGED)
        assert raised.value.title == "The disk that holds the database is full"
        assert raised.value.hint.startswith("Nothing was stored")
        assert police_audit(store) == [("upload", "stored")]  # no refused return for the police
        # A checkpoint that fails for want of space makes DuckDB give the database up ("invalidated").
        with pytest.raises(StoreError) as raised, store_errors_translated():
            store.cursor().execute("CHECKPOINT")
        assert "is full" in raised.value.title
        assert len(submission_history(store.cursor(), LOCAL_ANALYST, "police", None)) == 1  # read on, no restart
        (disk / "filler").unlink()
        assert [version.version for version in send(store, CHANGED).versions] == [2]
    with Store.open(disk_settings) as reopened:
        assert len(submission_history(reopened.cursor(), LOCAL_ANALYST, "police", None)) == 2


def test_a_read_only_disk_is_opened_for_reading_and_refuses_every_write_with_our_message(
    disk, disk_settings, capsys
):
    with Store.open(disk_settings) as store:
        send(store, police())
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    with Store.open(disk_settings) as store:
        assert store.read_only
        assert len(submission_history(store.cursor(), LOCAL_ANALYST, "police", None)) == 1
        with pytest.raises(StoreError) as raised:
            send(store, CHANGED)
        assert raised.value.title == "The database is open read-only: nothing can be stored"
        assert "aside" not in raised.value.hint
        assert police_audit(store) == [("upload", "stored")]
    database = str(disk_settings.database_path)
    assert main(["submissions", "--db", database]) == EXIT_OK
    assert "Police" in capsys.readouterr().out
    changed = disk.parent / "changed.csv"
    changed.write_bytes(CHANGED)
    assert main(["ingest", "--db", database, "--agency", "police", "--period", "2024-25 Q1", str(changed)]) == EXIT_PROBLEM
    assert "Error: The database is open read-only: nothing can be stored" in capsys.readouterr().err


def test_the_dashboard_says_when_nothing_can_be_stored(disk, disk_settings, monkeypatch):
    Store.open(disk_settings).close()
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    app = dashboard_app(monkeypatch, disk_settings)
    app.run()
    assert not app.exception
    assert any(warning.value.startswith("**Read-only: nothing can be stored.**") for warning in app.warning)


def test_a_new_database_on_a_read_only_disk_is_refused_without_being_made(disk, disk_settings):
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    with pytest.raises(StoreError) as raised:
        Store.open(disk_settings)
    assert raised.value.title.endswith("cannot be written to")
    assert not disk_settings.database_path.exists()


def damage(path) -> None:
    """Overwrite a block near the start of the file, where DuckDB keeps its catalogue."""
    content = bytearray(path.read_bytes())
    content[20_000:24_096] = bytes(range(256)) * 16
    path.write_bytes(bytes(content))


def test_a_damaged_database_is_refused_at_start_up_naming_the_backup_to_restore(settings, capsys):
    with Store.open(settings) as store:
        send(store, police())
        latest = automatic_backup(store.cursor(), settings.database_path, utc_now(), "test")
    damage(settings.database_path)
    database = str(settings.database_path)
    assert main(["submissions", "--db", database, "--json"]) == EXIT_PROBLEM
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["title"] == f"The database {database} is damaged or is not a Think Tank database"
    assert f"python -m thinktank restore DIR, where DIR is the latest automatic backup, {latest}" in error["hint"]
    assert main(["restore", str(latest), "--db", database]) == EXIT_OK
    with Store.open(settings) as store:
        assert len(submission_history(store.cursor(), LOCAL_ANALYST, "police", None)) == 1


def test_a_database_missing_a_table_is_refused_as_damaged(settings):
    with Store.open(settings) as store:
        store.cursor().execute("DROP TABLE headline_actions")
    with pytest.raises(StoreError) as raised:
        Store.open(settings)
    assert raised.value.title.endswith("is damaged or is not a Think Tank database")
    assert "tables missing: headline_actions" in raised.value.hint


def test_an_upload_on_the_page_that_meets_a_full_disk_shows_the_storage_problem(disk, disk_settings, monkeypatch):
    app = dashboard_app(monkeypatch, disk_settings, timeout=60).switch_page("views/upload.py")
    app.run()
    app.selectbox(key="upload_agency").select("police").run()
    app.selectbox(key="upload_quarter").select(Quarter(2025, 1)).run()
    fill(disk)
    quarter_file = police().replace(b"2024-25 Q1", b"2025-26 Q1")
    app.file_uploader(key="upload_file").upload("police.csv", quarter_file, "text/csv").run()
    for button in [button for button in app.button if "store this return" in button.label.lower()]:
        button.click().run()
    assert not app.exception
    assert any("is full" in error.value for error in app.error), [error.value for error in app.error]
    (disk / "filler").unlink()
    assert police_audit(store()) == []  # the page's own store: no refused return recorded
    assert len(submission_history(store().cursor(), LOCAL_ANALYST, "police", None)) == 0


FILE_SIZE_LIMITED = """
import json, resource, signal, sys
from pathlib import Path
from returns_support import police, send
from thinktank.errors import StoreError
from thinktank.settings import REPO_ROOT, Settings
from thinktank.store import Store
from thinktank.store.returns import submission_history
from thinktank.store.transactions import store_errors_translated
from thinktank.users import LOCAL_ANALYST

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead
seen = {}
with Store.open(Settings.from_environment(sys.argv[1])) as store:
    send(store, police())
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, resource.RLIM_INFINITY))
    for step, act in [("upload", lambda: send(store, police((0, "FD06,2024-25 Q1,All,All,,,1234,")))),
                      ("checkpoint", lambda: store.cursor().execute("CHECKPOINT"))]:
        try:
            with store_errors_translated():
                act()
            seen[step] = "done"
        except StoreError as error:
            seen[step] = error.title
    seen["versions"] = len(submission_history(store.cursor(), LOCAL_ANALYST, "police", None))
print(json.dumps(seen))
"""


def test_a_file_size_limit_reads_as_a_full_disk_and_the_store_reads_on(settings):
    """The same fault without a disk of its own, for machines that cannot mount one: the
    database may grow no further (RLIMIT_FSIZE)."""
    finished = subprocess.run(
        [sys.executable, "-c", FILE_SIZE_LIMITED, str(settings.database_path)], capture_output=True, text=True,
        timeout=120, cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": f"{REPO_ROOT}:{REPO_ROOT / 'tests'}"},
    )
    assert finished.returncode == 0, finished.stderr
    seen = json.loads(finished.stdout.splitlines()[-1])
    assert seen == {"upload": "The disk that holds the database is full",
                    "checkpoint": "The disk that holds the database is full", "versions": 1}
    with Store.open(settings) as store:
        assert len(submission_history(store.cursor(), LOCAL_ANALYST, "police", None)) == 1
