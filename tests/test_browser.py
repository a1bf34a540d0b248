"""Real-browser walks through the served app in headless Chromium; screenshots are kept in
tests/artifacts/ for people to look at."""

import contextlib
import csv
import re

import pytest
from conftest import ARTIFACTS
from playwright.sync_api import expect
from test_app import THEME_NAMES

pytestmark = pytest.mark.browser


def test_the_catalogue_shows_all_twelve_themes(served_app, page):
    page.goto(f"{served_app}/catalogue")
    for number, name in enumerate(THEME_NAMES, start=1):
        expect(page.get_by_text(f"{number}. {name}", exact=True)).to_be_visible(timeout=60_000)
    expect(page.get_by_text("91 indicators")).to_be_visible()
    page.wait_for_timeout(1000)  # let the grid finish painting before the picture
    page.screenshot(path=ARTIFACTS / "catalogue.png", full_page=True)


def test_acting_as_shows_without_scrolling_on_a_laptop_screen(served_app, browser):
    """Local mode's banner explains Acting as, below it: both fit a 1,440 by 900 screen."""
    with contextlib.closing(browser.new_context(viewport={"width": 1440, "height": 900})) as context:
        laptop = context.new_page()
        laptop.goto(f"{served_app}/catalogue")
        expect(laptop.get_by_text("91 indicators")).to_be_visible(timeout=60_000)
        picker = laptop.get_by_test_id("stSidebar").get_by_role("combobox", name=re.compile("Acting as"))
        expect(picker).to_be_visible()
        box = picker.bounding_box()
        assert box["y"] + box["height"] <= 900, box


def test_searching_finds_an_indicator_and_shows_its_benchmarks(served_app, page):
    page.goto(f"{served_app}/catalogue")
    search = page.get_by_role("textbox", name="Search")
    search.fill("re-referrals")
    search.press("Enter")
    expect(page.get_by_text("1 indicator", exact=True)).to_be_visible(timeout=30_000)
    heading = page.get_by_role("heading", name="FD04: Re-referrals within 12 months of a previous referral")
    expect(heading).to_be_visible()
    # The definition's own line: the catalogue grid's cell holds the same words once it is drawn.
    expect(page.get_by_text("Target: at most 20.0% (amber up to 23.0%)")).to_be_visible()
    heading.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    page.screenshot(path=ARTIFACTS / "catalogue-definition.png", full_page=False)


def choose(page, name: str, choice: str) -> None:
    box = page.get_by_role("combobox", name=name)
    box.click()
    page.get_by_role("option", name=choice).click()
    expect(box).to_have_value(re.compile(re.escape(choice)), timeout=10_000)


