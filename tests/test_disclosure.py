"""The small-numbers rule: counts 1 to 4 shown as c with nothing behind them, and secondary
suppression so that no hidden group can be worked out from what is published."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from thinktank.disclosure import SUPPRESSED, is_small, suppress


def row(indicator="FD06", breakdown="All", group="All", unit="count", value=None, numerator=None,
        denominator=None, status=None, **more) -> dict:
    return {"indicator_id": indicator, "period": "2026-27 Q2", "breakdown": breakdown, "breakdown_value": group,
            "unit": unit, "value": value, "numerator": numerator, "denominator": denominator, "status": status,
            **more}


def shown(frame: pd.DataFrame) -> dict[str, float | None]:
    return {group: (None if math.isnan(value) else value)
            for group, value in zip(frame["breakdown_value"], frame["value"], strict=True)}


def test_the_derwentside_subtraction_is_closed():
    # FD06 by locality: the whole area and every locality but one would give Derwentside as 2.
    frame = pd.DataFrame([row(value=1_720), row(breakdown="Locality", group="Derwentside", value=2),
                          row(breakdown="Locality", group="Durham", value=900),
                          row(breakdown="Locality", group="Easington", value=818)])
    result = suppress(frame)
    assert shown(result.frame) == {"All": 1_720, "Derwentside": None, "Durham": 900, "Easington": None}
    assert (result.primary, result.secondary) == (1, 1)
    assert result.frame["status"].tolist() == [None, SUPPRESSED, None, SUPPRESSED]


def test_a_lone_group_sent_as_c_hides_the_total_and_a_hidden_total_is_not_left_as_a_sum():
    lone = suppress(pd.DataFrame([row(value=30), row(breakdown="Sex", group="Female", status="c")])).frame
    assert lone["status"].tolist() == ["c", "c"]
    # The total was sent as c; the localities would add up to it.
    summed = suppress(pd.DataFrame([row(status="c"), row(breakdown="Locality", group="North", value=20),
                                    row(breakdown="Locality", group="South", value=12)])).frame
    assert shown(summed) == {"All": None, "North": 20, "South": None}


def test_a_small_numerator_hides_the_percentage_and_the_counts_behind_it():
    frame = pd.DataFrame([
        row("FD04", unit="percent", value=75.0, numerator=3, denominator=4, previous_value=50.0, change=25.0),
        row("CP02", unit="rate_per_10k", value=0.4, numerator=4, denominator=100_000),
        row("FD02", unit="percent", value=90.0, numerator=90, denominator=100),
        row("FD01", unit="count", value=0),
        row("FD07", unit="percent", status="c", numerator=12, denominator=40),
    ])
    result = suppress(frame).frame
    assert result["status"].tolist() == ["c", "c", None, None, "c"]
    hidden = result[result["status"] == "c"]
    assert hidden[["value", "numerator", "denominator"]].isna().all().all()
    assert math.isnan(result["change"].iloc[0])
    assert result[["value", "numerator", "denominator"]].iloc[2].tolist() == [90.0, 90, 100]
    assert result["value"].iloc[3] == 0


def test_small_counts_go_from_a_rows_history_and_sparkline_too():
    frame = pd.DataFrame([row(value=40, previous_value=3, change=37, last_year_value=12,
                              change_from_last_year=28, recent_values=[12, 2, 3, 40])])
    result = suppress(frame).frame.iloc[0]
    assert math.isnan(result["previous_value"]) and math.isnan(result["change"])
    assert result["last_year_value"] == 12
    assert list(result["recent_values"]) == [12, None, None, 40]


def test_a_percentage_whose_last_quarter_was_suppressed_does_not_say_last_quarters_figure():
    frame = pd.DataFrame([row("FD04", unit="percent", value=50.0, numerator=20, denominator=40,
                              previous_value=75.0, change=-25.0)])
    series = pd.DataFrame([
        {"indicator_id": "FD04", "period": "2026-27 Q1", "breakdown": "All", "breakdown_value": "All",
         "unit": "percent", "value": 75.0, "numerator": 3, "denominator": 4, "status": None},
        {"indicator_id": "FD04", "period": "2026-27 Q2", "breakdown": "All", "breakdown_value": "All",
         "unit": "percent", "value": 50.0, "numerator": 20, "denominator": 40, "status": None},
    ])
    result = suppress(frame, series).frame.iloc[0]
    assert result["value"] == 50.0
    assert math.isnan(result["previous_value"]) and math.isnan(result["change"])


@st.composite
def breakdown_tables(draw):
    groups = draw(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=7))
    names = [f"Group {position}" for position in range(len(groups))]
    sent_c = draw(st.lists(st.booleans(), min_size=len(groups), max_size=len(groups)))
    rows = [row(value=float(sum(groups)))]
    rows += [row(breakdown="Locality", group=name, value=None if c else float(count), status="c" if c else None)
             for name, count, c in zip(names, groups, sent_c, strict=True)]
    return pd.DataFrame(rows), dict(zip(names, groups, strict=True))


@settings(max_examples=300, deadline=None)
@given(breakdown_tables())
def test_no_hidden_group_can_be_worked_out_from_what_is_published(table):
    frame, truth = table
    result = suppress(frame).frame
    published = shown(result)
    # No published count is small, and every published figure is as sent.
    assert not any(is_small(value) for value in published.values() if value is not None)
    for group, value in published.items():
        if value is not None and group != "All":
            assert value == truth[group]
    hidden = [group for group, value in published.items() if value is None and group != "All"]
    if published["All"] is not None:
        # The total less the published groups is the sum of the hidden ones: with one hidden
        # group that sum would be its count, so there are none or at least two.
        assert len(hidden) != 1
        # And no hidden count is pinned down by the total alone: each hidden group could hold a
        # different count (the remainder could be shared another way) unless every one is 0.
        remainder = published["All"] - sum(value for group, value in published.items()
                                           if value is not None and group != "All")
        if hidden and remainder > 0:
            assert len(hidden) >= 2
