"""Upload a quarterly return: choose agency and quarter, get the template, upload, see every
problem with its row and column, then store the return with a button.

Checking writes nothing. A check's result, and any confirmation of its warnings, belongs to one
file, agency and quarter: changing any of the three checks again and forgets the old result, so
that a choice made for one never stores another."""

from __future__ import annotations

import hashlib
from functools import partial

import streamlit as st

from schemas.returns import FIGURE_COLUMNS
from thinktank.docs import markdown_text
from thinktank.downloads import CSV_MIME, XLSX_MIME, csv_bytes, xlsx_bytes
from thinktank.errors import ThinkTankError
from thinktank.formatting import SEVERITY_LABELS, agency_names
from thinktank.ingest.limits import Limits
from thinktank.ingest.submit import IngestResult, check_return, store_return
from thinktank.periods import latest_complete_quarter
from thinktank.store import utc_now
from thinktank.templates import template_csv, template_rows, template_xlsx, version_in_force
from thinktank.text import without_direction_controls
from thinktank.users import may_send_returns
from views.common import acting_user, download_button, show_error, store

# An analyst uploads for any agency and an uploader for its own; the core refuses anyone else,
# so the list of agencies below only spares people a choice that would be refused.
ACTOR = acting_user()
QUARTERS_OFFERED = 8
ROW_COLOURS = {"error": "background-color: #f4cccc", "warning": "background-color: #fff2cc"}
# The limit .streamlit/config.toml sets (server.maxUploadSize), as the upload box states it.
MAX_UPLOAD_MB = st.get_option("server.maxUploadSize")
WARNINGS_LISTED = 5  # above the store button; every one is in the problems table
CHECK_KEY = "upload_check"  # the one check in hand: its file, agency, quarter and result
SENT_KEY = "upload_sent"  # the file last sent, whose refusal is recorded once
PROBLEM_HEADERS = {"severity": "Severity", "code": "Code", "sheet": "Sheet", "row": "Row", "column": "Column",
                   "column_letter": "Column letter", "value": "Value found", "message": "Problem and what to do"}
ROW_HEADERS = {"indicator_id": "Indicator", "period": "Quarter", "breakdown": "Breakdown",
               "breakdown_value": "Group", "numerator": "Numerator", "denominator": "Denominator",
               "value": "Value", "status": "Symbol", "comment": "Comment", "problems": "Problem codes"}

st.title("Upload a quarterly return")
st.caption(
    "Send your agency's figures for a quarter as an Excel workbook (.xlsx) or a csv file. "
    "Every problem is listed with its row and column; nothing is stored until there are no errors."
)

catalogue = store().catalogue
agencies = dict(sorted(((agency, name) for agency, name in agency_names(catalogue.agencies).items()
                        if may_send_returns(ACTOR, agency)), key=lambda item: item[1]))
if not agencies:
    st.info("Returns come from each agency, or from a Think Tank analyst on its behalf. As a member of the "
            "Performance and Learning Group you read the scorecard, the quarterly headlines and the board pack.",
            icon=":material/info:")
    st.stop()
latest = latest_complete_quarter(utc_now().date())
quarters = [latest]
for _ in range(QUARTERS_OFFERED - 1):
    quarters.append(quarters[-1].previous())

agency_column, quarter_column = st.columns([2, 1])
agency_id = agency_column.selectbox("Agency", list(agencies), format_func=agencies.get, key="upload_agency")
quarter = quarter_column.selectbox(
    "Quarter", quarters, format_func=lambda q: f"{q.label} ({q.start:%B} to {q.end:%B %Y})",
    key="upload_quarter",
)

st.subheader("1. Download the template")
rows = template_rows(store().cursor(), ACTOR, catalogue, agency_id, quarter)
correcting = version_in_force(store().cursor(), ACTOR, agency_id, quarter)
indicators = rows["indicator_id"].nunique()
if correcting:
    st.markdown(
        f"{agencies[agency_id]} has a return in force for {quarter.label}. The template holds it, "
        f"**{indicators} indicator{'s' if indicators != 1 else ''}** in {len(rows):,} rows, filled with the figures "
        "in force: correct what needs correcting and upload the whole file. Leave no row out that still applies."
    )
