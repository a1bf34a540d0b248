"""In Chromium at 1,440 px (conftest's page): the Indicator page of the demo's re-based FD04 shows the
re-base's reason and its segments' lines by name, and no internal name. The screenshot is kept in
tests/artifacts/indicator-FD04.png for people to look at."""


import pytest
from conftest import ARTIFACTS, VIEWPORT, _serve
from playwright.sync_api import expect
from test_app_labels import internal_in

from thinktank.demo import REBASED

pytestmark = pytest.mark.browser

SEGMENT_LINES = ("Mean", "Upper process limit", "Lower process limit")
MAIN = '[data-testid="stMain"]'
# The page's text as a person reads it: an icon is drawn from its name ("arrow_back"), not read.
TEXT_READ = f"""() => {{
    document.querySelectorAll('{MAIN} [data-testid="stIconMaterial"]').forEach(icon => icon.remove());
    return document.querySelector('{MAIN}').innerText;
}}"""


@pytest.fixture(scope="module")
def served_demo(demo_copy, tmp_path_factory):
    """The dashboard served on a copy of the demo partnership."""
    with _serve(demo_copy, tmp_path_factory.mktemp("log")) as url:
        yield url


def test_the_rebased_indicator_reads_in_words(served_demo, page):
    indicator_id, reason = REBASED
    page.goto(f"{served_demo}/indicator?indicator={indicator_id}")
    expect(page.get_by_role("heading", name=f"{indicator_id} Re-referrals")).to_be_visible(timeout=60_000)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    expect(chart).to_be_visible(timeout=30_000)
    # The reason is written on the chart, above its line, and in the list of re-bases.
    expect(chart.get_by_text(reason.split(":")[0])).to_be_visible()
    expect(page.get_by_text(f"From 2025-26 Q1: {reason} (recorded by Demo analyst")).to_be_visible()
    for line in SEGMENT_LINES:
        expect(chart.locator(".legendtext", has_text=line).first).to_be_visible()
    page.wait_for_timeout(1500)
    # The names at the lines' right-hand ends (limits, mean, target, benchmarks) overlap none another.
    boxes = [chart.locator(".annotation-text").nth(index).bounding_box()
             for index in range(chart.locator(".annotation-text").count())]
    overlapping = [(one, other) for position, one in enumerate(boxes) for other in boxes[position + 1:]
                   if one["x"] < other["x"] + other["width"] and other["x"] < one["x"] + one["width"]
                   and one["y"] < other["y"] + other["height"] and other["y"] < one["y"] + one["height"]]
    assert len(boxes) >= 5 and overlapping == [], overlapping
    # Tall enough to keep the whole page in one picture, still 1,440 px wide.
    height = page.evaluate(f"() => document.querySelector('{MAIN}').scrollHeight")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
    page.wait_for_timeout(1500)
    page.screenshot(path=ARTIFACTS / f"indicator-{indicator_id}.png", full_page=True)
    # Its tables are drawn on a canvas, out of the text: test_app_labels reads them cell by cell.
    assert internal_in(page.evaluate(TEXT_READ)) == []
