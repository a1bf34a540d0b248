"""Re-basing an indicator's SPC, as Making Data Count does: series worked out by hand before and
after a re-base, signals read within a segment, the scorecard's latest point agreeing with the
chart, and who may re-base (audited)."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from scorecard_support import FIRST, put, quarterly, rounded
from test_app_scorecard import _app as page_app

from thinktank import scorecard
from thinktank.cli import EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, main
from thinktank.errors import AccessDeniedError, ThinkTankError
from thinktank.periods import Quarter
from thinktank.spc_baselines import RebaseError, add_rebase, rebases, remove_rebase
from thinktank.store import Store
from thinktank.store.audit import audit_entries
from thinktank.store.series_points import refresh_series_points
from thinktank.users import LOCAL_ANALYST, Role, User, command_line_user

NOW = dt.datetime(2026, 12, 3, 9, 30)
UPLOADER = User(id="csc-uploader", name="Children's social care uploader", role=Role.AGENCY_UPLOADER,
                agency_id="childrens_social_care")


def quarter_at(position: int) -> Quarter:
    """The quarter ``position`` quarters after the first of `quarterly`'s series."""
    return Quarter.from_index(FIRST.index + position)


def chart(store, values: list) -> pd.DataFrame:
    return scorecard.series(store.cursor(), "FD04", quarter_at(len(values) - 1))


def latest(store, values: list, quarter: Quarter | None = None) -> dict:
    card = scorecard.scorecard(store.cursor(), quarter or quarter_at(len(values) - 1), indicator_id="FD04")
    (row,) = scorecard.whole_area(card).to_dict("records")
    return row


# A step change in re-referrals (FD04, lower is better) at the ninth quarter.
BEFORE = [20, 21, 19, 20, 21, 19, 20, 20]
AFTER = [26, 27, 25, 26, 27, 25]
STEP = BEFORE + AFTER
# Read as one process: mean 316/14 = 22.571; moving ranges 1,2,1,1,2,1,0, then 6 across the step,
# then 1,2,1,1,2: mR 21/13; limits 22.571 -/+ 2.66 * 21/13 = 18.274 to 26.868. The eight quarters
# before the step are all below the mean: a run, read as an improvement; both 27s are beyond the
# upper limit, and with the 26s beyond two sigma (25.436) they are 2 of 3 near it too.
# Re-based at the ninth quarter: before it, mean 20 and mR 8/7 (limits 16.960 to 23.040); from it,
# mean 26 and mR 7/5 (limits 22.276 to 29.724). Nothing is special cause in either.


def test_without_a_rebase_a_step_change_reads_as_months_of_special_cause(store):
    put(store, quarterly("FD04", STEP))
    points = chart(store, STEP)
    assert rounded(points["spc_mean"].iloc[0], 3) == round(316 / 14, 3)
    assert rounded(points["spc_upper"].iloc[0], 3) == round(316 / 14 + 2.66 * 21 / 13, 3)
    assert points["spc_signal"].tolist()[:8] == ["improvement"] * 8
    assert points["spc_rules"].tolist()[9] == "above the upper limit; 2 of 3 near the upper limit"


def test_a_rebase_gives_each_segment_its_own_mean_limits_and_signals(store):
    put(store, quarterly("FD04", STEP))
    add_rebase(store.cursor(), LOCAL_ANALYST, "FD04", quarter_at(8), "MASH restructure", NOW)
    points = chart(store, STEP)
    assert points["segment"].tolist() == [0] * 8 + [1] * 6
    before, after = points.iloc[:8], points.iloc[8:]
    assert {rounded(value, 6) for value in before["spc_mean"]} == {20.0}
    assert {rounded(value, 6) for value in before["spc_upper"]} == {round(20 + 2.66 * 8 / 7, 6)}
    assert {rounded(value, 6) for value in before["spc_lower"]} == {round(20 - 2.66 * 8 / 7, 6)}
    assert {rounded(value, 6) for value in after["spc_mean"]} == {26.0}
    assert {rounded(value, 6) for value in after["spc_upper"]} == {round(26 + 2.66 * 7 / 5, 6)}
    assert {rounded(value, 6) for value in after["spc_lower"]} == {round(26 - 2.66 * 7 / 5, 6)}
    assert before["spc_points"].tolist() == [8] * 8 and after["spc_points"].tolist() == [6] * 6
    assert points["spc_signal"].tolist() == ["common cause"] * 14
    assert points["rebase_reason"].tolist() == [None] * 8 + ["MASH restructure"] + [None] * 5
    row = latest(store, STEP)
    assert (row["spc_signal"], row["spc_points"], rounded(row["spc_mean"], 6)) == ("common cause", 6, 26.0)
    assert rounded(row["spc_upper"], 6) == round(26 + 2.66 * 7 / 5, 6)


