"""In Chromium: a markdown image and a link in commentary, evidence or a link parameter are shown as
the characters typed, and the browser never asks for the image (a small HTTP server of the
test's own counts every request it gets)."""

import datetime as dt
import http.server
import threading
from typing import ClassVar

import pytest
from conftest import ARTIFACTS, CATALOGUE, REFERENCE, VIEWPORT, _serve
from scorecard_fixture import build_fixture

from thinktank import indicator_commentary, narrative
from thinktank.periods import Quarter
from thinktank.settings import Settings
from thinktank.store import Store
from thinktank.users import LOCAL_ANALYST

pytestmark = pytest.mark.browser

QUARTER = Quarter(2025, 2)
NOW = dt.datetime(2026, 11, 23, 10)


class _Counting(http.server.BaseHTTPRequestHandler):
    # Every path asked for, by any browser, while a test runs.
    asked: ClassVar[list[str]] = []

    def do_GET(self):
        type(self).asked.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def pixel_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def served(tmp_path_factory, pixel_server):
    database = tmp_path_factory.mktemp("served-safe-text") / "thinktank.duckdb"
    image = f"![x]({pixel_server}/pixel.png) [a link]({pixel_server}/link)"
    with Store.open(Settings(database, CATALOGUE, REFERENCE)) as opened:
        build_fixture(opened)
        narrative.add_evidence(opened.cursor(), LOCAL_ANALYST, "child_protection", QUARTER, "audit", "worried",
                               f"Audit {image}", f"Found {image}", None, NOW)
        indicator_commentary.save(opened.cursor(), LOCAL_ANALYST, "CP02", QUARTER, "tells_us", f"Reads {image}", NOW)
    with _serve(database, tmp_path_factory.mktemp("log")) as url:
        yield url


@pytest.mark.parametrize(("address", "shot"), [
    ("theme?theme=child_protection&period=2025-26+Q2", "evidence"),
    ("indicator?indicator=CP02&period=2025-26+Q2", "commentary"),
    ("indicator?indicator=![x]({pixel}/pixel.png)", "link-parameter"),
])
def test_a_markdown_image_is_text_and_never_fetched(served, pixel_server, browser, address, shot):
    _Counting.asked.clear()
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(f"{served}/{address.format(pixel=pixel_server)}")
    # The characters typed, shown (markdown_text keeps an address from linking with an invisible joiner).
    page.get_by_text(f"{pixel_server.removeprefix('http://')}/pixel.png)").first.wait_for(timeout=30_000)
    assert "![x](" in page.locator('[data-testid="stMain"]').inner_text()
    page.wait_for_timeout(1500)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"safe-text-{shot}.png"), full_page=True)
    assert page.locator(f'[data-testid="stMain"] img[src^="{pixel_server}"]').count() == 0
    assert page.locator(f'[data-testid="stMain"] a[href^="{pixel_server}"]').count() == 0
    context.close()
    assert _Counting.asked == []
