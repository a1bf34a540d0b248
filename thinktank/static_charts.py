"""The SPC chart as a static SVG, for print (the board pack), drawn as the interactive chart
(`charts.spc_chart`) draws it: the figures as a line broken at a quarter without one, each
segment's mean and process limits (none for a segment of too few figures), a dotted line where
the series is re-based, and each signal with a colour and a shape of its own, so that colour is
never the only cue. A count is read from zero. The chart's words in full are
`charts.spc_alt_text`, given as the SVG's description.

Everything written into the SVG is escaped: an indicator's name is catalogue text.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

import pandas as pd

from thinktank.charts import DARK_BLUE, DARK_GREY, SIGNAL_STYLES, segments, spc_alt_text
from thinktank.formatting import UNIT_LABELS, format_value
from thinktank.sparklines import figure_runs

LEFT, RIGHT, TOP, BOTTOM = 64, 156, 14, 52  # room for the axis, the lines' names and the quarters
FONT = "font-family='DejaVu Sans, Arial, sans-serif'"
GRID = "#E0E0E0"


def spc_chart_svg(points: pd.DataFrame, *, name: str, unit: str, width: int = 640, height: int = 240) -> str:
    """``points`` as `scorecard.series` gives them for one indicator's whole area, oldest first."""
    series = points.reset_index(drop=True)
    plot_width, plot_height = width - LEFT - RIGHT, height - TOP - BOTTOM
    levels = [*series["value"].dropna()]
    drawn_segments = [segment for segment in segments(series) if not math.isnan(segment["spc_mean"].iloc[0])]
    for segment in drawn_segments:
        levels += [float(segment[column].iloc[0]) for column in ("spc_lower", "spc_upper")]
    if unit == "count":
        levels.append(0.0)
    low, high = _axis_range(levels)
    step = plot_width / max(len(series) - 1, 1)

    def x(position: int) -> float:
        return LEFT + position * step

    def y(level: float) -> float:
        return TOP + plot_height * (1 - (level - low) / (high - low))

    parts = [_open(width, height, name, spc_alt_text(name, series, unit))]
    for tick in _ticks(low, high):
        parts.append(f"<line x1='{LEFT}' x2='{LEFT + plot_width}' y1='{y(tick):.1f}' y2='{y(tick):.1f}' "
                     f"stroke='{GRID}' stroke-width='1'/>")
        parts.append(f"<text x='{LEFT - 6}' y='{y(tick) + 4:.1f}' text-anchor='end' font-size='10' {FONT} "
                     f"fill='{DARK_GREY}'>{escape(format_value(tick, unit))}</text>")
    parts.append(f"<text x='12' y='{TOP + plot_height / 2:.1f}' font-size='10' {FONT} fill='{DARK_GREY}' "
                 f"text-anchor='middle' transform='rotate(-90 12 {TOP + plot_height / 2:.1f})'>"
                 f"{escape(UNIT_LABELS[unit])}</text>")
    every = max(1, math.ceil(len(series) / 8))
    for position, period in enumerate(series["period"]):
        last = len(series) - 1
        # Every few quarters, and the latest, unless that would crowd the one before it.
        if (position % every == 0 and last - position >= every) or position == last:
            parts.append(f"<text x='{x(position):.1f}' y='{TOP + plot_height + 16}' text-anchor='middle' "
                         f"font-size='9.5' {FONT} fill='{DARK_GREY}'>{escape(period)}</text>")
    for segment in segments(series)[1:]:
        boundary = x(int(segment.index[0])) - step / 2
        parts.append(f"<line x1='{boundary:.1f}' x2='{boundary:.1f}' y1='{TOP}' y2='{TOP + plot_height}' "
                     f"stroke='{DARK_GREY}' stroke-width='1.2' stroke-dasharray='2 3'/>")
        parts.append(f"<text x='{boundary + 3:.1f}' y='{TOP + 10}' font-size='9' {FONT} fill='{DARK_GREY}'>"
                     f"Re-based from {escape(segment['period'].iloc[0])}</text>")
    for number, segment in enumerate(drawn_segments):
        start, end = x(int(segment.index[0])), x(int(segment.index[-1]))
        for column, label, dashed in (("spc_upper", "Upper process limit", True), ("spc_mean", "Mean", False),
                                      ("spc_lower", "Lower process limit", True)):
            level = y(float(segment[column].iloc[0]))
            dash = " stroke-dasharray='5 4'" if dashed else ""
            parts.append(f"<line x1='{start:.1f}' x2='{end:.1f}' y1='{level:.1f}' y2='{level:.1f}' "
                         f"stroke='{DARK_GREY}' stroke-width='1.2'{dash}/>")
            if number == len(drawn_segments) - 1:
                parts.append(f"<text x='{LEFT + plot_width + 12}' y='{level + 3.5:.1f}' font-size='9.5' {FONT} "
                             f"fill='{DARK_GREY}'>{escape(label)} "
                             f"{escape(format_value(float(segment[column].iloc[0]), unit))}</text>")
    for run in figure_runs(series["value"].tolist()):
        if len(run) > 1:
            path = " ".join(f"{x(position):.1f},{y(float(series['value'].iloc[position])):.1f}" for position in run)
            parts.append(f"<polyline points='{path}' fill='none' stroke='{DARK_BLUE}' stroke-width='2'/>")
    for position, point in series.iterrows():
        if pd.isna(point["value"]):
            continue
        cx, cy = x(int(position)), y(float(point["value"]))
        parts.append(_marker(point["spc_signal"], cx, cy))
    parts.append(_legend(series, LEFT, height - 14))
    parts.append("</svg>")
    return "".join(parts)


