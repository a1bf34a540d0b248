"""Tables written as the CSV and Excel files people download."""

import datetime as dt
import io

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
from downloads_support import as_downloaded, csv_rows, published, table_cells
from scorecard_fixture import build_fixture

from thinktank import browse, scorecard
from thinktank.downloads import xlsx_bytes
from thinktank.formatting import STATUS_LABELS
from thinktank.periods import Quarter
from thinktank.publication import (
    Names,
    Publication,
    publication_csv,
    publication_xlsx,
    publish,
    returns_in_force,
    sheet_name,
    table_for_people,
)

QUARTER = Quarter(2025, 2)
MADE = dt.datetime(2026, 12, 3, 8, 45)
NAMES = Names(themes={"child_protection": "Child Protection"}, agencies={"police": "Durham Constabulary"},
              priorities={"early_help": "Early help"})
FORMULAS = ["=HYPERLINK(\"http://example.com\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def files(publication: Publication) -> dict[str, bytes]:
    return {"csv": publication_csv(publication), "xlsx": publication_xlsx(publication)}


def offline(frame: pd.DataFrame, unit: str | None = None) -> Publication:
    """A publication of the frame without a store: nothing drawn from returns."""
    return Publication("Test table", QUARTER, "Table", table_for_people(frame, QUARTER, NAMES, unit), [], MADE)


def read_back(text: str, kind: str) -> str:
    # An xlsx is XML, whose readers take a carriage return for a newline.
    return text.replace("\n", "\r") if kind == "Excel" else text


def test_list_cells_are_written_as_people_type_them_with_missing_entries_left_empty():
    frame = pd.DataFrame({
        "sparkline": pd.Series([[1.5, None, 2.0], None], dtype=pd.ArrowDtype(pa.list_(pa.float64()))),
        "groups": [np.array(["locality", "age_band"]), np.array([], dtype=str)],
        "figures": [np.array([3.0, np.nan]), np.array([7023.0])],
    })
    for kind, rows in as_downloaded(frame).items():
        assert [row["sparkline"] for row in rows] == ["1.5, , 2", ""], kind
        assert [row["groups"] for row in rows] == ["locality, age_band", ""], kind
        assert [row["figures"] for row in rows] == ["3, ", "7023"], kind


def test_a_number_in_a_list_cell_is_written_in_full_never_with_an_exponent():
    frame = pd.DataFrame({"figures": [np.array([1234567.0, 0.25])]})
    for kind, rows in as_downloaded(frame).items():
        assert rows[0]["figures"] == "1234567, 0.25", kind


def test_the_catalogue_download_lists_breakdowns_as_text_in_csv_and_excel(store):
    indicators = browse.indicators(store.cursor())
    for kind, rows in as_downloaded(indicators).items():
        eh01 = next(row for row in rows if row["id"] == "EH01")
        assert eh01["breakdowns"] == "locality, age_band", kind
        assert eh01["priority_names"] == "Early help", kind


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_written_as_text():
    frame = pd.DataFrame({"comment": [*FORMULAS, "plain", None], "value": [-1.0] * 6 + [2.0, 3.0]})
    for kind, rows in as_downloaded(frame).items():
        assert [read_back(row["comment"], kind) for row in rows] == [
            "'" + text for text in FORMULAS] + ["plain", ""], kind
        assert rows[0]["value"] in ("-1.0", -1.0), kind  # numbers are not text, so not neutralised
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"Sheet": frame})))["Sheet"]
    assert {sheet.cell(row=row, column=1).data_type for row in range(2, 9)} == {"s"}


def test_a_published_table_writes_formulas_as_text_too():
    publication = offline(pd.DataFrame({"comment": FORMULAS}))
    for kind, rows in published(files(publication)).items():
        assert [read_back(row["Agency's comment"], kind) for row in rows] == ["'" + text for text in FORMULAS], kind
    _, cells = table_cells(publication_xlsx(publication))
    assert {row["Agency's comment"].data_type for row in cells} == {"s"}


