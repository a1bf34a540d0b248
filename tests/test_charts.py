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
        "spc_points": [count] * count, "segment": [0] * count, "rebase_reason": [None] * count,
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


def rebased(reason: str = "MASH restructure") -> pd.DataFrame:
    """Eight quarters re-based at the fifth: the first segment's limits 17 to 23 about 20, the
    second's 25 to 31 about 28."""
    frame = series([19, 21, 20, 20, 27, 29, 28, 28])
    frame["segment"] = [0] * 4 + [1] * 4
    frame["rebase_reason"] = [None] * 4 + [reason] + [None] * 3
    frame["spc_mean"] = [20.0] * 4 + [28.0] * 4
    frame["spc_lower"] = [17.0] * 4 + [25.0] * 4
    frame["spc_upper"] = [23.0] * 4 + [31.0] * 4
    return frame


def test_each_segment_of_a_rebased_series_draws_its_own_lines_only_over_its_quarters():
    figure = charts.spc_chart(rebased(), "percent")
    means = [trace for trace in figure.data if trace.name == "Mean"]
    assert [(list(trace.x), set(trace.y)) for trace in means] == [
        (["2024-25 Q1", "2024-25 Q2", "2024-25 Q3", "2024-25 Q4"], {20.0}),
        (["2025-26 Q1", "2025-26 Q2", "2025-26 Q3", "2025-26 Q4"], {28.0}),
    ]
    # One legend entry a line, whatever the number of segments.
    assert [trace.name for trace in figure.data if trace.showlegend is not False] == [
        "Figure", "Mean", "Upper process limit", "Lower process limit"]
    texts = [annotation.text for annotation in figure.layout.annotations]
    assert {"Mean 20.0%", "Mean 28.0%", "Upper process limit 31.0%", "Lower process limit 17.0%"} <= set(texts)


def test_a_rebase_is_marked_between_the_quarters_with_its_reason_as_plain_text():
    figure = charts.spc_chart(rebased("<b>MASH</b> & front door *restructure*"), "percent")
    (line,) = figure.layout.shapes
    assert (line.x0, line.x1) == (3.5, 3.5)
    (mark,) = [annotation for annotation in figure.layout.annotations if "Re-based" in annotation.text]
    assert mark.text == "Re-based from 2025-26 Q1<br>&lt;b&gt;MASH&lt;/b&gt; &amp; front door<br>*restructure*"
    assert charts.spc_alt_text("Re-referrals", rebased(), "percent") == (
        "Line chart of Re-referrals, 2024-25 Q1 to 2025-26 Q4. Latest figure 28.0% in 2025-26 Q4. "
        "Mean 20.0%; process limits 17.0% to 23.0%. Re-based from 2025-26 Q1: MASH restructure. "
        "Mean 28.0%; process limits 25.0% to 31.0%. No special-cause signals."
    )


def test_too_few_figures_draw_no_mean_or_limits_and_a_count_axis_starts_at_zero_in_whole_numbers():
    # As the engine gives two quarters of five children: no mean and no limits.
    frame = series([5, 5])
    frame[["spc_mean", "spc_lower", "spc_upper"]] = math.nan
    frame["spc_signal"] = "not enough data"
    figure = charts.spc_chart(frame, "count")
    assert [trace.name for trace in figure.data] == ["Figure"]
    assert list(figure.layout.annotations) == []
    assert figure.layout.yaxis.range[0] == 0 and figure.layout.yaxis.range[1] > 5
    assert figure.layout.yaxis.dtick == 1
    assert charts.spc_alt_text("Children missing", frame, "count").endswith(
        "Too few figures for a mean and process limits. No special-cause signals.")


def test_a_count_in_the_hundreds_keeps_plotlys_ticks_but_still_starts_at_zero():
    figure = charts.spc_chart(series([400, 420, 410]), "count")
    assert figure.layout.yaxis.rangemode == "tozero" and figure.layout.yaxis.dtick is None


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
