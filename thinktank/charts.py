"""Chart builders: plain functions from the engine's frames to Plotly figures, testable without
a browser. They follow the Government Analysis Function's guidance on accessible charts:
every line labelled in words on the chart itself, so nothing depends on colour alone; axes
titled with their units; the Analysis Function's colour-blind-safe palette; and alt text for
every chart (`*_alt_text`).
"""

from __future__ import annotations

import html
import math
import textwrap

import pandas as pd
import plotly.graph_objects as go

from thinktank.formatting import SIGNAL_LABELS, STATUS_MEANINGS, UNIT_LABELS, format_value

# The Analysis Function's categorical palette (dark blue, turquoise, dark pink, orange,
# dark grey, light purple): distinguishable with the common colour-vision deficiencies.
DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, LIGHT_PURPLE = (
    "#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1",
)
# Making Data Count marks signals by colour (orange concern, blue improvement, purple neither);
# each also has its own marker shape and legend entry here, so that colour is never the only cue.
SIGNAL_STYLES = {
    "concern": (SIGNAL_LABELS["concern"], ORANGE, "x"),
    "improvement": (SIGNAL_LABELS["improvement"], TURQUOISE, "star"),
    "neither": (SIGNAL_LABELS["neither"], LIGHT_PURPLE, "diamond"),
}
BENCHMARK_STYLES = {"england": ("England", "dot"), "north_east": ("North East", "dashdot"),
                    "neighbours": ("Statistical neighbours", "longdash")}
# Each segment's mean and process limits: the column, the line's name, and its dash.
SPC_LINES = (("spc_mean", "Mean", "solid"), ("spc_upper", "Upper process limit", "dash"),
             ("spc_lower", "Lower process limit", "dash"))
LABEL_LINE_PIXELS, SMALLEST_PLOT_PIXELS = 18, 250  # a 12 px label's line; the plot's height at its least
REBASE_LABEL_WIDTH = 32  # characters a line of a re-base's reason on the chart
TOP_MARGIN, REASON_LINE_HEIGHT = 30, 17  # pixels
COUNT_UNIT_TICKS_BELOW = 10  # a count axis reaching no higher than this has a tick at every whole number
FONT = {"family": "Arial, Helvetica, sans-serif", "size": 14, "color": DARK_GREY}


def gaps(series: pd.DataFrame) -> list[str]:
    """Quarters drawn as gaps, each with why: ``2024-25 Q3 (c: suppressed)``."""
    missing = series[series["value"].isna()]
    return [f"{row.period} ({row.status}: {STATUS_MEANINGS.get(row.status, 'no figure')})"
            for row in missing.itertuples()]


