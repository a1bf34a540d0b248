"""Help for the people who use Think Tank each quarter, none of them developers: an agency's
uploader, a Think Tank analyst and a member of the Performance and Learning Group."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from thinktank.formatting import (
    DIRECTION_LABELS,
    DIRECTION_MEANINGS,
    POSITION_LABELS,
    POSITION_MEANINGS,
    RAG_LABELS,
    RAG_MEANINGS,
    SIGNAL_LABELS,
    SIGNAL_MEANINGS,
)
from thinktank.periods import Quarter, format_date, latest_complete_quarter
from thinktank.settings import RETURN_DUE_DAYS
from thinktank.store import utc_now
from views.common import page_link

UPLOAD = "views/upload.py"
SUBMISSIONS = "views/submissions.py"
RULES = "views/rules.py"
SCORECARD = "views/scorecard.py"
HEADLINES = "views/headlines.py"
BOARD_PACK = "views/board_pack.py"
THEMES = "views/theme.py"
INDICATORS = "views/indicator.py"
AGENCIES = "views/agencies.py"
CATALOGUE = "views/catalogue.py"

def due_sentence(today: dt.date) -> str:
    """The agencies' deadline, with the dates for the latest quarter to have ended, and for the
    quarter after it once that deadline has passed."""
    quarter = latest_complete_quarter(today)
    sentence = f"Each agency's return is due **{RETURN_DUE_DAYS} days after the quarter ends**."
    if _due(quarter) >= today:
        return f"{sentence} Returns for {_quarter_dates(quarter)} are due by **{format_date(_due(quarter))}**."
    return (f"{sentence} Returns for {_quarter_dates(quarter)} were due by {format_date(_due(quarter))}; "
            f"returns for {_quarter_dates(quarter.next())} are due by **{format_date(_due(quarter.next()))}**.")


def _due(quarter: Quarter) -> dt.date:
    return quarter.end + dt.timedelta(days=RETURN_DUE_DAYS)


def _quarter_dates(quarter: Quarter) -> str:
    return f"{quarter.label} (1 {quarter.start:%B} to {format_date(quarter.end)})"


def meanings(labels: dict[str, str], explanations: dict[str, str]) -> str:
    """Each word as the pages show it, with what it means."""
    return "\n".join(f"- **{labels[key]}**: {explanation}" for key, explanation in explanations.items())


st.title("Help: what to do each quarter")
st.markdown(
    "Think Tank brings together the figures the partner agencies send each quarter, so that the "
    "Think Tank can read them across the 12 themes and report the headlines to the Performance "
    "and Learning Group (PLG). Quarters are financial-year quarters: Q1 is April to June, Q2 July "
    "to September, Q3 October to December and Q4 January to March. Find your role below."
)
st.page_link(CATALOGUE, label="What each indicator measures: the indicator catalogue", icon=":material/menu_book:")

st.header("If you send your agency's figures", divider="gray")
st.markdown(due_sentence(utc_now().date()))
st.markdown(
    """
1. Open **Upload a return**, choose your agency and the quarter.
2. Download the **template** (Excel or csv). It lists every indicator your agency sends, with
   last quarter's figure beside each to compare with. The workbook's About sheet says how to fill it in.
3. Fill in a figure on each row: the value, or for a percentage or a rate the numerator and
   denominator. Where you have no figure, write a symbol instead of leaving a gap or a zero:
   `c` for a small number held back to protect children, `x` for not available, `z` for not
   applicable. Add findings from audits, surveys and what children and families say on the
   Evidence sheet.
4. Upload the filled file (Excel or csv, up to 25 MB). Think Tank checks every row and lists
   each problem with its row and column, and you can download the list. Checking stores nothing.
   **Errors** must be fixed in your file before it can be stored: correct them and upload the
   file again. Each problem has a code, such as R213: the **Problem codes** page says what each
   means and what to do.
5. With no errors, press **Store this return**. **Warnings** (an indicator left out, a big change
   since last quarter, groups that do not add up to the total, rows that a correction would drop)
   do not stop the return: they are listed above the button. Check each one; if the figures are
   right, press **I have read the warnings: store this return**. The page then says the return is
   stored, with its version number.
6. **To correct a return**, download the template again: it now holds the figures in force, with
   a row for every group. Correct it and upload the whole file. It is kept as a new version and
   replaces the earlier one in every report; the earlier one stays in the history. A row left
   out is named in a warning before anything is stored.
"""
)
page_link(st, UPLOAD, label="Upload a return", icon=":material/upload_file:")
st.page_link(RULES, label="Problem codes: what each code means and what to do", icon=":material/rule:")

st.header("If you are a Think Tank analyst", divider="gray")
st.markdown(
    """
1. After the deadline, open **Submissions**. Its completeness table shows, for each agency and
   quarter, whether the return came on time, came late, is missing or was refused (every attempt
   had errors). Contact the agencies whose return is missing or refused. Below it is every
   version received; the one ticked *In force* is the one reported.
