"""The audit log is tamper-evident: each event is linked to the one before it by hashes, a
changed, deleted, added or moved event is named by ``audit verify``, two sessions recording
at once never fork the chain, and no event holds a figure or a comment of a return."""

import dataclasses
import datetime as dt
import json
import threading

import duckdb
import pytest
import streamlit as st
from conftest import dashboard_app
from returns_support import POLICE_Q1, police, send

from thinktank import first_start
from thinktank.cli import EXIT_OK, EXIT_PROBLEM, main
from thinktank.headlines.record import draft_from_data, mark_ready
from thinktank.periods import Quarter
from thinktank.store import Store, migrations
from thinktank.store.audit import AuditEntry, record, verify_chain
from thinktank.users import LOCAL_ANALYST, LOCAL_PLG_MEMBER

AT = dt.datetime(2026, 11, 23, 9, 0)


def events(store: Store, count: int) -> None:
    for number in range(count):
        record(store.cursor(), LOCAL_ANALYST, AuditEntry(action="test", outcome="done", detail=f"event {number}"),
               AT + dt.timedelta(seconds=number))


def event_ids(store: Store) -> list[int]:
    return [row[0] for row in store.cursor().execute("SELECT id FROM audit_log ORDER BY id").fetchall()]


def test_an_untouched_log_verifies_with_its_count(store):
    events(store, 5)
    check = verify_chain(store.cursor())
    assert check.intact and check.events == len(event_ids(store)) >= 5
    assert check.summary.startswith("The audit log is intact:")


def broken(store: Store) -> list[tuple[int, str]]:
    return [(link.event_id, link.problem.split(":")[0]) for link in verify_chain(store.cursor()).broken]


def test_a_changed_detail_is_named_by_its_event(store):
    events(store, 5)
    changed = event_ids(store)[-3]
    store.cursor().execute("UPDATE audit_log SET detail = 'nothing to see' WHERE id = ?", [changed])
    assert broken(store) == [(changed, "its fields were changed after it was recorded")]


def test_a_deleted_event_is_named_and_so_is_one_deleted_with_its_link(store):
    events(store, 5)
    ids = event_ids(store)
    store.cursor().execute("DELETE FROM audit_log WHERE id = ?", [ids[-2]])
    assert broken(store) == [(ids[-2], "it was deleted")]
    store.cursor().execute("DELETE FROM audit_chain WHERE id = ?", [ids[-2]])
    assert broken(store) == [(ids[-1], "its link to the event before it is broken")]


def test_events_put_in_another_order_are_named(store):
    events(store, 5)
    first, second = event_ids(store)[-2:]
    cursor = store.cursor()
    cursor.execute("UPDATE audit_log SET id = -1 WHERE id = ?", [first])
    cursor.execute("UPDATE audit_log SET id = ? WHERE id = ?", [first, second])
    cursor.execute("UPDATE audit_log SET id = ? WHERE id = -1", [second])
    assert broken(store) == [(first, "its fields were changed after it was recorded"),
                             (second, "its fields were changed after it was recorded")]


def test_an_event_added_around_the_log_is_named(store):
    events(store, 2)
    (added,) = store.cursor().execute(
        "INSERT INTO audit_log (happened_at, actor, action, outcome) VALUES (?, 'someone', 'upload', 'stored') "
        "RETURNING id", [AT]
    ).fetchone()
    assert broken(store) == [(added, "it is not in the chain")]


