"""The board pack as a document: HTML with print CSS, and the PDF WeasyPrint typesets from it.

Every word from a person (statements, reasons, evidence titles, actions) is text: the template
escapes it (Jinja2's autoescape), and nothing is read as Markdown, so a link or an image in a
statement prints as the characters typed.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
from markupsafe import Markup

from thinktank.boardpack.build import BoardPack
from thinktank.disclosure import SMALL_COUNT_RANGE
from thinktank.formatting import (
    SCALE_ENDS,
    SIGN_OFF_LABELS,
    SIGN_OFF_MEANINGS,
    SIGNS_OF_SAFETY_LABELS,
)
from thinktank.periods import format_date

ORGANISATION = "Durham Safeguarding Children Partnership"
_TEMPLATES = Path(__file__).parent / "templates"
_NOT_IN_A_CSS_STRING = re.compile(r'[\\"<>\n\r]')


def css_string(text: str) -> Markup:
    """Text as a quoted CSS string (the running header's words): quotes, backslashes, line
    breaks and angle brackets written as CSS escapes, so nothing can end the string or the
    style element."""
    return Markup('"' + _NOT_IN_A_CSS_STRING.sub(lambda match: f"\\{ord(match.group()):x} ", text) + '"')


_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
    trim_blocks=True, lstrip_blocks=True,
)
_ENVIRONMENT.filters["css_string"] = css_string


def _made(pack: BoardPack) -> str:
    return f"{format_date(pack.made.date())} at {pack.made:%H:%M} UTC"


def pack_title(pack: BoardPack) -> str:
    return f"Think Tank quarterly headlines, {pack.period.label} ({SIGN_OFF_LABELS[pack.sign_off.state]})"


def _withheld_note(withheld: int) -> str:
    if withheld == 1:
        return ("1 statement quoting a figure held back under the small-numbers rule is left out of this "
                "pack; the Quarterly headlines page shows it to the Think Tank.")
    return (f"{withheld:,} statements quoting a figure held back under the small-numbers rule are left out "
            "of this pack; the Quarterly headlines page shows them to the Think Tank.")


def pack_html(pack: BoardPack) -> str:
    """The pack as one complete HTML document, its CSS inside, that prints as the PDF does."""
    period = pack.period
    state_label = SIGN_OFF_LABELS[pack.sign_off.state]
    low, high = SMALL_COUNT_RANGE
    figures_note = (
        f"The figures are as they stood when the PLG agreed these headlines ({format_date(pack.frozen_at.date())}); "
        "a later return does not change them." if pack.frozen_at is not None else
        "The figures are those of the returns in force when this pack was made; they can change "
        "until the PLG agrees the headlines."
    )
    hidden = pack.primary_suppressed + pack.secondary_suppressed
    small_numbers_note = (
        f"Small numbers: a count of {low} to {high} children is shown as c, with nothing behind it, and so is "
        "any figure from which one could be worked out (such as the last group of a breakdown) or a rate "
        f"or percentage built on one. This quarter {hidden:,} of the scorecard's figures "
        f"{'is' if hidden == 1 else 'are'} held back so. "
        "Units are given with every figure; 'Direction' compares with last quarter, 'SPC' reads the figure "
        "against its own history (NHS England's Making Data Count)."
    )
    css = _ENVIRONMENT.get_template("pack.css").render(
        header_left=f"{ORGANISATION}: Think Tank quarterly headlines, {period.label}",
        header_right=f"{state_label}, version {pack.sign_off.version}",
        footer_left=f"Made {_made(pack)}",
    )
    return _ENVIRONMENT.get_template("pack.html").render(
        pack=pack, title=pack_title(pack), css=Markup(css), organisation=ORGANISATION,
        quarter_dates=f"{format_date(period.start)} to {format_date(period.end)}",
        quarter_end=format_date(period.end), state_label=state_label,
        state_meaning=SIGN_OFF_MEANINGS[pack.sign_off.state], figures_note=figures_note, made=_made(pack),
        scale_ends=SCALE_ENDS, headings=SIGNS_OF_SAFETY_LABELS,
        history_quarters=[label for label, _ in pack.themes[0].scale_history] if pack.themes else [],
        small_numbers_note=small_numbers_note,
        withheld_note=_withheld_note(pack.statements_withheld),
    )


def pack_pdf(pack: BoardPack) -> bytes:
    """The pack typeset by WeasyPrint from `pack_html`: A4 landscape, page numbers, a running
    header with the quarter and the sign-off state, and DRAFT across every page until agreed."""
    import weasyprint  # a second or so to import: only when a PDF is made

    # Tagged, so that a screen reader reads the PDF in order, with headings, tables and the
    # charts' text alternatives.
    return weasyprint.HTML(string=pack_html(pack), base_url=str(_TEMPLATES)).write_pdf(pdf_tags=True)
