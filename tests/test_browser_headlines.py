"""The quarterly cycle in Chromium at 1,440 px: an analyst drafts from the data, edits a
statement and a theme's scale and marks the quarter ready; the PLG member's view shows the edit
with nothing to change it."""

from __future__ import annotations

import pytest
from conftest import ARTIFACTS, CATALOGUE, REFERENCE, _serve, act_as
from playwright.sync_api import expect
from scorecard_support import put, quarterly

from thinktank.periods import Quarter
from thinktank.settings import Settings
from thinktank.store import Store

START, LATEST = Quarter(2024, 1), Quarter(2025, 4)
EDITED = "Re-referrals rose to 26.0%: for children, needs that were not met the first time."
# An address typed into a statement stays text: neither it nor a markdown image becomes a link.
ADDRESSES = " See www.example.com/audit and ![x](https://example.com/x.png)."


@pytest.fixture(scope="module")
def served_headlines(tmp_path_factory):
    """The dashboard on a partnership whose re-referrals have jumped above their process limit."""
    database = tmp_path_factory.mktemp("served-headlines") / "thinktank.duckdb"
    with Store.open(Settings(database, CATALOGUE, REFERENCE)) as opened:
        put(opened, quarterly("FD04", [20.1, 19.8, 20.3, 19.9, 20.2, 20.0, 25.4, 26.0], START)
            + quarterly("FD02", [92.0, 91.5, 92.5, 91.8, 92.2, 92.0, 91.9, 92.1], START))
    with _serve(database, tmp_path_factory.mktemp("log")) as url:
        yield url


def test_an_analyst_edits_and_marks_ready_and_the_plg_reads_the_edit(served_headlines, page):
    page.goto(f"{served_headlines}/headlines?period={LATEST.label.replace(' ', '+')}")
    expect(page.get_by_role("heading", name=f"Quarterly headlines: {LATEST.label}")).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="Draft from the data").click()
    drafted = page.get_by_text("Re-referrals within 12 months of a previous referral rose to 26.0%")
    expect(drafted).to_be_visible(timeout=30_000)

    # Edit the worry: its Edit pop-over is the first on the page (Early Help has no statement).
    page.get_by_role("button", name="Edit").first.click()
    editor = page.get_by_label("Statement").first
    expect(editor).to_be_visible()
    editor.fill(EDITED + ADDRESSES)
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.get_by_text(EDITED)).to_be_visible(timeout=30_000)

    # Scale Front Door at 3 (the slider starts at 5: two steps left).
    page.get_by_role("button", name="Scale this theme").nth(1).click()
    slider = page.get_by_role("slider").first
    expect(slider).to_be_visible()
    slider.focus()
    slider.press("ArrowLeft")
    slider.press("ArrowLeft")
    page.get_by_label("Why this number").first.fill("Re-referrals are above target and above the limit.")
    page.get_by_role("button", name="Save the scale").first.click()
    expect(page.get_by_text("Re-referrals are above target and above the limit.")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("3 out of 10")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "headlines-analyst.png")

    page.get_by_role("button", name="Mark ready for PLG").click()
    expect(page.get_by_text("Ready for PLG", exact=True)).to_be_visible(timeout=30_000)

    # The PLG member's view.
    act_as(page, "PLG member")
    # The analyst's page is gone once its Edit buttons are: until then Streamlit keeps its elements
    # beside the new ones, and the edited statement would be found twice.
    expect(page.get_by_role("button", name="Edit")).to_have_count(0, timeout=30_000)
    expect(page.get_by_role("button", name="Back to draft")).to_have_count(0)
    expect(page.get_by_text(EDITED)).to_be_visible(timeout=30_000)
    expect(page.get_by_text("3 out of 10")).to_be_visible()
    expect(page.locator("a[href*='example.com']")).to_have_count(0)
    expect(page.locator("img[src*='example.com']")).to_have_count(0)
    page.wait_for_timeout(1500)  # the page settles after the rerun before it is scrolled
    page.get_by_role("heading", name="2. Front Door & MASH").scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "headlines-plg.png")
