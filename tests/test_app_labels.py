"""No internal value reaches a person: every page a person reads the figures on, rendered
through AppTest on the scorecard's fixture store, shows names and words, never ``None``,
column names, unit or polarity codes, or ids where a name exists."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import streamlit as st
from conftest import CATALOGUE, REFERENCE
from returns_support import csv_return, send
from test_app_scorecard import _app

from thinktank import spc_baselines
from thinktank.catalogue import load_catalogue
from thinktank.periods import Quarter
from thinktank.settings import REPO_ROOT, Settings
from thinktank.store import Store
from thinktank.users import LOCAL_ANALYST, demo_agency_user

# The agencies' ids that are not words: "police" or "prison" in a sentence is English.
AGENCY_CODES = {agency.id for agency in load_catalogue(REPO_ROOT / "indicators").agencies
                if agency.id.upper() in agency.short_name}
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
NOTHING = re.compile(r"\b(None|nan|NaN|NaT|null|<NA>)\b")
USER_IDS = re.compile(r"\b(local-analyst|demo-[a-z_]+)\b")
USERS_OWN_TEXT = {"File"}
TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error",
                 "text", "code", "expander")


class _Text(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self._skip += tag == "style"

    def handle_endtag(self, tag):
        self._skip -= tag == "style"

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def shown_tables(app_test) -> list[dict[str, list[str]]]:
    """Each table as drawn: for each column shown, its header (its configured label, else its
    name) and every cell's text (images left out)."""
    tables = []
    for table in app_test.dataframe:
        frame = table.value
        config = json.loads(table.proto.columns or "{}")
        order = list(table.proto.column_order) or list(frame.columns)
        columns = {}
        if not config.get("_index", {}).get("hidden"):
            columns[str(frame.index.name or "")] = [str(value) for value in frame.index]
        for column in order:
            header = config.get(str(column), {}).get("label") or str(column)
            columns[header] = [str(value) for value in frame[column]
                               if not (isinstance(value, str) and value.startswith("data:image/"))]
        tables.append(columns)
    return tables


def everything_read(app_test) -> tuple[list[str], list[str]]:
    """All text the page shows, and all its tables' headers."""
    texts: list[str] = []
    for kind in TEXT_ELEMENTS:
        for element in app_test.get(kind):
            texts.append(str(element.proto.label) if kind == "expander" else str(element.value))
    for metric in app_test.get("metric"):
        texts += [metric.label, metric.value]
    for choice in app_test.selectbox:
        texts += [choice.label, *choice.options]
    for element in app_test.get("html"):
        texts += _Text(element.proto.body).parts
    for kind in ("button", "download_button", "page_link"):
        texts += [element.proto.label for element in app_test.get(kind)]
    headers: list[str] = []
    for table in shown_tables(app_test):
        for header, cells in table.items():
            headers.append(header)
            # A file's name is the sender's own text, shown as they named it.
            texts += [header] + (cells if header not in USERS_OWN_TEXT else [])
    return texts, headers


def internal_in(text: str) -> list[str]:
    found = SNAKE_CASE.findall(text) + NOTHING.findall(text) + USER_IDS.findall(text)
    return found + [word for word in re.findall(r"\b[a-z]+\b", text) if word in AGENCY_CODES]


def internal_values(app_test) -> list[str]:
    texts, headers = everything_read(app_test)
    found = [value for text in texts for value in internal_in(text)]
    # A header a person reads starts with a capital or a figure: a lower-case one is a column name.
    found += [f"header {header!r}" for header in headers if not re.match(r"[A-Z0-9£%]", header)]
    return found


