import math

import pytest

from thinktank import browse
from thinktank.formatting import describe_target, format_value
from thinktank.periods import Quarter


def test_themes_come_in_scorecard_order_with_their_indicator_counts(store):
    themes = browse.themes(store.cursor())
    assert list(themes["number"]) == list(range(1, 13))
    assert themes.loc[themes["id"] == "early_help", ["active_indicators", "retired_indicators"]].values.tolist() == [[5, 1]]


def test_agencies_show_how_many_indicators_each_owns(store):
    agencies = browse.agencies(store.cursor()).set_index("id")
    assert agencies.loc["cafcass", "active_indicators"] == 1
    assert agencies["active_indicators"].sum() == 91


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("re-referrals", ["FD04"]),
        ("RE-REFERRALS", ["FD04"]),
        ("marac repeat", ["DA03"]),
        ("CP02", ["CP02"]),
        ("Cafcass", ["WF11"]),
        ("no such words anywhere", []),
    ],
)
def test_search_matches_every_word_anywhere(store, search, expected):
    assert list(browse.indicators(store.cursor(), search=search)["id"]) == expected


def test_filters_combine(store):
    cursor = store.cursor()
    by_police = browse.indicators(cursor, owner="police")
    assert list(by_police["id"]) == ["FD06", "AS06", "DA01", "DA05", "HO01", "HO04", "HO05"]
    retired = browse.indicators(cursor, status="retired")
    assert list(retired["id"]) == ["EH06"]
    harm = browse.indicators(cursor, priority="harm_outside_home", theme="education_send")
    assert list(harm["id"]) == ["ED02", "ED04"]


def test_indicator_rows_carry_readable_polarity_and_target(store):
    row = browse.indicators(store.cursor(), search="FD04").iloc[0]
    assert row["polarity_label"] == "Lower is better"
    assert row["target"] == "at most 20.0% (amber up to 23.0%)"
    assert row["benchmarks"] == 3


def test_benchmarks_come_newest_first_with_their_sources(store):
    rows = browse.benchmarks(store.cursor(), "FD04")
    assert list(zip(rows["area"], rows["period"], rows["value"], strict=True)) == [
        ("England", "2024-25", 22.6), ("North East", "2024-25", 20.7), ("England", "2023-24", 22.0),
    ]
    assert set(rows["licence"]) == {"Open Government Licence v3.0"}


def test_a_year_with_its_own_population_is_not_carried_forward(store):
    figure = browse.population_for(store.cursor(), "children_0_17", Quarter(2023, 3))
    assert (figure.value, figure.figure_year, figure.carried_forward) == (98957, "2023-24", False)
    assert figure.caveat == ""


def test_a_year_without_a_population_uses_the_latest_earlier_one_and_says_so(store):
    cursor = store.cursor()
    later = browse.population_for(cursor, "children_0_17", Quarter(2025, 2))
    assert (later.value, later.figure_year, later.carried_forward) == (98957, "2023-24", True)
    assert later.caveat == "No published population for 2025-26: the 2023-24 figure (98,957) is used."
    between = browse.population_for(cursor, "children_0_17", Quarter(2022, 1))
    assert (between.value, between.figure_year) == (101468, "2020-21")


def test_no_population_before_the_first_figure_or_for_an_unsourced_group(store):
    cursor = store.cursor()
    assert browse.population_for(cursor, "children_0_17", Quarter(2019, 4)) is None
    assert browse.population_for(cursor, "adult_females", Quarter(2024, 1)) is None


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1234, "count", "1,234"),
        (1234.5, "count", "1,234.5"),
        (45, "percent", "45.0%"),
        (50.24, "rate_per_10k", "50.2 per 10,000"),
        (12, "days", "12.0 days"),
        (7.25, "score", "7.2 out of 10"),
        (1200, "gbp", "£1,200"),
        (None, "count", "no figure"),
        (math.nan, "percent", "no figure"),
    ],
)
def test_figures_always_show_their_unit(value, unit, expected):
    assert format_value(value, unit) == expected


def test_targets_read_through_the_polarity():
    assert describe_target("percent", "higher_is_better", 90, None, None, 5) == (
        "at least 90.0% (amber down to 85.0%)"
    )
    assert describe_target("count", "lower_is_better", 17, None, None, 0) == "at most 17"
    assert describe_target("percent", "neutral", None, 2, 10, 2) == (
        "between 2.0% and 10.0% (amber within 2.0 either side)"
    )
    assert describe_target("percent", "neutral", None, None, None, None) == "no target set"


def test_the_catalogue_download_reads_in_words_with_no_codes(store):
    found = browse.indicators(store.cursor(), status=None)
    table = browse.catalogue_for_people(found)
    assert len(table) == len(found)
    assert not [header for header in table.columns if "_" in header or header.islower()]
    fd04 = table.set_index("Indicator ID").loc["FD04"]
    assert (fd04["Unit"], fd04["Polarity"], fd04["Owner"], fd04["Status"]) == (
        "Per cent (%)", "Lower is better", "Children's social care", "Active")
    codes = {"percent", "rate_per_10k", "lower_is_better", "higher_is_better", "active", "retired",
             "childrens_social_care", "in_quarter", "at_quarter_end"}
    assert not codes & set(table.astype(str).to_numpy().ravel())
    assert set(table["Status"]) == {"Active", "Retired"}


def test_a_benchmark_download_keeps_the_figure_a_number_with_its_unit_beside_it(store):
    table = browse.benchmarks_for_people(browse.benchmarks(store.cursor(), "FD04"), "percent")
    first = table.iloc[0]
    assert list(table.columns) == ["Area", "Group", "Period", "Period ends", "Figure", "Unit", "Source", "Licence",
                                   "Note"]
    assert isinstance(first["Figure"], float) and first["Unit"] == "Per cent (%)"