def spc_chart(
    series: pd.DataFrame,
    unit: str,
    axis_title: str | None = None,
    target: dict[str, float | None] | None = None,
    benchmarks: dict[str, float | None] | None = None,
    definition_changes: list[tuple[str, str]] | None = None,
) -> go.Figure:
    """The XmR chart: the figures (gaps where there is none), each segment's mean and process
    limits where the engine gives them (a segment of too few points has none), each re-base
    marked with its reason, each change of definition (quarter, the fields changed) marked,
    each signal marked, and the target and benchmark lines labelled where they end."""
    periods = series["period"].tolist()
    figure = go.Figure()
    labels: list[tuple[float, str]] = []
    figure.add_trace(go.Scatter(
        x=periods, y=series["value"], mode="lines+markers", name="Figure",
        line={"color": DARK_BLUE, "width": 2.5}, marker={"size": 8, "color": DARK_BLUE},
        connectgaps=False,
        customdata=series[["status"]].fillna("").to_numpy(),
        hovertemplate="%{x}: %{y:,.1f}<extra></extra>",
    ))
    series_segments = segments(series)
    named: set[str] = set()
    for number, segment in enumerate(series_segments):
        if math.isnan(segment["spc_mean"].iloc[0]):
            continue
        current = number == len(series_segments) - 1
        for column, label, dash in SPC_LINES:
            level = float(segment[column].iloc[0])
            figure.add_trace(go.Scatter(
                x=segment["period"], y=[level] * len(segment), mode="lines", name=label,
                legendgroup=label, showlegend=label not in named,
                line={"color": DARK_GREY, "width": 1.5, "dash": dash},
                hovertemplate=f"{label}: %{{y:,.1f}}<extra></extra>",
            ))
            named.add(label)
            if current:
                labels.append((level, f"{label} {format_value(level, unit)}"))
            else:
                # An earlier segment's lines are named where they begin, just above the line.
                figure.add_annotation(x=segment["period"].iloc[0], y=level, text=f"{label} {format_value(level, unit)}",
                                      showarrow=False, xanchor="left", yanchor="bottom",
                                      font={"size": 11, "color": DARK_GREY})
    reason_lines = [_mark_rebase(figure, periods.index(segment["period"].iloc[0]), segment)
                    for segment in series_segments[1:]]
    for period, fields in definition_changes or []:
        if period in periods[1:]:
            _mark_definition_change(figure, periods.index(period), period, fields)
    for signal, (label, colour, symbol) in SIGNAL_STYLES.items():
        points = series[series["spc_signal"] == signal]
        if points.empty:
            continue
        figure.add_trace(go.Scatter(
            x=points["period"], y=points["value"], mode="markers", name=label,
            marker={"size": 14, "color": colour, "symbol": symbol, "line": {"width": 1.5, "color": DARK_GREY}},
            customdata=points[["spc_rules"]].to_numpy(),
            hovertemplate=f"%{{x}}: %{{y:,.1f}}<br>{label}: %{{customdata[0]}}<extra></extra>",
        ))
    for line_label, level in _target_lines(target or {}):
        figure.add_trace(go.Scatter(
            x=periods, y=[level] * len(periods), mode="lines", name=line_label,
            line={"color": DARK_PINK, "width": 2, "dash": "dash"},
            hovertemplate=f"{line_label}: %{{y:,.1f}}<extra></extra>",
        ))
        labels.append((level, f"{line_label} {format_value(level, unit)}"))
    for key, level in (benchmarks or {}).items():
        if level is None or (isinstance(level, float) and math.isnan(level)):
            continue
        area, dash = BENCHMARK_STYLES[key]
        figure.add_trace(go.Scatter(
            x=periods, y=[level] * len(periods), mode="lines", name=f"{area} benchmark",
            line={"color": TURQUOISE, "width": 2, "dash": dash},
            hovertemplate=f"{area}: %{{y:,.1f}}<extra></extra>",
        ))
        labels.append((level, f"{area} {format_value(level, unit)}"))
    levels = [*series["value"].dropna(), *(level for level, _ in labels)]
    if unit == "count":
        levels.append(0.0)  # counts are read from zero
    _label_line_ends(figure, periods[-1], labels, levels)
    _layout(figure, "Quarter (financial year)", axis_title or UNIT_LABELS[unit])
    _value_axis(figure, unit, levels)
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=periods)
    figure.update_layout(height=560)
    if reason_lines:
        # Room above the plot for the re-bases' reasons, so that they cover no line.
        figure.update_layout(margin_t=TOP_MARGIN + REASON_LINE_HEIGHT * max(reason_lines))
    return figure


def spc_alt_text(name: str, series: pd.DataFrame, unit: str,
                 definition_changes: list[tuple[str, str]] | None = None) -> str:
    """What the SPC chart shows, in words, for screen readers."""
    shown = series[series["value"].notna()]
    if shown.empty:
        return f"Chart of {name}: no figures to show."
    first, last = series["period"].iloc[0], series["period"].iloc[-1]
    latest = shown.iloc[-1]
    text = (f"Line chart of {name}, {first} to {last}. Latest figure {format_value(latest['value'], unit)} "
            f"in {latest['period']}.")
    for number, segment in enumerate(segments(series)):
        if number:
            text += f" Re-based from {segment['period'].iloc[0]}: {segment['rebase_reason'].iloc[0]}."
        if math.isnan(segment["spc_mean"].iloc[0]):
            text += " Too few figures for a mean and process limits."
        else:
            text += (f" Mean {format_value(segment['spc_mean'].iloc[0], unit)}; process limits "
                     f"{format_value(segment['spc_lower'].iloc[0], unit)} to "
                     f"{format_value(segment['spc_upper'].iloc[0], unit)}.")
    signals = shown[shown["spc_signal"].isin(list(SIGNAL_STYLES))]
    if signals.empty:
        text += " No special-cause signals."
    else:
        text += " Signals: " + "; ".join(
            f"{row.period} {row.spc_signal} ({row.spc_rules})" for row in signals.itertuples()) + "."
    periods = series["period"].tolist()
    for period, fields in definition_changes or []:
        if period in periods[1:]:
            text += f" New definition from {period} ({fields})."
    missing = gaps(series)
    if missing:
        text += " No figure for " + ", ".join(missing) + "."
    return text


