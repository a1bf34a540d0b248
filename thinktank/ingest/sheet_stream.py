"""Streaming a worksheet's cells without building a Python object per XML element.

openpyxl opens the workbook (sheet list, shared strings, styles, the date epoch), all through
defusedxml. Its read-only cells, though, cost about 25 microseconds each, because defusedxml
forces the pure-Python ElementTree parser under openpyxl's iterparse: a 100,000-row backfill
spent 20 seconds there. Here the sheet's XML goes through defusedxml's SAX parser instead
(C expat, with the same refusal of DTDs, entities and external references), and each cell
becomes one small tuple, with its value read exactly as openpyxl's own parser reads it.

An ordinary sheet is read faster still by python-calamine (see "Ordinary sheets through
calamine" below); the stream reads, and refuses, everything else.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple
from xml.parsers import expat

from defusedxml.expatreader import DefusedExpatParser
from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
from openpyxl.styles.numbers import (
    BUILTIN_FORMATS,
    BUILTIN_FORMATS_MAX_SIZE,
    is_date_format,
    is_timedelta_format,
)
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601
from python_calamine import CalamineWorkbook

from thinktank.ingest.limits import Limits

CHUNK_BYTES = 1 << 16
_DIGITS = "0123456789"


class Cell(NamedTuple):
    value: Any
    number_format: str | None = None


Row = dict[int, Cell]  # 1-based column -> cell; empty cells are absent


class PastLimit(Exception):  # noqa: N818 (a refusal, not a fault)
    """A row wider, or a cell longer, than a return may hold, raised the moment it is met so
    that nothing more of the row is read or built. ``column`` is None where it cannot be told
    (a csv cell running over several lines)."""

    def __init__(self, what: Literal["columns", "characters"], row: int | None, column: int | None) -> None:
        super().__init__(what, row, column)
        self.what = what
        self.row = row
        self.column = column


class _Style(NamedTuple):
    number_format: str
    is_date: bool
    is_timedelta: bool


class _SheetHandler:
    """Collects finished rows as the parser is fed; the caller takes them after each chunk."""

    def __init__(self, shared_strings: list[str], styles: list[_Style], epoch: dt.datetime, limits: Limits) -> None:
        self.finished: list[tuple[int, Row]] = []
        self._max_columns = limits.max_columns
        self._max_cell_chars = limits.max_cell_chars
        self._text_length = 0
        self._shared_strings = shared_strings
        self._styles = styles
        self._epoch = epoch
        self._row_number = 0
        self._row: Row = {}
        self._column = 0
        self._type = "n"
        self._style_id = 0
        self._text: list[str] = []
        self._collecting = False
        self._inline = False
        self._phonetic = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        tag = name.rpartition(":")[2]
        if tag == "c":
            reference = attributes.get("r")
            self._column = (column_index_from_string(reference.rstrip(_DIGITS)) if reference
                            else self._column + 1)
            if self._column > self._max_columns:
                raise PastLimit("columns", self._row_number, self._column)
            self._type = attributes.get("t", "n")
            self._style_id = int(attributes.get("s", 0) or 0)
            self._text = []
            self._text_length = 0
        elif tag == "v" or (tag == "t" and self._inline and not self._phonetic):
            self._collecting = True
        elif tag == "is":
            self._inline = True
        elif tag == "row":
            reference = attributes.get("r")
            self._row_number = int(reference) if reference else self._row_number + 1
            self._row = {}
            self._column = 0
        elif tag == "rPh":
            # Phonetic guides are not part of the text, as openpyxl also reads it.
            self._phonetic = True

    def end(self, name: str) -> None:
        tag = name.rpartition(":")[2]
        if tag == "c":
            value, number_format = self._value()
            if value is not None:
                self._row[self._column] = Cell(value, number_format)
        elif tag in ("v", "t"):
            self._collecting = False
        elif tag == "is":
            self._inline = False
        elif tag == "row":
            if self._row:
                self.finished.append((self._row_number, self._row))
        elif tag == "rPh":
            self._phonetic = False

    def characters(self, content: str) -> None:
        if self._collecting:
            self._text_length += len(content)
            if self._text_length > self._max_cell_chars:
                raise PastLimit("characters", self._row_number, self._column)
            self._text.append(content)

    def _value(self) -> tuple[Any, str | None]:
        if not self._text:
            return None, None
        text = "".join(self._text)
        kind = self._type
        if kind == "s":
            shared = self._shared_strings[int(text)]
            if len(shared) > self._max_cell_chars:
                raise PastLimit("characters", self._row_number, self._column)
            return shared, None
        if kind in ("str", "inlineStr", "e"):
            return text, None
        if kind == "b":
            return bool(int(text)), None
        if kind == "d":
            return from_ISO8601(text), None
        number = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
        style = self._styles[self._style_id]
        if style.is_date:
            try:
                return from_excel(number, self._epoch, timedelta=style.is_timedelta), style.number_format
            except (OverflowError, ValueError):
                return "#VALUE!", None  # what openpyxl shows for an impossible date
        return number, style.number_format


@dataclass(frozen=True)
class SheetPart:
    title: str
    state: str  # visible, hidden or veryHidden
    path: str  # the sheet's XML inside the package


class _SharedStringsHandler:
    """The workbook's shared text, read as openpyxl's `read_string_table` reads it (each
    string's text runs, not its phonetic guides), refusing a string past the cell limit at
    the first character past it rather than after building it."""

    def __init__(self, max_cell_chars: int) -> None:
        self.strings: list[str] = []
        self._max_cell_chars = max_cell_chars
        self._text: list[str] = []
        self._length = 0
        self._collecting = False
        self._phonetic = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        tag = name.rpartition(":")[2]
        if tag == "si":
            self._text, self._length = [], 0
        elif tag == "t" and not self._phonetic:
            self._collecting = True
        elif tag == "rPh":
            self._phonetic = True

    def end(self, name: str) -> None:
        tag = name.rpartition(":")[2]
        if tag == "t":
            self._collecting = False
        elif tag == "rPh":
            self._phonetic = False
        elif tag == "si":
            # openpyxl's own reading of Excel's escape for a literal underscore.
            self.strings.append("".join(self._text).replace("x005F_", ""))

    def characters(self, content: str) -> None:
        if self._collecting:
            self._length += len(content)
            if self._length > self._max_cell_chars:
                raise PastLimit("characters", None, None)
            self._text.append(content)


class StreamedWorkbook:
    """A workbook whose sheets are streamed row by row. Raises what openpyxl raises for a
    damaged package; a sheet's damage shows up while its rows are streamed. Raises `PastLimit`
    for shared text past the cell limit."""

    def __init__(self, content: bytes, limits: Limits) -> None:
        self._content = content
        # The steps of openpyxl's load_workbook up to, but not including, opening every sheet,
        # with the shared strings streamed here under the cell limit.
        reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True)
        self._archive = reader.archive
        try:
            reader.read_manifest()
            reader.shared_strings = _shared_strings(reader, limits)
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
        except BaseException:
            self.close()
            raise
        workbook = reader.wb
        self._shared_strings = reader.shared_strings
        self._epoch = workbook.epoch
        self._styles = [_style(workbook, style.numFmtId) for style in workbook._cell_styles]
        self.sheets = [
            SheetPart(sheet.name, sheet.state, relationship.target)
            for sheet, relationship in reader.parser.find_sheets()
            if relationship.target in reader.valid_files and "chartsheet" not in relationship.Type
        ]

    def rows(self, sheet: SheetPart, limits: Limits) -> RowSource:
        """The sheet's non-empty rows, as (Excel row number, cells): read by calamine if the sheet
        is plain, else streamed. Raises `PastLimit` at the first cell past the column limit or
        the first character past the cell limit."""
        read = calamine_rows(self._content, self._archive, sheet, self._styles, self._shared_strings, limits,
                             self._stream(sheet, limits))
        return read if read is not None else RowSource(self._stream(sheet, limits))

    def _stream(self, sheet: SheetPart, limits: Limits) -> Iterator[tuple[int, Row]]:
        handler = _SheetHandler(self._shared_strings, self._styles, self._epoch, limits)
        parser = defused_expat_parser()
        parser.buffer_text = True
        parser.StartElementHandler = handler.start
        parser.EndElementHandler = handler.end
        parser.CharacterDataHandler = handler.characters
        with self._archive.open(sheet.path) as source:
            while chunk := source.read(CHUNK_BYTES):
                parser.Parse(chunk, False)
                if handler.finished:
                    yield from handler.finished
                    handler.finished = []
            parser.Parse(b"", True)
            yield from handler.finished

    def close(self) -> None:
        self._archive.close()

    def __enter__(self) -> StreamedWorkbook:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()


def _shared_strings(reader: ExcelReader, limits: Limits) -> list[str]:
    part = reader.package.find(SHARED_STRINGS)
    if part is None:
        return []
    handler = _SharedStringsHandler(limits.max_cell_chars)
    parser = defused_expat_parser()
    parser.buffer_text = True
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.characters
    with reader.archive.open(part.PartName[1:]) as source:
        while chunk := source.read(CHUNK_BYTES):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    return handler.strings


def _style(workbook: Any, format_id: int) -> _Style:
    """A cell style's number format, found as openpyxl's read-only cell finds it."""
    if format_id < BUILTIN_FORMATS_MAX_SIZE:
        number_format = BUILTIN_FORMATS.get(format_id, "General")
    else:
        custom = workbook._number_formats
        index = format_id - BUILTIN_FORMATS_MAX_SIZE
        # A style naming a format the file lacks is read as General rather than refused.
        number_format = custom[index] if index < len(custom) else "General"
    return _Style(number_format, is_date_format(number_format), is_timedelta_format(number_format))


def defused_expat_parser() -> Any:
    """An expat parser that refuses DTDs, entity declarations and external references by
    defusedxml's own handlers, raising its exceptions (ValueErrors)."""
    defused = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = defused.defused_start_doctype_decl
    parser.EntityDeclHandler = defused.defused_entity_decl
    parser.UnparsedEntityDeclHandler = defused.defused_unparsed_entity_decl
    parser.ExternalEntityRefHandler = defused.defused_external_entity_ref_handler
    return parser


# Ordinary sheets through calamine.
#
# python-calamine (Rust) reads a sheet's values several times faster than the stream above.
# It builds the whole sheet as one dense rectangle before it hands back a row, and reads some
# things its own way (an error cell as empty, Excel's `_x000D_` escapes, dates by its own
# reading of the number format). So it is given only a sheet that a few scans of the part's
# XML (C searches and regular expressions, no Python per cell) show to be plain: no
# declarations, unknown entities or namespace prefixes; every cell written `<c r="A1" s="1"
# t="s">` as Excel and openpyxl write it, in columns A to P and rows below 300,000, which keeps
# the rectangle small whatever cells a file scatters; no run of text past the cell limit;
# numbers written as Excel writes them; no error, date or phonetic cells; and no style whose
# format calamine might read as a date where openpyxl does not. Anything else is streamed,
# so every refusal is still made by the stream, in the same words. Number formats come from
# the workbook's styles as openpyxl reads them (`_Style`).

_WINDOW_BYTES = 1 << 20
COLUMN_LETTERS = "ABCDEFGHIJKLMNOP"
_ROW_BELOW_300_000 = rb"(?:[1-9]\d{0,4}|[12]\d{5})"
_CELL_TYPES = rb'(?: t="(?:s|n|b|str|inlineStr)")?'
# An entity other than XML's five and character references.
_UNKNOWN_ENTITY = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});)")
_PREFIXED_ELEMENT = re.compile(rb"<[^\s>/!?:]+:")
_RICH_TEXT = re.compile(rb"<r[\s>P]")  # a run of rich text, or phonetic guides (rPh)
_TEXT_IN_PIECES = re.compile(rb"</t>\s*<t[\s>]")
_NUMBER_IN_PIECES = re.compile(rb"</v>\s*<v[\s>]")
# How Excel writes a number that the stream and calamine read alike: an integer of up to 15
# digits (exact as a float), or a decimal whose fraction is not all zeros and no exponent.
_PLAIN_NUMBER = rb"-?(?:\d{1,15}|\d*\.\d*[1-9]\d*)"
# A value's text (a whole <v> element) that is not such a number.
_ODD_NUMBER = re.compile(rb"<v>(?=[^<]*</v>)(?!%s</v>)" % _PLAIN_NUMBER)
_BOM = (b"\xff\xfe", b"\xfe\xff")
_UTF8_DECLARED = re.compile(rb"""encoding=["']utf-8["']""", re.IGNORECASE)
# What in a number format can make it a date or a time, once quoted text, escaped characters
# and bracketed colours and conditions are set aside.
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_DATE_LETTERS = re.compile(r"[dmyhs]", re.IGNORECASE)