else:
    st.markdown(
        f"The template lists the **{indicators} indicator{'s' if indicators != 1 else ''}** {agencies[agency_id]} "
        f"sends, in {len(rows):,} rows: the overall figure and each group it is collected by, with last quarter's "
        "figure beside each for reference."
    )
name = f"return-{agency_id}-{quarter.label.replace(' ', '-')}"
xlsx_column, csv_column, _ = st.columns([1, 1, 3])
download_button(xlsx_column, "Template (Excel)", partial(template_xlsx, rows, catalogue, agency_id, quarter, correcting),
                f"{name}.xlsx", XLSX_MIME, period=quarter, width="stretch")
download_button(csv_column, "Template (csv)", partial(template_csv, rows), f"{name}.csv", CSV_MIME,
                period=quarter, width="stretch")

st.subheader("2. Upload the filled return")
uploaded = st.file_uploader(
    "Return file", type=["xlsx", "csv"], key="upload_file",
    help=f"An Excel workbook (.xlsx) or a csv file of up to {MAX_UPLOAD_MB} MB.",
)
LIMITS = Limits.from_environment()
st.caption(f"Excel (.xlsx) or csv, up to {MAX_UPLOAD_MB} MB, {LIMITS.max_rows:,} rows, {LIMITS.max_columns:,} "
           f"columns and {LIMITS.max_cell_chars:,} characters in a cell. Checking stores nothing: you store the "
           "return with a button once it has no errors.")
if uploaded is None:
    st.session_state.pop(CHECK_KEY, None)
    st.stop()

content = uploaded.getvalue()
choice = (hashlib.sha256(content).hexdigest(), agency_id, quarter.label)
check = st.session_state.get(CHECK_KEY)
if check is None or check["choice"] != choice:
    # Another file, agency or quarter: the old result and any confirmation go with it.
    st.session_state.pop(CHECK_KEY, None)
    with st.status("Checking your return...", expanded=False) as progress:
        try:
            checked = check_return(store(), content, uploaded.name, agency_id, quarter, ACTOR)
        except ThinkTankError as error:
            progress.update(label="Could not check the return", state="error")
            show_error(error)
            st.stop()
        progress.update(label=f"Checked {checked.report.rows_read:,} rows", state="complete")
    if checked.outcome == "refused" and st.session_state.get(SENT_KEY) != uploaded.file_id:
        # A file just sent and refused is recorded (the Submissions page counts refused returns);
        # the same file checked again for another agency or quarter is not sent again.
        checked = store_return(store(), checked, ACTOR)
    st.session_state[SENT_KEY] = uploaded.file_id
    check = st.session_state[CHECK_KEY] = {"choice": choice, "result": checked}
result: IngestResult = check["result"]


def cell_as_shown(cell: object) -> str:
    if cell is None or cell != cell:
        return ""
    return f"{cell:,.1f}".removesuffix(".0") if isinstance(cell, float) else str(cell)


def store_checked(confirm_warnings: bool) -> None:
    try:
        check["result"] = store_return(store(), result, ACTOR, confirm_warnings=confirm_warnings)
    except ThinkTankError as error:
        check["error"] = error
    st.cache_data.clear()  # the scorecard and the submissions now read the new version


report = result.report
errors_column, warnings_column, rows_column = st.columns(3)
errors_column.metric("Errors", f"{report.errors:,}")
warnings_column.metric("Warnings", f"{report.warnings:,}")
rows_column.metric("Rows read", f"{report.rows_read:,}")

if "error" in check:
    show_error(check.pop("error"))
if result.outcome == "refused":
    st.error(result.summary, icon=":material/block:")
