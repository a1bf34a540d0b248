import json
import subprocess
import sys

import duckdb
import pytest
from conftest import replace_in

from thinktank import browse
from thinktank.errors import CatalogueError, StoreError
from thinktank.store import Store, utc_now
from thinktank.store.audit import AuditEntry, record
from thinktank.store.migrations import available_migrations
from thinktank.store.transactions import transaction
from thinktank.users import SYSTEM

TABLES = [
    "themes", "agencies", "priorities", "populations", "breakdowns", "indicators",
    "indicator_definitions", "population", "benchmarks", "synced_sources", "submissions",
    "observations", "evidence", "headline_sign_off", "headline_statements", "headline_statement_changes",
    "headline_scaling", "headline_actions", "headline_action_updates", "audit_log", "schema_migrations",
]
TIMESTAMP_COLUMNS = {"recorded_at", "synced_at", "happened_at", "applied_at", "written_at", "changed_at"}


def table_contents(cursor, ignore_timestamps=False) -> dict[str, list]:
    """Every row of every table, in a stable order: the store's content, not its bytes."""
    dump = {}
    for table in TABLES:
        frame = cursor.execute(f"SELECT * FROM {table} ORDER BY ALL").df()
        if ignore_timestamps:
            frame = frame.drop(columns=[c for c in frame.columns if c in TIMESTAMP_COLUMNS])
        dump[table] = [json.dumps(row, default=str) for row in frame.to_dict("records")]
    return dump


def contents(database_path, ignore_timestamps=False) -> dict[str, list]:
    connection = duckdb.connect(str(database_path), read_only=True)
    try:
        return table_contents(connection, ignore_timestamps)
    finally:
        connection.close()


def test_a_fresh_start_creates_every_table_and_loads_the_catalogue(settings):
    assert not settings.database_path.exists()
    Store.open(settings).close()
    dump = contents(settings.database_path)
    assert len(dump["indicators"]) == 92
    assert len(dump["indicator_definitions"]) == 92
    assert len(dump["themes"]) == 12
    assert len(dump["agencies"]) == 19
    assert len(dump["benchmarks"]) == 43
    assert len(dump["population"]) == 5
    assert len(dump["schema_migrations"]) == len(available_migrations())
    assert len(dump["audit_log"]) == 1
    for empty in ("submissions", "observations", "evidence", "headline_statements"):
        assert dump[empty] == []


def test_starting_twice_changes_nothing(settings):
    Store.open(settings).close()
    first = contents(settings.database_path)
    Store.open(settings).close()
    assert contents(settings.database_path) == first


def test_deleting_the_database_and_starting_again_rebuilds_it(settings):
    Store.open(settings).close()
    first = contents(settings.database_path, ignore_timestamps=True)
    settings.database_path.unlink()
    Store.open(settings).close()
    assert contents(settings.database_path, ignore_timestamps=True) == first


def test_a_changed_definition_becomes_a_new_version_and_keeps_its_history(editable_settings):
    Store.open(editable_settings).close()
    replace_in(
        editable_settings.catalogue_dir / "02-front-door.yaml",
        "target: {value: 90, amber_tolerance: 5}", "target: {value: 95, amber_tolerance: 5}",
    )
    with Store.open(editable_settings) as store:
        cursor = store.cursor()
        history = cursor.execute(
            "SELECT version, json_extract(definition, '$.target.value')::DOUBLE "
            "FROM indicator_definitions WHERE indicator_id = 'FD02' ORDER BY version"
        ).fetchall()
        assert history == [(1, 90.0), (2, 95.0)]
        assert cursor.execute("SELECT count(*) FROM indicator_definitions").fetchone() == (93,)
        assert cursor.execute(
            "SELECT definition_version, target_value FROM indicators WHERE id = 'FD02'"
        ).fetchone() == (2, 95.0)
        audit = cursor.execute("SELECT action, detail FROM audit_log ORDER BY id").fetchall()
        assert audit[-1] == ("catalogue_sync", "92 indicators; 1 definition new or changed")


def test_challenge_questions_reach_the_store_without_a_new_definition_version(editable_settings):
    with Store.open(editable_settings) as store:
        assert browse.challenge_questions(store.cursor())["FD04"][0].startswith("Is the rise in re-referrals")
    replace_in(editable_settings.catalogue_dir / "02-front-door.yaml",
               "      - What did the last audit of closed cases find about the first response?\n",
               "      - Which teams do the re-referred children come back to?\n")
    with Store.open(editable_settings) as store:
        cursor = store.cursor()
        assert browse.challenge_questions(cursor)["FD04"][1] == "Which teams do the re-referred children come back to?"
        assert cursor.execute("SELECT max(version) FROM indicator_definitions WHERE indicator_id = 'FD04'"
                              ).fetchone() == (1,)