def calamine_rows(
    content: bytes, archive: zipfile.ZipFile, sheet: SheetPart, styles: list[_Style], shared_strings: list[str],
    limits: Limits, stream: Iterator[tuple[int, Row]],
) -> CalamineRows | None:
    """The sheet's rows read by calamine, or None if the sheet is not plain enough for calamine
    to read it as the stream would (the caller then streams it)."""
    if not _styles_plain(styles, shared_strings, limits):
        return None
    # Calamine lays a sheet out as the rectangle its cells span, so one cell at XFD1048576 would
    # have it ask for half a terabyte and abort the process, which no exception reaches. It
    # starts only once the first scan has found every cell in columns A to P and rows below
    # 300,000, in XML it reads as the stream does. It parses without holding Python's lock, so
    # the second scan, for what calamine would read otherwise than the stream (which bounds
    # nothing), runs beside it on the other core; leaving the pool waits for the parse, so a
    # sheet the second scan sends to the stream never leaves a parse running on its own.
    if not _cells_within_bounds(archive, sheet.path, styles):
        return None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="calamine") as pool:
        parsing = pool.submit(_calamine_grid, content, sheet.title)
        formats = _number_formats(archive, sheet.path, styles, limits)
        grid = parsing.result()
    if formats is None or grid is None:
        return None
    return CalamineRows(stream, grid, formats, styles[0].number_format)