def test_headers_are_in_words_with_the_unit_beside_the_figures():
    frame = pd.DataFrame({"indicator_id": ["HO01"], "breakdown_value": ["All"], "value": [412.0],
                          "status": [None], "numerator": [412.0], "spc_rules": [""]})
    publication = offline(frame, unit="count")
    assert [column.header for column in publication.columns] == [
        "Indicator ID", "Group", "Unit", "Value", "Status", "Numerator", "SPC rules met"]
    for kind, rows in published(files(publication)).items():
        assert rows == [{"Indicator ID": "HO01", "Group": "All", "Unit": "Count",
                         "Value": "412" if kind == "CSV" else 412, "Status": "", "Numerator": "412" if kind == "CSV"
                         else 412, "SPC rules met": ""}], kind


def test_an_engine_column_without_a_header_for_people_is_refused():
    with pytest.raises(ValueError, match="worst"):
        table_for_people(pd.DataFrame({"worst": [1]}), QUARTER, NAMES)


def test_figures_without_a_unit_are_refused():
    with pytest.raises(ValueError, match="no unit"):
        table_for_people(pd.DataFrame({"value": [1.0]}), QUARTER, NAMES)


def test_figures_are_rounded_as_shown_and_kept_as_numbers_with_a_number_format():
    frame = pd.DataFrame({
        "unit": ["percent", "rate_per_10k", "gbp", "count", "count", "days", "score"],
        "value": [45.26, 50.249, 1234567.4, 1480.0, 12.25, 3.04, 7.96],
        "status": [None, None, None, "u", None, None, None],
    })
    publication = offline(frame)
    expected = [(45.3, "#,##0.0"), (50.2, "#,##0.0"), (1234567, "#,##0"), (1480, "#,##0"), (12.2, "#,##0.0"),
                (3.0, "#,##0.0"), (8.0, "#,##0.0")]
    _, cells = table_cells(publication_xlsx(publication))
    assert [(row["Value"].value, row["Value"].number_format) for row in cells] == expected
    assert {row["Value"].data_type for row in cells} == {"n"}
    assert [row["Value"] for row in csv_rows(publication_csv(publication))] == [
        "45.3", "50.2", "1234567", "1480", "12.2", "3.0", "8.0"]
    assert [row["Unit"].value for row in cells] == ["Per cent (%)", "Rate per 10,000", "Pounds (£)", "Count", "Count",
                                                       "Days", "Score (0 to 10)"]
    assert [row["Status"].value for row in cells][3] == "u (low reliability)"


def test_a_figure_with_a_status_that_withholds_it_is_never_written():
    frame = pd.DataFrame({"unit": ["count"] * 3, "value": [5.0, 0.0, np.nan], "status": ["c", "low", "x"]})
    for kind, rows in published(files(offline(frame))).items():
        assert [(row["Value"], row["Status"]) for row in rows] == [
            ("", STATUS_LABELS["c"]), ("", STATUS_LABELS["low"]), ("", STATUS_LABELS["x"])], kind


def test_the_sparkline_is_a_column_a_quarter_rounded_as_shown_with_gaps_left_empty():
    frame = pd.DataFrame({
        "unit": ["gbp"],
        "recent_values": pd.Series([[None, *[1234567.4] * 6, None]], dtype=pd.ArrowDtype(pa.list_(pa.float64()))),
    })
    for kind, rows in published(files(offline(frame))).items():
        (row,) = rows
        assert list(row)[1:] == [quarter.label for quarter in
                                 [Quarter(2023, 3), Quarter(2023, 4), *(Quarter(2024, n) for n in (1, 2, 3, 4)),
                                  Quarter(2025, 1), QUARTER]], kind
        assert [row[label] for label in list(row)[1:]] == ["", *(["1234567"] if kind == "CSV" else [1234567]) * 6,
                                                         ""], kind


