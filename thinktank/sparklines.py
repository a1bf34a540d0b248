"""The scorecard's sparkline: a series' last quarters as a small line drawn in SVG, broken
where a quarter has no figure.

Streamlit's own sparkline column (``LineChartColumn``, 1.67) cannot show a gap: a series with
a None or NaN in it shows the error "The value cannot be interpreted as a numeric array"
instead of a line, and leaving the gap out would join the line across it as if the quarter
had a figure. So the line is drawn here, as an image for an ``ImageColumn``: each run of
quarters with figures is one line, a figure between two gaps is a dot, and the latest figure
has a dot of its own so the eye finds where the series ends.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence

# The shape of a scorecard cell's image area (Streamlit scales the image to the row's height).
WIDTH, HEIGHT = 72, 56
# Room at the sides for the line's width and the dots, so that neither is cut off; more above
# and below, so that the line reads as a sparkline, not a chart.
MARGIN, VERTICAL_MARGIN = 3.0, 12.0
LINE_COLOUR = "#12436D"  # the Analysis Function's dark blue, as the SPC chart's line
DOT_RADIUS = 2.4


def _has_figure(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


def figure_runs(values: Sequence[float | None]) -> list[list[int]]:
    """The positions of each unbroken run of quarters with a figure."""
    runs: list[list[int]] = []
    for position, value in enumerate(values):
        if not _has_figure(value):
            continue
        if runs and runs[-1][-1] == position - 1:
            runs[-1].append(position)
        else:
            runs.append([position])
    return runs


def sparkline_svg(values: Sequence[float | None]) -> str | None:
    """The SVG of the line, oldest quarter on the left; None when no quarter has a figure."""
    runs = figure_runs(values)
    if not runs:
        return None
    present = [float(values[position]) for run in runs for position in run]
    low, high = min(present), max(present)
    step = (WIDTH - 2 * MARGIN) / max(len(values) - 1, 1)

    def point(position: int) -> tuple[float, float]:
        # A flat series is drawn across the middle rather than along an edge.
        share = 0.5 if high == low else (float(values[position]) - low) / (high - low)
        return MARGIN + position * step, HEIGHT - VERTICAL_MARGIN - share * (HEIGHT - 2 * VERTICAL_MARGIN)

    shapes = []
    for run in runs:
        if len(run) == 1:
            x, y = point(run[0])
            shapes.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{DOT_RADIUS}" fill="{LINE_COLOUR}"/>')
        else:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in map(point, run))
            shapes.append(f'<polyline points="{points}" fill="none" stroke="{LINE_COLOUR}" stroke-width="1.6" '
                          'stroke-linejoin="round" stroke-linecap="round"/>')
    last = runs[-1][-1]
    if len(runs[-1]) > 1:
        x, y = point(last)
        shapes.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{DOT_RADIUS}" fill="{LINE_COLOUR}"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}">{"".join(shapes)}</svg>')


def sparkline_image(values: Sequence[float | None] | None) -> str | None:
    """The sparkline as a data URL an image cell shows; None (an empty cell) when there is no
    figure to draw."""
    svg = sparkline_svg(values) if values is not None else None
    if svg is None:
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