def _open(width: int, height: int, name: str, description: str) -> str:
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
            f"viewBox='0 0 {width} {height}' role='img' aria-labelledby='title desc'>"
            f"<title id='title'>{escape(name)}</title><desc id='desc'>{escape(description)}</desc>")


def _marker(signal: str | None, cx: float, cy: float) -> str:
    """A plain dot, or the signal's own shape: a cross for a concern, a star for an improvement,
    a diamond for neither (as on the interactive chart)."""
    if signal not in SIGNAL_STYLES:
        return f"<circle cx='{cx:.1f}' cy='{cy:.1f}' r='3' fill='{DARK_BLUE}'/>"
    _, colour, symbol = SIGNAL_STYLES[signal]
    return _shape(symbol, colour, cx, cy)


def _shape(symbol: str, colour: str, cx: float, cy: float, size: float = 6.0) -> str:
    outline = f"stroke='{DARK_GREY}' stroke-width='1'"
    if symbol == "x":
        arm = size * 0.8
        return (f"<path d='M{cx - arm:.1f},{cy - arm:.1f} L{cx + arm:.1f},{cy + arm:.1f} "
                f"M{cx - arm:.1f},{cy + arm:.1f} L{cx + arm:.1f},{cy - arm:.1f}' stroke='{colour}' "
                f"stroke-width='3.2' stroke-linecap='round'/>")
    if symbol == "star":
        corners = []
        for corner in range(10):
            radius = size if corner % 2 == 0 else size * 0.45
            angle = math.pi / 2 + corner * math.pi / 5
            corners.append(f"{cx + radius * math.cos(angle):.1f},{cy - radius * math.sin(angle):.1f}")
        return f"<polygon points='{' '.join(corners)}' fill='{colour}' {outline}/>"
    return (f"<polygon points='{cx:.1f},{cy - size:.1f} {cx + size:.1f},{cy:.1f} {cx:.1f},{cy + size:.1f} "
            f"{cx - size:.1f},{cy:.1f}' fill='{colour}' {outline}/>")


def _legend(series: pd.DataFrame, left: float, baseline: float) -> str:
    """The signals the chart shows, each with its shape and name."""
    parts, at = [], left
    for signal, (label, colour, symbol) in SIGNAL_STYLES.items():
        if not (series["spc_signal"] == signal).any():
            continue
        parts.append(_shape(symbol, colour, at + 6, baseline - 4, size=5))
        parts.append(f"<text x='{at + 16}' y='{baseline}' font-size='10' {FONT} fill='{DARK_GREY}'>"
                     f"{escape(label)}</text>")
        at += 24 + 6.5 * len(label)
    return "".join(parts)


def _axis_range(levels: list[float]) -> tuple[float, float]:
    if not levels:
        return 0.0, 1.0
    low, high = min(levels), max(levels)
    if high == low:
        return low - 1, high + 1
    margin = (high - low) * 0.08
    return (0.0 if low == 0 else low - margin), high + margin


def _ticks(low: float, high: float) -> list[float]:
    """Four or five round levels between the axis' ends."""
    raw = (high - low) / 4
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(multiple * magnitude for multiple in (1, 2, 2.5, 5, 10) if multiple * magnitude >= raw)
    first = math.ceil(low / step) * step
    return [first + index * step for index in range(int((high - first) / step) + 1)]
