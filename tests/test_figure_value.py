"""A figure is worked out by one definition (migration 006's `figure_value`), so validation, the
stored figures (`figures_in_force`, which R304 and the templates read) and the scorecard's
`series_points` give the same figure for any row."""

import datetime as dt

import pandas as pd
import pytest
from conftest import CATALOGUE, REFERENCE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thinktank.ingest.catalogue_facts import with_catalogue_facts
from thinktank.periods import Quarter
from thinktank.settings import Settings
from thinktank.store import Store
from thinktank.store.returns import figures_in_force, save_return
from thinktank.store.series_points import refresh_series_points

AGENCY = "police"  # the store keeps figures under whichever agency sends them
# A percentage, a count, a rate per 10,000 children (figures held from 2020-21, with a gap
# before 2023-24) and a rate per 10,000 adult females (no figure held).
INDICATORS = ["FD04", "HO01", "CP02", "DA02"]
# Before any population figure, in a year with none of its own (the latest earlier one is
# used), and in a year with its own.
QUARTERS = [Quarter(2019, 2), Quarter(2021, 3), Quarter(2023, 1)]
GROUPS = [("All", "All"), ("Locality", "Durham"), ("Age band", "Under 1")]
KEY = ["indicator_id", "period", "breakdown", "breakdown_value"]

numbers = st.one_of(st.none(), st.just(0.0), st.integers(1, 2_000).map(float),
                    st.floats(0.01, 100_000, allow_nan=False))
rows = st.lists(
    st.fixed_dictionaries({
        "indicator_id": st.sampled_from(INDICATORS),
        "period": st.sampled_from([quarter.label for quarter in QUARTERS]),
        "group": st.sampled_from(GROUPS),
        "numerator": numbers, "denominator": numbers, "value": numbers,
        "status": st.sampled_from([None, "c", "x", "z", "low", "u"]),
    }),
    min_size=1, max_size=12,
    unique_by=lambda row: (row["indicator_id"], row["period"], row["group"]),
)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    database = tmp_path_factory.mktemp("figure-value") / "thinktank.duckdb"
    with Store.open(Settings(database, CATALOGUE, REFERENCE)) as opened:
        yield opened


def as_frame(generated: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame([
        {**{name: row[name] for name in ("indicator_id", "period", "numerator", "denominator", "value", "status")},
         "breakdown": row["group"][0], "breakdown_value": row["group"][1], "comment": None}
        for row in generated
    ])
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
    return frame.astype({"numerator": float, "denominator": float, "value": float, "status": object})


def by_key(frame: pd.DataFrame, column: str) -> dict[tuple, float | None]:
    return {
        tuple(line[KEY]): None if pd.isna(line[column]) else float(line[column])
        for _, line in frame.iterrows()
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(generated=rows)
def test_validation_the_store_and_the_scorecard_give_the_same_figure(store, generated):
    frame = as_frame(generated)
    cursor = store.cursor()
    validated = with_catalogue_facts(frame.copy(), store.catalogue, cursor)
    cursor.begin()
    try:
        for period, figures in frame.groupby("period"):
            save_return(cursor, AGENCY, "return.csv", f"sha-{period}", len(figures), figures, pd.DataFrame(),
                        "test", dt.datetime(2026, 11, 23, 9), warnings_confirmed=False)
        refresh_series_points(cursor, INDICATORS)
        stored = figures_in_force(cursor, AGENCY, [quarter.label for quarter in QUARTERS])
        points = cursor.execute(
            """
            SELECT s.indicator_id, quarter_label(p.period_index) AS period, s.breakdown,
                   s.breakdown_value, p.value
            FROM series_points p JOIN series s ON s.id = p.series_id
            """
        ).df()
    finally:
        cursor.rollback()
    expected = by_key(validated, "figure")
    assert by_key(stored, "figure") == expected
    assert by_key(points, "value") == expected


def test_the_definition_itself(store):
    # Spelled out once by hand, so that all three paths agreeing cannot hide a wrong answer.
    cases = [
        ("percent", 45.0, 1.0, 2.0, None, "All", None, 45.0),
        ("percent", None, 46.0, 200.0, None, "All", None, 23.0),
        ("percent", None, 46.0, 0.0, None, "All", None, None),
        ("rate_per_10k", None, 43.0, 1_000.0, None, "Age band", None, 430.0),
        ("rate_per_10k", None, 43.0, None, None, "All", 100_000.0, 4.3),
        ("rate_per_10k", None, 43.0, None, None, "Age band", 100_000.0, None),  # a count only
        ("rate_per_10k", None, 43.0, None, None, "All", None, None),
        ("rate_per_10k", 520.0, 43.0, None, None, "Age band", 100_000.0, 520.0),
        ("count", None, 43.0, None, None, "All", 100_000.0, None),
        ("count", 12.0, None, None, "u", "All", None, 12.0),
        ("count", 12.0, None, None, "c", "All", None, None),
        ("percent", None, 46.0, 200.0, "low", "All", None, None),
    ]
    cursor = store.cursor()
    for unit, value, numerator, denominator, status, breakdown, population, figure in cases:
        (worked,) = cursor.execute(
            "SELECT figure_value(?, ?, ?, ?, ?, ?, ?)",
            [unit, value, numerator, denominator, status, breakdown, population],
        ).fetchone()
        case = (unit, value, numerator, denominator, status, breakdown, population)
        assert worked is None if figure is None else worked == pytest.approx(figure), case