def test_the_moving_range_does_not_span_the_rebase(store):
    put(store, quarterly("FD04", STEP))
    add_rebase(store.cursor(), LOCAL_ANALYST, "FD04", quarter_at(8), "MASH restructure", NOW)
    kept = store.cursor().execute(
        "SELECT period_index, segment, spc_points, moving_range, prior_1 FROM series_points ORDER BY period_index"
    ).df()
    first_after = kept.iloc[8]
    # The step from 20 to 26 is no moving range: the new segment's first point has none, and nothing before it.
    assert (first_after["segment"], first_after["spc_points"]) == (1, 1)
    assert math.isnan(first_after["moving_range"]) and math.isnan(first_after["prior_1"])
    assert rounded(kept.iloc[9]["moving_range"], 6) == 1.0  # 26 to 27


# A trend that runs across the re-base: 17, 18, 19 before it, 24, 25, 26 after. Before it, mean
# 159/8 = 19.875, mR 13/7 (limits 14.935 to 24.815): no point beyond them or near them, no run
# (five above the mean, then three below), no trend. After it, mean 25, mR 6/5 (limits 21.808 to
# 28.192): nothing either. Read as one process, the six rising points are a trend.
ACROSS = [20, 22, 21, 20, 22, 17, 18, 19, 24, 25, 26, 24, 25, 26]


def test_signals_are_read_within_a_segment_never_across_the_rebase(store):
    put(store, quarterly("FD04", ACROSS))
    as_one = chart(store, ACROSS)["spc_rules"].tolist()
    assert all("trend of 6 or more rising" in rules for rules in as_one[5:11])
    add_rebase(store.cursor(), LOCAL_ANALYST, "FD04", quarter_at(8), "New front door", NOW)
    points = chart(store, ACROSS)
    assert points["spc_rules"].tolist() == [""] * 14
    assert rounded(points["spc_mean"].iloc[0], 6) == 19.875
    assert rounded(points["spc_upper"].iloc[0], 6) == round(19.875 + 2.66 * 13 / 7, 6)
    assert rounded(points["spc_mean"].iloc[-1], 6) == 25.0
    assert rounded(points["spc_lower"].iloc[-1], 6) == round(25 - 2.66 * 6 / 5, 6)


def test_a_segment_of_fewer_than_six_points_has_no_limits_and_no_signals(store):
    values = [*BEFORE, 26, 27, 25]
    put(store, quarterly("FD04", values))
    add_rebase(store.cursor(), LOCAL_ANALYST, "FD04", quarter_at(8), "MASH restructure", NOW)
    points = chart(store, values)
    assert points["spc_signal"].tolist() == ["common cause"] * 8 + ["not enough data"] * 3
    assert points["spc_mean"].iloc[8:].isna().all() and points["spc_upper"].iloc[8:].isna().all()
    assert rounded(points["spc_mean"].iloc[0], 6) == 20.0  # the earlier segment keeps its lines
    row = latest(store, values)
    assert (row["spc_signal"], row["spc_rules"], row["spc_points"]) == ("not enough data", "", 3)
    assert all(row[column] is None or math.isnan(row[column]) for column in ("spc_mean", "spc_lower", "spc_upper"))


def test_a_quarter_before_the_rebase_is_still_read_in_its_own_segment(store):
    put(store, quarterly("FD04", STEP))
    add_rebase(store.cursor(), LOCAL_ANALYST, "FD04", quarter_at(8), "MASH restructure", NOW)
    row = latest(store, STEP, quarter=quarter_at(7))
    assert (row["spc_signal"], row["spc_points"], rounded(row["spc_mean"], 6)) == ("common cause", 8, 20.0)
    points = scorecard.series(store.cursor(), "FD04", quarter_at(7))
    assert set(points["segment"]) == {0} and points["rebase_reason"].isna().all()


