"""Chart builders, checked as figures without a browser: gaps stay gaps, every line is named
in words, axes carry units, signals differ by shape as well as colour, and alt text says it all."""

from __future__ import annotations

import itertools
import math

import pandas as pd
import pytest

from thinktank import charts


def series(values: list, statuses: list | None = None, signals: list | None = None) -> pd.DataFrame:
    count = len(values)
    return pd.DataFrame({
        "period": [f"2024-25 Q{number}" for number in range(1, 5)][:count]
        + [f"2025-26 Q{number}" for number in range(1, 5)][:max(count - 4, 0)],
        "value": [math.nan if value is None else value for value in values],
        "status": statuses or [None] * count,
        "spc_mean": [20.0] * count, "spc_lower": [10.0] * count, "spc_upper": [30.0] * count,
        "spc_points": [count] * count,
        "spc_signal": signals or ["common cause"] * count,
        "spc_rules": ["above the upper limit" if signal == "concern" else "" for signal in (signals or [""] * count)],
    })


def test_a_suppressed_quarter_is_a_gap_in_the_line_never_a_zero():
    figure = charts.spc_chart(series([18, None, 22], statuses=[None, "c", None]), "percent")
    line = figure.data[0]
    assert line.connectgaps is False
    assert math.isnan(line.y[1])
    assert 0 not in list(line.y)
    assert charts.gaps(series([18, None, 22], statuses=[None, "c", None])) == [
        "2024-25 Q2 (c: suppressed)"]


def test_every_line_is_named_on_the_chart_itself_not_only_by_colour():
    figure = charts.spc_chart(series([18, 20, 22]), "percent", target={"value": 25.0},
                              benchmarks={"england": 21.0, "north_east": None})
    names = [trace.name for trace in figure.data]
    assert names == ["Figure", "Mean", "Upper process limit", "Lower process limit", "Target", "England benchmark"]
    labels = sorted(annotation.text for annotation in figure.layout.annotations)
    assert labels == ["England 21.0%", "Lower process limit 10.0%", "Mean 20.0%", "Target 25.0%",
                      "Upper process limit 30.0%"]


def test_labels_of_lines_close_together_are_spaced_apart():
    figure = charts.spc_chart(series([18, 20, 22]), "percent", benchmarks={"england": 20.05})
    positions = sorted(annotation.y for annotation in figure.layout.annotations)
    assert min(later - earlier for earlier, later in itertools.pairwise(positions)) > 0.5


def test_axes_are_titled_with_units():
    figure = charts.spc_chart(series([40, 50]), "rate_per_10k")
    assert figure.layout.yaxis.title.text == "Rate per 10,000"
    assert figure.layout.xaxis.title.text == "Quarter (financial year)"


def test_signals_differ_in_shape_and_name_as_well_as_colour():
    figure = charts.spc_chart(series([18, 20, 35], signals=["improvement", "common cause", "concern"]), "count")
    marked = {trace.name: trace.marker.symbol for trace in figure.data if trace.mode == "markers"}
    assert marked == {"⚠ Concern": "x", "★ Improvement": "star"}
    symbols = [style[2] for style in charts.SIGNAL_STYLES.values()]
    assert len(set(symbols)) == len(symbols)


def test_alt_text_gives_the_latest_figure_limits_signals_and_gaps():
    text = charts.spc_alt_text("Re-referrals", series([18, None, 35], statuses=[None, "x", None],
                                                       signals=["common cause", "not assessed", "concern"]), "percent")
    assert text == (
        "Line chart of Re-referrals, 2024-25 Q1 to 2024-25 Q3. Latest figure 35.0% in 2024-25 Q3. "
        "Mean 20.0%; process limits 10.0% to 30.0%. Signals: 2024-25 Q3 concern (above the upper limit). "
        "No figure for 2024-25 Q2 (x: not available)."
    )


@pytest.fixture
def groups() -> pd.DataFrame:
    return pd.DataFrame({
        "breakdown_value": ["Durham", "Easington", "Teesdale"],
        "value": [42.0, math.nan, 12.0],
        "status": [None, "c", None],
        "numerator": [42.0, math.nan, 12.0],
    })


def test_a_suppressed_group_has_no_bar_and_says_why(groups):
    figure = charts.breakdown_chart(groups, "count", "Locality")
    bars = figure.data[0]
    assert math.isnan(bars.x[1])
    assert list(bars.text) == ["42", "c: suppressed", "12"]
    assert charts.breakdown_alt_text("Missing episodes", groups, "count", "Locality", "2025-26 Q2") == (
        "Bar chart of Missing episodes by locality, 2025-26 Q2: Durham 42; Easington no figure (c); Teesdale 12.")


def test_groups_with_counts_but_no_rate_are_drawn_as_counts_and_labelled_so():
    counts = pd.DataFrame({"breakdown_value": ["Under 1", "1-4"], "value": [math.nan, math.nan],
                           "status": ["count only", "count only"], "numerator": [43.0, 117.0]})
    figure = charts.breakdown_chart(counts, "rate_per_10k", "Age band")
    assert list(figure.data[0].x) == [43.0, 117.0]
    assert list(figure.data[0].text) == ["43 (count)", "117 (count)"]
    assert figure.layout.xaxis.title.text.startswith("Number (counts")