def _calamine_grid(content: bytes, title: str) -> list[list[Any]] | None:
    """The sheet's values as calamine reads them, or None if calamine cannot read it (the
    stream then reads or refuses it)."""
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name(title).to_python(
            skip_empty_area=False
        )
    except Exception:  # whatever calamine cannot read, the stream reads or refuses
        return None


def _styles_plain(styles: list[_Style], shared_strings: list[str], limits: Limits) -> bool:
    """Whether the workbook's styles, shared strings and the column limit let calamine read a
    sheet of it as the stream would, before its XML is scanned."""
    if not styles or styles[0].number_format != "General" or limits.max_columns < len(COLUMN_LETTERS):
        return False
    if any(_may_be_read_as_date(style) != (style.is_date or style.is_timedelta) for style in styles):
        return False  # calamine might read a number in this format as a date where openpyxl does not
    return not any("_x" in text for text in shared_strings)


def _cells_within_bounds(archive: zipfile.ZipFile, path: str, styles: list[_Style]) -> bool:
    """The first scan, before calamine may start: whether every cell is written as Excel writes
    one, with a reference in columns A to P and rows below 300,000, in XML that calamine reads
    as the stream does (UTF-8, no declaration, CDATA or comment, no namespace prefix, no entity
    but XML's own)."""
    # Styles the workbook has that are not dates; a date, or a style it lacks (which the stream
    # calls damage), leaves the sheet to the stream. A cell is refused unless written just so:
    # no reference, a column past P or a row past 299,999, an error or date cell, or another
    # attribute all leave the sheet to the stream.
    plain_styles = b"|".join(str(index).encode() for index, style in enumerate(styles)
                             if not (style.is_date or style.is_timedelta))
    odd_cell = re.compile(
        rb'<c(?=[\s>/])(?! r="[A-P]%s"(?: s="(?:%s)")?%s/?>)' % (_ROW_BELOW_300_000, plain_styles, _CELL_TYPES)
    )
    # Each search starts from the text it needs ("<c"), so that the regular expression engine
    # tries a match only where one could start rather than at every tag; a search that needs a
    # "!", a ":" or a "&" runs only if the window has one (found at memory speed), which only
    # the first window's namespace declaration usually has.
    for number, window in enumerate(_windows(archive, path)):
        if window is None:
            return False
        if number == 0:
            head = window[:200]
            if head.startswith(_BOM) or (b"encoding" in head and not _UTF8_DECLARED.search(head)):
                return False
        # Excel's _x000D_ escapes, which calamine reads and the stream leaves; carriage returns,
        # which XML reads as line ends; entities other than XML's own.
        if (b"_" in window and b"_x" in window) or b"\r" in window or (
                b"&" in window and _UNKNOWN_ENTITY.search(window)):
            return False
        if (b"!" in window and b"<!" in window) or (b":" in window and _PREFIXED_ELEMENT.search(window)):
            return False
        if odd_cell.search(window):
            return False
    return True