def test_a_broken_catalogue_stops_start_up_before_the_database_is_made(editable_settings):
    replace_in(editable_settings.catalogue_dir / "03-assessment-cin.yaml", "unit: percent", "unit: percentage")
    with pytest.raises(CatalogueError) as raised:
        Store.open(editable_settings)
    assert "indicators/03-assessment-cin.yaml" in raised.value.problems[0]
    assert "AS01" in raised.value.problems[0]
    assert not editable_settings.database_path.exists()


def test_a_benchmark_for_an_unknown_indicator_stops_start_up(editable_settings):
    replace_in(editable_settings.reference_dir / "benchmarks.csv", "FD05,England", "FD55,England")
    with pytest.raises(CatalogueError) as raised:
        Store.open(editable_settings)
    assert raised.value.problems == [
        "benchmarks.csv, row 10: indicator 'FD55' is not in the catalogue"
    ]


def test_a_population_row_with_a_bad_year_names_its_row(editable_settings):
    replace_in(editable_settings.reference_dir / "population.csv", "pupils,2023-24", "pupils,2023-25")
    with pytest.raises(CatalogueError) as raised:
        Store.open(editable_settings)
    assert raised.value.problems[0].startswith("population.csv, row 6: financial_year:")


def test_a_database_from_a_newer_version_is_refused_with_a_hint(settings):
    Store.open(settings).close()
    connection = duckdb.connect(str(settings.database_path))
    connection.execute("INSERT INTO schema_migrations VALUES (999, 'future', now())")
    connection.close()
    with pytest.raises(StoreError) as raised:
        Store.open(settings)
    assert "newer version" in raised.value.title
    assert "--db" in raised.value.hint


def test_a_file_that_is_not_a_database_is_refused_with_a_hint(settings):
    settings.database_path.write_text("this is not a database")
    with pytest.raises(StoreError) as raised:
        Store.open(settings)
    assert raised.value.title.endswith("is damaged or is not a Think Tank database")
    assert "python -m thinktank restore DIR" in raised.value.hint
    assert "aside and start again" not in raised.value.hint  # which would build a new, empty store
    assert settings.database_path.read_text() == "this is not a database"


def test_a_second_process_is_told_the_database_is_in_use(settings):
    with Store.open(settings):
        code = (
            "from pathlib import Path\n"
            "from thinktank.settings import Settings\n"
            "from thinktank.store import Store\n"
            "from thinktank.errors import StoreError\n"
            f"settings = Settings(Path({str(settings.database_path)!r}), "
            f"Path({str(settings.catalogue_dir)!r}), Path({str(settings.reference_dir)!r}))\n"
            "try:\n    Store.open(settings)\n"
            "except StoreError as error:\n    print(error.title)\n"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "is in use by another program" in result.stdout


def test_each_migration_runs_once_in_order():
    versions = [migration.version for migration in available_migrations()]
    assert versions == list(range(1, len(versions) + 1))


def test_cursors_are_independent_connections_to_one_database(store):
    first, second = store.cursor(), store.cursor()
    assert first is not second
    assert first.execute("SELECT count(*) FROM indicators").fetchone() == second.execute(
        "SELECT count(*) FROM indicators"
    ).fetchone()


# Types, not instances: a raised exception keeps its traceback, and with it this test's store,
# for as long as pytest keeps the parameter.
@pytest.mark.parametrize("interruption", [RuntimeError, KeyboardInterrupt])
def test_a_transaction_that_is_interrupted_stores_nothing(store, interruption):
    cursor = store.cursor()
    (before,) = cursor.execute("SELECT count(*) FROM audit_log").fetchone()
    with pytest.raises(interruption), transaction(cursor):
        record(cursor, SYSTEM, AuditEntry(action="upload", outcome="stored"), utc_now())
        raise interruption
    assert cursor.execute("SELECT count(*) FROM audit_log").fetchone() == (before,)


def test_a_transaction_that_ends_stores_everything(store):
    cursor = store.cursor()
    (before,) = cursor.execute("SELECT count(*) FROM audit_log").fetchone()
    with transaction(cursor):
        record(cursor, SYSTEM, AuditEntry(action="upload", outcome="stored"), utc_now())
    assert store.cursor().execute("SELECT count(*) FROM audit_log").fetchone() == (before + 1,)


def test_declaring_a_denominators_count_is_a_new_version_of_that_indicator_only(store):
    from thinktank.store.catalogue import indicator_document

    fd04 = store.catalogue.indicator_by_id["FD04"]
    undeclared = fd04.model_copy(update={"denominator_is": None})
    # The document (and so the hash) an indicator had before the key existed is kept.
    assert "denominator_is" not in indicator_document(undeclared)
    assert indicator_document(fd04.model_copy(update={"denominator_is": "FD03"}))["denominator_is"] == "FD03"


@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "COPY (SELECT 1) TO 'elsewhere.csv'",
    "ATTACH 'other.duckdb'",
    "INSTALL httpfs",
    "SET enable_external_access = true",
])
def test_no_sql_on_the_store_reaches_another_file_or_changes_that(store, sql):
    with pytest.raises(duckdb.Error):
        store.cursor().execute(sql)