def test_two_sessions_recording_at_once_never_fork_the_chain(store):
    start = threading.Barrier(2)

    def session() -> None:
        start.wait()
        events(store, 30)

    threads = [threading.Thread(target=session) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check = verify_chain(store.cursor())
    assert check.intact and check.events == len(event_ids(store))


def test_the_chain_cannot_fork_even_bypassing_the_write_lock(store):
    events(store, 1)
    (newest,) = store.cursor().execute("SELECT hash FROM audit_chain ORDER BY id DESC LIMIT 1").fetchone()
    with pytest.raises(Exception, match=r"(?i)constraint"):
        store.cursor().execute("INSERT INTO audit_chain VALUES (-5, (SELECT previous_hash FROM audit_chain "
                               "ORDER BY id DESC LIMIT 1), ?)", [newest])


def test_audit_verify_says_ok_with_the_count_or_names_each_broken_link(settings, capsys):
    with Store.open(settings) as store:
        events(store, 3)
        (count,) = store.cursor().execute("SELECT count(*) FROM audit_log").fetchone()
    database = ["--db", str(settings.database_path)]
    assert main(["audit", "verify", *database, "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out) == {"intact": True, "events": count, "broken": []}
    assert main(["audit", "verify", *database]) == EXIT_OK
    assert f"intact: {count} events" in capsys.readouterr().out
    with Store.open(settings) as store:
        tampered = event_ids(store)[-1]
        store.cursor().execute("UPDATE audit_log SET actor = 'someone else' WHERE id = ?", [tampered])
    assert main(["audit", "verify", *database, "--json"]) == EXIT_PROBLEM
    assert json.loads(capsys.readouterr().out)["broken"] == [
        {"event_id": tampered, "problem": "its fields were changed after it was recorded"}
    ]
    assert main(["audit", "verify", *database]) == EXIT_PROBLEM
    out = capsys.readouterr().out
    assert "tampered with" in out and f"event {tampered}: its fields were changed" in out


def test_uploads_sign_off_and_catalogue_changes_are_recorded_without_a_figure_or_comment(store):
    comment = "Staffing in the front door team is down by a third"
    send(store, police((0, POLICE_Q1[0].replace(",1180,", ",1187,") + comment)))
    send(store, police((2, "DA01,2024-25 Q1,All,All,,,not a number,")))
    quarter = Quarter(2024, 1)
    draft_from_data(store.cursor(), LOCAL_ANALYST, quarter, AT)
    mark_ready(store.cursor(), LOCAL_ANALYST, quarter, AT)
    logged = store.cursor().execute("SELECT * FROM audit_log ORDER BY id").df()
    kinds = set(zip(logged["action"], logged["outcome"], strict=True))
    assert {("catalogue_sync", "updated"), ("upload", "stored"), ("upload", "refused"),
            ("headlines", "ready for the PLG")} <= kinds
    # A file's hash is hexadecimal and a time has digits: neither is a figure.
    everything = [str(value) for row in store.cursor().execute(
        "SELECT * EXCLUDE (file_sha256, happened_at) FROM audit_log").fetchall() for value in row if value is not None]
    assert not any(comment in cell or "Staffing" in cell for cell in everything)
    assert not any(figure in cell for cell in everything for figure in ("1187", "1540", "97.5", "not a number"))
    assert verify_chain(store.cursor()).intact


def test_events_recorded_before_the_chain_are_chained_by_its_migration_the_same_way_each_time(settings, monkeypatch):
    everything = migrations.available_migrations()
    chain_version = next(migration.version for migration in everything if migration.name == "audit_chain")

    def hashes_after_upgrade(database):
        monkeypatch.setattr(migrations, "available_migrations", lambda: everything[: chain_version - 1])
        with duckdb.connect(str(database)) as before_chain:
            migrations.migrate(before_chain, AT)
            for number in range(3):
                before_chain.execute(
                    "INSERT INTO audit_log (happened_at, actor, action, outcome, detail) VALUES (?, 'an-analyst', "
                    "'upload', 'stored', ?)", [AT + dt.timedelta(microseconds=number * 250_001), f"v{number}"])
        monkeypatch.setattr(migrations, "available_migrations", lambda: everything)
        with Store.open(dataclasses.replace(settings, database_path=database)) as upgraded:
            check = verify_chain(upgraded.cursor())
            assert check.intact and check.events == 4  # and the catalogue's first sync, after the upgrade
            return upgraded.cursor().execute("SELECT id, previous_hash, hash FROM audit_chain ORDER BY id").fetchall()

    first = hashes_after_upgrade(settings.database_path.with_name("first.duckdb"))
    assert first[:3] == hashes_after_upgrade(settings.database_path.with_name("second.duckdb"))[:3]


def tampered_database(settings) -> int:
    with Store.open(settings) as store:
        events(store, 2)
        tampered = event_ids(store)[0]
        store.cursor().execute("UPDATE audit_log SET outcome = 'nothing happened' WHERE id = ?", [tampered])
    return tampered


def test_start_up_says_in_the_terminal_when_the_chain_is_broken(settings, capsys):
    with first_start.open_store(settings).store:
        pass
    assert capsys.readouterr().err == ""
    tampered = tampered_database(settings)
    started = first_start.open_store(settings)
    started.store.close()
    assert [link.event_id for link in started.audit.broken] == [tampered]
    assert "Think Tank: The audit log has been tampered with" in capsys.readouterr().err


def test_the_dashboard_shows_a_broken_chain_to_analysts_and_admins_only(monkeypatch, settings):
    tampered_database(settings)
    app = dashboard_app(monkeypatch, settings).switch_page("views/help.py")
    app.run()
    assert any("the first at event" in error.value and "audit verify" in error.value for error in app.error)
    app.sidebar.selectbox(key="acting_as").select(LOCAL_PLG_MEMBER.id).run()
    assert not any("audit log" in error.value for error in app.error)
    st.cache_resource.clear()


def test_audit_list_shows_the_events_of_one_action(settings, capsys):
    with Store.open(settings) as store:
        events(store, 2)
    assert main(["audit", "list", "--db", str(settings.database_path), "--action", "test", "--json"]) == EXIT_OK
    listed = json.loads(capsys.readouterr().out)
    assert [(event["action"], event["detail"], event["actor"]) for event in listed] == [
        ("test", "event 0", LOCAL_ANALYST.id), ("test", "event 1", LOCAL_ANALYST.id)]


def test_the_demo_partnerships_audit_log_is_one_intact_chain(demo_database):
    with duckdb.connect(str(demo_database), read_only=True) as connection:
        check = verify_chain(connection)
        (recorded,) = connection.execute("SELECT count(*) FROM audit_log").fetchone()
    assert check.intact and check.events == recorded > 100
