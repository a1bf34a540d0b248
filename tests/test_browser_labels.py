"""In Chromium at 1,440 px (conftest's page): /scorecard opens the scorecard, and the Scorecard, Theme and
Submissions and Catalogue tables fit beside the navigation with nothing cut off to one side. Screenshots
are kept in tests/artifacts/ for people to look at."""

import re

import pytest
from conftest import ARTIFACTS
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TABLE_SCROLLERS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')]
    .filter(element => element.offsetParent !== null).map(element => [element.scrollWidth, element.clientWidth])"""


def test_the_scorecard_address_opens_the_scorecard_with_its_choices(served_scorecard_app, page):
    page.goto(f"{served_scorecard_app}/scorecard?period=2025-26+Q1")
    expect(page.get_by_role("heading", name="Balanced scorecard")).to_be_visible(timeout=60_000)
    expect(page.get_by_text(re.compile(r"with a figure for 2025-26 Q1\."))).to_be_visible(timeout=30_000)
    expect(page).to_have_url(re.compile(r"period=2025-26\+Q1"))
    page.wait_for_timeout(1500)
    expect(page.get_by_text("Page not found")).to_have_count(0)


@pytest.mark.parametrize(("name", "address", "heading"), [
    ("scorecard", "", "Balanced scorecard"),
    ("theme", "/theme?theme=harm_outside_home", "7. Harm Outside the Home"),
    ("submissions", "/submissions", "Submissions"),
    ("catalogue", "/catalogue", "Indicator catalogue"),
])
def test_the_tables_fit_at_1440_px(served_scorecard_app, page, name, address, heading):
    page.goto(f"{served_scorecard_app}{address}")
    expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=60_000)
    table = page.locator('[data-testid="stDataFrame"]').first
    expect(table).to_be_visible(timeout=30_000)
    table.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    table.screenshot(path=ARTIFACTS / f"labels-{name}-table-1440.png")
    page.screenshot(path=ARTIFACTS / f"{name}-1440.png", full_page=True)
    widths = page.evaluate(TABLE_SCROLLERS)
    assert widths and all(scroll <= visible for scroll, visible in widths), widths
    assert not re.search(r"Page not found", page.content())
