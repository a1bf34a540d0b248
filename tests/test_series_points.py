"""The store keeps `series_points` (each figure in force with its value worked out and its
series' XmR state so far) in step with everything it is made from: returns, corrections, the
catalogue, the population and the schema."""

import threading

import pandas as pd
import pytest
from conftest import replace_in
from scorecard_support import figure, put, quarterly

from thinktank import scorecard
from thinktank.periods import Quarter
from thinktank.store import Store, series_points
from thinktank.store.series_points import refresh_series_points

FIRST = Quarter(2022, 1)
THIRD = Quarter(2022, 3)


def stored_points(store, cursor=None) -> pd.DataFrame:
    """The points as ``cursor`` sees them (by default a new cursor, outside any transaction)."""
    return (cursor or store.cursor()).execute(
        """
        SELECT s.indicator_id, s.breakdown, s.breakdown_value, p.* EXCLUDE (series_id, indicator_id)
        FROM series_points p JOIN series s ON s.id = p.series_id
        ORDER BY ALL
        """
    ).df()


def whole_area(store, indicator_id: str, quarter: Quarter = THIRD) -> pd.Series:
    card = scorecard.scorecard(store.cursor(), quarter, indicator_id=indicator_id)
    return scorecard.whole_area(card).iloc[0]


def test_the_points_kept_return_by_return_are_those_worked_out_afresh(store):
    put(store, quarterly("FD04", [20, 22, "c", 25, 24, 26, 23, 27]) + quarterly("EH02", [60, 61, 59, 62])
        + [figure("CP02", FIRST, numerator=101, breakdown="Locality", group="Durham")])
    # Corrected returns for the first two quarters: they give FD04 alone, so EH02's and
    # CP02's figures for those quarters are no longer in force.
    put(store, quarterly("FD04", [21, 22]))
    kept = stored_points(store)
    cursor = store.cursor()
    cursor.begin()
    refresh_series_points(cursor)
    # Read inside the transaction: another cursor would see only what is committed, the kept points.
    afresh = stored_points(store, cursor)
    cursor.rollback()
    assert len(kept) == 8 + 2
    pd.testing.assert_frame_equal(kept, afresh)


def test_points_worked_out_in_batches_of_indicators_are_those_of_one_statement(store, monkeypatch):
    put(store, quarterly("FD04", [20, 22, "c", 25, 24, 26, 23, 27]) + quarterly("EH02", [60, 61, 59, 62])
        + [figure("CP02", FIRST, numerator=101, breakdown="Locality", group="Durham")])
    whole = stored_points(store)
    # A batch of a single figure at most: each indicator is worked out in a statement of its own.
    monkeypatch.setattr(series_points, "BATCH_FIGURES", 1)
    cursor = store.cursor()
    assert series_points._batches(cursor, None) == [["CP02"], ["EH02"], ["FD04"]]
    cursor.begin()
    refresh_series_points(cursor)
    batched = stored_points(store, cursor)
    cursor.rollback()
    pd.testing.assert_frame_equal(whole, batched)


def test_each_point_carries_its_series_state_so_far(store):
    put(store, quarterly("FD04", [20, 22, "c", 25, 24]))
    points = stored_points(store).set_index("period_index")
    first = FIRST.index
    assert points["spc_points"].tolist()[:2] == [1, 2]
    assert pd.isna(points.loc[first + 2, "value"]) and pd.isna(points.loc[first + 2, "spc_points"])
    last = points.loc[first + 4]
    assert last["spc_points"] == 4
    assert last["spc_mean"] == pytest.approx((20 + 22 + 25 + 24) / 4)
    # Moving ranges between consecutive values, the suppressed quarter skipped: 2, 3, 1.
    assert last["moving_range"] == pytest.approx(2.0)
    assert [last[f"prior_{back}"] for back in (1, 2, 3)] == [25, 22, 20]
    assert pd.isna(last["prior_4"])