def test_an_agency_stores_a_template_then_resubmits_it_shortened_and_is_warned(served_app, page, tmp_path):
    """As an agency would, on an empty partnership: the template for a quarter, filled and
    checked, stored with the button; then the template again (now holding the figures in force,
    with a row for every locality), sent back without its locality rows: R307 names what it drops,
    and only a confirmation stores it. Then a broken file: refused, with a link to its code."""
    from returns_support import FIXTURES

    page.goto(f"{served_app}/upload")
    expect(page.get_by_text("1. Download the template")).to_be_visible(timeout=60_000)
    choose(page, "Agency", "Police")
    choose(page, "Quarter", "2025-26 Q3 (October to December 2025)")
    expect(page.get_by_text("The template lists the 7 indicators")).to_be_visible(timeout=10_000)
    page.wait_for_timeout(1500)  # the template is made when clicked: let the last rerun settle first
    with page.expect_download(timeout=60_000) as downloaded:
        page.get_by_role("button", name="Template (csv)").click()
    template = tmp_path / "template.csv"
    downloaded.value.save_as(template)
    lines = template.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    assert sum(",Locality," in line for line in lines) == 21  # every locality group of three indicators
    # Filled in as a person would: 100 for each locality and 700 for their total, the
    # percentages as a number out of 100 or from numerator and denominator.
    percentages = {"AS06": ["88", "92", ""], "DA05": ["", "", "97.5"]}
    filled_lines = [",".join(header[:8])]
    for cells in csv.reader(lines[1:]):
        cells = cells[:8]
        cells[4:7] = percentages.get(cells[0]) or ["", "", "700" if cells[3] == "All" else "100"]
        filled_lines.append(",".join(cells))
    filled = tmp_path / "police-return.csv"
    filled.write_text("\n".join(filled_lines) + "\n", encoding="utf-8")
    page.locator("input[type='file']").set_input_files(str(filled))
    store_button = page.get_by_role("button", name=re.compile(r"^(Store this return|I have read the warnings)"))
    expect(store_button).to_be_visible(timeout=30_000)
    page.screenshot(path=ARTIFACTS / "upload-checked.png", full_page=True)
    store_button.click()
    expect(page.get_by_text("Stored 2025-26 Q3 as version 1.")).to_be_visible(timeout=30_000)
    page.screenshot(path=ARTIFACTS / "upload-stored.png", full_page=True)

    page.goto(f"{served_app}/upload")
    expect(page.get_by_text("1. Download the template")).to_be_visible(timeout=60_000)
    choose(page, "Agency", "Police")
    choose(page, "Quarter", "2025-26 Q3 (October to December 2025)")
    expect(page.get_by_text("has a return in force for 2025-26 Q3")).to_be_visible(timeout=10_000)
    shortened = tmp_path / "police-shortened.csv"
    shortened.write_text("\n".join(line for line in filled_lines if ",Locality," not in line) + "\n",
                         encoding="utf-8")
    page.locator("input[type='file']").set_input_files(str(shortened))
    expect(page.get_by_text(re.compile(r"warnings? to check"))).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stAlertContentWarning").get_by_text(
        re.compile(r"drops 21 rows now in force: .*Locality"))).to_be_visible()
    confirm = page.get_by_role("button", name=re.compile(r"^I have read the warnings"))
    expect(confirm).to_be_visible()
    expect(page.get_by_text(re.compile(r"Stored .* version 2"))).to_have_count(0)
    page.wait_for_timeout(1000)
    page.screenshot(path=ARTIFACTS / "upload-resubmitted-shortened.png", full_page=True)
    confirm.click()
    expect(page.get_by_text("Stored 2025-26 Q3 as version 2.")).to_be_visible(timeout=30_000)

    page.goto(f"{served_app}/upload")
    expect(page.get_by_text("1. Download the template")).to_be_visible(timeout=60_000)
    page.locator("input[type='file']").set_input_files(str(FIXTURES / "bad" / "duplicate-rows.csv"))
    expect(page.get_by_text(re.compile(r"Refused: \d+ errors? to fix\. Nothing was stored\."))).to_be_visible(
        timeout=30_000)
    expect(page.get_by_text("Problems found")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^What each code means"))).to_be_visible()
    page.wait_for_timeout(1000)
    page.screenshot(path=ARTIFACTS / "upload-refused.png", full_page=True)


def test_from_the_scorecard_into_a_theme_and_an_indicator_with_its_spc_chart(served_scorecard_app, page):
    page.goto(served_scorecard_app)
    expect(page.get_by_role("heading", name="Balanced scorecard")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("4. Child Protection", exact=True)).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=ARTIFACTS / "scorecard.png", full_page=True)

    page.get_by_role("link", name="Open Front Door & MASH").click()
    expect(page.get_by_role("heading", name="2. Front Door & MASH")).to_be_visible(timeout=30_000)
    expect(page).to_have_url(re.compile(r"/theme\?theme=front_door&period=2025-26\+Q2"))
    expect(page.get_by_text("What are we worried about?")).to_be_visible()
    page.wait_for_timeout(1000)
    page.screenshot(path=ARTIFACTS / "scorecard-theme.png", full_page=True)

    page.get_by_role("link", name=re.compile(r"^FD04 Re-referrals")).click()
    expect(page.get_by_role("heading", name=re.compile(r"^FD04 Re-referrals"))).to_be_visible(timeout=30_000)
    chart = page.locator(".js-plotly-plot").first
    expect(chart).to_be_visible(timeout=30_000)
    expect(chart.get_by_text(re.compile(r"^Upper process limit \d"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"SPC for 2025-26 Q2: ⚠ Concern"))).to_be_visible()
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    page.screenshot(path=ARTIFACTS / "scorecard-indicator-spc.png", full_page=True)
