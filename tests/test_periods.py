import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thinktank.errors import PeriodError
from thinktank.periods import (
    Quarter,
    format_date,
    latest_complete_quarter,
    quarters_between,
)

Q1_2024 = Quarter(2024, 1)


@pytest.mark.parametrize(
    "spelling",
    [
        "2024-25 Q1",
        "2024/25 Q1",
        "2024-2025 Q1",
        "Q1 2024-25",
        "Q1 2024/25",
        "2024-25 q1",
        " 2024-25  Q1 ",
        "q1 2024/2025",
        "2024\u201325 Q1",
        "2024-25\u00a0Q1",
        "2024-06-30",
        "2024-04-01",
        "2024-06-30 00:00:00",
        dt.date(2024, 5, 15),
        dt.datetime(2024, 6, 30, 0, 0),
    ],
)
def test_every_accepted_spelling_reads_as_the_canonical_quarter(spelling):
    assert Quarter.parse(spelling) == Q1_2024
    assert Quarter.parse(spelling).label == "2024-25 Q1"


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        (4, "2024-25 Q1"), (6, "2024-25 Q1"), (7, "2024-25 Q2"), (9, "2024-25 Q2"),
        (10, "2024-25 Q3"), (12, "2024-25 Q3"), (1, "2023-24 Q4"), (3, "2023-24 Q4"),
    ],
)
def test_quarters_follow_the_financial_year(month, expected):
    assert Quarter.containing(dt.date(2024, month, 1)).label == expected


def test_q4_runs_january_to_march_of_the_next_calendar_year():
    q4 = Quarter(2024, 4)
    assert (q4.start, q4.end) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert (Q1_2024.start, Q1_2024.end) == (dt.date(2024, 4, 1), dt.date(2024, 6, 30))


@pytest.mark.parametrize(
    "bad",
    ["2024-26 Q1", "2024-25 Q5", "2024-25", "Q1", "last quarter", "", "2024-13-01", None, 45],
)
def test_unreadable_periods_raise_a_period_error_with_a_hint(bad):
    with pytest.raises(PeriodError) as raised:
        Quarter.parse(bad)
    assert raised.value.hint


def test_a_mismatched_financial_year_says_which_year_was_meant():
    with pytest.raises(PeriodError) as raised:
        Quarter.parse("2024-26 Q1")
    assert "2024-25" in raised.value.hint


def test_the_century_turns_in_a_financial_year_label():
    assert Quarter.parse("2099-00 Q2") == Quarter(2099, 2)
    assert Quarter(2099, 2).label == "2099-00 Q2"


def test_previous_same_quarter_last_year_and_ordering():
    assert Q1_2024.previous() == Quarter(2023, 4)
    assert Quarter(2023, 4).next() == Q1_2024
    assert Q1_2024.same_quarter_last_year() == Quarter(2023, 1)
    assert sorted([Quarter(2024, 1), Quarter(2023, 4), Quarter(2023, 1)]) == [
        Quarter(2023, 1), Quarter(2023, 4), Quarter(2024, 1),
    ]


def test_a_quarter_is_future_until_its_last_day_has_passed():
    assert Q1_2024.is_future(dt.date(2024, 6, 29))
    assert not Q1_2024.is_future(dt.date(2024, 6, 30))


def test_latest_complete_quarter_and_ranges():
    assert latest_complete_quarter(dt.date(2026, 11, 23)) == Quarter(2026, 2)
    assert [q.label for q in quarters_between(Quarter(2023, 3), Quarter(2024, 2))] == [
        "2023-24 Q3", "2023-24 Q4", "2024-25 Q1", "2024-25 Q2",
    ]


def test_dates_are_written_the_uk_way():
    assert format_date(dt.date(2025, 3, 31)) == "31 March 2025"
    assert format_date(dt.date(2025, 4, 1)) == "1 April 2025"


quarters = st.builds(Quarter, st.integers(1990, 2200), st.integers(1, 4))


@given(quarters)
def test_label_round_trips(quarter):
    assert Quarter.parse(quarter.label) == quarter


@given(quarters, st.sampled_from(["{fy} Q{n}", "{fy_slash} Q{n}", "Q{n} {fy}", "Q{n} {fy_long}",
                                  "{fy} q{n}", "Q{n} {fy_slash}", "{fy_long} Q{n}"]))
def test_every_spelling_round_trips(quarter, template):
    spelling = template.format(
        fy=quarter.financial_year,
        fy_slash=quarter.financial_year.replace("-", "/"),
        fy_long=f"{quarter.fy_start}-{quarter.fy_start + 1}",
        n=quarter.number,
    )
    assert Quarter.parse(spelling) == quarter


@given(quarters)
def test_every_day_of_a_quarter_belongs_to_it(quarter):
    assert Quarter.containing(quarter.start) == quarter
    assert Quarter.containing(quarter.end) == quarter
    assert Quarter.parse(quarter.end.isoformat()) == quarter
    assert quarter.next().start - quarter.end == dt.timedelta(days=1)


@given(quarters, quarters)
def test_ordering_agrees_with_time(a, b):
    assert (a < b) == (a.start < b.start)
    assert (a == b) == (a.start == b.start)


@given(quarters)
def test_neighbours_are_inverse_and_a_year_is_four_quarters(quarter):
    assert quarter.next().previous() == quarter
    assert quarter.previous().next() == quarter
    four_back = quarter.previous().previous().previous().previous()
    assert quarter.same_quarter_last_year() == four_back


@given(st.integers(min_value=1990, max_value=2090), st.integers(min_value=1, max_value=4))
def test_a_quarters_index_counts_quarters_and_round_trips(fy_start, number):
    quarter = Quarter(fy_start, number)
    assert Quarter.from_index(quarter.index) == quarter
    assert quarter.next().index == quarter.index + 1
    assert quarter.same_quarter_last_year().index == quarter.index - 4