def _number_formats(
    archive: zipfile.ZipFile, path: str, styles: list[_Style], limits: Limits,
) -> dict[tuple[int, int], str] | None:
    """The second scan, beside calamine: the number format of each cell whose format is not
    General, by (row, column); None if calamine might read a cell otherwise than the stream:
    phonetic guides or rich text, a cell's text in two pieces (which the stream joins and
    calamine may not), a value whose text is not a number as Excel writes one, or a run of text
    longer than the cell limit."""
    # A run longer than the limit in bytes may be past it in characters: the stream measures and
    # refuses it. With each cell's text one run, no cell calamine reads is past the limit; shared
    # strings were measured as the workbook was opened.
    long_text = re.compile(rb">[^<]{%d}" % (limits.max_cell_chars + 1))
    odd_tags = (_RICH_TEXT, _TEXT_IN_PIECES, _NUMBER_IN_PIECES, _ODD_NUMBER, long_text)
    formatted = b"|".join(str(index).encode() for index, style in enumerate(styles) if style.number_format != "General")
    styled_cell = re.compile(rb'<c r="([A-P])(\d+)" s="(%s)"' % formatted) if formatted else None
    formats: dict[tuple[int, int], str] = {}
    for window in _windows(archive, path):
        # The first scan read the same windows: none is None.
        if any(odd.search(window) for odd in odd_tags):
            return None
        if styled_cell is not None:
            for letter, row, style in styled_cell.findall(window):
                formats[int(row), COLUMN_LETTERS.index(letter.decode()) + 1] = styles[int(style)].number_format
    return formats