@pytest.fixture(scope="module")
def labelled_database(tmp_path_factory, scorecard_database) -> Path:
    """The store every page here is read on: the scorecard's fixture store with returns from
    named people and a re-base, built once for the module; each test reads a copy (`app`)."""
    path = tmp_path_factory.mktemp("labels") / "thinktank.duckdb"
    shutil.copy(scorecard_database, path)
    with Store.open(Settings(path, CATALOGUE, REFERENCE)) as opened:
        # Returns sent by people with names: the analyst, and the demo's police uploader.
        for actor, day in ((LOCAL_ANALYST, 23), (demo_agency_user("police"), 24)):
            result = send(opened, csv_return(f"HO01,2025-26 Q2,All,All,,,{392 + day},"), agency="police",
                          period=Quarter(2025, 2), confirm=True, actor=actor,
                          now=dt.datetime(2026, 11, day, 9))
            assert result.outcome == "stored", result.report.issue_table()
        # A re-base, for the Indicator page's segments and its Re-bases list.
        spc_baselines.add_rebase(opened.cursor(), LOCAL_ANALYST, "FD04", Quarter(2024, 3), "MASH restructure",
                                 dt.datetime(2026, 11, 25, 9))
    return path


@pytest.fixture
def app(monkeypatch, settings, labelled_database):
    shutil.copy(labelled_database, settings.database_path)
    yield _app(monkeypatch, settings)
    st.cache_resource.clear()


PAGES = {
    "scorecard": ("app.py", {}),
    "theme with breakdown groups": ("views/theme.py", {"theme": "child_protection"}),
    "theme with statuses": ("views/theme.py", {"theme": "harm_outside_home"}),
    "agencies": ("views/agencies.py", {"agency": "police"}),
    "agencies (a trust)": ("views/agencies.py", {"agency": "hdft"}),
    "submissions": ("views/submissions.py", {}),
    "catalogue": ("views/catalogue.py", {}),
    "indicator re-based, a percentage": ("views/indicator.py", {"indicator": "FD04"}),
    "indicator with breakdown groups": ("views/indicator.py", {"indicator": "CP02"}),
    "indicator with no figure": ("views/indicator.py", {"indicator": "HO01"}),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_no_internal_value_reaches_a_person(app, page):
    script, parameters = PAGES[page]
    for name, value in parameters.items():
        app.query_params[name] = value
    (app.run() if script == "app.py" else app.switch_page(script).run())
    assert not app.exception
    assert internal_values(app) == []


def test_the_check_finds_what_it_is_for(app):
    """The same pages before the fix showed each of these; the check must catch every kind."""
    app.switch_page("views/submissions.py").run()
    texts, _ = everything_read(app)
    assert any("Local analyst" in text for text in texts)
    assert any("Demo uploader for Police" in text for text in texts)
    for shown in ["rate_per_10k", "Sent by local-analyst", "demo-hdft", "spc_rules", "a None here", "nan",
                  "owned by hdft", "childrens_social_care"]:
        assert internal_in(shown), shown
    assert internal_in("Police notifications of children in domestic abuse incidents") == []


def test_the_trend_column_is_an_image_with_gaps_or_an_empty_cell(app):
    app.run()
    table = app.dataframe[0]
    rows = {row["ID"]: row for row in json.loads(table.value.to_json(orient="records"))}
    assert rows["HO01"]["Last 8 quarters"].startswith("data:image/svg+xml;base64,")  # a gap at the end
    assert rows["HO04"]["Last 8 quarters"] is None  # z every quarter: nothing to draw
    assert json.loads(table.proto.columns)["Last 8 quarters"]["type_config"]["type"] == "image"
    # Set to an empty cell, not Streamlit's "None" (an unset placeholder also reads "", hence HasField).
    assert table.proto.HasField("placeholder") and table.proto.placeholder == ""


def test_a_denominator_that_is_another_indicators_count_names_the_count_behind_it(app):
    app.query_params["indicator"] = "FD04"
    app.switch_page("views/indicator.py").run()
    assert not app.exception
    texts = " ".join(element.value for element in app.markdown)
    assert "Referrals in the quarter: the same count as the one behind FD03 Referrals to children's social care" in texts
