"""What leaves the tool is safe: small numbers held back once a page, so that two downloads of
one page cannot be set against each other; comments that look like formulas written as text in
every file that carries them; names kept in the order they were typed; every export audited."""

import datetime as dt
import io
import tomllib

import openpyxl
import pandas as pd
import pytest
from conftest import dashboard_app
from downloads_support import csv_rows, published, table_cells
from scorecard_support import figure, put

from thinktank import disclosure, scorecard
from thinktank.docs import markdown_text
from thinktank.downloads import safe_text
from thinktank.periods import Quarter
from thinktank.publication import (
    Names,
    Publication,
    publication_csv,
    publication_xlsx,
    publish,
    table_for_people,
)
from thinktank.settings import REPO_ROOT
from thinktank.store.audit import audit_entries, record_export
from thinktank.templates import template_csv, template_rows, template_xlsx
from thinktank.text import without_direction_controls
from thinktank.users import LOCAL_ANALYST

QUARTER = Quarter(2024, 1)
MADE = dt.datetime(2026, 12, 3, 23, 0)
# FD06 by locality as the issue saw it: the whole area 1,720, Derwentside 2.
DERWENTSIDE = {"Chester-le-Street": 200, "Derwentside": 2, "Durham": 400, "Easington": 300, "Sedgefield": 318,
               "Teesdale": 100, "Wear Valley": 400}
FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)"]


def test_direction_controls_are_taken_out_of_names_wherever_they_are_shown_or_written():
    name = "report\u202excod.exe \u2066a\u2069 \u200fb\u200e \u202ac\u202c"
    assert without_direction_controls(name) == "reportxcod.exe a b c"
    assert safe_text(name) == "reportxcod.exe a b c"
    assert markdown_text(name) == "reportxcod.exe a b c"
    # A formula hidden behind a control is still a formula once the control has gone.
    assert safe_text("\u202e=1+1") == "'=1+1"


def test_streamlits_own_table_download_is_off():
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True


def test_an_export_is_audited_with_its_page_format_quarter_and_name_and_no_cell_value(store):
    record_export(store.cursor(), LOCAL_ANALYST, page="indicator", file_name="thinktank-FD06-trend-2024-25-Q1.csv",
                  mime="text/csv", period=QUARTER.label, at=MADE)
    entry = audit_entries(store.cursor()).iloc[-1]
    assert (entry["action"], entry["outcome"], entry["actor"], entry["period"], entry["file_name"],
            entry["detail"]) == ("export", "made", "local-analyst", "2024-25 Q1",
                                 "thinktank-FD06-trend-2024-25-Q1.csv", "CSV from the indicator page")


def _fd06(store) -> None:
    """The police's return for the quarter: FD06 and its localities, the first rows with a comment
    typed as a formula."""
    rows = [figure("FD06", QUARTER, value=1_720)]
    rows += [figure("FD06", QUARTER, value=value, breakdown="Locality", group=group)
             for group, value in DERWENTSIDE.items()]
    for row, text in zip(rows, FORMULAS, strict=False):
        row["comment"] = text
    put(store, rows)


def _page_downloads(store) -> dict[str, dict[str, list[dict]]]:
    """The Indicator page's two downloads of FD06, made as the page makes them: the trend from
    the published series, the breakdown from the published scorecard, one suppression for both."""
    cursor = store.cursor()
    figures = disclosure.published(cursor, scorecard.scorecard(cursor, QUARTER), QUARTER)
    trend = figures.indicator_series("FD06")[["period", "value", "status", "numerator", "denominator", "comment"]]
    groups = figures.card[(figures.card["indicator_id"] == "FD06") & (figures.card["breakdown"] == "Locality")]
    tables = {"trend": trend, "breakdown": groups[["breakdown_value", "value", "status"]]}
    return {name: published({"csv": publication_csv(made), "xlsx": publication_xlsx(made)})
            for name, made in ((name, publish(cursor, table, title=f"FD06 {name}", quarter=QUARTER, sheet=name,
                                              made=MADE, unit="count")) for name, table in tables.items())}


def test_no_hidden_group_can_be_worked_out_from_the_indicator_pages_two_downloads(store):
    _fd06(store)
    for kind in ("CSV", "Excel"):
        downloads = {name: files[kind] for name, files in _page_downloads(store).items()}
        (total,) = [float(row["Value"]) for row in downloads["trend"]]
        groups = {row["Group"]: row["Value"] for row in downloads["breakdown"]}
        hidden = [group for group, value in groups.items() if value == ""]
        assert total == 1_720 and "Derwentside" in hidden
        # Two or more hidden: the total less the shown groups is only their sum, never one of them.
        assert len(hidden) >= 2, kind
        assert all(float(value) > 4 for value in groups.values() if value != ""), kind
        assert {row["Status"] for row in downloads["breakdown"] if row["Group"] in hidden} == {"c (suppressed)"}


