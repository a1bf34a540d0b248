"""The least a Streamlit page like the Scorecard costs in the browser: the same page setup and
navigation, a title, a heading and a 90-row table of text, with no data work at all. Served and
timed by `scorecard.py` beside the real page, so that its figure reads against this one."""

import pandas as pd
import streamlit as st


def scorecard_shape() -> None:
    st.title("Balanced scorecard")
    st.header("Every indicator", divider="gray")
    st.dataframe(pd.DataFrame({f"Column {number}": [f"Row {row}" for row in range(90)] for number in range(11)}),
                 hide_index=True, width="stretch")


def elsewhere() -> None:
    st.title("Another page")


st.set_page_config(page_title="Think Tank", page_icon=":material/insights:", layout="wide")
st.navigation({
    "Returns": [st.Page(elsewhere, title="Upload a return", url_path="upload"),
                st.Page(elsewhere, title="Submissions", url_path="submissions")],
    "Explore": [st.Page(scorecard_shape, title="Scorecard", url_path="scorecard", default=True),
                st.Page(elsewhere, title="Themes", url_path="theme"),
                st.Page(elsewhere, title="Indicators", url_path="indicator"),
                st.Page(elsewhere, title="Agencies", url_path="agencies"),
                st.Page(elsewhere, title="Indicator catalogue", url_path="catalogue")],
}).run()
