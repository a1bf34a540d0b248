"""The Help page: for each of the three roles, what to do each quarter, linked to the pages."""

import datetime as dt

import pytest
import streamlit as st
from conftest import dashboard_app
from navigation_support import app_pages

import thinktank.store
from thinktank.settings import (
    RETURN_DUE_DAYS,
)


@pytest.fixture
def help_page(monkeypatch, settings):
    app = dashboard_app(monkeypatch, settings).switch_page("views/help.py")
    app.run()
    yield app
    st.cache_resource.clear()


def test_the_help_page_is_in_the_navigation_at_help():
    assert app_pages()["help"] == "views/help.py"


def test_the_help_page_says_what_each_of_the_three_roles_does(help_page):
    assert not help_page.exception
    assert [header.value for header in help_page.header] == [
        "If you send your agency's figures",
        "If you are a Think Tank analyst",
        "If you sit on the Performance and Learning Group",
    ]
    steps = "\n".join(block.value for block in help_page.markdown)
    assert "Download the **template**" in steps
    assert "**To correct a return**" in steps
    assert "**Draft from the data**" in steps and "**Record the PLG's agreement**" in steps
    assert "**✓ Improving**" in steps  # the words as the pages show them


def test_every_page_the_help_links_to_is_in_the_app(help_page):
    pages = app_pages()
    linked = {link.proto.page for link in help_page.get("page_link")}
    assert linked <= set(pages)
    assert {pages[address] for address in linked} == {
        f"views/{name}.py" for name in ("upload", "rules", "submissions", "scorecard", "theme", "indicator", "agencies", "catalogue",
                                        "headlines", "board_pack")
    }


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2025, 4, 20, 9),
         "Returns for 2024-25 Q4 (1 January to 31 March 2025) are due by **12 May 2025**."),
        (dt.datetime(2025, 6, 30, 9),
         ("Returns for 2024-25 Q4 (1 January to 31 March 2025) were due by 12 May 2025; returns for "
          "2025-26 Q1 (1 April to 30 June 2025) are due by **11 August 2025**.")),
    ],
)
def test_the_deadline_is_given_as_a_date_for_the_quarters_to_send(help_page, monkeypatch, now, expected):
    assert RETURN_DUE_DAYS == 42  # the partnership's six weeks, as the dates above are worked out
    monkeypatch.setattr(thinktank.store, "utc_now", lambda: now)
    help_page.run()
    steps = "\n".join(block.value for block in help_page.markdown)
    assert f"Each agency's return is due **42 days after the quarter ends**. {expected}" in steps
