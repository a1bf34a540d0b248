"""R306: a percentage's denominator agrees with the count the catalogue says it is, whether the
count is in the same return or stored from another agency."""

import dataclasses
import datetime as dt

import pandas as pd
import pytest
from returns_support import TODAY, codes, csv_return, send
from scorecard_support import figure, put

from thinktank.periods import Quarter
from thinktank.rules.context import ReturnContext
from thinktank.rules.related import denominator_differs_from_its_count

Q2 = Quarter(2025, 2)


@pytest.fixture
def catalogue(store):
    """The store's catalogue with the pairs these tests use declared here, not read from the
    live YAML: FD04's and AS06's denominators are FD03's and AS04's counts."""
    live = store.catalogue
    declared = {"FD04": "FD03", "AS06": "AS04"}
    return dataclasses.replace(live, indicators=tuple(
        indicator.model_copy(update={"denominator_is": declared.get(indicator.id)})
        for indicator in live.indicators
    ))


def return_frame(catalogue, *rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows)).astype({"numerator": float, "denominator": float, "value": float})
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
    frame["unit"] = frame["indicator_id"].map(lambda i: catalogue.indicator_by_id[i].unit)
    frame["has_figure"] = True
    return frame


def findings(store, catalogue, agency: str, frame: pd.DataFrame) -> list:
    context = ReturnContext(cursor=store.cursor(), catalogue=catalogue, agency_id=agency, frame=frame, today=TODAY)
    return list(denominator_differs_from_its_count(context))


def test_a_denominator_that_differs_from_the_count_in_the_same_return_is_named_with_both(store, catalogue):
    frame = return_frame(catalogue, figure("FD03", Q2, numerator=1117), figure("FD04", Q2, numerator=242, denominator=1240))
    (finding,) = findings(store, catalogue, "childrens_social_care", frame)
    assert finding.row_index == 3 and finding.column == "denominator" and finding.value == "1,240"
    assert finding.message == (
        "FD04's denominator is 1,240 (referrals in the quarter) but FD03 counts 1,117 for 2025-26 Q2. "
        "They are the same count: correct one of them, then confirm."
    )


def test_a_denominator_equal_to_its_count_and_a_count_alone_are_fine(store, catalogue):
    agreeing = return_frame(catalogue, figure("FD03", Q2, numerator=1117),
                            figure("FD04", Q2, numerator=242, denominator=1117))
    assert findings(store, catalogue, "childrens_social_care", agreeing) == []
    # Only groups meet groups: the All count says nothing about Durham's denominator.
    other_group = return_frame(catalogue, figure("FD03", Q2, numerator=1117),
                               figure("FD04", Q2, numerator=30, denominator=190, breakdown="Locality", group="Durham"))
    assert findings(store, catalogue, "childrens_social_care", other_group) == []


def test_the_count_stored_from_another_agency_is_compared_both_ways(store, catalogue):
    put(store, [figure("AS04", Q2, numerator=810)])  # children's social care's return
    police = return_frame(catalogue, figure("AS06", Q2, numerator=770, denominator=790))
    (finding,) = findings(store, catalogue, "police", police)
    assert ("AS06's denominator is 790 (strategy discussions held in the quarter) but AS04 counts 810 "
            "as stored from Children's social care for 2025-26 Q2") in finding.message
    put(store, [figure("AS06", Q2, numerator=770, denominator=790)])
    # Now children's social care sends a count that differs from the police's stored denominator.
    social_care = return_frame(catalogue, figure("AS04", Q2, numerator=812))
    (finding,) = findings(store, catalogue, "childrens_social_care", social_care)
    assert (finding.row_index, finding.column, finding.value) == (2, "numerator", "812")
    assert ("AS06's denominator is 790 (strategy discussions held in the quarter) as stored from Police"
            " but AS04 counts 812 for 2025-26 Q2") in finding.message


def test_the_agencys_own_stored_figures_for_the_quarter_are_replaced_not_compared(store, catalogue):
    put(store, [figure("FD03", Q2, numerator=1117)])
    # A new version without FD03 replaces the stored one, so there is nothing to compare with.
    frame = return_frame(catalogue, figure("FD04", Q2, numerator=242, denominator=1240))
    assert findings(store, catalogue, "childrens_social_care", frame) == []


def test_the_rule_runs_on_upload(store):
    # FD04's denominator is FD03's count in the catalogue itself.
    content = csv_return("FD03,2025-26 Q2,All,All,1117,,,", "FD04,2025-26 Q2,All,All,242,1240,,")
    result = send(store, content, agency="childrens_social_care", period=Q2,
                  now=dt.datetime(2026, 11, 23, 9))
    assert "R306" in codes(result)
