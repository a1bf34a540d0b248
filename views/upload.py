"""Upload a quarterly return: choose agency and quarter, get the template, upload, and see
every problem with its row and column, or confirmation that the return is stored."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from thinktank.downloads import CSV_MIME, XLSX_MIME, csv_bytes, xlsx_bytes
from thinktank.errors import ThinkTankError
from thinktank.ingest.submit import IngestResult, ingest_return
from thinktank.periods import latest_complete_quarter
from thinktank.store import utc_now
from thinktank.templates import template_csv, template_rows, template_xlsx
from thinktank.users import LOCAL_ANALYST
from views.common import download_button, show_error, store

# Until sign-in arrives, the person at the dashboard uploads as an analyst, for any agency.
ACTOR = LOCAL_ANALYST
QUARTERS_OFFERED = 8
ROW_COLOURS = {"error": "background-color: #f4cccc", "warning": "background-color: #fff2cc"}

st.title("Upload a quarterly return")
st.caption(
    "Send your agency's figures for a quarter as an Excel workbook (.xlsx) or a csv file. "
    "Every problem is listed with its row and column; nothing is stored until there are no errors."
)

catalogue = store().catalogue
agencies = {agency.id: agency.name for agency in sorted(catalogue.agencies, key=lambda a: a.name)}
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
rows = template_rows(store().cursor(), catalogue, agency_id, quarter)
indicators = rows["indicator_id"].nunique()
st.markdown(
    f"The template lists the **{indicators} indicator{'s' if indicators != 1 else ''}** {agencies[agency_id]} sends, "
    f"in {len(rows)} rows: the overall figure and each group it is collected by, with last quarter's figure "
    "beside each for reference."
)
name = f"return-{agency_id}-{quarter.label.replace(' ', '-')}"
xlsx_column, csv_column, _ = st.columns([1, 1, 3])
download_button(xlsx_column, "Template (Excel)", partial(template_xlsx, rows, catalogue, agency_id, quarter),
                f"{name}.xlsx", XLSX_MIME, width="stretch")
download_button(csv_column, "Template (csv)", partial(template_csv, rows), f"{name}.csv", CSV_MIME, width="stretch")

st.subheader("2. Upload the filled return")
uploaded = st.file_uploader("Return file", type=["xlsx", "csv"], key="upload_file")
if uploaded is None:
    st.stop()

confirm_key = f"confirmed-{uploaded.file_id}"
confirmed = st.session_state.get(confirm_key, False)
# One upload is sent once: later reruns (a filter changed) show its result, not a re-send.
result_key = f"result-{uploaded.file_id}-{agency_id}-{quarter.label}-{confirmed}"
if result_key not in st.session_state:
    with st.status("Checking your return...", expanded=False) as progress:
        try:
            st.session_state[result_key] = ingest_return(
                store(), uploaded.getvalue(), uploaded.name, agency_id, quarter, ACTOR,
                confirm_warnings=confirmed,
            )
        except ThinkTankError as error:
            progress.update(label="Could not check the return", state="error")
            show_error(error)
            st.stop()
        progress.update(label=f"Checked {st.session_state[result_key].report.rows_read:,} rows", state="complete")
result: IngestResult = st.session_state[result_key]

report = result.report
errors_column, warnings_column, rows_column = st.columns(3)
errors_column.metric("Errors", f"{report.errors:,}")
warnings_column.metric("Warnings", f"{report.warnings:,}")
rows_column.metric("Rows read", f"{report.rows_read:,}")

if result.outcome == "refused":
    st.error(result.summary, icon=":material/block:")
elif result.outcome == "needs_confirmation":
    st.warning(result.summary, icon=":material/warning:")
    if st.button("I have checked the warnings: store this return", type="primary"):
        st.session_state[confirm_key] = True
        st.rerun()
elif result.outcome == "already_stored":
    st.info(result.summary, icon=":material/info:")
else:
    st.success(result.summary, icon=":material/check_circle:")
if report.ignored_columns:
    st.caption("Columns ignored: " + ", ".join(report.ignored_columns))

issues = report.issue_table()
if not issues.empty:
    st.subheader("Problems found")
    severity_column, code_column = st.columns(2)
    severities = severity_column.multiselect(
        "Severity", ["error", "warning"], default=["error", "warning"], key="upload_severity"
    )
    chosen_codes = code_column.multiselect("Code", sorted(issues["code"].unique()), key="upload_codes")
    shown = issues[issues["severity"].isin(severities)]
    if chosen_codes:
        shown = shown[shown["code"].isin(chosen_codes)]
    st.dataframe(
        shown.rename(columns=str.capitalize).rename(columns={"Column_letter": "Letter"}),
        hide_index=True, width="stretch",
        column_config={"Message": st.column_config.TextColumn(width="large")},
    )
    st.caption("What each code means, with an example, is in docs/rules.md.")
    issues_name = f"problems-{uploaded.name.rsplit('.', 1)[0]}"
    left, right, _ = st.columns([1, 1, 3])
    download_button(left, "Problems (Excel)", partial(xlsx_bytes, {"Problems": issues}), f"{issues_name}.xlsx",
                    XLSX_MIME, width="stretch")
    download_button(right, "Problems (csv)", partial(csv_bytes, issues), f"{issues_name}.csv", CSV_MIME,
                    width="stretch")

annotated = report.rows_with_problems()
if not annotated.empty:
    st.subheader("Your rows")
    st.caption("Rows with an error are shaded red and rows with a warning amber; the row numbers are as Excel shows them.")
    styled = annotated.style.apply(
        lambda row: [ROW_COLOURS.get(row["worst"], "") if isinstance(row["worst"], str) else ""] * len(row),
        axis=1,
    ).format(na_rep="", precision=1, subset=pd.IndexSlice[:, ["numerator", "denominator", "value"]])
    st.dataframe(styled, width="stretch")