def test_comments_that_look_like_formulas_are_text_in_every_download_that_carries_them(store):
    _fd06(store)
    expected = ["'" + text for text in FORMULAS]
    cursor = store.cursor()
    figures = disclosure.published(cursor, scorecard.scorecard(cursor, QUARTER), QUARTER)
    trend = figures.indicator_series("FD06")
    tables = {"trend": trend[["period", "value", "status", "comment"]],
              "scorecard": figures.card[figures.card["indicator_id"] == "FD06"][["indicator_id", "breakdown",
                                                                                "breakdown_value", "comment"]]}
    for name, table in tables.items():
        made = publish(cursor, table, title=name, quarter=QUARTER, sheet=name, made=MADE, unit="count")
        comments = [row["Agency's comment"] for row in csv_rows(publication_csv(made)) if row["Agency's comment"]]
        assert comments == expected[:len(comments)] and comments, name
        _, cells = table_cells(publication_xlsx(made))
        written = [row["Agency's comment"] for row in cells if row["Agency's comment"].value]
        assert [cell.value for cell in written] == comments and {cell.data_type for cell in written} == {"s"}, name
    # The correction template holds the return in force, comments and all.
    rows = template_rows(cursor, LOCAL_ANALYST, store.catalogue, "police", QUARTER)
    from_csv = [row["comment"] for row in csv_rows(template_csv(rows)) if row["comment"]]
    assert from_csv == expected
    sheet = openpyxl.load_workbook(io.BytesIO(template_xlsx(rows, store.catalogue, "police", QUARTER, True)))["Return"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("comment") + 1
    cells = [sheet.cell(row=row, column=column) for row in range(2, sheet.max_row + 1)]
    cells = [cell for cell in cells if cell.value]
    assert [cell.value for cell in cells] == expected and {cell.data_type for cell in cells} == {"s"}


def test_a_negative_number_stays_a_number_in_a_download():
    frame = pd.DataFrame({"change": [-3.0], "unit": ["count"], "comment": ["-3 on last quarter"]})
    made = _offline(frame)
    (row,) = csv_rows(publication_csv(made))
    assert (row["Change since last quarter"], row["Agency's comment"]) == ("-3", "'-3 on last quarter")
    _, (cells,) = table_cells(publication_xlsx(made))
    assert (cells["Change since last quarter"].value, cells["Change since last quarter"].data_type) == (-3, "n")


def _offline(frame: pd.DataFrame) -> Publication:
    return Publication("Table", QUARTER, "Table", table_for_people(frame, QUARTER, Names({}, {}, {})), [], MADE)


@pytest.mark.parametrize("parameter", ["indicator", "period"])
def test_a_link_parameter_is_shown_as_text_never_as_markdown(monkeypatch, settings, store, parameter):
    _fd06(store)
    store.close()
    app = dashboard_app(monkeypatch, settings)
    app.switch_page("views/indicator.py")
    app.query_params[parameter] = "![x](http://127.0.0.1:9/pixel.png) **bold**"
    app.run()
    (warning,) = [element.value for element in app.warning if "The link asks for" in element.value]
    assert "![x](" not in warning and "**bold**" not in warning
    assert warning.count("\\") >= 4  # the image's and the bold's markers escaped, shown as typed


@pytest.mark.parametrize(("acting_as", "derwentside"), [("local-plg-member", "c (suppressed)"), ("local-analyst", "2")])
def test_a_plg_member_sees_the_published_figures_and_an_analyst_the_raw_ones(monkeypatch, settings, store,
                                                                           acting_as, derwentside):
    _fd06(store)
    store.close()
    app = dashboard_app(monkeypatch, settings)
    app.session_state["acting_as"] = acting_as
    app.switch_page("views/indicator.py")
    app.query_params["indicator"], app.query_params["period"] = "FD06", QUARTER.label
    app.run()
    (groups,) = [table.value for table in app.dataframe if "Group" in table.value.columns]
    assert groups.set_index("Group").loc["Derwentside", "Figure"] == derwentside
    said = [caption.value for caption in app.caption if "Small numbers are held back" in caption.value]
    # The sentence is beside the breakdown's downloads for everyone (the trend holds nothing back),
    # and under the latest figures for a PLG member.
    assert len(said) == (2 if acting_as == "local-plg-member" else 1)
