"""What the Indicator page draws that is the same for every viewer with the same key: its
charts and the tables behind them, each built once and shared. They live apart from the page
because Streamlit runs a page's script afresh on every view, and a cached function defined there
is set up again each time (its key worked out from its source); defined here, once per process.

Every function's key names what it is drawn from: the indicator, the quarter, the data's version
and, where figures may be held back, whether the viewer reads raw figures (else the published
ones). The frames passed with it (the arguments starting "_", which Streamlit does not hash)
follow from that key.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from thinktank import browse, charts, scorecard
from thinktank.formatting import (
    DIRECTION_LABELS,
    RAG_LABELS,
    SIGNAL_LABELS,
    agency_names,
    format_change,
    format_figures,
    format_number,
    format_value,
)
from thinktank.periods import Quarter, format_date
from views.common import store


@st.cache_data(show_spinner=False)
def series_for(indicator_id: str, period_label: str, version: str) -> pd.DataFrame:
    return scorecard.series(store().cursor(), indicator_id, Quarter.parse(period_label))


@st.cache_data(show_spinner=False)
def definition_in_force(indicator_id: str, period_label: str, version: str) -> pd.Series:
    found = browse.indicators(store().cursor(), quarter=Quarter.parse(period_label))
    return found.set_index("id").loc[indicator_id]


@st.cache_data(show_spinner=False)
def definition_history(indicator_id: str, version: str) -> pd.DataFrame:
    return browse.definition_history(store().cursor(), indicator_id)


# Building a Plotly figure (its validators, the template) was most of the page's CPU. A figure is
# the resource itself, not a copy (Streamlit's plotly_chart only reads it), so it is never changed
# once built.
CHARTS_HELD = 500


@st.cache_resource(show_spinner=False, max_entries=CHARTS_HELD)
def trend_chart(indicator_id: str, period_label: str, version: str, raw: bool, _trend: pd.DataFrame,
                _latest: pd.Series, _definition: pd.Series,
                _definition_changes: list[tuple[str, str]]) -> tuple[go.Figure, str]:
    """The SPC chart of the indicator up to the quarter, with its text alternative."""
    unit = _definition["unit"]
    benchmark_lines = {key: _latest[f"{key}_value"] for key in charts.BENCHMARK_STYLES}
    target = {"value": _latest["target_value"], "low": _latest["target_low"], "high": _latest["target_high"]}
    figure = charts.spc_chart(_trend, unit, target=target, benchmarks=benchmark_lines,
                              definition_changes=_definition_changes)
    return figure, charts.spc_alt_text(_definition["name"], _trend, unit, _definition_changes)


@st.cache_resource(show_spinner=False, max_entries=CHARTS_HELD)
def groups_chart(indicator_id: str, period_label: str, version: str, raw: bool, breakdown: str,
                 _groups: pd.DataFrame, _definition: pd.Series) -> tuple[go.Figure, str]:
    """The bar chart of one breakdown's groups in the quarter, with its text alternative."""
    unit = _definition["unit"]
    return (charts.breakdown_chart(_groups, unit, breakdown),
            charts.breakdown_alt_text(_definition["name"], _groups, unit, breakdown, period_label))


def counted(values: pd.Series) -> list[str]:
    """Numerators and denominators as whole numbers; an empty cell where there is none."""
    return ["" if pd.isna(value) else format_number(value) for value in values]


def in_unit(values: pd.Series, unit: str) -> list[str]:
    """A mean or a process limit in the indicator's unit; an empty cell where none is drawn."""
    return ["" if pd.isna(value) else format_value(value, unit) for value in values]


def text_or_empty(values: pd.Series) -> list[str]:
    """A reason or a comment, as written; an empty cell where there is none."""
    return [value if isinstance(value, str) else "" for value in values]


def without_empty(table: pd.DataFrame, optional: list[str]) -> pd.DataFrame:
    """The table without those of the ``optional`` columns that hold nothing: a count has no
    numerator, and most quarters have no comment."""
    return table.drop(columns=[column for column in optional if not table[column].str.len().any()])


@st.cache_data(show_spinner=False, max_entries=CHARTS_HELD)
def trend_tables(indicator_id: str, period_label: str, version: str, raw: bool, _trend: pd.DataFrame,
                 unit: str) -> tuple[list[str], pd.DataFrame]:
    """The quarters drawn as gaps, and the table behind the SPC chart as people read it."""
    shown = pd.DataFrame({
        "Quarter": _trend["period"],
        "Figure": format_figures(_trend["value"], _trend["status"], unit),
        "Numerator": counted(_trend["numerator"]),
        "Denominator": counted(_trend["denominator"]),
        "Mean": in_unit(_trend["spc_mean"], unit),
        "Lower process limit": in_unit(_trend["spc_lower"], unit),
        "Upper process limit": in_unit(_trend["spc_upper"], unit),
        "SPC signal": _trend["spc_signal"].map(SIGNAL_LABELS),
        "SPC rules met": text_or_empty(_trend["spc_rules"]),
        "Re-based from this quarter because": text_or_empty(_trend["rebase_reason"]),
        "Agency's comment": text_or_empty(_trend["comment"]),
    })
    return charts.gaps(_trend), without_empty(shown, ["Numerator", "Denominator", "SPC rules met",
                                                      "Re-based from this quarter because", "Agency's comment"])


@st.cache_data(show_spinner=False, max_entries=CHARTS_HELD)
def groups_table(indicator_id: str, period_label: str, version: str, raw: bool, breakdown: str,
                 _groups: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The table behind one breakdown's chart, as people read it."""
    return without_empty(pd.DataFrame({
        "Group": _groups["breakdown_value"],
        "Figure": format_figures(_groups["value"], _groups["status"], unit),
        "Numerator": counted(_groups["numerator"]),
        "Denominator": counted(_groups["denominator"]),
        "Last quarter": format_figures(_groups["previous_value"], _groups["previous_status"], unit),
        "Change": [format_change(change, unit) for change in _groups["change"]],
        "Direction": _groups["direction"].map(DIRECTION_LABELS),
        "Against target": _groups["rag"].map(RAG_LABELS),
    }), ["Numerator", "Denominator"])


@st.cache_data(show_spinner=False)
def benchmarks_held(indicator_id: str, unit: str, version: str) -> pd.DataFrame:
    """Every benchmark held for the indicator, with its source, as people read it."""
    held = browse.benchmarks(store().cursor(), indicator_id)
    if held.empty:
        return held
    return without_empty(pd.DataFrame({
        "Area": held["area"],
        "Group": ["" if breakdown == "All" else f"{breakdown}: {value}"
                  for breakdown, value in zip(held["breakdown"], held["breakdown_value"], strict=True)],
        "Period": held["period"],
        "Ends": [format_date(end.date()) for end in held["period_end"]],
        "Figure": [format_value(value, unit) for value in held["value"]],
        "As published": [f"{value:,g} {published_unit}" for value, published_unit
                         in zip(held["published_value"], held["published_unit"], strict=True)],
        "Source": held["source"],
        "Licence": held["licence"],
        "Note": text_or_empty(held["note"]),
    }), ["Group", "Note"])


@st.cache_data(show_spinner=False)
def history_for_people(indicator_id: str, version: str) -> pd.DataFrame:
    return browse.definition_history_for_people(definition_history(indicator_id, version),
                                                agency_names(store().catalogue.agencies))