def segments(series: pd.DataFrame) -> list[pd.DataFrame]:
    """The series' quarters in runs of one segment each, in order: one run unless it is re-based."""
    changes = series["segment"].ne(series["segment"].shift()).cumsum()
    return [segment for _, segment in series.groupby(changes, sort=True)]


def _mark_rebase(figure: go.Figure, position: int, segment: pd.DataFrame) -> int:
    """A dotted line between the last quarter before a re-base and the first after it, with the
    re-base's reason above the plot, set as plain text (an analyst's words are never markup).
    Gives the number of lines of text."""
    reason = segment["rebase_reason"].iloc[0]
    lines = [f"Re-based from {segment['period'].iloc[0]}",
             *textwrap.wrap(reason or "", REBASE_LABEL_WIDTH)]
    figure.add_shape(type="line", x0=position - 0.5, x1=position - 0.5, y0=0, y1=1, yref="paper",
                     line={"color": DARK_GREY, "width": 1.5, "dash": "dot"})
    figure.add_annotation(x=position - 0.5, y=1, yref="paper", xanchor="left", yanchor="bottom", xshift=4,
                          text="<br>".join(html.escape(line, quote=False) for line in lines), showarrow=False,
                          align="left", font={"size": 12, "color": DARK_GREY})
    return len(lines)


def _mark_definition_change(figure: go.Figure, position: int, period: str, fields: str) -> None:
    """A dashed line where a new definition takes effect, named at the foot of the plot (the
    re-bases' reasons sit at its head), set as plain text."""
    figure.add_shape(type="line", x0=position - 0.5, x1=position - 0.5, y0=0, y1=1, yref="paper",
                     line={"color": DARK_PINK, "width": 1.5, "dash": "dash"})
    lines = [f"New definition from {period}", *textwrap.wrap(fields, REBASE_LABEL_WIDTH)]
    figure.add_annotation(x=position - 0.5, y=0, yref="paper", xanchor="left", yanchor="bottom", xshift=4, yshift=4,
                          text="<br>".join(html.escape(line, quote=False) for line in lines), showarrow=False,
                          align="left", font={"size": 12, "color": DARK_PINK}, bgcolor="rgba(255,255,255,0.8)")


def _value_axis(figure: go.Figure, unit: str, levels: list[float]) -> None:
    """Counts are read from zero in whole numbers: a flat or short series of a few children is
    not stretched into decimals."""
    if unit != "count" or not levels or min(levels) < 0:
        return
    figure.update_yaxes(rangemode="tozero")
    if max(levels) < COUNT_UNIT_TICKS_BELOW:
        figure.update_yaxes(dtick=1, range=[0, max(max(levels) * 1.15, 1)])


def breakdown_chart(groups: pd.DataFrame, unit: str, breakdown: str) -> go.Figure:
    """One bar per group for the quarter. A group without a figure has no bar (never a zero):
    its status is written where the bar would be. Counts stand in where there is no rate."""
    shown = groups.copy()
    counts_only = shown["value"].isna() & (shown["status"] == "count only")
    shown["plotted"] = shown["value"].where(~counts_only, shown["numerator"])
    shown["label"] = [
        (f"{format_value(value, 'count')} (count)" if count_only else format_value(value, unit))
        if not math.isnan(value) else f"{status}: {STATUS_MEANINGS.get(status, 'no figure')}"
        for value, status, count_only in zip(shown["plotted"], shown["status"], counts_only, strict=True)
    ]
    figure = go.Figure(go.Bar(
        x=shown["plotted"], y=shown["breakdown_value"], orientation="h", marker={"color": DARK_BLUE},
        text=shown["label"], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{text}<extra></extra>", name=breakdown,
    ))
    axis = "Number (counts: no population for the groups)" if counts_only.all() else UNIT_LABELS[unit]
    _layout(figure, axis, breakdown)
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_layout(showlegend=False, height=max(260, 60 + 42 * len(shown)))
    return figure


