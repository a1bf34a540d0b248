"""The streaming sheet reader reads every cell as openpyxl's own reader does, and refuses
what defusedxml refuses, even in a sheet that got past the sniffing."""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from defusedxml import DTDForbidden, EntitiesForbidden
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from thinktank.ingest import sheet_stream
from thinktank.ingest.limits import Limits
from thinktank.ingest.sheet_stream import (
    CalamineRows,
    Cell,
    RowSource,
    StreamedWorkbook,
    defused_expat_parser,
)

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
    _, by_row, streamed, columns, streamed_columns = both_readings(content, [1, 2, 3, 4, 5, 6])
    assert by_row == streamed
    assert columns == streamed_columns


def both_readings(content: bytes, columns: list[int]) -> tuple:
    """The first sheet read as the reader reads it (calamine for a plain sheet) and streamed:
    row by row, and as the columns the reader takes below the first row (the header)."""
    with StreamedWorkbook(content, Limits()) as workbook:
        sheet = workbook.sheets[0]
        read = workbook.rows(sheet, Limits())
        by_row = list(read)
        streamed = list(RowSource(workbook._stream(sheet, Limits())))
        taken = []
        for rows in (workbook.rows(sheet, Limits()), RowSource(workbook._stream(sheet, Limits()))):
            next(rows, None)
            taken.append(rows.columns(columns, 1_000))
        return read, by_row, streamed, *taken


def test_an_ordinary_workbook_is_read_by_calamine_as_the_stream_reads_it():
    rows = police_rows_workbook()
    read, by_row, streamed, columns, streamed_columns = both_readings(rows, [1, 2, 3, 4, 5, 6, 7, 8])
    assert isinstance(read, CalamineRows)
    assert by_row == streamed
    assert columns == streamed_columns
    numbers, values, formats = columns
    assert numbers == [2, 3, 5]  # row 4, only spaces, is left out
    assert values[6] == [1180, 95.7, None] and formats[6] == ["General", "0.0", None]
    assert values[1] == ["2024-25 Q1", "2024-25 Q1", True] and formats[1] == [None, None, None]
    assert values[7] == [None, None, "  a comment "]


def police_rows_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Return"
    sheet.append(["indicator_id", "period", "breakdown", "breakdown_value", "numerator", "denominator", "value",
                  "comment"])
    sheet.append(["FD06", "2024-25 Q1", "All", "All", None, None, 1180, None])
    sheet.append(["AS06", "2024-25 Q1", "All", "All", 88, 92, 95.7, "   "])
    sheet["G3"].number_format = "0.0"
    sheet.append([None, None, None, None, None, None, None, "   "])
    sheet.append(["HO01", True, None, None, None, None, None, "  a comment "])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("name", sorted(path.name for path in GOOD.glob("*.xlsx")))
def test_every_fixture_workbook_reads_the_same_by_calamine_or_streamed(name):
    _, by_row, streamed, columns, streamed_columns = both_readings((GOOD / name).read_bytes(), list(range(1, 12)))
    assert by_row == streamed
    assert columns == streamed_columns


@pytest.mark.parametrize("xml", [
    '<c r="A2" t="e"><v>#N/A</v></c>',  # calamine reads an error as empty
    '<c r="A2"><v>40.0</v></c>',  # the stream reads a float
    '<c r="A2" t="inlineStr"><is><t>line_x000D_end</t></is></c>',  # Excel's escape, left as written
    '<c r="A2"><v> 12 </v></c>',
    '<c r="Q2"><v>1</v></c>',  # past the columns calamine is given
    '<c r="A300000"><v>1</v></c>',  # past the rows
    '<c><v>1</v></c>',  # placed in turn, without a reference
    '<c r="A2" t="str"><v>a</v><v>b</v></c>',  # text in two pieces
    '<x:c r="A2"><x:v>1</x:v></x:c>',  # a namespace prefix
    '<c r="A2" t="inlineStr"><is><t>a</t><rPh><t>b</t></rPh></is></c>',
    '<c r="A2" t="inlineStr"><is><t>a\r\nb</t></is></c>',  # a line end that XML reads as \n
    '<c r="A2" t="inlineStr"><is><t>a &unknown; b</t></is></c>',
    '<!-- a comment --><c r="A2"><v>1</v></c>',
    '<c r="A2" s="7"><v>1</v></c>',  # a style the workbook lacks
    '<c r="A2" t="inlineStr"><is><r><t>a</t></r></is></c>',  # rich text
    '<c r="A2" t="inlineStr"><is><t>a</t> <t>b</t></is></c>',  # text in two pieces, a space between
    '<c r="A2" t="str"><v><![CDATA[1]]></v></c>',
    '<c r="A2"><v>1E3</v></c>',  # a number with an exponent
])
def test_a_sheet_calamine_might_read_otherwise_is_streamed(xml):
    content = sheet_workbook('<row r="1"><c r="A1" t="inlineStr"><is><t>indicator_id</t></is></c></row>'
                             f'<row r="2">{xml}</row>')
    with StreamedWorkbook(content, Limits()) as workbook:
        assert not isinstance(workbook.rows(workbook.sheets[0], Limits()), CalamineRows)


