"""The scorecard engine: values and rates, statuses, direction by polarity, RAG, benchmark
position, and the XmR chart's signals against series worked out by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from returns_support import csv_return, send
from scorecard_support import FIRST, figure, put, quarterly, rounded

from thinktank import scorecard
from thinktank.periods import Quarter
from thinktank.store.series_points import refresh_series_points


def whole_area_row(store, indicator_id: str, period: Quarter) -> dict:
    card = scorecard.scorecard(store.cursor(), period, indicator_id=indicator_id)
    (row,) = scorecard.whole_area(card).to_dict("records")
    return row


def last_quarter(values: list) -> Quarter:
    quarter = FIRST
    for _ in values[1:]:
        quarter = quarter.next()
    return quarter


def test_rates_per_10000_from_counts_uploaded_in_a_return(store):
    # County Durham, 2023-24: 98,957 children; 497 on a plan, 3,560 in need, 1,213 in care.
    result = send(store, csv_return(
        "CP02,2023-24 Q4,All,All,497,,,",
        "AS03,2023-24 Q4,All,All,3560,,,",
        "CLA01,2023-24 Q4,All,All,1213,,,",
    ), agency="childrens_social_care", period=Quarter(2023, 4), confirm=True)
    assert result.outcome == "stored", result.report.issue_table()
    card = scorecard.whole_area(scorecard.scorecard(store.cursor(), Quarter(2023, 4)))
    values = card.set_index("indicator_id")["value"]
    assert (round(values["CP02"], 1), round(values["AS03"], 1), round(values["CLA01"], 1)) == (50.2, 359.8, 122.6)


def test_percentages_come_from_numerator_and_denominator_and_a_given_value_wins(store):
    put(store, [
        figure("CP03", FIRST, numerator=45, denominator=50),
        figure("EH02", FIRST, numerator=1, denominator=4, value=80),
    ])
    assert whole_area_row(store, "CP03", FIRST)["value"] == 90.0
    assert whole_area_row(store, "EH02", FIRST)["value"] == 80.0


@pytest.mark.parametrize("status", ["c", "x", "z", "low"])
def test_a_suppressed_or_unavailable_figure_keeps_its_status_and_has_no_value(store, status):
    put(store, quarterly("HO01", [400, status, 420]))
    cursor = store.cursor()
    row = whole_area_row(store, "HO01", FIRST.next())
    assert row["status"] == status
    assert math.isnan(row["value"])
    assert row["direction"] == "not assessed" and row["rag"] == "no data"
    after = whole_area_row(store, "HO01", FIRST.next().next())
    assert after["previous_status"] == status and math.isnan(after["previous_value"])
    assert after["recent_values"][-3:] == [400.0, None, 420.0]
    chart = scorecard.series(cursor, "HO01", FIRST.next().next())
    assert chart["status"].tolist() == [None, status, None]
    assert chart["value"].isna().tolist() == [False, True, False]


def test_low_reliability_keeps_its_figure_and_its_status(store):
    put(store, [figure("HO01", FIRST, value=12, status="u")])
    row = whole_area_row(store, "HO01", FIRST)
    assert (row["value"], row["status"]) == (12.0, "u")


def test_an_indicator_with_nothing_in_force_is_missing_not_absent(store):
    row = whole_area_row(store, "CP02", FIRST)
    assert row["status"] == "missing"
    assert math.isnan(row["value"])


def test_retired_and_not_yet_introduced_indicators_are_left_out(store):
    card = scorecard.scorecard(store.cursor(), Quarter(2025, 1))
    ids = set(card["indicator_id"])
    assert "EH06" not in ids  # retired from 2025-26 Q1
    assert "VO06" in ids  # introduced in 2025-26 Q1
    assert "VO06" not in set(scorecard.scorecard(store.cursor(), Quarter(2024, 4))["indicator_id"])


@pytest.mark.parametrize(("indicator", "values", "direction"), [
    # Re-referrals: lower is better, so a fall is improving and a rise declining.
    ("FD04", [25.0, 22.0], "improving"),
    ("FD04", [22.0, 25.0], "declining"),
    # Early help started by partners: higher is better, so a fall is declining.
    ("EH05", [50.0, 45.0], "declining"),
    ("EH05", [45.0, 50.0], "improving"),
    # Children on a plan: neutral, so a movement has no better way.
    ("CP02", [50.0, 60.0], "not assessed"),
    # Within half a point for percentages, and within 2% for other units, is no change.
    ("FD04", [22.0, 22.4], "no significant change"),
    ("HO01", [400, 407], "no significant change"),
    ("HO01", [400, 409], "not assessed"),
])
def test_direction_of_travel_is_read_through_the_polarity(store, indicator, values, direction):
    put(store, quarterly(indicator, values))
    row = whole_area_row(store, indicator, FIRST.next())
    assert row["direction"] == direction
    assert row["change"] == pytest.approx(values[1] - values[0])


def test_movement_says_up_or_down_even_for_neutral_indicators(store):
    put(store, quarterly("CP02", [50.0, 60.0]))
    assert whole_area_row(store, "CP02", FIRST.next())["movement"] == "up"


@pytest.mark.parametrize(("indicator", "value", "rag"), [
    ("CP03", 90.0, "green"),  # higher is better, target 90, amber down to 85
    ("CP03", 85.0, "amber"),
    ("CP03", 84.9, "red"),
    ("FD04", 20.0, "green"),  # lower is better, target 20, amber up to 23
    ("FD04", 23.0, "amber"),
    ("FD04", 23.1, "red"),
    ("CP05", 15.0, "green"),  # neutral band 15 to 23, amber within 3 either side
    ("CP05", 12.0, "amber"),
    ("CP05", 26.5, "red"),
    ("HO01", 400, "no target"),
])
def test_rag_against_target_and_tolerance(store, indicator, value, rag):
    put(store, [figure(indicator, FIRST, value=value)])
    assert whole_area_row(store, indicator, FIRST)["rag"] == rag


@pytest.mark.parametrize(("value", "position"), [
    (20.0, "better"),  # FD04 re-referrals, England 22.6% in 2024-25: lower is better
    (22.0, "similar"),  # within one point
    (24.0, "worse"),
])
def test_benchmark_position_is_read_through_the_polarity(store, value, position):
    quarter = Quarter(2025, 1)  # 2025-26 Q1: the 2024-25 benchmarks are the latest published
    put(store, [figure("FD04", quarter, value=value)])
    row = whole_area_row(store, "FD04", quarter)
    assert row["england_value"] == 22.6 and row["england_position"] == position
    assert row["north_east_value"] == 20.7


def test_a_benchmark_published_after_the_quarter_is_not_used(store):
    quarter = Quarter(2023, 3)  # 2023-24 Q3 ended 31 December 2023: only 2022-23 figures exist
    put(store, [figure("FD04", quarter, value=20.0)])
    row = whole_area_row(store, "FD04", quarter)
    assert math.isnan(row["england_value"]) or row["england_value"] != 22.6


def test_a_neutral_indicator_is_placed_against_benchmarks_only_as_similar_or_not_assessed(store):
    quarter = Quarter(2024, 4)
    put(store, [figure("AS03", quarter, numerator=3300)])  # 333.5 per 10,000: England 332.9
    row = whole_area_row(store, "AS03", quarter)
    assert row["england_position"] == "similar"
    assert row["north_east_position"] == "not assessed"


# Series worked out by hand. Mean, average moving range (mR), limits at 2.66 mR from the mean.

BEYOND_LIMIT = [50, 52, 48, 51, 49, 50, 52, 48, 50, 70]
# mean 52; moving ranges 2,4,3,2,1,2,4,2,20: mR 40/9; upper limit 52 + 2.66 * 40/9 = 63.822


def test_xmr_limits_match_the_hand_worked_series(store):
    put(store, quarterly("HO01", BEYOND_LIMIT))
    chart = scorecard.series(store.cursor(), "HO01", last_quarter(BEYOND_LIMIT))
    assert rounded(chart["spc_mean"].iloc[0], 3) == 52.0
    assert rounded(chart["spc_upper"].iloc[0], 3) == round(52 + 2.66 * 40 / 9, 3)
    assert rounded(chart["spc_lower"].iloc[0], 3) == round(52 - 2.66 * 40 / 9, 3)
    assert chart["spc_rules"].tolist() == [""] * 9 + ["above the upper limit"]


@pytest.mark.parametrize(("indicator", "signal"), [
    ("EH02", "improvement"),  # higher is better: a high point is an improvement
    ("FD04", "concern"),  # lower is better: the same point is a concern
    ("HO01", "neither"),  # neutral: special cause, neither good nor bad
])
def test_a_point_beyond_a_limit_is_classed_by_polarity(store, indicator, signal):
    put(store, quarterly(indicator, BEYOND_LIMIT))
    row = whole_area_row(store, indicator, last_quarter(BEYOND_LIMIT))
    assert (row["spc_signal"], row["spc_rules"]) == (signal, "above the upper limit")


RUN_BELOW = [56, 57, 55, 56, 57, 52, 53, 52, 53, 52, 53, 52]
# mean 54; mR 16/11; limits 50.13 to 57.87; no point near a limit; the last seven below the mean


def test_a_run_of_seven_below_the_mean(store):
    put(store, quarterly("EH02", RUN_BELOW))
    chart = scorecard.series(store.cursor(), "EH02", last_quarter(RUN_BELOW))
    assert chart["spc_rules"].tolist() == [""] * 5 + ["run of 7 or more below the mean"] * 7
    assert chart["spc_signal"].tolist() == ["common cause"] * 5 + ["concern"] * 7


def test_six_points_below_the_mean_are_not_a_run(store):
    values = RUN_BELOW[:-1]
    put(store, quarterly("EH02", values))
    assert whole_area_row(store, "EH02", last_quarter(values))["spc_signal"] == "common cause"


TREND_UP = [50, 47, 53, 50, 48, 49, 50, 51, 52, 53]
# mean 50.3; mR 19/9; limits 44.68 to 55.92; the last six points rise, five steps running


def test_a_trend_of_six_rising_marks_all_six_points(store):
    put(store, quarterly("FD04", TREND_UP))
    chart = scorecard.series(store.cursor(), "FD04", last_quarter(TREND_UP))
    assert chart["spc_rules"].tolist() == [""] * 4 + ["trend of 6 or more rising"] * 6
    assert chart["spc_signal"].iloc[-1] == "concern"  # rising re-referrals


def test_five_rising_points_are_not_a_trend(store):
    values = [*TREND_UP[1:-1], 52]  # 47, 53, 50, 48, 49, 50, 51, 52, 52
    put(store, quarterly("FD04", values))
    assert "trend" not in whole_area_row(store, "FD04", last_quarter(values))["spc_rules"]


TWO_OF_THREE = [50, 51, 49, 50, 51, 49, 50, 51, 43, 50, 43]
# mean 48.818; mR 31/10; two sigma below the mean is 48.818 - 1.773 * 3.1 = 43.32: both 43s are
# beyond it, two of three points in a row.


def test_two_of_three_points_near_a_limit(store):
    put(store, quarterly("EH02", TWO_OF_THREE))
    chart = scorecard.series(store.cursor(), "EH02", last_quarter(TWO_OF_THREE))
    rules = chart["spc_rules"].tolist()
    assert rules[8] == rules[10] == "2 of 3 near the lower limit"
    assert rules[9] == ""  # 50 is not near the limit itself
    # The first eight sit above the mean of 48.8: a run, an improvement for a higher-is-better measure.
    assert rules[:8] == ["run of 7 or more above the mean"] * 8
    assert chart["spc_signal"].iloc[-1] == "concern"


def test_fewer_than_six_points_are_not_enough_for_limits(store):
    values = [50, 52, 48, 51, 70]
    put(store, quarterly("HO01", values))
    row = whole_area_row(store, "HO01", last_quarter(values))
    assert (row["spc_signal"], row["spc_rules"]) == ("not enough data", "")
    # No mean and no limits either, in the scorecard or on the chart: none is drawn from five points.
    assert all(rounded(row[column]) is None for column in ("spc_mean", "spc_lower", "spc_upper"))
    chart = scorecard.series(store.cursor(), "HO01", last_quarter(values))
    assert chart[["spc_mean", "spc_lower", "spc_upper"]].isna().all().all()
    assert chart["spc_signal"].tolist() == ["not enough data"] * 5


def test_suppressed_quarters_are_gaps_in_the_chart_not_points(store):
    values = [50, 52, "c", 48, 51, 49, 50, 52, 48, 50, 70]
    put(store, quarterly("HO01", values))
    chart = scorecard.series(store.cursor(), "HO01", last_quarter(values))
    assert chart["spc_points"].iloc[0] == 10
    assert rounded(chart["spc_mean"].iloc[0], 3) == 52.0  # the same ten points as BEYOND_LIMIT
    assert chart.loc[2, "status"] == "c" and math.isnan(chart.loc[2, "value"])


def test_a_quarter_with_nothing_in_force_is_a_missing_gap(store):
    put(store, quarterly("HO01", [400]) + quarterly("HO01", [420], first=FIRST.next().next()))
    chart = scorecard.series(store.cursor(), "HO01", FIRST.next().next())
    assert chart["status"].tolist() == [None, "missing", None]


def test_limits_use_only_the_quarters_up_to_the_one_chosen(store):
    put(store, quarterly("HO01", [*BEYOND_LIMIT, 1000]))
    chart = scorecard.series(store.cursor(), "HO01", last_quarter(BEYOND_LIMIT))
    assert len(chart) == len(BEYOND_LIMIT)
    assert rounded(chart["spc_mean"].iloc[0], 3) == 52.0


def test_breakdown_groups_sit_beside_the_whole_area_figure(store):
    put(store, [
        figure("CP03", FIRST, numerator=45, denominator=50),
        figure("CP03", FIRST, numerator=20, denominator=25, breakdown="Locality", group="Derwentside"),
        figure("CP03", FIRST, status="c", breakdown="Locality", group="Easington"),
    ])
    card = scorecard.scorecard(store.cursor(), FIRST, indicator_id="CP03")
    shown = card[["breakdown", "breakdown_value", "value", "status"]].to_dict("records")
    assert shown[0] == {"breakdown": "All", "breakdown_value": "All", "value": 90.0, "status": None}
    assert shown[1] == {"breakdown": "Locality", "breakdown_value": "Derwentside", "value": 80.0, "status": None}
    assert shown[2]["status"] == "c" and math.isnan(shown[2]["value"])


def test_a_rate_for_a_breakdown_group_without_a_population_is_a_count_only(store):
    put(store, [
        figure("CP02", FIRST, numerator=497),
        figure("CP02", FIRST, numerator=43, breakdown="Age band", group="Under 1"),
    ])
    card = scorecard.scorecard(store.cursor(), FIRST, indicator_id="CP02")
    group = card[card["breakdown"] == "Age band"].iloc[0]
    assert group["status"] == "count only" and group["numerator"] == 43 and math.isnan(group["value"])


def test_a_later_version_supersedes_the_earlier_for_the_scorecard(store):
    put(store, [figure("HO01", FIRST, value=400)])
    put(store, [figure("HO01", FIRST, value=410)])
    assert whole_area_row(store, "HO01", FIRST)["value"] == 410


def test_theme_summary_counts_rag_direction_and_data(store):
    put(store, quarterly("CP03", [95.0, 80.0]) + quarterly("FD04", [25.0, 19.0]))
    cursor = store.cursor()
    card = scorecard.scorecard(cursor, FIRST.next())
    summary = scorecard.theme_summary(cursor, card).set_index("theme")
    protection, front_door = summary.loc["child_protection"], summary.loc["front_door"]
    assert (protection["red"], protection["declining"], protection["with_data"]) == (1, 1, 1)
    assert (front_door["green"], front_door["improving"], front_door["with_data"]) == (1, 1, 1)
    assert protection["with_data_percent"] == round(100 / protection["indicators"], 1)


def test_look_at_first_puts_concerns_and_reds_ahead(store):
    put(store, quarterly("FD04", BEYOND_LIMIT) + quarterly("CP03", [95.0] * 9 + [80.0])
        + quarterly("EH02", [70.0] * 9 + [80.0]))
    card = scorecard.scorecard(store.cursor(), last_quarter(BEYOND_LIMIT))
    first = scorecard.look_at_first(card)
    assert first["indicator_id"].tolist()[:2] == ["FD04", "CP03"]
    assert first["reason"].iloc[0].startswith("SPC concern (above the upper limit)")
    assert "EH02" not in first["indicator_id"].tolist()  # improving and green


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    indicator=st.sampled_from(["EH02", "FD04", "HO01"]),
    values=st.lists(st.one_of(st.integers(min_value=40, max_value=60), st.just("c")), min_size=1, max_size=14),
    last=st.integers(min_value=40, max_value=60),
)
def test_the_scorecards_latest_point_reads_exactly_as_the_chart_reads_it(store, indicator, values, last):
    # The scorecard works out signals for the latest point alone; the chart for every point.
    cursor = store.cursor()
    cursor.execute("DELETE FROM observations")
    cursor.execute("DELETE FROM submissions")
    refresh_series_points(cursor)
    series_values = [*values, last]
    put(store, quarterly(indicator, series_values))
    quarter = last_quarter(series_values)
    row = whole_area_row(store, indicator, quarter)
    point = scorecard.series(cursor, indicator, quarter).iloc[-1]
    assert (row["spc_signal"], row["spc_rules"]) == (point["spc_signal"], point["spc_rules"])
    assert row["spc_points"] == point["spc_points"]
    for column in ("spc_mean", "spc_lower", "spc_upper"):
        assert rounded(row[column]) == rounded(point[column])


ON_THE_MEAN = [72.5, 45.8, 46.6, 45.7, 72.4, 71.6, 59.1, 59.1, 59.1, 59.1, 59.1, 59.1, 59.1]
# The mean is 59.1 exactly, but summed in floating point it comes out 59.100000000000016: the
# last seven points sit on the mean, not below it, so they are no run.


def test_points_on_the_mean_are_no_run_whatever_the_last_bit_of_the_sum(store):
    put(store, quarterly("HO01", ON_THE_MEAN))
    quarter = last_quarter(ON_THE_MEAN)
    row = whole_area_row(store, "HO01", quarter)
    chart = scorecard.series(store.cursor(), "HO01", quarter)
    assert rounded(row["spc_mean"], 9) == 59.1
    assert "run" not in row["spc_rules"]
    assert not any("run" in rules for rules in chart["spc_rules"])


def test_agency_summary_gives_each_theme_an_agency_feeds_and_how_it_moves(store):
    put(store, quarterly("DA01", [1500, 1400]) + quarterly("HO01", [400, 500]) + quarterly("FD04", [20.0, 25.0]))
    card = scorecard.scorecard(store.cursor(), FIRST.next())
    police = scorecard.agency_summary(card, "police").set_index("theme")
    assert police.loc["harm_outside_home", ["indicators", "with_figure"]].tolist() == [3, 1]
    assert police.loc["domestic_abuse", "indicators"] == 2
    assert "front_door" in police.index and "child_protection" not in police.index
    social_care = scorecard.agency_summary(card, "childrens_social_care").set_index("theme")
    assert social_care.loc["front_door", ["declining", "red"]].tolist() == [1, 1]  # FD04 up to 25%


def test_the_scorecard_can_follow_a_half_read_result_on_the_same_cursor(store):
    cursor = store.cursor()
    cursor.execute("SELECT id FROM indicators")
    cursor.fetchone()  # a result left open, as a page's earlier query might leave it
    assert not scorecard.scorecard(cursor, FIRST).empty
