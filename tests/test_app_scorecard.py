"""The scorecard, theme, indicator and agencies pages through Streamlit's AppTest, on the fixed
fixture store of the golden files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil

import openpyxl
import pytest
import streamlit as st
from conftest import dashboard_app
from downloads_support import csv_rows, published, table_cells
from html_support import Items
from streamlit.testing.v1 import AppTest

import views.common
from thinktank import catalogue_changes, indicator_commentary
from thinktank.formatting import STATUS_LABELS, UNIT_LABELS, figure_decimals, format_figure
from thinktank.periods import Quarter
from thinktank.spc_baselines import add_rebase
from thinktank.store import Store
from thinktank.users import LOCAL_ANALYST


def _app(monkeypatch, settings) -> AppTest:
    return dashboard_app(monkeypatch, settings, timeout=60)


@pytest.fixture
def app(monkeypatch, settings, scorecard_database):
    # A copy of the fixture store built once for the worker: every test here may write to its own.
    shutil.copy(scorecard_database, settings.database_path)
    yield _app(monkeypatch, settings)
    st.cache_resource.clear()


@pytest.fixture
def empty_app(monkeypatch, settings):
    yield _app(monkeypatch, settings)
    st.cache_resource.clear()


def html_blocks(app_test) -> list[str]:
    return [element.proto.body for element in app_test.get("html")]


def table_rows(app_test, index: int = 0) -> list[dict]:
    return json.loads(app_test.dataframe[index].value.to_json(orient="records"))


def test_the_scorecard_is_the_front_page_with_every_theme_and_the_latest_quarter(app):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Balanced scorecard"
    assert app.selectbox[0].value == "2025-26 Q2"
    tiles = Items(html_blocks(app)[0]).items
    assert [tile["headings"][0] for tile in tiles][3::8] == ["4. Child Protection", "12. Workforce & Learning"]
    links = dict(link for tile in tiles for link in tile["links"])
    assert links["theme?theme=child_protection&period=2025-26+Q2"] == "Open Child Protection"


def test_look_at_first_leads_with_concerns(app):
    app.run()
    items = Items(html_blocks(app)[1]).items
    assert ["SPC concern" in item["text"] for item in items[:2]] == [True, True]
    fd04 = [item for item in items if item["links"][0][0] == "indicator?indicator=FD04&period=2025-26+Q2"]
    assert fd04 and "SPC concern" in fd04[0]["text"]


def test_a_status_is_shown_in_words_and_never_as_zero(app):
    app.run()
    rows = {row["ID"]: row for row in table_rows(app)}
    assert rows["HO01"]["Latest"] == "x (not available)"
    assert rows["HO04"]["Latest"] == "z (not applicable)"
    assert rows["CLA01"]["Last quarter"] == "missing (no return)"
    assert rows["DA01"]["Latest"] == "1,480 (u: low reliability)"


def test_the_priority_filter_narrows_the_scorecard(app):
    app.run()
    everything = len(table_rows(app))
    app.selectbox[1].select("neglect_cumulative_harm").run()
    assert not app.exception
    assert 0 < len(table_rows(app)) < everything


def test_an_empty_store_says_how_to_get_figures(empty_app):
    empty_app.run()
    assert not empty_app.exception
    assert "No returns are stored yet" in empty_app.info[0].value


def test_the_theme_page_lists_its_indicators_evidence_headings_and_the_headlines_as_text(app, settings):
    from thinktank.headlines import record
    from thinktank.periods import Quarter
    from thinktank.users import LOCAL_ANALYST

    with Store.open(settings) as opened:
        record.add_statement(opened.cursor(), LOCAL_ANALYST, Quarter(2025, 1), "child_protection", "worried",
                             "Conference timeliness slipped ![x](http://example.invalid/x.png) <b>here</b>",
                             dt.datetime(2025, 7, 20, 10, 0))
    app.query_params["theme"] = "child_protection"
    app.query_params["period"] = "2025-26 Q1"
    app.switch_page("views/theme.py").run()
    assert not app.exception
    assert app.title[0].value == "4. Child Protection"
    assert app.selectbox[1].value == "2025-26 Q1"
    ids = [row["ID"] for row in table_rows(app)]
    assert ids[:3] == ["CP01", "CP02", "CP03"]
    assert [element.value for element in app.subheader] == [
        "What are we worried about?", "What's working well?", "What needs to happen?"]
    (shown,) = [element.value for element in app.markdown if "Conference timeliness" in element.value]
    # Every character markdown or HTML would read is escaped: the image is never fetched.
    assert "!\\[x\\](http" in shown and "\\<b\\>" in shown


def test_the_indicator_page_draws_the_spc_chart_with_the_table_behind_it(app):
    app.query_params["indicator"] = "FD04"
    app.switch_page("views/indicator.py").run()
    assert not app.exception
    assert app.title[0].value.startswith("FD04 Re-referrals")
    charts = app.get("plotly_chart")
    assert len(charts) == 1
    assert any(element.value.startswith("**SPC for 2025-26 Q2: ⚠ Concern**") for element in app.markdown)
    labels = [button.label for button in app.get("download_button")]
    assert labels[:2] == ["CSV", "Excel"]


def test_the_indicator_pages_shared_chart_follows_a_rebase_stored_after_it_was_drawn(app, settings):
    """Each chart is built once and shared by every viewer; a re-base is a new data version, so
    the next view of the page draws the chart afresh with it."""
    app.query_params["indicator"] = "FD04"
    app.switch_page("views/indicator.py").run()
    assert "Re-based from" not in app.get("plotly_chart")[0].proto.spec
    (start,) = [box for box in app.selectbox if box.label == "The process changed from"]
    with Store.open(settings) as opened:
        add_rebase(opened.cursor(), LOCAL_ANALYST, "FD04", Quarter.parse(start.options[0]), "MASH restructure",
                   dt.datetime(2025, 11, 1, 9, 0))
    app.run()
    assert not app.exception
    spec = app.get("plotly_chart")[0].proto.spec
    assert f"Re-based from {start.options[0]}" in spec and "MASH restructure" in spec


def test_the_indicator_page_shows_breakdowns_with_a_suppressed_group_as_words(app):
    app.query_params["indicator"] = "CP02"
    app.switch_page("views/indicator.py").run()
    assert not app.exception
    assert len(app.get("plotly_chart")) == 2  # the trend and the locality bars
    from thinktank.formatting import INDICATOR_QUESTION_LABELS

    assert [element.value for element in app.subheader] == ["Re-bases", *INDICATOR_QUESTION_LABELS.values(),
                                                             "Locality", "Definition history"]


@pytest.mark.parametrize("page", ["views/indicator.py", "views/catalogue.py"])
def test_the_benchmarks_held_download_as_csv_and_excel_as_the_table_shows_them(app, monkeypatch, page):
    offered = {}
    offer = views.common.download_button

    def recording(container, label, data, file_name, mime, **options):
        offered[file_name] = data
        offer(container, label, data, file_name, mime, **options)

    monkeypatch.setattr(views.common, "download_button", recording)
    app.query_params["indicator"] = "FD04"
    app.switch_page(page).run()
    if page == "views/catalogue.py":
        next(box for box in app.selectbox if box.label == "Show the full definition of").select("FD04").run()
    assert not app.exception
    rows = csv_rows(offered["thinktank-FD04-benchmarks.csv"]())
    sheet = openpyxl.load_workbook(io.BytesIO(offered["thinktank-FD04-benchmarks.xlsx"]()))["Benchmarks"]
    assert rows and len(rows) == sheet.max_row - 1
    assert [cell.value for cell in sheet[1]] == list(rows[0])


def test_an_indicator_with_commentary_shows_a_definition_changed_after_it_was_first_drawn(app, settings):
    """The page's tables are shared by every viewer and keyed by the data version: listing the
    commentary's versions must not take the data version's place in those keys."""
    with Store.open(settings) as opened:
        indicator_commentary.save(opened.cursor(), LOCAL_ANALYST, "FD02", Quarter(2025, 2), "tells_us",
                                  "Timeliness held through the restructure.", dt.datetime(2025, 11, 1, 9, 0))
    app.query_params["indicator"] = "FD02"
    app.switch_page("views/indicator.py").run()
    assert not app.exception

    def history_rows() -> int:
        return len(next(frame.value for frame in app.dataframe if "What changed" in frame.value.columns))

    assert history_rows() == 1
    with Store.open(settings) as opened:
        base = {**opened.catalogue.definition_in_force("FD02", Quarter(2025, 1)).model_dump(mode="json"),
                "target": {"value": 95.0, "amber_tolerance": 5.0}}
        proposal = catalogue_changes.propose_indicator(opened.cursor(), opened.catalogue, base, Quarter(2025, 1))
        catalogue_changes.save(opened, LOCAL_ANALYST, proposal, reason="Target agreed by the PLG")
    app.run()
    assert not app.exception
    assert history_rows() == 2


@pytest.mark.parametrize("page", ["views/indicator.py", "views/catalogue.py"])
def test_a_definitions_history_downloads_as_shown_with_a_typed_formula_kept_as_text(app, settings, monkeypatch, page):
    with Store.open(settings) as opened:
        base = {**opened.catalogue.definition_in_force("FD02", Quarter(2025, 1)).model_dump(mode="json"),
                "target": {"value": 95.0, "amber_tolerance": 5.0}}
        proposal = catalogue_changes.propose_indicator(opened.cursor(), opened.catalogue, base, Quarter(2025, 1))
        catalogue_changes.save(opened, LOCAL_ANALYST, proposal, reason="=HYPERLINK(\"http://x\") agreed by the PLG")
    offered = {}
    offer = views.common.download_button

    def recording(container, label, data, file_name, mime, **options):
        offered[file_name] = (label, data)
        offer(container, label, data, file_name, mime, **options)

    monkeypatch.setattr(views.common, "download_button", recording)
    app.query_params["indicator"] = "FD02"
    app.switch_page(page).run()
    if page == "views/catalogue.py":
        next(box for box in app.selectbox if box.label == "Show the full definition of").select("FD02").run()
    assert not app.exception
    shown = next(frame.value for frame in app.dataframe if "What changed" in frame.value.columns)
    assert len(shown) == 2 and shown["Why"].tolist()[-1].startswith("=HYPERLINK")
    label, made = offered["thinktank-FD02-definition-history.csv"]
    assert label == "Download CSV"
    rows = csv_rows(made())
    assert [list(row) for row in rows[:1]] == [list(shown.columns)]
    assert [row["From"] for row in rows] == shown["From"].tolist()
    assert rows[-1]["Why"] == "'" + shown["Why"].tolist()[-1]
    label, made = offered["thinktank-FD02-definition-history.xlsx"]
    assert label == "Download Excel"
    sheet = openpyxl.load_workbook(io.BytesIO(made()))["Definition history"]
    assert [cell.value for cell in sheet[1]] == list(shown.columns)
    assert sheet.cell(row=3, column=list(shown.columns).index("Why") + 1).value == rows[-1]["Why"]


def test_the_agencies_page_shows_what_an_agency_feeds_and_its_returns(app):
    app.query_params["agency"] = "police"
    app.switch_page("views/agencies.py").run()
    assert not app.exception
    assert app.title[0].value == "Police"  # its short name, as on every other page
    assert app.caption[0].value.startswith("Durham Constabulary")
    fed = table_rows(app, 0)
    assert [(row["Theme"], row["Indicators"]) for row in fed] == [
        ("2. Front Door & MASH", 1), ("3. Assessment & Children in Need", 1), ("6. Domestic Abuse", 2),
        ("7. Harm Outside the Home", 3)]
    ids = {row["ID"] for row in table_rows(app, 1)}
    assert {"DA01", "HO01"} <= ids
    # The fixture's returns were all stored on 23 November 2026, long after each was due.
    returns = table_rows(app, 2)
    assert [row["Quarter"] for row in returns][-1] == "2025-26 Q2"
    assert {row["Return"] for row in returns} == {"◷ Late"}
    assert [button.label for button in app.get("download_button")] == ["CSV", "Excel", "CSV", "Excel"]


def test_a_link_to_an_unknown_indicator_says_so_and_shows_the_first(app):
    app.query_params["indicator"] = "ZZ99"
    app.switch_page("views/indicator.py").run()
    assert not app.exception
    assert "The link asks for indicator 'ZZ99', which is not here" in app.warning[0].value
    assert app.title[0].value.startswith("EH01 ")


def test_a_link_to_a_quarter_without_returns_says_so_and_shows_the_latest(app):
    app.query_params["period"] = "2019-20 Q1"
    app.run()
    assert not app.exception
    assert "The link asks for the quarter '2019-20 Q1', which has no returns" in app.warning[0].value
    assert app.selectbox[0].value == "2025-26 Q2"


NO_FIGURE = {STATUS_LABELS[status] for status in ("c", "x", "z", "low", "missing")}
# What pandas, NumPy or Python write for an empty cell when nobody has said how to write one.
PLACEHOLDERS = {"nan", "NaN", "None", "<NA>", "NaT"}
DOWNLOAD_PAGES = [
    ("views/scorecard.py", {}),
    ("views/theme.py", {"theme": "harm_outside_home"}),
    ("views/indicator.py", {"indicator": "HO01"}),
    ("views/indicator.py", {"indicator": "CP02"}),
    ("views/agencies.py", {"agency": "police"}),
]


@pytest.fixture
def offered_downloads(monkeypatch):
    """Every table of figures for a quarter a page offers through its CSV and Excel buttons (the
    downloads made for a period), made as a click makes it: by file name without its suffix, then
    by suffix ("csv", "xlsx"). Tables without figures, such as a definition's history, have a test
    of their own."""
    offered = {}
    offer = views.common.download_button

    def recording(container, label, data, file_name, mime, **options):
        if options.get("period") is not None:
            stem, suffix = file_name.rsplit(".", 1)
            offered.setdefault(stem, {})[suffix] = data
        offer(container, label, data, file_name, mime, **options)

    monkeypatch.setattr(views.common, "download_button", recording)
    return offered


def downloads_of(app, offered, page, parameters) -> dict[str, dict[str, bytes]]:
    for key, value in parameters.items():
        app.query_params[key] = value
    app.switch_page(page).run()
    assert not app.exception
    assert offered, f"{page} offers no download"
    return {name: {suffix: make() for suffix, make in files.items()} for name, files in offered.items()}


@pytest.mark.parametrize(("page", "parameters"), DOWNLOAD_PAGES)
def test_no_download_shows_a_figure_without_a_value_as_zero_or_nan(app, offered_downloads, page, parameters):
    checked = 0
    for name, files in downloads_of(app, offered_downloads, page, parameters).items():
        for kind, rows in published(files).items():
            for row in rows:
                leaked = [cell for cell in map(str, row.values()) if PLACEHOLDERS & set(cell.split(", "))]
                assert not leaked, f"{kind} {name}: {row}"
                for value_column, status_column in (("Value", "Status"), ("Last quarter", "Status last quarter")):
                    if row.get(status_column) in NO_FIGURE:
                        assert row[value_column] == "", f"{kind} {name}: {row}"
                        checked += 1
    assert checked, f"nothing without a figure was offered on {page}: the fixture no longer tests this"


@pytest.mark.parametrize(("page", "parameters"), DOWNLOAD_PAGES)
def test_every_download_has_headers_in_words_and_a_cover_saying_what_it_is(app, offered_downloads, page,
                                                                          parameters):
    for name, files in downloads_of(app, offered_downloads, page, parameters).items():
        assert name.endswith("2025-26-q2") or name.endswith("2025-26-Q2"), name
        workbook, rows = table_cells(files["xlsx"])
        assert workbook.sheetnames[0] == "Cover"
        assert workbook["Cover"]["A1"].value.endswith(", 2025-26 Q2"), name
        headers = list(rows[0])
        assert headers == next(csv.reader(io.StringIO(files["csv"].decode("utf-8-sig")))), name
        assert not [header for header in headers if re.fullmatch(r"[a-z0-9_]+", header)], f"{name}: {headers}"


def test_the_scorecard_download_leaves_a_quarter_without_a_figure_empty(app, offered_downloads):
    (files,) = downloads_of(app, offered_downloads, "views/scorecard.py", {}).values()
    for kind, rows in published(files).items():
        ho01 = next(row for row in rows if row["Indicator ID"] == "HO01" and row["Breakdown"] == "All")
        assert ho01["Status"] == STATUS_LABELS["x"], kind
        assert ho01["2025-26 Q2"] == "", kind
        assert ho01["2025-26 Q1"] != "", kind


def test_the_scorecard_download_holds_each_figure_as_the_page_shows_it(app, offered_downloads):
    (files,) = downloads_of(app, offered_downloads, "views/scorecard.py", {}).values()
    shown = {row["ID"]: row["Latest"] for row in table_rows(app)}
    units = {label: unit for unit, label in UNIT_LABELS.items()}
    statuses = {label: status for status, label in STATUS_LABELS.items()}
    csv_figures = {row["Indicator ID"]: row["Value"] for row in csv_rows(files["csv"]) if row["Breakdown"] == "All"}
    _, cells = table_cells(files["xlsx"])
    compared = 0
    for row in cells:
        if row["Breakdown"].value != "All":
            continue
        indicator, unit, cell = row["Indicator ID"].value, units[row["Unit"].value], row["Value"]
        status = statuses.get(row["Status"].value)
        assert format_figure(cell.value, unit, status) == shown[indicator], indicator
        if cell.value is None:
            assert csv_figures[indicator] == "", indicator
            continue
        decimals = figure_decimals(cell.value, unit)
        assert cell.data_type == "n" and cell.number_format == ("#,##0.0" if decimals else "#,##0"), indicator
        # Rounded, not merely formatted: the CSV has no more decimals than the page shows.
        assert csv_figures[indicator] == f"{cell.value:.{decimals}f}", indicator
        assert float(csv_figures[indicator]) == cell.value, indicator
        compared += 1
    assert compared >= 8


@pytest.mark.parametrize(("page", "parameters"), [
    ("views/scorecard.py", {}), ("views/theme.py", {}), ("views/indicator.py", {"indicator": "FD04"}),
    ("views/agencies.py", {}), ("views/catalogue.py", {}), ("views/submissions.py", {}), ("views/upload.py", {}),
])
def test_a_download_leaves_the_page_as_it_is_so_the_next_download_still_works(app, page, parameters):
    for key, value in parameters.items():
        app.query_params[key] = value
    app.switch_page(page).run()
    assert not app.exception
    buttons = [button.proto for button in app.get("download_button")]
    assert buttons, f"{page} offers no download"
    assert [button.label for button in buttons if not button.ignore_rerun] == []
