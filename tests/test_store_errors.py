"""DuckDB errors a person can cause reach them as our StoreError, with a hint, everywhere;
a write conflict is run again where that is safe."""

import threading
import tomllib

import duckdb
import pytest
import streamlit as st
from conftest import dashboard_app
from returns_support import POLICE_Q1, police, send
from streamlit.config import ShowErrorDetailsConfigOptions

import thinktank.store
from thinktank import browse
from thinktank.cli import EXIT_PROBLEM, main
from thinktank.errors import StoreError, WriteConflictError
from thinktank.ingest import submit
from thinktank.settings import REPO_ROOT
from thinktank.store import Store, transactions
from thinktank.store.transactions import WRITE_ATTEMPTS, store_error

# DuckDB's own messages, as DuckDB 2.0 raised them when each happened for real (a full
# 2 MB tmpfs, a tmpfs remounted read-only, two cursors writing the same rows).
DELETION_CONFLICT = duckdb.TransactionException("TransactionContext Error: Conflict on tuple deletion!")
UPDATE_CONFLICT = duckdb.TransactionException("TransactionContext Error: Conflict on update!")
VERSION_TAKEN = duckdb.TransactionException(
    'TransactionContext Error: Failed to commit: PRIMARY KEY or UNIQUE constraint violation: duplicate key "2"'
)
DISK_FULL_ON_COMMIT = duckdb.TransactionException(
    'TransactionContext Error: Failed to commit: Could not write file "/srv/thinktank.duckdb.wal": '
    "No space left on device"
)
DISK_FULL_ON_WRITE = duckdb.IOException('IO Error: Could not write file "/srv/thinktank.duckdb": No space left on device')
COMMITTED_THEN_DISK_FULL = duckdb.FatalException(
    "FATAL Error: Transaction COMMIT succeeded and is durable, but the autocheckpoint failed. Reopen the database "
    'instance to recover. Failed to create checkpoint because of error: Could not write file "/srv/thinktank.duckdb": '
    "No space left on device"
)
READ_ONLY_DISK = duckdb.IOException('IO Error: Cannot open file "/srv/thinktank.duckdb": Read-only file system')
READ_ONLY_FILE = duckdb.IOException('IO Error: Cannot open file "/srv/thinktank.duckdb": Permission denied')
INVALIDATED = duckdb.FatalException(
    "FATAL Error: Failed: database has been invalidated because of a previous fatal error. "
    "The database must be restarted prior to being used again."
)


@pytest.mark.parametrize(
    ("error", "title"),
    [
        (DELETION_CONFLICT, "Someone else was storing changes to the same figures at the same moment"),
        (UPDATE_CONFLICT, "Someone else was storing changes to the same figures at the same moment"),
        (VERSION_TAKEN, "Someone else was storing changes to the same figures at the same moment"),
        (DISK_FULL_ON_COMMIT, "The disk that holds the database is full"),
        (DISK_FULL_ON_WRITE, "The disk that holds the database is full"),
        (READ_ONLY_DISK, "The database cannot be written to"),
        (READ_ONLY_FILE, "The database cannot be written to"),
        (INVALIDATED, "The database stopped after a serious error"),
    ],
)
def test_each_kind_of_store_problem_a_person_can_meet_has_a_title_and_a_hint(error, title):
    translated = store_error(error)
    assert isinstance(translated, StoreError)
    assert translated.title == title
    assert translated.hint.startswith(("Nothing", "Returns already stored are kept"))


def test_a_commit_that_was_stored_before_the_disk_filled_is_not_called_lost():
    # DuckDB commits, then checkpoints; when only the checkpoint fails, what was sent is stored.
    translated = store_error(COMMITTED_THEN_DISK_FULL)
    assert translated.title == "Stored, but the disk that holds the database is now full"
    assert translated.hint.startswith("What you sent was stored and is kept")


def test_only_write_conflicts_are_marked_as_worth_running_again():
    assert isinstance(store_error(DELETION_CONFLICT), WriteConflictError)
    assert isinstance(store_error(VERSION_TAKEN), WriteConflictError)
    assert not isinstance(store_error(DISK_FULL_ON_COMMIT), WriteConflictError)


@pytest.mark.parametrize(
    "bug",
    [
        duckdb.CatalogException("Catalog Error: Table with name nowhere does not exist!"),
        duckdb.TransactionException("TransactionContext Error: cannot rollback - no transaction is active"),
        duckdb.ConstraintException('Constraint Error: Duplicate key "a: 2" violates unique constraint.'),
    ],
)
def test_any_other_duckdb_error_is_a_bug_and_is_not_dressed_up(bug):
    assert store_error(bug) is None


def test_the_title_names_the_database_file_when_it_is_known(tmp_path):
    assert store_error(READ_ONLY_DISK, tmp_path / "Data" / "thinktank.duckdb").title == (
        f"The database {tmp_path}/Data/thinktank.duckdb cannot be written to"
    )


@pytest.mark.parametrize(
    ("error", "title"),
    [(READ_ONLY_DISK, "cannot be written to"), (READ_ONLY_FILE, "cannot be written to"),
     (DISK_FULL_ON_WRITE, "is full")],
)
def test_opening_a_database_that_cannot_be_written_says_so_with_the_file(settings, monkeypatch, error, title):
    def refuse(path, **_options):
        raise error

    monkeypatch.setattr(thinktank.store.duckdb, "connect", refuse)
    with pytest.raises(StoreError) as raised:
        Store.open(settings)
    assert str(settings.database_path) in raised.value.title
    assert raised.value.title.endswith(title)
    assert "ask whoever runs" in raised.value.hint.lower()
    assert "--db" not in raised.value.hint  # a new file is an empty store: never the advice