def breakdown_alt_text(name: str, groups: pd.DataFrame, unit: str, breakdown: str, period: str) -> str:
    parts = [
        f"{row.breakdown_value} {format_value(row.value, unit)}" if not math.isnan(row.value)
        else (f"{row.breakdown_value} {format_value(row.numerator, 'count')} (count)" if row.status == "count only"
              else f"{row.breakdown_value} no figure ({row.status})")
        for row in groups.itertuples()
    ]
    return f"Bar chart of {name} by {breakdown.lower()}, {period}: " + "; ".join(parts) + "."


def _target_lines(target: dict[str, float | None]) -> list[tuple[str, float]]:
    def present(value: float | None) -> bool:
        return value is not None and not (isinstance(value, float) and math.isnan(value))

    if present(target.get("value")):
        return [("Target", float(target["value"]))]
    if present(target.get("low")) and present(target.get("high")):
        return [("Target band low", float(target["low"])), ("Target band high", float(target["high"]))]
    return []


def _label_line_ends(figure: go.Figure, period: str, labels: list[tuple[float, str]], levels: list[float]) -> None:
    """Name each horizontal line at its right-hand end. Labels of lines close together are
    spaced out by a line of text so none overlaps another, reckoned on the smallest plot area an
    SPC chart has (with a re-base's reason above it and the legend below)."""
    if not labels:
        return
    span = (max(levels) - min(levels)) or 1.0
    gap = span * LABEL_LINE_PIXELS / SMALLEST_PLOT_PIXELS
    placed: list[float] = []
    for level, text in sorted(labels):
        position = max(level, placed[-1] + gap) if placed else level
        placed.append(position)
        figure.add_annotation(x=period, y=position, text=text, showarrow=False, xanchor="left", xshift=10,
                              font={"size": 12, "color": DARK_GREY})


def _layout(figure: go.Figure, x_title: str, y_title: str) -> None:
    figure.update_layout(
        template="simple_white", font=FONT, margin={"l": 70, "r": 230, "t": TOP_MARGIN, "b": 40},
        legend={"orientation": "h", "yanchor": "top", "y": -0.32, "x": 0},
        hoverlabel={"font_size": 14},
    )
    figure.update_xaxes(title_text=x_title, showgrid=False)
    figure.update_yaxes(title_text=y_title, showgrid=True, gridcolor="#E0E0E0", tickformat=",")


def scaling_chart(history: pd.DataFrame, theme_names: dict[str, str], highlighted: str | None = None) -> go.Figure:
    """Each theme's Signs of Safety scale quarter on quarter (0 to 10), the partnership's overall
    scale drawn heavier; every line named at its end, so colour is never the only cue."""
    figure = go.Figure()
    partnership = "The partnership overall"
    for theme, frame in history.groupby(history["theme_id"].fillna(""), sort=False):
        name = theme_names.get(theme, partnership) if theme else partnership
        heavy = not theme or theme == highlighted
        figure.add_trace(go.Scatter(
            x=frame["period"], y=frame["score"], mode="lines+markers", name=name,
            line={"color": DARK_BLUE if not theme else (DARK_PINK if theme == highlighted else "#B0B7BF"),
                  "width": 4 if heavy else 1.5},
            hovertemplate=f"{html.escape(name)}<br>%{{x}}: %{{y}} out of 10<extra></extra>",
        ))
    _layout(figure, "Quarter", "Scale (0 to 10)")
    figure.update_yaxes(range=[-0.3, 10.3], dtick=1)
    figure.update_layout(height=360, margin={"l": 70, "r": 30, "t": TOP_MARGIN, "b": 40},
                         legend={"orientation": "v", "x": 1.02, "y": 1})
    return figure


def scaling_alt_text(history: pd.DataFrame, theme_names: dict[str, str]) -> str:
    """The scaling chart in words: the partnership's scale each quarter, and each theme's latest."""
    overall = history[history["theme_id"].isna()]
    said = ["The partnership overall: " + ", ".join(f"{row.period} {row.score}" for row in overall.itertuples())
            ] if not overall.empty else []
    latest = history[history["theme_id"].notna()].groupby("theme_id").tail(1)
    said += [f"{theme_names.get(row.theme_id, row.theme_id)} {row.score} in {row.period}" for row in latest.itertuples()]
    return "Signs of Safety scale, 0 (very worried) to 10 (confident children are safe), by quarter. " + "; ".join(said) + "."
