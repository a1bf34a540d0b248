"""Refuse a file before parsing it: too big, empty, not what its name says, an old or
macro-enabled or encrypted workbook, a zip bomb, or XML carrying entity declarations.

Only the bytes' own signature, the zip directory and the start of each part are read here;
nothing is parsed.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Literal

from thinktank.ingest.limits import Limits
from thinktank.rules import Issue, issue, register
from thinktank.rules.example_inputs import POLICE_ROWS, RETURN_HEADER, ExampleFile, workbook

FileKind = Literal["xlsx", "csv"]

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptionInfo".encode("utf-16-le")
_SIGNATURES = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"{\\rtf": "a Rich Text document",
    b"Rar!": "a RAR archive",
    b"\x1f\x8b": "a gzip archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}
_PROLOG_BYTES = 64 * 1024


def _example_workbook() -> bytes:
    return workbook({"Return": [RETURN_HEADER.split(","), *(row.split(",") for row in POLICE_ROWS)]})


def _example_zip_bomb() -> bytes:
    """A workbook part of 20 MB of zeros, which compresses a thousand times."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", bytes(20 * 2**20))
    return buffer.getvalue()


def _example_with_entities() -> bytes:
    """The example workbook with an entity declared in its sheet."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_example_workbook())) as original, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as changed:
        for member in original.infolist():
            part = original.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                part = part.replace(b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY name "value">]><worksheet', 1)
            changed.writestr(member, part)
    return buffer.getvalue()

register("F101", "error", "The file is empty",
         "The file has no content at all, so there is nothing to read.",
         ExampleFile("quarterly-return.xlsx", lambda: b""),
         what_to_do="Save the return again in Excel and upload the saved file.")
register("F102", "error", "The file is too big",
         "Files above the size limit are refused before they are read. A quarterly return is "
         "usually well under 1 MB.",
         ExampleFile("quarterly-return.xlsx", lambda: bytes(31 * 2**20)),
         what_to_do="Remove unused sheets and pictures, or send the figures as csv.")
register("F103", "error", "The file is not an Excel workbook or a csv file",
         "Only .xlsx and .csv files are accepted, and the content must match the name: a PDF "
         "renamed to .xlsx is refused.",
         ExampleFile("return.xlsx", lambda: b"%PDF-1.7\n"),
         what_to_do="Open the return in Excel and save it as Excel Workbook (.xlsx) or CSV.")
register("F104", "error", "Old Excel format (.xls)",
         "Workbooks in the Excel 97-2003 format (.xls) are not accepted.",
         ExampleFile("return.xls", lambda: _OLE2 + bytes(512)),
         what_to_do="In Excel choose File > Save As > Excel Workbook (.xlsx) and upload that file.")
register("F105", "error", "Macro-enabled workbook",
         "Workbooks that contain macros (.xlsm, or an .xlsx holding a macro project) are refused, "
         "because macros can run code on the computers that open them.",
         ExampleFile("return.xlsm", _example_workbook),
         what_to_do="Save it as Excel Workbook (.xlsx), which removes the macros, and upload that.")
register("F106", "error", "Password-protected workbook",
         "An encrypted workbook cannot be read.",
         ExampleFile("return.xlsx", lambda: _OLE2 + _ENCRYPTED_STREAM + bytes(512)),
         what_to_do="Remove the password (File > Info > Protect Workbook) and upload it again.")
register("F107", "error", "Suspicious compressed content",
         "An .xlsx file is a zip archive. One that would expand to an implausible size or ratio, "
         "or holds too many parts, is refused unread (it may be a 'zip bomb').",
         ExampleFile("return.xlsx", _example_zip_bomb),
         what_to_do="Save the workbook again from Excel, or copy the figures into a new template.")
register("F108", "error", "The workbook holds XML declarations Excel never writes",
         "DTD or entity declarations inside a workbook are a known attack and are never written "
         "by Excel, so such a file is refused.",
         ExampleFile("return.xlsx", _example_with_entities),
         what_to_do="Copy the figures into a new template and upload that.")
register("F109", "error", "The file cannot be read",
         "The file is damaged, or is not in a form that can be read (for a csv, the text must be "
         "UTF-8 or Windows-1252).",
         ExampleFile("return.xlsx", lambda: _ZIP + bytes(100)),
         what_to_do="Save the file again from Excel (a csv as CSV UTF-8) and upload it again.")


@dataclass(frozen=True)
class Sniffed:
    kind: FileKind | None
    issues: tuple[Issue, ...]


def sniff(content: bytes, file_name: str, limits: Limits) -> Sniffed:
    """What kind of file this is, or why it is refused before parsing."""
    name = PurePath(file_name).name or "the file"
    suffix = PurePath(file_name).suffix.lower()

    def refused(code: str, message: str) -> Sniffed:
        return Sniffed(None, (issue(code, message),))

    if not content:
        return refused("F101", f"{name} is empty (0 bytes). Save your return again and upload the saved file.")
    if len(content) > limits.max_file_bytes:
        return refused(
            "F102",
            f"The file is {len(content) / 2**20:,.1f} MB; the limit is "
            f"{limits.max_file_bytes / 2**20:,.1f} MB. Remove unused sheets or pictures, or send "
            "the figures as csv.",
        )
    if content.startswith(_OLE2):
        if _ENCRYPTED_STREAM in content:
            return refused(
                "F106",
                f"{name} is protected with a password. Remove the password (File > Info > "
                "Protect Workbook > Encrypt with Password, then clear it) and upload it again.",
            )
        return refused(
            "F104",
            f"{name} is in the old Excel 97-2003 format. In Excel choose File > Save As > "
            "Excel Workbook (.xlsx) and upload that file.",
        )
    if suffix == ".xls":
        return refused("F104", f"{name} has the old .xls name. Save it as Excel Workbook (.xlsx).")
    if suffix == ".xlsm" or suffix == ".xlsb":
        return refused(
            "F105" if suffix == ".xlsm" else "F103",
            f"{name} is a {'macro-enabled' if suffix == '.xlsm' else 'binary'} workbook. Save it "
            "as Excel Workbook (.xlsx) and upload that.",
        )
    for signature, description in _SIGNATURES.items():
        if content.startswith(signature):
            return refused(
                "F103",
                f"{name} is {description}, not an Excel workbook or a csv file. Open the return "
                "in Excel and save it as Excel Workbook (.xlsx) or CSV.",
            )
    if content.startswith(_ZIP):
        if suffix not in (".xlsx", ""):
            return refused(
                "F103",
                f"{name} is a zip archive. Upload the .xlsx workbook or .csv file itself.",
            )
        return _sniff_workbook(content, name, limits)
    if suffix == ".xlsx":
        return refused(
            "F103",
            f"{name} is named .xlsx but is not an Excel workbook. Open it in Excel and save it as "
            "Excel Workbook (.xlsx).",
        )
    if suffix not in (".csv", ".txt", ""):
        return refused("F103", f"{name}: only .xlsx and .csv files are accepted.")
    if b"\x00" in content[:_PROLOG_BYTES]:
        return refused(
            "F103", f"{name} is not a text (csv) file. Save the return as CSV or Excel Workbook (.xlsx)."
        )
    return Sniffed("csv", ())


def _sniff_workbook(content: bytes, name: str, limits: Limits) -> Sniffed:
    def refused(code: str, message: str) -> Sniffed:
        return Sniffed(None, (issue(code, message),))

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return refused("F109", f"{name} is damaged and cannot be opened. Save it again from Excel.")
    with archive:
        if len(members) > limits.max_zip_entries:
            return refused(
                "F107",
                f"{name} holds {len(members):,} parts (a workbook has a few dozen). Save the "
                "workbook again from Excel.",
            )
        expanded = sum(member.file_size for member in members)
        ratio = expanded / max(1, len(content))
        worst = max((m.file_size / max(1, m.compress_size) for m in members), default=0)
        if expanded > limits.max_uncompressed_bytes or max(ratio, worst) > limits.max_compression_ratio:
            return refused(
                "F107",
                f"{name} would expand to {expanded / 2**20:,.1f} MB (ratio {max(ratio, worst):,.0f}:1), "
                "far beyond a real return. Save the workbook again from Excel.",
            )
        names = {member.filename for member in members}
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/workbook") for n in names):
            return refused(
                "F103",
                f"{name} is a zip archive but not an Excel workbook. Upload the .xlsx or .csv "
                "file itself.",
            )
        content_types = archive.read("[Content_Types].xml")
        if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in content_types:
            return refused(
                "F105",
                f"{name} contains macros. Save it as Excel Workbook (.xlsx), which removes them, "
                "and upload that.",
            )
        if any(member.flag_bits & 0x1 for member in members):
            return refused("F106", f"{name} is encrypted. Remove the password and upload it again.")
        # Every part, whatever its name: a workbook's parts are found through its relationships,
        # so an XML part may be called anything.
        for member in members:
            with archive.open(member) as part:
                problem = xml_prolog_problem(part)
            if problem:
                return refused(
                    "F108",
                    f"{member.filename} inside {name} {problem}, which Excel never writes. Copy the "
                    "figures into a new template and upload that.",
                )
    return Sniffed("xlsx", ())


# How an XML part's first bytes give its encoding (XML 1.0, appendix F, as expat reads them): a
# byte-order mark, or the zero bytes of UTF-32 or UTF-16. Otherwise the bytes are ASCII up to
# the end of the declaration, which may name another encoding.
_BYTE_ORDER_MARKS = (
    (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
)
_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_CHUNK_BYTES = 4 * 1024


def xml_prolog_problem(part: IO[bytes]) -> str | None:
    """What is wrong with an XML part's prolog (its declaration, comments and processing
    instructions before the root element), or None: a DTD, which is where entities are
    declared, or a prolog longer than any Excel writes. A DTD can only come before the root
    element, so only the prolog is read, a few kilobytes at a time; a part that is not XML
    (a picture) is left alone."""
    head = part.read(_CHUNK_BYTES)
    encoding, declaration = _encoding(head)
    try:
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    except LookupError:
        return f"is written in an encoding ({encoding}) that cannot be read"
    # The declaration is ASCII whatever encoding it names for the rest.
    text = head[:declaration].decode("ascii", "replace") + decoder.decode(head[declaration:]).lstrip("\ufeff")
    read, position = len(head), 0
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        rest = text[position:]
        opening = next((start for start in ("<?", "<!--") if rest.startswith(start)), None)
        if opening:
            closing = "?>" if opening == "<?" else "-->"
            if closing in rest[len(opening):]:
                position += rest.index(closing, len(opening)) + len(closing)
                continue
        elif "<!--".startswith(rest):
            pass  # too little read to tell a comment from a declaration
        elif rest.startswith("<!"):
            return "declares a DTD or XML entities"
        else:
            return None  # the root element, after which no DTD may come; or not XML at all
        if read >= _PROLOG_BYTES:
            return f"has more than {_PROLOG_BYTES // 1024} KB before its first element"
        chunk = part.read(_CHUNK_BYTES)
        if not chunk:
            return None  # it ends before any element: not a document openpyxl could read
        text, read = text + decoder.decode(chunk), read + len(chunk)


def _encoding(head: bytes) -> tuple[str, int]:
    """The part's encoding, and how many of its first bytes are an ASCII declaration naming it."""
    encoding = next((name for mark, name in _BYTE_ORDER_MARKS if head.startswith(mark)), None)
    if encoding is not None:
        return encoding, 0
    if head[:3] == b"\x00\x00\x00":
        return "utf-32-be", 0
    if head[1:4] == b"\x00\x00\x00":
        return "utf-32-le", 0
    if len(head) >= 2 and (head[0] == 0) != (head[1] == 0):
        return ("utf-16-be" if head[0] == 0 else "utf-16-le"), 0
    declared = _DECLARED_ENCODING.match(head)
    if declared is None:
        return "utf-8", 0
    return declared[1].decode("ascii"), (head.index(b"?>") + 2 if b"?>" in head else declared.end())
