"""Think Tank dashboard: the router. Pages live in views/; the engine in thinktank/."""

import streamlit as st

from views.common import prepare_page

st.set_page_config(page_title="Think Tank", page_icon=":material/insights:", layout="wide")

navigation = st.navigation(
    {
        "Returns": [
            st.Page("views/upload.py", title="Upload a return", icon=":material/upload_file:", url_path="upload"),
            st.Page("views/submissions.py", title="Submissions", icon=":material/fact_check:", url_path="submissions"),
            st.Page("views/rules.py", title="Problem codes", icon=":material/rule:", url_path="rules"),
        ],
        "Explore": [
            st.Page("views/scorecard.py", title="Scorecard", icon=":material/dashboard:", url_path="scorecard",
                    default=True),
            st.Page("views/theme.py", title="Themes", icon=":material/category:", url_path="theme"),
            st.Page("views/indicator.py", title="Indicators", icon=":material/query_stats:", url_path="indicator"),
            st.Page("views/agencies.py", title="Agencies", icon=":material/groups:", url_path="agencies"),
            st.Page("views/catalogue.py", title="Indicator catalogue", icon=":material/menu_book:",
                    url_path="catalogue"),
        ],
    }
)
prepare_page()
navigation.run()
