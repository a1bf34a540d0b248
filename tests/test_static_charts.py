"""The SPC chart for print: a static SVG that WeasyPrint renders, with gaps for quarters
without a figure, limits only where the engine gives them, a shape per signal and its text."""

from __future__ import annotations

import math
import subprocess
import xml.etree.ElementTree as ElementTree

import pandas as pd
import weasyprint
from conftest import ARTIFACTS

from thinktank.periods import Quarter
from thinktank.static_charts import spc_chart_svg

SVG = "{http://www.w3.org/2000/svg}"


def points(values, signals=None, mean=20.0, lower=15.0, upper=25.0, segments=None) -> pd.DataFrame:
    quarter, rows = Quarter(2024, 1), []
    for position, value in enumerate(values):
        has = isinstance(value, (int, float))
        rows.append({
            "indicator_id": "FD04", "period": quarter.label, "period_index": quarter.index,
            "value": float(value) if has else math.nan, "status": None if has else value,
            "segment": (segments or [0] * len(values))[position], "rebase_reason": None,
            "spc_mean": mean, "spc_lower": lower, "spc_upper": upper,
            "spc_signal": (signals or {}).get(position, "common cause") if has else None, "spc_rules": "",
        })
        quarter = quarter.next()
    return pd.DataFrame(rows)


def parsed(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def test_a_quarter_without_a_figure_breaks_the_line_and_is_never_drawn_as_zero():
    chart = parsed(spc_chart_svg(points([20, 21, "c", 19, 22, 20]), name="Re-referrals", unit="percent"))
    lines = chart.findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [2, 3]
    assert len(chart.findall(f"{SVG}circle")) == 5
    description = chart.find(f"{SVG}desc").text
    assert "No figure for 2024-25 Q3 (c: suppressed" in description


def test_limits_are_drawn_only_where_the_engine_gives_them():
    with_limits = spc_chart_svg(points([20, 21, 19, 22, 20, 21]), name="X", unit="percent")
    assert "Upper process limit 25.0%" in with_limits and "Mean 20.0%" in with_limits
    too_few = spc_chart_svg(points([20, 21, 19], mean=math.nan, lower=math.nan, upper=math.nan),
                            name="X", unit="percent")
    assert "process limit" not in too_few.split("</desc>")[1]


def test_each_signal_has_its_own_shape_and_name():
    chart = spc_chart_svg(points([20, 21, 19, 22, 20, 27, 14], signals={5: "concern", 6: "improvement"}),
                          name="X", unit="percent")
    body = chart.split("</desc>")[1]
    assert "stroke-linecap='round'" in body  # the concern's cross
    assert body.count("<polygon") == 2  # the improvement's star, on the chart and in the legend
    assert "Concern" in body and "Improvement" in body


def test_catalogue_text_is_escaped_and_the_description_is_the_charts_words():
    chart = parsed(spc_chart_svg(points([20, 21, 19, 22, 20, 21]), name="<script>alert(1)</script>",
                                 unit="percent"))
    assert chart.find(f"{SVG}title").text == "<script>alert(1)</script>"
    assert chart.get("role") == "img"
    assert chart.find(f"{SVG}desc").text.startswith("Line chart of <script>alert(1)</script>, 2024-25 Q1 to 2025-26 Q2")


def test_a_count_is_read_from_zero_and_a_rebase_is_marked():
    chart = spc_chart_svg(points([120, 130, 125, 160, 170, 165], segments=[0, 0, 0, 1, 1, 1]), name="X", unit="count")
    assert ">0</text>" in chart
    assert "Re-based from 2024-25 Q4" in chart


def test_weasyprint_renders_it(tmp_path):
    svg = spc_chart_svg(points([20, 21, "c", 19, 22, 20, 24, 27], signals={7: "concern"}),
                        name="Re-referrals within 12 months", unit="percent")
    pdf = tmp_path / "chart.pdf"
    weasyprint.HTML(string=f"<html><body>{svg}</body></html>").write_pdf(pdf)
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(ARTIFACTS / "static-spc-chart")],
                   check=True)
    assert (ARTIFACTS / "static-spc-chart.png").stat().st_size > 5_000
