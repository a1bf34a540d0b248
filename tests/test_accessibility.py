"""Every page of app.py passes axe-core, the accessibility checker, with no serious or critical
violation at 1,440 px in Chromium, and every chart keeps its text alternative."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import ARTIFACTS, act_as
from navigation_support import DEFAULT_ADDRESS, app_pages

pytestmark = pytest.mark.browser

WIDTH = 1440
SERIOUS = {"serious", "critical"}

# Violations inside Streamlit's own widgets, which no code of ours reaches. Each is allowed only
# inside the element named, so the same rule broken anywhere else still fails.
KNOWN_IN_STREAMLIT = {
    ("list", '[data-testid="stSidebarNavItems"]'):
        "Streamlit's sectioned sidebar navigation puts each section (a div) straight inside its <ul>",
    ("listitem", '[data-testid="stSidebarNavItems"]'):
        "...and so each page's <li> sits in that div rather than in the <ul>",
}

# Where a page shows more with a choice made, it is checked in that state: the indicator with
# breakdown groups in the fixture draws both its SPC chart and a breakdown chart.
QUERIES = {"views/indicator.py": "?indicator=CP02"}
CHARTS_AT_LEAST = {"views/indicator.py": 2}
# Pages in the navigation of an admin only: opened from the default page after choosing Admin
# under Acting as (local mode), since a fresh visit acts as an analyst.
ADMIN_PAGES = {"views/users.py": "Users"}


def visits() -> dict[str, str]:
    """One address per page script: the root for the default page, its url_path for the others."""
    pages = app_pages()
    default = pages[DEFAULT_ADDRESS]
    return {script: address for address, script in pages.items()
            if address == DEFAULT_ADDRESS or script != default}


def wait_until_finished(page) -> None:
    """The script has run (Streamlit marks the app "notRunning"), the page has its title, and
    every chart has been drawn."""
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"] [data-testid="stMain"] h1', timeout=60_000
    )
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
        ".every(chart => chart.querySelector('.main-svg'))",
        timeout=30_000,
    )
    page.wait_for_timeout(500)  # let the last elements settle before axe reads colours


def inside(page, node: dict, container: str) -> bool:
    return page.evaluate(
        "([selector, container]) => Boolean(document.querySelector(selector)?.closest(container))",
        [node["target"][-1], container],
    )


def serious_violations(page, name: str) -> list[str]:
    """Axe's serious and critical violations on the page as it is, less the known ones in
    Streamlit's widgets (each of which must still be there, so that the list stays true)."""
    violations = Axe().run(page).response["violations"]
    found, known_seen = [], set()
    for violation in violations:
        if violation["impact"] not in SERIOUS:
            continue
        for node in violation["nodes"]:
            known = [key for key in KNOWN_IN_STREAMLIT
                     if key[0] == violation["id"] and inside(page, node, key[1])]
            if known:
                known_seen.update(known)
            else:
                found.append(f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
                             f"    at {node['html'][:160]}\n    {node['failureSummary']}")
    if found:
        page.screenshot(path=ARTIFACTS / f"accessibility-{name}.png", full_page=True)
    assert known_seen == set(KNOWN_IN_STREAMLIT), (
        "A known Streamlit violation is gone: take it out of KNOWN_IN_STREAMLIT"
    )
    return found


def open_page(page, base_url: str, script: str, address: str) -> None:
    page.set_viewport_size({"width": WIDTH, "height": 1000})
    if script in ADMIN_PAGES:
        page.goto(base_url)
        wait_until_finished(page)
        act_as(page, "Admin")
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=ADMIN_PAGES[script]).click()
        page.wait_for_url(f"**/{address}", timeout=30_000)
    else:
        page.goto(f"{base_url}/{address}{QUERIES.get(script, '')}")
    wait_until_finished(page)


@pytest.mark.parametrize(("script", "address"), visits().items(), ids=visits().keys())
def test_the_page_has_no_serious_accessibility_problem(served_scorecard_app, page, script, address):
    open_page(page, served_scorecard_app, script, address)
    found = serious_violations(page, script.split("/")[-1].removesuffix(".py"))
    assert found == [], "\n".join(found)

    charts = page.locator('[data-testid="stPlotlyChart"]')
    assert charts.count() >= CHARTS_AT_LEAST.get(script, 0)
    for index in range(charts.count()):
        chart = charts.nth(index)
        assert chart.get_attribute("role") == "figure"
        assert (chart.get_attribute("aria-label") or "").strip(), f"chart {index + 1} has no text alternative"


def test_the_scorecard_in_a_dark_theme_has_no_serious_accessibility_problem(served_scorecard_app, page):
    """Streamlit follows the computer's dark setting, and the Scorecard's own tiles and list
    switch their colours with it."""
    page.emulate_media(color_scheme="dark")
    script = app_pages()[DEFAULT_ADDRESS]
    open_page(page, served_scorecard_app, script, DEFAULT_ADDRESS)
    background = page.evaluate("() => getComputedStyle(document.querySelector('[data-testid=\"stApp\"]')).backgroundColor")
    assert background != "rgb(255, 255, 255)", "the page did not open in the dark theme"
    found = serious_violations(page, "scorecard-dark")
    assert found == [], "\n".join(found)