2. Open the **Scorecard** and choose the quarter (and a partnership priority if you want one).
   Each theme's tile counts its indicators by RAG rating, direction and SPC signal; *Look at
   first* lists the indicators that most need a look, with the reason.
3. Open each theme on **Themes**: its indicators, its evidence and the quarter's headlines under
   the Signs of Safety headings. Evidence comes from the agencies' returns; add the Think Tank's
   own (audits, surveys, the voice of the child, feedback from families and practitioners,
   reviews, inspections) under **Add evidence**. A deletion is kept, with who made it.
4. Open an indicator on **Indicators** (or from its theme) for its SPC chart, its breakdown
   groups and its definition, before you report a signal. Under *Commentary* answer *What does
   this tell us?*, *So what for children?* and *What does it mean for each agency?* (once for
   each agency that feeds it) for the quarter; every version is kept.
5. Use **Agencies** for each agency's own view: what it feeds into the scorecard, how its
   indicators are moving, and how complete and timely its returns are.
6. Open **Quarterly headlines** and press **Draft from the data**: for each theme, the rules
   put indicators with an SPC concern, red against target or worse than the benchmarks under
   *What are we worried about?* (with a prompt under *What needs to happen?*), and those
   improving, green or better than the benchmarks under *What's working well?*. Each statement
   quotes its figures. Edit them to add the "so what" for children and for each agency, add your
   own from audits, surveys and the voice of children and families, reorder or delete them, and
   give each theme and the partnership a scale from 0 to 10 with the reason. Make a *What needs
   to happen?* statement an action for an agency with a due quarter.
7. When the draft is done press **Mark ready for PLG**; after the meeting,
   **Record the PLG's agreement**. Agreed headlines are frozen: a later return does not change them, and the page
   lists any figure that has moved since. To change them, open a new version and say why.
8. For the PLG papers, open **Board pack**: the quarter's headlines as a report to print (PDF or
   HTML, marked DRAFT until agreed) and an Excel workbook of every figure behind them, small
   numbers shown as c. Every other table downloads as csv or Excel too.
"""
)
# Wider where the label is longer, so that "Quarterly headlines" reads in full at 1,440 px.
links = st.columns([1.1, 1, 1, 1, 1, 1.6, 1.1])
page_link(links[5], HEADLINES, label="Quarterly headlines", icon=":material/campaign:")
page_link(links[6], BOARD_PACK, label="Board pack", icon=":material/picture_as_pdf:")
links[0].page_link(SUBMISSIONS, label="Submissions", icon=":material/fact_check:")
links[1].page_link(SCORECARD, label="Scorecard", icon=":material/dashboard:")
links[2].page_link(THEMES, label="Themes", icon=":material/category:")
links[3].page_link(INDICATORS, label="Indicators", icon=":material/query_stats:")
links[4].page_link(AGENCIES, label="Agencies", icon=":material/groups:")

st.header("If you sit on the Performance and Learning Group", divider="gray")
st.markdown(
    """
1. Open the **Scorecard** for the latest quarter. Each theme's tile shows how many of its
   indicators are red, amber or green, improving or declining, and showing an SPC concern or
   improvement; *Look at first* names the ones to ask about.
2. Open **Quarterly headlines** (on a local dashboard with no sign-in, choose *PLG member* under
   *Acting as* in the sidebar to read them as the PLG does): per theme, what we are worried about, what is working well and what
   needs to happen, with the Think Tank's scale from 0 (very worried about children here) to 10
   (confident children are safe and partnership working is effective), the partnership's overall
   scale, how each has moved quarter on quarter, and the actions due back this quarter.
   Open a theme for its indicators and the evidence from agencies.
3. Open an indicator for its chart over time, the Think Tank's commentary for the quarter, and
   its definition: who sends it, how it is counted and what its target is.
4. Open **Board pack** for the report to read before the meeting or print: the 12 themes on
   its first page, then a page per theme with its statements, charts, evidence and actions.
5. The words below mean the same on every page.
"""
)
page_link(st, HEADLINES, label="The quarterly headlines", icon=":material/campaign:")
page_link(st, BOARD_PACK, label="The board pack", icon=":material/picture_as_pdf:")
st.page_link(SCORECARD, label="The balanced scorecard", icon=":material/dashboard:")

st.subheader("What the words mean")
st.markdown("**RAG rating**: the figure against the partnership's target.\n\n" + meanings(RAG_LABELS, RAG_MEANINGS))
st.markdown("**Direction of travel**: the figure against last quarter.\n\n"
            + meanings(DIRECTION_LABELS, DIRECTION_MEANINGS))
st.markdown(
    "**SPC (statistical process control)**: the figure against its own history, on an XmR chart "
    "drawn as NHS England's *Making Data Count* does. The grey dashed lines are the upper and "
    "lower process limits: the range the figure usually falls within.\n\n" + meanings(SIGNAL_LABELS, SIGNAL_MEANINGS)
)
st.markdown("**Benchmarks**: the figure against the latest published figures for other areas.\n\n"
            + meanings(POSITION_LABELS, POSITION_MEANINGS))
