"""Streaming a worksheet's cells without building a Python object per XML element.

openpyxl opens the workbook (sheet list, shared strings, styles, the date epoch), all through
defusedxml. Its read-only cells, though, cost about 25 microseconds each, because defusedxml
forces the pure-Python ElementTree parser under openpyxl's iterparse: a 100,000-row backfill
spent 20 seconds there. Here the sheet's XML goes through defusedxml's SAX parser instead
(C expat, with the same refusal of DTDs, entities and external references), and each cell
becomes one small tuple, with its value read exactly as openpyxl's own parser reads it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
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

    def rows(self, sheet: SheetPart, limits: Limits) -> Iterator[tuple[int, Row]]:
        """Each non-empty row of the sheet, as (Excel row number, cells). Raises `PastLimit`
        at the first cell past the column limit or the first character past the cell limit."""
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