def test_removing_a_rebase_reads_the_series_as_one_process_again_and_both_are_audited(store):
    put(store, quarterly("FD04", STEP))
    cursor = store.cursor()
    add_rebase(cursor, LOCAL_ANALYST, "FD04", quarter_at(8), "  MASH   restructure ", NOW)
    held = rebases(cursor, "FD04")
    assert held[["indicator_id", "period", "reason", "recorded_by"]].to_dict("records") == [
        {"indicator_id": "FD04", "period": "2024-25 Q1", "reason": "MASH restructure", "recorded_by": "Local analyst"}]
    remove_rebase(cursor, LOCAL_ANALYST, "FD04", quarter_at(8), NOW)
    assert rebases(cursor).empty
    points = chart(store, STEP)
    assert set(points["segment"]) == {0}
    assert points["spc_signal"].tolist()[:8] == ["improvement"] * 8
    audit = audit_entries(cursor)
    audit = audit[audit["action"].str.startswith("spc_rebase")]
    assert audit[["actor", "action", "outcome", "period", "detail"]].to_dict("records") == [
        {"actor": "local-analyst", "action": "spc_rebase_added", "outcome": "saved", "period": "2024-25 Q1",
         "detail": "FD04: MASH restructure"},
        {"actor": "local-analyst", "action": "spc_rebase_removed", "outcome": "removed", "period": "2024-25 Q1",
         "detail": "FD04: MASH restructure"},
    ]


def test_an_agency_uploader_may_neither_add_nor_remove_a_rebase(store):
    put(store, quarterly("FD04", STEP))
    cursor = store.cursor()
    with pytest.raises(AccessDeniedError):
        add_rebase(cursor, UPLOADER, "FD04", quarter_at(8), "MASH restructure", NOW)
    assert rebases(cursor).empty
    add_rebase(cursor, LOCAL_ANALYST, "FD04", quarter_at(8), "MASH restructure", NOW)
    with pytest.raises(AccessDeniedError):
        remove_rebase(cursor, UPLOADER, "FD04", quarter_at(8), NOW)
    assert len(rebases(cursor)) == 1
    assert not audit_entries(cursor)["actor"].eq(UPLOADER.id).any()


@pytest.mark.parametrize(("indicator", "reason", "title"), [
    ("FD04", "   ", "A re-base needs a reason"),
    ("FD04", "x" * 201, "The reason is 201 characters long"),
    ("FD4", "MASH restructure", "'FD4' is not an indicator in the catalogue"),
])
def test_a_rebase_without_a_reason_or_a_known_indicator_is_refused(store, indicator, reason, title):
    with pytest.raises(ThinkTankError) as refused:
        add_rebase(store.cursor(), LOCAL_ANALYST, indicator, quarter_at(8), reason, NOW)
    assert refused.value.title == title
    assert rebases(store.cursor()).empty


def test_a_second_rebase_at_the_same_quarter_or_removing_one_not_held_is_refused(store):
    cursor = store.cursor()
    add_rebase(cursor, LOCAL_ANALYST, "FD04", quarter_at(8), "MASH restructure", NOW)
    with pytest.raises(RebaseError, match="already re-based from 2024-25 Q1"):
        add_rebase(cursor, LOCAL_ANALYST, "FD04", quarter_at(8), "Another reason", NOW)
    with pytest.raises(RebaseError) as refused:
        remove_rebase(cursor, LOCAL_ANALYST, "FD04", quarter_at(9), NOW)
    assert refused.value.hint == "Its re-bases are from 2024-25 Q1."
    assert rebases(cursor)["reason"].tolist() == ["MASH restructure"]


def test_returns_stored_after_a_rebase_keep_the_points_as_worked_out_afresh(store):
    put(store, quarterly("FD04", BEFORE))
    add_rebase(store.cursor(), LOCAL_ANALYST, "FD04", quarter_at(8), "MASH restructure", NOW)
    put(store, quarterly("FD04", AFTER, first=quarter_at(8)))
    cursor = store.cursor()
    kept = cursor.execute("SELECT * FROM series_points ORDER BY ALL").df()
    cursor.begin()
    refresh_series_points(cursor)
    afresh = cursor.execute("SELECT * FROM series_points ORDER BY ALL").df()
    cursor.rollback()
    pd.testing.assert_frame_equal(kept, afresh)
    assert kept["segment"].tolist() == [0] * 8 + [1] * 6


