"""F108: a DTD or entity declaration in any XML part of a workbook refuses the file before
anything parses it, whatever the part is called and however it is encoded, and the check reads
only the start of each part."""

import io
import zipfile

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment

from thinktank.ingest.limits import Limits
from thinktank.ingest.reader import read_return
from thinktank.ingest.sniff import sniff, xml_prolog_problem

DTD = '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">]>'


def workbook() -> bytes:
    """A return as a spreadsheet program writes one, with the parts beyond sheets and strings:
    document properties, a theme, a comment (and its VML drawing), a drawing and a chart."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Return"
    sheet.append(["indicator_id", "period", "breakdown", "breakdown_value", "value"])
    sheet.append(["FD06", "2024-25 Q1", "All", "All", 1180])
    sheet["A2"].comment = Comment("Checked by the data team", "Analyst")
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=5, min_row=1, max_row=2), titles_from_data=True)
    sheet.add_chart(chart, "G2")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


WORKBOOK = workbook()
PARTS = [member.filename for member in zipfile.ZipFile(io.BytesIO(WORKBOOK)).infolist()]


def rewritten(content: bytes, part: str, edit) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member.filename)
            target.writestr(member.filename, edit(data) if member.filename == part else data)
    return buffer.getvalue()


def with_dtd(data: bytes) -> bytes:
    """The DTD where it must go: after the XML declaration, before the root element."""
    if data.startswith(b"<?xml"):
        declaration, body = data.split(b"?>", 1)
        return declaration + b"?>" + DTD.encode() + body
    return DTD.encode() + data


def refusal(content: bytes) -> list[tuple[str, str]]:
    return [(item.code, item.message) for item in sniff(content, "return.xlsx", Limits()).issues]


def test_the_workbook_has_the_parts_beyond_sheets_and_strings_and_is_accepted():
    assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/styles.xml", "docProps/core.xml",
            "docProps/app.xml", "xl/theme/theme1.xml", "xl/comments/comment1.xml",
            "xl/drawings/drawing1.xml", "xl/charts/chart1.xml"} <= set(PARTS)
    assert any(part.endswith(".vml") for part in PARTS)
    assert refusal(WORKBOOK) == []


@pytest.mark.parametrize("part", PARTS)
def test_a_dtd_in_any_part_is_refused(part):
    (found,) = refusal(rewritten(WORKBOOK, part, with_dtd))
    message = (f"{part} inside return.xlsx declares a DTD or XML entities, which Excel never writes. "
               "Copy the figures into a new template and upload that.")
    assert found == ("F108", message)


@pytest.mark.parametrize(("case", "edit"), [
    ("encoded as UTF-16", lambda data: with_dtd(data).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
     .encode("utf-16")),
    ("encoded as UTF-16 without a byte-order mark",
     lambda data: with_dtd(data).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-be")),
    ("in a single-byte encoding it declares",
     lambda data: b'<?xml version="1.0" encoding="cp500"?>' + (DTD + "<workbook/>").encode("cp500")),
    ("after a comment longer than the first read",
     lambda data: b'<?xml version="1.0"?><!-- ' + b"x" * 20_000 + b" -->" + with_dtd(data)),
    ("after a processing instruction and a byte-order mark",
     lambda data: b"\xef\xbb\xbf<?xml version='1.0'?>\n<?editor x?>\n" + DTD.encode() + b"<workbook/>"),
])
def test_a_dtd_is_found_however_the_part_is_written(case, edit):
    assert [code for code, _ in refusal(rewritten(WORKBOOK, "xl/workbook.xml", edit))] == ["F108"], case


def test_a_part_of_any_name_is_checked():
    buffer = io.BytesIO(WORKBOOK)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/customData/item1.dat", with_dtd(b"<data/>"))
    assert [code for code, _ in refusal(buffer.getvalue())] == ["F108"]


def test_a_prolog_longer_than_any_excel_writes_is_refused():
    padded = rewritten(WORKBOOK, "xl/styles.xml", lambda data: b"<!--" + b"x" * 70_000 + b"-->" + data)
    (found,) = refusal(padded)
    assert found[0] == "F108" and "has more than 64 KB before its first element" in found[1]


def test_a_dtd_mentioned_in_a_comment_or_after_the_root_is_no_declaration():
    quoted = rewritten(WORKBOOK, "xl/styles.xml", lambda data: b"<!-- no <!DOCTYPE here -->" + data)
    assert refusal(quoted) == []


class CountingReader(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_only_the_start_of_a_part_is_read():
    # A 5 MB sheet: the check stops at its root element.
    sheet = CountingReader(b'<?xml version="1.0"?><worksheet>' + b"<row/>" * 1_000_000 + b"</worksheet>")
    assert xml_prolog_problem(sheet) is None
    assert sheet.bytes_read <= 4 * 1024
    picture = CountingReader(b"\x89PNG\r\n\x1a\n" + bytes(1_000_000))
    assert xml_prolog_problem(picture) is None
    assert picture.bytes_read <= 4 * 1024


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/styles.xml", "xl/worksheets/sheet1.xml"])
def test_the_parsers_refusal_is_the_same_problem_should_a_part_get_past_the_sniffing(part):
    hostile = rewritten(WORKBOOK, part, lambda data: with_dtd(data).replace(b"<workbook", b"<workbook a='&a;'", 1)
                        .replace(b"<styleSheet", b"<styleSheet a='&a;'", 1).replace(b"<worksheet", b"<worksheet a='&a;'", 1))
    read = read_return(hostile, "xlsx", "return.xlsx", {"return": set(), "evidence": set()}, Limits())
    assert [item.code for item in read.issues] == ["F108"]
