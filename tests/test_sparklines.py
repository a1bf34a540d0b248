"""The scorecard's sparkline: gaps stay gaps, drawn as an image Streamlit's image column shows."""

from __future__ import annotations

import base64
import math
import xml.etree.ElementTree as ElementTree

from thinktank.sparklines import MARGIN, WIDTH, sparkline_image, sparkline_svg

SVG = "{http://www.w3.org/2000/svg}"


def drawn(values: list) -> tuple[list[list[float]], list[float]]:
    """The x positions of each line drawn, and of each dot."""
    root = ElementTree.fromstring(sparkline_svg(values))
    lines = [[float(point.split(",")[0]) for point in line.get("points").split()]
             for line in root.iter(f"{SVG}polyline")]
    dots = [float(dot.get("cx")) for dot in root.iter(f"{SVG}circle")]
    return lines, dots


def slot(position: int, count: int = 8) -> float:
    return round(MARGIN + position * (WIDTH - 2 * MARGIN) / (count - 1), 1)


def test_a_gap_breaks_the_line_and_is_never_joined_across():
    # HO05 as seen: 10, 9, 10, 9, a gap, 1, ...
    lines, dots = drawn([10, 9, 10, 9, None, 1, 2, 3])
    assert lines == [[slot(0), slot(1), slot(2), slot(3)], [slot(5), slot(6), slot(7)]]
    assert slot(4) not in [x for line in lines for x in line] + dots
    assert dots == [slot(7)]  # the latest figure


def test_nan_is_a_gap_like_none_and_a_figure_between_gaps_is_a_dot():
    lines, dots = drawn([math.nan, 4.0, math.nan, None, 5.0, 6.0, None, None])
    assert lines == [[slot(4), slot(5)]]
    assert dots == [slot(1), slot(5)]


def test_a_series_with_no_figure_is_an_empty_cell_not_an_error():
    # HO07 as seen: ",,,,,,,"
    assert sparkline_svg([None] * 8) is None
    assert sparkline_image([None] * 8) is None
    assert sparkline_image(None) is None


def test_a_flat_series_is_drawn_across_the_middle():
    root = ElementTree.fromstring(sparkline_svg([5, 5, 5]))
    heights = {point.split(",")[1] for point in next(root.iter(f"{SVG}polyline")).get("points").split()}
    assert heights == {f"{float(root.get('height')) / 2:.1f}"}


def test_the_image_is_an_svg_data_url():
    image = sparkline_image([1.0, None, 2.0, 3.0])
    prefix = "data:image/svg+xml;base64,"
    assert image.startswith(prefix)
    assert base64.b64decode(image.removeprefix(prefix)).decode() == sparkline_svg([1.0, None, 2.0, 3.0])
