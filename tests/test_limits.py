"""Limits met before anything large is built: the number of columns in a row and the length of
a cell, in csv and xlsx, refused under their own codes with the cell, and in bounded memory."""

import io
import tracemalloc
import zipfile

import pytest
from returns_support import HEADER, POLICE_Q1, codes, csv_return, located, police, send
from test_ingest import police_sheet, with_evidence, workbook

from thinktank.ingest.limits import Limits

MIB = 2**20


def peak_memory_of(action):
    """What ``action`` returns, and the most memory Python held while it ran."""
    tracemalloc.start()
    try:
        result = action()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_row_of_ten_million_columns_is_refused_at_the_limit_in_little_memory(store):
    hostile = csv_return(POLICE_Q1[0], "," * 10_000_000)
    result, peak = peak_memory_of(lambda: send(store, hostile))
    assert located(result) == [("F116", "csv", 3, "ALM")]
    assert "more than 1,000 columns" in result.report.issues[0].message
    # Building the row would take gigabytes; the file itself is 10 MB.
    assert peak < 60 * MIB


def test_the_column_limit_is_a_setting_and_a_row_within_it_is_read(store, monkeypatch):
    monkeypatch.setenv("THINKTANK_MAX_COLUMNS", "9")
    assert Limits.from_environment().max_columns == 9
    assert codes(send(store, csv_return(*POLICE_Q1), limits=Limits.from_environment())) == []
    wider = csv_return(*POLICE_Q1, header=HEADER + ",note,other")
    assert located(send(store, wider, limits=Limits.from_environment())) == [("F116", "csv", 1, "J")]


def test_a_csv_field_past_the_csv_modules_own_limit_is_our_refusal_with_its_cell(store):
    huge = csv_return(POLICE_Q1[0], POLICE_Q1[1] + "x" * 200_000)
    result = send(store, huge)
    assert located(result) == [("F117", "csv", 3, "H")]
    assert "more than 10,000 characters" in result.report.issues[0].message


def test_a_quoted_field_over_several_lines_past_the_limit_is_refused_on_its_row(store):
    huge = csv_return(POLICE_Q1[0], POLICE_Q1[1] + '"a\n' + "x" * 200_000 + '"')
    assert located(send(store, huge)) == [("F117", "csv", 3, None)]


def test_a_free_text_cell_past_the_cell_limit_is_refused_with_its_cell(store):
    # Its commas are inside quotes: a cell of text, not 2,001 columns.
    long_comment = police((1, POLICE_Q1[1] + '"' + "a, b " * 2_001 + '"'))
    assert located(send(store, long_comment)) == [("F117", "csv", 3, "H")]
    assert codes(send(store, long_comment, limits=Limits(max_cell_chars=20_000))) == []


def test_a_long_column_name_is_refused_too(store):
    assert located(send(store, csv_return(*POLICE_Q1, header=HEADER + "," + "n" * 10_001))) == [
        ("F117", "csv", 1, "I")
    ]


def xlsx_with_sheet(sheet_xml: bytes) -> bytes:
    """The police workbook with its Return sheet's XML replaced."""
    original = zipfile.ZipFile(io.BytesIO(workbook({"Return": police_sheet()})))
    buffer = io.BytesIO()
    with original, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as changed:
        for member in original.infolist():
            part = sheet_xml if member.filename == "xl/worksheets/sheet1.xml" else original.read(member)
            changed.writestr(member.filename, part)
    return buffer.getvalue()


def sheet(*rows: str) -> bytes:
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + "".join(rows) + "</sheetData></worksheet>"
    ).encode()


