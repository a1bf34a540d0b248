"""Think Tank dashboard: the router. Pages live in views/; the engine in thinktank/."""

import streamlit as st

from thinktank.errors import ThinkTankError
from thinktank.store.transactions import store_errors_translated
from thinktank.users import User
from views.common import offered, prepare_page, show_error

st.set_page_config(page_title="Think Tank", page_icon=":material/insights:", layout="wide")

# Streamlit serves the default page at "/" only: its own url_path is just its key, and opening
# that path says "Page not found". A hidden page answers /scorecard by opening the scorecard
# with the link's choices (?period=...), so the address people expect works too.
scorecard_page = st.Page("views/scorecard.py", title="Scorecard", icon=":material/dashboard:",
                         url_path="balanced-scorecard", default=True)


def open_the_scorecard() -> None:
    st.switch_page(scorecard_page, query_params=st.query_params.to_dict())


def pages(user: User) -> dict[str, list[st.Page]]:
    """The pages in the navigation, each only for the roles offered it (views.common.PAGE_ROLES):
    the core refuses what a page would show anyone else, so a typed address to another page
    shows nothing it should not."""

    def page(script: str, **details: str) -> st.Page | None:
        return st.Page(script, **details) if offered(script, user) else None

    sections = {
        "Returns": [
            page("views/upload.py", title="Upload a return", icon=":material/upload_file:", url_path="upload"),
            page("views/submissions.py", title="Submissions", icon=":material/fact_check:", url_path="submissions"),
            page("views/rules.py", title="Problem codes", icon=":material/rule:", url_path="rules"),
        ],
        "PLG": [
            page("views/headlines.py", title="Quarterly headlines", icon=":material/campaign:", url_path="headlines"),
            page("views/board_pack.py", title="Board pack", icon=":material/picture_as_pdf:", url_path="board-pack"),
        ],
        "Explore": [
            scorecard_page,
            st.Page(open_the_scorecard, title="Scorecard", url_path="scorecard", visibility="hidden"),
            page("views/theme.py", title="Themes", icon=":material/category:", url_path="theme"),
            page("views/indicator.py", title="Indicators", icon=":material/query_stats:", url_path="indicator"),
            page("views/agencies.py", title="Agencies", icon=":material/groups:", url_path="agencies"),
            page("views/catalogue.py", title="Indicator catalogue", icon=":material/menu_book:",
                 url_path="catalogue"),
            page("views/catalogue_edit.py", title="Change the catalogue", icon=":material/edit_note:",
                 url_path="change-catalogue"),
        ],
        "Help": [
            page("views/help.py", title="Help", icon=":material/help:", url_path="help"),
        ],
        "Admin": [
            page("views/users.py", title="Users", icon=":material/manage_accounts:", url_path="users"),
        ],
    }
    return {section: [shown for shown in listed if shown is not None]
            for section, listed in sections.items() if any(listed)}


# The one error boundary: a problem a person can fix, raised anywhere in a page (a store
# problem from DuckDB included), is shown with its hint rather than as a traceback. Who is
# acting comes first: someone who may not see the dashboard is stopped there, before any page.
try:
    with store_errors_translated():
        # Every page listed: Streamlit folds all but ten under "View more", which hid an admin's
        # Users page and the Help page.
        st.navigation(pages(prepare_page()), expanded=True).run()
except ThinkTankError as error:
    show_error(error)
