"""The Board pack page through Streamlit's AppTest: the quarter's state, the three downloads
and the preview, for an analyst and for a PLG member."""

from __future__ import annotations

import pytest
import streamlit as st
from conftest import dashboard_app
from scorecard_support import put, quarterly
from streamlit.testing.v1 import AppTest

from thinktank.periods import Quarter
from thinktank.settings import REPO_ROOT
from thinktank.store import Store
from views.common import IDENTITY_KEY

START, LATEST = Quarter(2024, 1), Quarter(2025, 4)


@pytest.fixture
def app(monkeypatch, settings):
    with Store.open(settings) as opened:
        put(opened, quarterly("FD04", [20.1, 19.8, 20.3, 19.9, 20.2, 20.0, 25.4, 26.0], START))
    dashboard_app(monkeypatch, settings)
    # The page on its own: AppTest finds a page of the router by its file's name, and this
    # one's address (board-pack) is not its file's name (board_pack).
    app_test = AppTest.from_file(str(REPO_ROOT / "views" / "board_pack.py"), default_timeout=90)
    app_test.query_params["period"] = LATEST.label
    yield app_test
    st.cache_resource.clear()


def download_labels(app_test) -> list[str]:
    return [element.proto.label for element in app_test.get("download_button")]


@pytest.mark.parametrize("identity", ["local-analyst", "local-plg-member"])
def test_the_page_shows_the_state_the_downloads_and_the_preview(app, identity):
    app.session_state[IDENTITY_KEY] = identity
    app.run()
    assert not app.exception
    assert app.title[0].value == "Board pack: 2025-26 Q4"
    assert any(element.value == "**Draft**, version 1" for element in app.markdown)
    assert any("every page says DRAFT" in caption.value for caption in app.caption)
    assert download_labels(app) == ["PDF", "HTML", "Excel"]
    (preview,) = list(app.get("iframe"))
    assert "Think Tank quarterly headlines: 2025-26 Q4" in preview.proto.srcdoc