def test_a_rebase_changes_the_data_version_so_no_cached_page_is_stale(store):
    cursor = store.cursor()
    versions = [scorecard.data_version(cursor)]
    add_rebase(cursor, LOCAL_ANALYST, "FD04", quarter_at(8), "MASH restructure", NOW)
    versions.append(scorecard.data_version(cursor))
    remove_rebase(cursor, LOCAL_ANALYST, "FD04", quarter_at(8), NOW)
    versions.append(scorecard.data_version(cursor))
    # The same re-bases held are the same data: only while it is held do the pages read afresh.
    assert versions[0] != versions[1] and versions[2] != versions[1]


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.lists(st.one_of(st.integers(min_value=40, max_value=60), st.just("c")), min_size=2, max_size=16),
    rebase_at=st.lists(st.integers(min_value=1, max_value=15), min_size=1, max_size=2, unique=True),
    chosen=st.integers(min_value=0, max_value=15),
)
def test_the_scorecards_latest_point_reads_a_rebased_series_as_the_chart_does(store, values, rebase_at, chosen):
    cursor = store.cursor()
    cursor.execute("DELETE FROM spc_rebases")
    cursor.execute("DELETE FROM observations")
    cursor.execute("DELETE FROM submissions")
    refresh_series_points(cursor)
    values = [*values, 50]  # the chosen quarter below may be any, but the last has a figure
    put(store, quarterly("FD04", values))
    for position in rebase_at:
        add_rebase(cursor, LOCAL_ANALYST, "FD04", quarter_at(position), f"Change {position}", NOW)
    quarter = quarter_at(min(chosen, len(values) - 1))
    point = scorecard.series(cursor, "FD04", quarter).iloc[-1]
    row = latest(store, values, quarter)
    if math.isnan(point["value"]):
        assert row["spc_signal"] == "not assessed"
        return
    assert (row["spc_signal"], row["spc_rules"]) == (point["spc_signal"], point["spc_rules"])
    assert row["spc_points"] == point["spc_points"]
    for column in ("spc_mean", "spc_lower", "spc_upper"):
        assert rounded(row[column]) == rounded(point[column])


def test_the_command_line_adds_lists_and_removes_a_rebase(store, settings, capsys):
    store.close()
    database = ["--db", str(settings.database_path)]
    assert main(["rebase", "add", "FD04", "2024-25", "Q1", "--reason", "MASH restructure", *database]) == EXIT_OK
    assert "FD04 re-based from 2024-25 Q1: MASH restructure." in capsys.readouterr().out
    assert main(["rebase", "list", "--json", *database]) == EXIT_OK
    (listed,) = json.loads(capsys.readouterr().out)
    assert {key: listed[key] for key in ("indicator_id", "period", "reason", "recorded_by")} == {
        "indicator_id": "FD04", "period": "2024-25 Q1", "reason": "MASH restructure", "recorded_by": command_line_user().name}
    assert main(["rebase", "add", "FD4", "2024-25 Q1", "--reason", "MASH restructure", *database]) == EXIT_USAGE
    assert "Did you mean FD04?" in capsys.readouterr().err
    assert main(["rebase", "remove", "FD04", "2024-25 Q2", *database]) == EXIT_PROBLEM
    assert main(["rebase", "remove", "FD04", "2024-25 Q1", *database]) == EXIT_OK
    capsys.readouterr()
    assert main(["rebase", "list", "--json", *database]) == EXIT_OK
    assert json.loads(capsys.readouterr().out) == []


def test_an_analyst_rebases_and_removes_a_rebase_on_the_indicator_page_with_the_reason_as_plain_text(
        monkeypatch, settings):
    with Store.open(settings) as opened:
        put(opened, quarterly("FD04", STEP))
    app = page_app(monkeypatch, settings)
    app.query_params["indicator"] = "FD04"
    app.switch_page("views/indicator.py").run()
    assert any("has not been re-based" in element.value for element in app.caption)
    (start,) = [box for box in app.selectbox if box.label == "The process changed from"]
    start.set_value(quarter_at(8).label)
    (why,) = [box for box in app.text_input if box.label == "Why"]
    why.input("**MASH** <b>restructure</b>")
    next(button for button in app.button if button.label == "Save re-base").click().run()
    assert not app.exception
    with Store.open(settings) as opened:
        assert rebases(opened.cursor())["reason"].tolist() == ["**MASH** <b>restructure</b>"]
    shown = [element.value for element in app.text]
    assert any(value.startswith("From 2024-25 Q1: **MASH** <b>restructure</b> (recorded by Local analyst")
               for value in shown)
    assert not any("MASH" in element.value for element in app.markdown)
    assert any("since the re-base in 2024-25 Q1" in element.value for element in app.markdown)
    next(button for button in app.button if button.label == "Remove").click().run()
    assert not app.exception
    with Store.open(settings) as opened:
        assert rebases(opened.cursor()).empty
