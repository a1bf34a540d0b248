"""Think Tank dashboard: the router. Pages live in pages/; the engine in thinktank/."""

import streamlit as st

st.set_page_config(page_title="Think Tank", page_icon=":material/insights:", layout="wide")

navigation = st.navigation(
    {
        "Explore": [
            st.Page(
                "pages/catalogue.py",
                title="Indicator catalogue",
                icon=":material/menu_book:",
                url_path="catalogue",
                default=True,
            ),
        ],
    }
)
navigation.run()
