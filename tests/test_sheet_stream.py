"""The streaming sheet reader reads every cell as openpyxl's own reader does, and refuses
what defusedxml refuses, even in a sheet that got past the sniffing."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from defusedxml import DTDForbidden, EntitiesForbidden
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from thinktank.ingest.limits import Limits
from thinktank.ingest.sheet_stream import Cell, StreamedWorkbook, defused_expat_parser

GOOD = Path(__file__).parent / "fixtures" / "returns" / "good"


def openpyxl_rows(content: bytes, sheet_name: str | None = None) -> list[tuple[int, dict[int, Cell]]]:
    """What openpyxl's read-only cells hold: the reference the stream must agree with."""
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = workbook[sheet_name] if sheet_name else workbook.worksheets[0]
    sheet.reset_dimensions()  # read every row written, whatever the <dimension> says
    rows = []
    for row in sheet.iter_rows():
        cells = {cell.column: Cell(cell.value, cell.number_format if _is_figure(cell.value) else None)
                 for cell in row if getattr(cell, "value", None) is not None}
        if cells:
            rows.append((next(cell.row for cell in row if hasattr(cell, "row")), cells))
    workbook.close()
    return rows


def _is_figure(value: object) -> bool:
    """Only numbers and dates keep their number format; text and true/false have no use for it."""
    return isinstance(value, (int, float, dt.datetime, dt.date, dt.time, dt.timedelta)) and not isinstance(value, bool)


def streamed_rows(content: bytes, sheet_name: str | None = None) -> list[tuple[int, dict[int, Cell]]]:
    with StreamedWorkbook(content, Limits()) as workbook:
        sheet = next(sheet for sheet in workbook.sheets if sheet.title == sheet_name) if sheet_name else workbook.sheets[0]
        return list(workbook.rows(sheet, Limits()))


@pytest.mark.parametrize("name", sorted(path.name for path in GOOD.glob("*.xlsx")))
def test_the_stream_reads_every_fixture_workbook_as_openpyxl_does(name):
    content = (GOOD / name).read_bytes()
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    for sheet_name in workbook.sheetnames:
        assert streamed_rows(content, sheet_name) == openpyxl_rows(content, sheet_name)


def test_excel_style_parts_are_read_to_the_values_shown():
    rows = dict(streamed_rows((GOOD / "excel-shared-strings.xlsx").read_bytes()))
    assert rows[2][1] == Cell("FD06")  # two rich-text runs make one id
    assert rows[2][3] == Cell("All")  # the phonetic guide is not part of the text
    assert rows[3][2] == Cell(dt.datetime(2024, 6, 30), "mm-dd-yy")  # a date serial in a date format
    assert rows[4][7] == Cell(1540, "#,##0")  # a formula's cached result
    assert rows[5][7] == Cell(0.975, "0.0%")  # the reader, not the stream, makes this 97.5
    assert sorted(rows[8]) == [1, 2, 3, 4, 7]  # cells without r attributes are placed in turn


@pytest.mark.parametrize(("document", "refusal"), [
    (b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]><worksheet>&a;</worksheet>', (DTDForbidden, EntitiesForbidden)),
    (b'<!DOCTYPE worksheet SYSTEM "http://example.invalid/x.dtd"><worksheet/>', DTDForbidden),
    (b"<!DOCTYPE worksheet><worksheet/>", DTDForbidden),
])
def test_the_sheet_parser_refuses_dtds_and_entities_with_defusedxmls_own_handlers(document, refusal):
    # The sniffing refuses such workbooks before any parsing (the xml-entities fixture); this
    # is the second line of defence, in case a sheet ever reached the parser.
    with pytest.raises(refusal):
        defused_expat_parser().Parse(document, True)


cell_values = st.one_of(
    st.none(),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64).filter(lambda x: abs(x) < 1e300),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)
    .filter(lambda text: text.strip() and not text.startswith("=")),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1))
    .map(lambda moment: moment.replace(microsecond=0)),
)
formats = st.sampled_from(["General", "0.0%", "0%", "#,##0", "0.00", "dd/mm/yyyy", "@"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.tuples(cell_values, formats), min_size=1, max_size=6), min_size=1, max_size=6))
def test_any_workbook_streams_to_what_openpyxl_reads(grid):
    workbook = Workbook()
    sheet = workbook.active
    for row_number, row in enumerate(grid, start=1):
        for column, (value, number_format) in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column, value=value)
            cell.number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    assert streamed_rows(content) == openpyxl_rows(content)