@pytest.mark.parametrize("far", [
    '<c r="XFD1048576"><v>1</v></c>', '<c r="A300000"><v>1</v></c>',
    '<x:c r="XFD1048576"><x:v>1</x:v></x:c>',  # a prefix the first scan's cell search would not see
    '<c r="A2"><v>1</v></c><!-- --><c r="XFD1048576"><v>1</v></c>',
])
def test_calamine_is_never_given_a_sheet_that_spans_more_than_it_may(far, monkeypatch):
    # Calamine lays a sheet out as the rectangle its cells span: one far cell would have it ask
    # for more memory than the machine has and abort the process. The scan must refuse first.
    opened = []

    class Recording:
        @staticmethod
        def from_filelike(source):
            opened.append(source)
            raise AssertionError("calamine was given the sheet")

    monkeypatch.setattr(sheet_stream, "CalamineWorkbook", Recording)
    content = sheet_workbook('<row r="1"><c r="A1" t="inlineStr"><is><t>indicator_id</t></is></c></row>'
                             f'<row r="2"><c r="A2"><v>1</v></c>{far}</row>')
    with StreamedWorkbook(content, Limits()) as workbook:
        assert not isinstance(workbook.rows(workbook.sheets[0], Limits()), CalamineRows)
    assert opened == []


def test_a_sheet_the_second_scan_streams_leaves_no_calamine_parse_running(monkeypatch):
    # The second scan runs beside calamine; when it sends the sheet to the stream, the parse is
    # waited for and dropped, so that no upload leaves a parse running on its own.
    finished = threading.Event()
    real = sheet_stream._calamine_grid

    def slow_grid(content, title):
        time.sleep(0.2)
        grid = real(content, title)
        finished.set()
        return grid

    monkeypatch.setattr(sheet_stream, "_calamine_grid", slow_grid)
    content = sheet_workbook('<row r="1"><c r="A1" t="inlineStr"><is><t>indicator_id</t></is></c></row>'
                             '<row r="2"><c r="A2" t="inlineStr"><is><r><t>a</t></r></is></c></row>')
    with StreamedWorkbook(content, Limits()) as workbook:
        rows = workbook.rows(workbook.sheets[0], Limits())
        assert finished.is_set()
        assert not isinstance(rows, CalamineRows)
    assert not any(thread.name.startswith("calamine") for thread in threading.enumerate())


def test_what_calamine_might_read_otherwise_is_found_past_the_first_megabyte():
    # The searches run window by window, and the first window alone has the namespace
    # declarations, so a prefix found only later must still leave the sheet to the stream.
    plain = "".join(f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>FD06</t></is></c></row>'
                    for number in range(2, 40_000))
    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>indicator_id</t></is></c></row>'
    with StreamedWorkbook(sheet_workbook(header + plain), Limits()) as workbook:
        assert isinstance(workbook.rows(workbook.sheets[0], Limits()), CalamineRows)
    for odd in ('<row r="40000"><x:c r="A40000"><x:v>1</x:v></x:c></row>',
                '<row r="40000"><!-- a comment --><c r="A40000"><v>1</v></c></row>'):
        with StreamedWorkbook(sheet_workbook(header + plain + odd), Limits()) as workbook:
            assert not isinstance(workbook.rows(workbook.sheets[0], Limits()), CalamineRows)


def sheet_workbook(rows: str) -> bytes:
    """An openpyxl workbook whose sheet's data is replaced by these rows."""
    buffer = io.BytesIO()
    Workbook().save(buffer)
    original = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as rewritten:
        for name in original.namelist():
            data = original.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
                        ' xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        f"<sheetData>{rows}</sheetData></worksheet>").encode()
            rewritten.writestr(name, data)
    return out.getvalue()
