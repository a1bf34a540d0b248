"""Think Tank dashboard: the router. Pages live in views/; the engine in thinktank/."""

import streamlit as st

from views.common import prepare_page

st.set_page_config(page_title="Think Tank", page_icon=":material/insights:", layout="wide")

navigation = st.navigation(
    {
        "Returns": [
            st.Page("views/upload.py", title="Upload a return", icon=":material/upload_file:", url_path="upload"),
            st.Page("views/submissions.py", title="Submissions", icon=":material/fact_check:", url_path="submissions"),
        ],
        "Explore": [
            st.Page(
                "views/catalogue.py",
                title="Indicator catalogue",
                icon=":material/menu_book:",
                url_path="catalogue",
                default=True,
            ),
        ],
    }
)
prepare_page()
navigation.run()