def test_a_correction_that_drops_a_figure_drops_its_point(store):
    put(store, quarterly("FD04", [20, 22, 25]) + quarterly("FD05", [10, 11, 12]))
    assert whole_area(store, "FD05")["value"] == 12
    # The agency's corrected return for the latest quarter gives FD04 alone.
    put(store, [figure("FD04", THIRD, value=30)])
    assert whole_area(store, "FD05")["status"] == "missing"
    assert whole_area(store, "FD04")["value"] == 30
    assert THIRD.index not in stored_points(store).query("indicator_id == 'FD05'")["period_index"].tolist()


def test_a_new_population_figure_changes_the_rates_made_from_counts(editable_settings):
    with Store.open(editable_settings) as store:
        put(store, [figure("AS03", Quarter(2023, 1), numerator=3560)])
        assert round(whole_area(store, "AS03", Quarter(2023, 1))["value"], 1) == 359.8
    replace_in(editable_settings.reference_dir / "population.csv",
               "children_0_17,2023-24,98957", "children_0_17,2023-24,100000")
    with Store.open(editable_settings) as store:
        assert whole_area(store, "AS03", Quarter(2023, 1))["value"] == pytest.approx(356.0)


def test_a_change_of_unit_in_the_catalogue_reworks_the_values(editable_settings):
    with Store.open(editable_settings) as store:
        put(store, [figure("AS03", Quarter(2023, 1), numerator=3560, denominator=98957)])
        assert round(whole_area(store, "AS03", Quarter(2023, 1))["value"], 1) == 359.8
    replace_in(editable_settings.catalogue_dir / "03-assessment-cin.yaml",
               "numerator: Children in need on the last day of the quarter.\n    unit: rate_per_10k",
               "numerator: Children in need on the last day of the quarter.\n"
               "    denominator: Children aged 0-17.\n    unit: percent")
    with Store.open(editable_settings) as store:
        assert round(whole_area(store, "AS03", Quarter(2023, 1))["value"], 2) == 3.60


def test_a_store_upgraded_to_the_series_schema_has_its_points_worked_out(settings):
    with Store.open(settings) as store:
        put(store, quarterly("FD04", [20, 22, 25]))
        expected = stored_points(store)
        # As a store made before migration 005 was: no derived tables, neither that migration nor
        # 007 (which adds the re-bases and the points' segments) applied.
        store.cursor().execute(
            "DROP VIEW spc_segments; DROP TABLE spc_rebases; DROP SEQUENCE spc_rebase_ids; "
            "DROP TABLE series_points; DROP TABLE series; DROP SEQUENCE series_ids; "
            "DELETE FROM schema_migrations WHERE version IN (5, 7)"
        )
    with Store.open(settings) as store:
        pd.testing.assert_frame_equal(stored_points(store), expected)
        assert whole_area(store, "FD04")["value"] == 25


def test_a_series_keeps_its_number_when_its_figures_are_rewritten(store):
    put(store, quarterly("FD04", [20, 22]))
    numbers = dict(store.cursor().execute("SELECT indicator_id, id FROM series").fetchall())
    put(store, quarterly("EH02", [60]) + quarterly("FD04", [21, 23]))
    renumbered = dict(store.cursor().execute("SELECT indicator_id, id FROM series").fetchall())
    assert renumbered["FD04"] == numbers["FD04"]
    assert set(renumbered) == {"FD04", "EH02"}


def test_two_agencies_storing_returns_at_once_both_succeed(store):
    # Each session has its own cursor on the one database: rewriting the series of two
    # agencies' indicators in two transactions at once must not conflict.
    start = threading.Barrier(2)
    failures = []

    def send(rows: list[dict]) -> None:
        start.wait()
        try:
            put(store, rows)
        except Exception as error:  # reported below, whatever it is
            failures.append(error)

    senders = [threading.Thread(target=send, args=(quarterly(indicator, list(range(20, 32))),))
               for indicator in ("FD04", "FD06")]  # children's social care; police
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert failures == []
    kept = stored_points(store)
    assert set(kept["indicator_id"]) == {"FD04", "FD06"} and len(kept) == 24