def _windows(archive: zipfile.ZipFile, path: str) -> Iterator[bytes | None]:
    """The part's XML in pieces of about a megabyte, each ending just before a cell or a row
    starts, so that no tag or text is cut in two; None for a piece with no such place in two
    megabytes, which no sheet of figures has."""
    carried = b""
    with archive.open(path) as source:
        while chunk := source.read(_WINDOW_BYTES):
            window = carried + chunk
            cut = max(window.rfind(b"<c "), window.rfind(b"<row "))
            if cut <= 0:
                if len(window) > 2 * _WINDOW_BYTES:
                    yield None
                    return
                carried = window
                continue
            carried = window[cut:]
            yield window[:cut]
    if carried:
        yield carried


def _may_be_read_as_date(style: _Style) -> bool:
    return bool(_DATE_LETTERS.search(_FORMAT_LITERALS.sub("", style.number_format)))


# A sheet's kept rows as columns: each row's Excel number, and for each column asked for, each
# row's value (None where the cell is empty or only spaces) and number format.
SheetColumns = tuple[list[int], list[list[Any]], list[list[str | None]]]


class RowSource:
    """A sheet's non-empty rows in order, iterated one by one while the header is looked for,
    then the rest taken as columns."""

    def __init__(self, rows: Iterator[tuple[int, Row]]) -> None:
        self._rows = rows

    def __iter__(self) -> RowSource:
        return self

    def __next__(self) -> tuple[int, Row]:
        return next(self._rows)

    def columns(self, indices: list[int], max_rows: int) -> SheetColumns | None:
        """The rest of the rows that hold a value in one of these columns (1-based), or None as
        soon as there are more than ``max_rows`` of them."""
        numbers: list[int] = []
        values: list[list[Any]] = [[] for _ in indices]
        formats: list[list[str | None]] = [[] for _ in indices]
        for row_number, cells in self:
            got = [cells.get(index) for index in indices]
            got = [None if cell is None or (isinstance(cell.value, str) and not cell.value.strip()) else cell
                   for cell in got]
            if not any(cell is not None for cell in got):
                continue
            numbers.append(row_number)
            if len(numbers) > max_rows:
                return None
            for position, cell in enumerate(got):
                values[position].append(None if cell is None else cell.value)
                formats[position].append(None if cell is None else cell.number_format)
        return numbers, values, formats


