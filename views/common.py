"""What every page shares: the one store of this process, and how our errors are shown.

Streamlit caches are shared by every user of the server, so anything cached here must not
depend on who is looking; per-user data takes the role and agency as cache arguments.
"""

from __future__ import annotations

import streamlit as st

from thinktank.errors import ThinkTankError
from thinktank.settings import Settings
from thinktank.store import Store


@st.cache_resource(show_spinner=False)
def _store() -> Store:
    settings = Settings.from_environment()
    if settings.database_path.exists():
        return Store.open(settings)
    with st.spinner(f"First start: building the database at {settings.database_path}..."):
        return Store.open(settings)


def store() -> Store:
    """The store, opened once per process; a problem the user can fix stops the page with a hint."""
    try:
        return _store()
    except ThinkTankError as error:
        show_error(error)
        st.stop()


def show_error(error: ThinkTankError) -> None:
    st.error(error.title, icon=":material/error:")
    if error.hint:
        # Hints name files, ids and YAML keys: shown verbatim so underscores stay underscores.
        st.code(error.hint, language=None, wrap_lines=True)
