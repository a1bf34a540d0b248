"""Evidence beside the figures, and what keeps cached scorecards current."""

from __future__ import annotations

import datetime as dt

from scorecard_support import FIRST, figure, put

from thinktank import narrative, scorecard
from thinktank.periods import Quarter

NOW = dt.datetime(2026, 11, 23, 10, 0)


def test_evidence_comes_from_the_returns_in_force_under_its_heading(store):
    from returns_support import csv_return, send

    content = csv_return("FD06,2024-25 Q1,All,All,,,1180,")
    send(store, content, confirm=True)
    cursor = store.cursor()
    submission_id = cursor.execute("SELECT max(id) FROM submissions").fetchone()[0]
    cursor.execute(
        "INSERT INTO evidence (submission_id, theme_id, source, signs_of_safety, title, detail, period, source_row) "
        "VALUES (?, 'front_door', 'audit', 'working_well', 'MASH audit: decisions in time', NULL, '2024-25 Q1', 2)",
        [submission_id])
    shown = narrative.theme_evidence(cursor, "front_door", Quarter(2024, 1))
    assert shown[["signs_of_safety", "source", "title", "agency"]].to_dict("records") == [
        {"signs_of_safety": "working_well", "source": "audit", "title": "MASH audit: decisions in time",
         "agency": "Police"}]


def test_the_data_version_changes_when_a_return_is_stored(store):
    cursor = store.cursor()
    before = scorecard.data_version(cursor)
    assert scorecard.data_version(cursor) == before
    put(store, [figure("HO01", FIRST, value=400)])
    assert scorecard.data_version(cursor) != before


def test_reported_quarters_run_from_the_first_to_the_last_return_without_gaps(store):
    assert scorecard.reported_quarters(store.cursor()) == []
    put(store, [figure("HO01", FIRST, value=400), figure("HO01", FIRST.next().next(), value=410)])
    assert scorecard.reported_quarters(store.cursor()) == [FIRST, FIRST.next(), FIRST.next().next()]


def test_each_stored_figure_carries_its_quarter_as_a_number(store):
    put(store, [figure("HO01", Quarter(2024, 3), value=400)])
    (label, index) = store.cursor().execute("SELECT period, period_index FROM observations").fetchone()
    assert (label, index) == ("2024-25 Q3", Quarter(2024, 3).index)


def test_the_stores_quarter_macros_agree_with_the_python_quarters(store):
    from thinktank.periods import format_date, quarters_between

    quarters = quarters_between(Quarter(1999, 1), Quarter(2040, 4))
    rows = store.cursor().execute(
        "SELECT label, quarter_index(label), quarter_label(quarter_index(label)), quarter_end(quarter_index(label)) "
        "FROM unnest(?) AS labels(label)", [[quarter.label for quarter in quarters]]).fetchall()
    assert rows == [(q.label, q.index, q.label, q.end) for q in quarters]
    assert format_date(quarters[0].end) == "30 June 1999"