class CalamineRows(RowSource):
    """A sheet whose rows up to the header are streamed, and the rest taken from the dense grid
    calamine read (row i being Excel's row i + 1), each value made what the stream makes of the
    same cell: an empty cell, or one of only spaces, None; a number written without a decimal
    point an int; a number's format from its style. (calamine drops a text of only spaces,
    which the header search, reading merged cells, must see.)"""

    def __init__(self, rows: Iterator[tuple[int, Row]], grid: list[list[Any]], formats: dict[tuple[int, int], str],
                 general: str) -> None:
        super().__init__(rows)
        self._grid = grid
        self._position = 0  # the last row streamed
        self._formats = formats
        self._general = general

    def __next__(self) -> tuple[int, Row]:
        row_number, cells = next(self._rows)
        self._position = row_number
        return row_number, cells

    def columns(self, indices: list[int], max_rows: int) -> SheetColumns | None:
        rest, first = self._grid[self._position:], self._position + 1
        self._rows.close()
        self._grid, self._position = [], 0  # the grid is let go as soon as it is taken apart
        by_column = list(zip(*rest, strict=True))
        count = len(rest)
        del rest
        picked = [_stream_values(by_column[index - 1]) if index <= len(by_column) else [None] * count
                  for index in indices]
        del by_column
        # A row is left out when every column asked for is empty in it; only a row whose first
        # such column is empty can be, so only those rows are looked at across the columns.
        empty = [position for position, value in enumerate(picked[0]) if value is None
                 and all(values[position] is None for values in picked)] if picked else list(range(count))
        if count - len(empty) > max_rows:
            return None
        if empty:
            left_out = set(empty)
            kept = [position for position in range(count) if position not in left_out]
            picked = [[values[position] for position in kept] for values in picked]
            numbers = [first + position for position in kept]
        else:
            numbers = list(range(first, first + count))
        general = self._general
        formats = []
        for index, values in zip(indices, picked, strict=True):
            if self._formats:
                formats.append([
                    self._formats.get((row, index), general) if value.__class__ is int or value.__class__ is float
                    else None
                    for row, value in zip(numbers, values, strict=True)
                ])
            else:
                # A number's format (by its exact type: True is no number here), looked up in C.
                formats.append(list(map({int: general, float: general}.get, map(type, values))))
        return numbers, picked, formats


def _stream_values(values: Sequence[Any]) -> list[Any]:
    """calamine's values in a column of data as the reader takes the same cells from the stream:
    an empty cell, or one of only spaces, None; a float with no fraction an int
    (`_number_formats` lets through only numbers written without a decimal point)."""
    # Worked out once per distinct value; a true/false cell (equal to 1 and 1.0 in a set) is
    # read one cell at a time.
    if bool not in set(map(type, values)):
        distinct = {value: _stream_value(value) for value in set(values)}
        return list(map(distinct.__getitem__, values))
    return [_stream_value(value) for value in values]


def _stream_value(value: Any) -> Any:
    if value.__class__ is float:
        return int(value) if value.is_integer() else value
    if value.__class__ is str:
        return value if value.strip() else None
    return value