def test_the_excel_file_opens_on_a_cover_saying_what_when_from_which_returns_and_what_the_symbols_mean(store):
    build_fixture(store)
    card = scorecard.scorecard(store.cursor(), QUARTER)
    publication = publish(store.cursor(), card, title="Balanced scorecard", quarter=QUARTER, sheet="Scorecard",
                          made=MADE)
    workbook, rows = table_cells(publication_xlsx(publication))
    assert workbook.sheetnames == ["Cover", "Scorecard"]
    title, *lines = [row[0] for row in workbook["Cover"].iter_rows()]
    assert title.value == "Balanced scorecard, 2025-26 Q2" and title.font.b
    sections: dict[str, list[str]] = {}
    for line in lines:
        if line.font.b:
            sections[line.value] = []
        else:
            sections[list(sections)[-1]].append(line.value)

    assert list(sections) == ["Source", "Quarter", "Drawn from", "Made", "Symbols", "Notes", "Contents"]
    assert sections["Quarter"] == [
        "2025-26 Q2: 1 July 2025 to 30 September 2025 (financial-year quarters: Q1 is April to June)."]
    assert sections["Drawn from"] == [
        "The returns in force on 3 December 2026, when this file was made.", "For 2025-26 Q2:",
        "Children's social care: version 1, received 23 November 2026",
        "Mental health (TEWV): version 1, received 23 November 2026",
        "Police: version 1, received 23 November 2026"]
    assert sections["Made"] == ["3 December 2026 at 08:45 UTC"]
    assert set(STATUS_LABELS.values()) <= set(sections["Symbols"])
    assert sections["Contents"] == ["Cover: what the table is, where it comes from and what the symbols mean.",
                                 f"Scorecard: Balanced scorecard ({len(card):,} rows)."]
    assert any("Durham Safeguarding Children Partnership Think Tank" in line for line in sections["Source"])
    (contents_link,) = [line for line in lines if line.hyperlink]
    assert contents_link.value.startswith("Scorecard: ") and contents_link.hyperlink.location == "'Scorecard'!A1"

    sheet = workbook["Scorecard"]
    assert sheet["A1"].value == "Balanced scorecard, 2025-26 Q2"
    assert sheet.freeze_panes == "A4"
    assert all(cell.font.b for cell in sheet[3])
    assert not sheet.merged_cells.ranges and not workbook["Cover"].merged_cells.ranges
    assert len(rows) == len(card)
    assert rows[0]["Theme"].value == "Early Help & Prevention"
    assert rows[0]["Agency"].value == "Children's social care"  # the short name, as every page shows it


def test_the_returns_drawn_from_are_those_of_the_agencies_in_the_table(store):
    build_fixture(store)
    trend = scorecard.series(store.cursor(), "DA01", QUARTER)[["period", "value", "status"]]
    publication = publish(store.cursor(), trend, title="DA01", quarter=QUARTER, sheet="Trend", made=MADE,
                          unit="count", agencies=["police"])
    assert publication.returns == ["Police: version 1, received 23 November 2026"]
    assert returns_in_force(store.cursor(), QUARTER) == [
        "Children's social care: version 1, received 23 November 2026",
        "Mental health (TEWV): version 1, received 23 November 2026",
        "Police: version 1, received 23 November 2026"]
    rows = csv_rows(publication_csv(publication))
    assert rows[-1] == {"Quarter": "2025-26 Q2", "Unit": "Count", "Value": "1480", "Status": "u (low reliability)"}


def test_an_empty_table_is_still_a_workbook_with_its_header_and_a_csv_with_its_header():
    publication = offline(pd.DataFrame({"period": pd.Series([], dtype=str), "value": pd.Series([], dtype=float)}),
                          unit="count")
    workbook = openpyxl.load_workbook(io.BytesIO(publication_xlsx(publication)))
    # Excel refuses a table with no row under its header, so there is none.
    assert not workbook["Table"].tables
    assert [cell.value for cell in workbook["Table"][3]] == ["Quarter", "Unit", "Value"]
    assert publication_csv(publication).decode("utf-8-sig") == "Quarter,Unit,Value\r\n"


def test_a_sheet_is_named_as_excel_allows():
    assert sheet_name("Age band: under 1 / 1-4 [all] of them, and more") == "Age band  under 1   1-4  all  o"