def inline(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


XLSX_HEADER = '<row r="1">' + inline("A1", "indicator_id") + inline("B1", "period") + inline("C1", "value") + "</row>"


def test_an_xlsx_row_is_refused_at_the_first_cell_past_the_column_limit_without_building_it(store):
    # Cells without a reference, each a different number, so that the part does not compress
    # like a zip bomb: 400,000 of them would be about 60 MB as a row of cells.
    cells = "".join(f"<c><v>{number}</v></c>" for number in range(400_000))
    content = xlsx_with_sheet(sheet(XLSX_HEADER, f'<row r="2">{cells}</row>'))
    result, peak = peak_memory_of(lambda: send(store, content, "wide.xlsx"))
    assert located(result) == [("F116", "Return", 2, "ALM")]
    assert peak < 20 * MIB


def test_an_xlsx_cell_far_to_the_right_is_refused_by_its_reference(store):
    content = xlsx_with_sheet(sheet(XLSX_HEADER, '<row r="2">' + inline("A2", "FD06") + '<c r="XFD2"><v>1</v></c></row>'))
    assert located(send(store, content, "wide.xlsx")) == [("F116", "Return", 2, "XFD")]


# Text that does not compress like a zip bomb.
VARIED_TEXT = "".join(str(number) for number in range(40_000))


@pytest.mark.parametrize("cell", [inline("D2", VARIED_TEXT), '<c r="D2" t="str"><v>' + VARIED_TEXT[:10_001] + "</v></c>"])
def test_an_xlsx_cell_past_the_cell_limit_is_refused_with_its_cell(store, cell):
    content = xlsx_with_sheet(sheet(XLSX_HEADER, '<row r="2">' + inline("A2", "FD06") + cell + "</row>"))
    assert located(send(store, content, "long.xlsx")) == [("F117", "Return", 2, "D")]


def test_a_long_inline_text_written_by_openpyxl_is_refused_with_its_cell(store):
    rows = police_sheet()
    rows[1] = [*rows[1][:7], "y" * 10_001]
    assert located(send(store, workbook({"Return": rows}), "long.xlsx")) == [("F117", "Return", 2, "H")]


SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def with_shared_strings(content: bytes, *strings: str) -> bytes:
    """The workbook with a shared-strings part holding these strings, as Excel writes text."""
    original = zipfile.ZipFile(io.BytesIO(content))
    table = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(f"<si><t>{text}</t></si>" for text in strings) + "</sst>"
    ).encode()
    buffer = io.BytesIO()
    with original, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as changed:
        for member in original.infolist():
            part = original.read(member)
            if member.filename == "[Content_Types].xml":
                part = part.replace(b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" '
                                    f'ContentType="{SHARED_STRINGS_TYPE}"/></Types>'.encode())
            changed.writestr(member.filename, part)
        changed.writestr("xl/sharedStrings.xml", table)
    return buffer.getvalue()


def shared_comment_workbook(comment: str) -> bytes:
    row = '<row r="2">' + inline("A2", "FD06") + inline("B2", "2024-25 Q1") + '<c r="C2"><v>1180</v></c>' + \
        '<c r="D2" t="s"><v>0</v></c></row>'
    header = XLSX_HEADER.replace("</row>", inline("D1", "comment") + "</row>")
    return with_shared_strings(xlsx_with_sheet(sheet(header, row)), comment)


def test_a_long_shared_string_is_refused_as_the_workbook_is_opened(store):
    result = send(store, shared_comment_workbook(VARIED_TEXT), "long.xlsx")
    assert located(result) == [("F117", None, None, None)]
    assert result.report.issues[0].message.startswith("A cell of the workbook holds more than 10,000 characters")


def test_a_shared_string_within_the_limit_is_read_as_the_cells_text(store):
    result = send(store, shared_comment_workbook("Front door staffing is back to full"), "shared.xlsx")
    assert result.report.errors == 0
    assert list(result.report.observations["comment"]) == ["Front door staffing is back to full"]


def test_a_long_evidence_detail_is_refused_on_the_evidence_sheet(store):
    content = with_evidence(["domestic_abuse", "audit", "worried", "Children not told why police came",
                             "w" * 10_001, None])
    assert located(send(store, content, "return.xlsx")) == [("F117", "Evidence", 2, "E")]