elif result.outcome == "needs_confirmation":
    # Each warning in words above the button, so that what storing would do (rows dropped, say)
    # is read before it is confirmed; the messages quote the file, so they are shown as text.
    warned = list(dict.fromkeys(item.message for item in report.issues if item.severity == "warning"))
    listed = "\n".join(f"- {markdown_text(message)}" for message in warned[:WARNINGS_LISTED])
    more = len(warned) - WARNINGS_LISTED
    st.warning(f"{result.summary}\n\n{listed}" + (f"\n\nand {more:,} more in the table below." if more > 0 else ""),
               icon=":material/warning:")
    st.button(f"I have read the warnings: store this return for {agencies[agency_id]}, "
              f"{quarter.label}", type="primary", on_click=store_checked, args=(True,))
elif result.outcome == "ready":
    st.info(result.summary, icon=":material/fact_check:")
    st.button(f"Store this return for {agencies[agency_id]}, {quarter.label}",
              type="primary", on_click=store_checked, args=(False,))
elif result.outcome == "already_stored":
    st.info(result.summary, icon=":material/info:")
else:
    st.success(result.summary, icon=":material/check_circle:")
if report.ignored_columns:
    # The file's own headers: text, never markdown, in the order they were typed.
    st.caption("Columns ignored: " + ", ".join(map(markdown_text, report.ignored_columns)))

issues = report.issue_table()
if not issues.empty:
    st.subheader("Problems found")
    severity_column, code_column = st.columns(2)
    severities = severity_column.multiselect(
        "Severity", list(SEVERITY_LABELS), default=list(SEVERITY_LABELS), format_func=SEVERITY_LABELS.get,
        key="upload_severity",
    )
    chosen_codes = code_column.multiselect("Code", sorted(issues["code"].unique()), key="upload_codes")
    shown = issues[issues["severity"].isin(severities)]
    if chosen_codes:
        shown = shown[shown["code"].isin(chosen_codes)]
    readable = shown.assign(severity=shown["severity"].map(SEVERITY_LABELS),
                            value=shown["value"].map(lambda typed: "" if typed is None or typed != typed else str(typed)))
    st.dataframe(
        readable.rename(columns=PROBLEM_HEADERS), hide_index=True, width="stretch", placeholder="",
        column_config={"Problem and what to do": st.column_config.TextColumn(width="large")},
    )
    first_code = str(shown["code"].iloc[0]) if not shown.empty else str(issues["code"].iloc[0])
    st.page_link("views/rules.py", label=f"What each code means and what to do, starting with {first_code}",
                 icon=":material/rule:", query_params={"code": first_code})
    issues_name = f"problems-{without_direction_controls(uploaded.name).rsplit('.', 1)[0]}"
    for_file = issues.assign(severity=issues["severity"].map(SEVERITY_LABELS)).rename(columns=PROBLEM_HEADERS)
    left, right, _ = st.columns([1, 1, 3])
    download_button(left, "Problems (Excel)", partial(xlsx_bytes, {"Problems": for_file}), f"{issues_name}.xlsx",
                    XLSX_MIME, width="stretch")
    download_button(right, "Problems (csv)", partial(csv_bytes, for_file), f"{issues_name}.csv", CSV_MIME,
                    width="stretch")

annotated = report.rows_with_problems()
if not annotated.empty:
    st.subheader("Your rows")
    st.caption("Rows with an error are shaded red and rows with a warning amber; the row numbers are as "
               "Excel shows them. A figure that could not be read is shown as you typed it.")
    worst = annotated.pop("worst")
    # Every cell as text: a figure column can hold a number and what someone typed ('about 20'),
    # which a table of numbers cannot, and an empty cell reads empty rather than "None".
    readable_rows = annotated.map(cell_as_shown).rename(columns=ROW_HEADERS).rename_axis("Row")
    styled = readable_rows.style.apply(
        lambda row: [ROW_COLOURS.get(worst[row.name], "") if isinstance(worst[row.name], str) else ""] * len(row),
        axis=1,
    )
    st.dataframe(styled, width="stretch", column_config={
        ROW_HEADERS[figure]: st.column_config.TextColumn(alignment="right") for figure in FIGURE_COLUMNS})
