"""The quarter's board pack for the Performance and Learning Group: a print-ready report (HTML
and PDF) and a workbook of every figure behind it, small numbers suppressed in both."""

from thinktank.boardpack.build import BoardPack, build_pack, headlines_version
from thinktank.boardpack.render import pack_html, pack_pdf
from thinktank.boardpack.workbook import pack_xlsx

__all__ = ["BoardPack", "build_pack", "headlines_version", "pack_html", "pack_pdf", "pack_xlsx"]
