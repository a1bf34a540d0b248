"""The Board pack page in Chromium at 1,440 px: the preview shows the report, and the PDF, HTML
and Excel download from the page."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import ARTIFACTS, CATALOGUE, REFERENCE, _serve
from playwright.sync_api import expect
from scorecard_support import put, quarterly

from thinktank.headlines import record
from thinktank.periods import Quarter
from thinktank.settings import Settings
from thinktank.store import Store
from thinktank.users import LOCAL_ANALYST

START, LATEST = Quarter(2024, 1), Quarter(2025, 4)
WORRY = "Re-referrals rose to 26.0%: for children, needs that were not met the first time."


@pytest.fixture(scope="module")
def served_board_pack(tmp_path_factory):
    """The dashboard on a partnership with a worry written for its latest quarter."""
    database = tmp_path_factory.mktemp("served-board-pack") / "thinktank.duckdb"
    with Store.open(Settings(database, CATALOGUE, REFERENCE)) as opened:
        put(opened, quarterly("FD04", [20.1, 19.8, 20.3, 19.9, 20.2, 20.0, 25.4, 26.0], START))
        record.add_statement(opened.cursor(), LOCAL_ANALYST, LATEST, "front_door", "worried", WORRY,
                             dt.datetime(2026, 2, 20, 10, 0))
    with _serve(database, tmp_path_factory.mktemp("log")) as url:
        yield url


def test_the_pack_previews_and_downloads_from_the_page(served_board_pack, page):
    page.goto(f"{served_board_pack}/board-pack?period={LATEST.label.replace(' ', '+')}")
    expect(page.get_by_role("heading", name=f"Board pack: {LATEST.label}")).to_be_visible(timeout=60_000)
    preview = page.frame_locator("iframe").first
    expect(preview.get_by_role("heading", name=f"Think Tank quarterly headlines: {LATEST.label}")).to_be_visible(
        timeout=60_000)
    expect(preview.get_by_text(WORRY).first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "board-pack.png")
    for label, start in (("PDF", b"%PDF"), ("HTML", b"<!DOCTYPE html>"), ("Excel", b"PK")):
        with page.expect_download(timeout=30_000) as download:
            page.get_by_role("button", name=label, exact=True).click()
        assert download.value.suggested_filename.startswith("board-pack-2025-26-Q4.")
        assert download.value.path().read_bytes().startswith(start)