def stored_versions(store) -> int:
    (count,) = store.cursor().execute("SELECT count(*) FROM submissions").fetchone()
    return count


def test_a_full_disk_while_storing_a_return_stores_nothing_and_says_so(store, monkeypatch):
    def disk_full(cursor, *arguments, **keywords):
        cursor.execute("INSERT INTO submissions VALUES (999, 'police', '2024-25 Q1', 1, 'f', 's', 1, 'u', now(), false)")
        raise DISK_FULL_ON_WRITE

    pauses = []
    monkeypatch.setattr(submit, "save_return", disk_full)
    monkeypatch.setattr(transactions, "pause_before_retry", pauses.append)
    with pytest.raises(StoreError) as raised:
        send(store, police())
    assert raised.value.title == "The disk that holds the database is full"
    assert pauses == []  # a full disk stays full: not tried again
    assert stored_versions(store) == 0


def changed_police_return(number: int) -> bytes:
    """The police return with its first figure changed: each is a new version that rewrites
    the same series (FD06's and the others')."""
    indicator, period, breakdown, group, *_ = POLICE_Q1[0].split(",")
    return police((0, f"{indicator},{period},{breakdown},{group},,,{1100 + number},"))


def test_two_uploads_rewriting_the_same_series_at_once_are_both_stored_or_told_why(store):
    send(store, police())
    start = threading.Barrier(2)
    outcomes = []

    def upload(number):
        start.wait()
        try:
            outcomes.append(send(store, changed_police_return(number)).outcome)
        except StoreError as error:
            outcomes.append(error)
        except duckdb.Error as error:  # what a person saw before: DuckDB's own exception
            outcomes.append(f"raw DuckDB error: {error!r}")

    threads = [threading.Thread(target=upload, args=(number,)) for number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2
    assert all(outcome == "stored" or isinstance(outcome, StoreError) for outcome in outcomes), outcomes
    assert stored_versions(store) == 1 + outcomes.count("stored")


@pytest.fixture
def blocking_writer(store):
    """The police return stored, and another writer that has since deleted every series point
    without committing: anyone else rewriting a series meets a write conflict until it rolls back."""
    send(store, police())
    blocker = store.cursor()
    blocker.begin()
    (deleted,) = blocker.execute("DELETE FROM series_points").fetchone()
    assert deleted > 0
    yield blocker
    blocker.close()


def test_a_write_conflict_runs_the_whole_transaction_again(store, blocking_writer, monkeypatch):
    pauses = []

    def other_writer_finishes(attempt):
        pauses.append(attempt)
        blocking_writer.rollback()

    monkeypatch.setattr(transactions, "pause_before_retry", other_writer_finishes)
    result = send(store, changed_police_return(1))
    assert result.outcome == "stored"
    assert [version.version for version in result.versions] == [2]
    assert pauses == [1]
    (audited,) = store.cursor().execute(
        "SELECT count(*) FROM audit_log WHERE action = 'upload' AND outcome = 'stored'"
    ).fetchone()
    assert audited == 2  # the first, rolled-back attempt left no audit entry behind


def test_a_conflict_that_does_not_clear_stops_after_a_few_attempts_with_nothing_stored(
    store, blocking_writer, monkeypatch
):
    pauses = []
    monkeypatch.setattr(transactions, "pause_before_retry", pauses.append)
    with pytest.raises(WriteConflictError) as raised:
        send(store, changed_police_return(1))
    assert pauses == list(range(1, WRITE_ATTEMPTS))
    assert "Nothing of yours was stored" in raised.value.hint
    blocking_writer.rollback()
    assert stored_versions(store) == 1


def test_streamlit_shows_no_tracebacks_or_raw_messages_to_people():
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    setting = config["client"]["showErrorDetails"]
    assert setting == ShowErrorDetailsConfigOptions.NONE
    assert setting in {option.value for option in ShowErrorDetailsConfigOptions}


@pytest.fixture
def catalogue_page(monkeypatch, settings):
    yield dashboard_app(monkeypatch, settings).switch_page("views/catalogue.py")
    st.cache_resource.clear()
    st.cache_data.clear()


def test_every_page_shows_a_store_problem_as_our_error_not_a_traceback(catalogue_page, monkeypatch):
    def invalidated(cursor):
        raise INVALIDATED

    monkeypatch.setattr(browse, "themes", invalidated)
    catalogue_page.run()
    assert not catalogue_page.exception
    assert [error.value for error in catalogue_page.error] == [
        "The database stopped after a serious error"
    ]
    assert "reload the page" in catalogue_page.code[0].value


def test_the_command_line_shows_a_store_problem_with_its_hint(monkeypatch, capsys, settings):
    def invalidated(*arguments):
        raise INVALIDATED

    monkeypatch.setattr("thinktank.cli.submission_history", invalidated)
    code = main(["submissions", "--db", str(settings.database_path)])
    assert code == EXIT_PROBLEM
    error = capsys.readouterr().err
    assert error.startswith("Error: The database stopped after a serious error")
    assert "restart" in error
