"""What every page shares: the one store of this process, the demo banner, and how our
errors are shown.

Streamlit caches are shared by every user of the server, so anything cached here must not
depend on who is looking; per-user data takes the role and agency as cache arguments.
"""

from __future__ import annotations

import threading

import streamlit as st

from thinktank.demo import build_demo, is_demo
from thinktank.errors import ThinkTankError
from thinktank.settings import Settings, demo_on_first_start
from thinktank.store import Store, utc_now


@st.cache_resource(show_spinner=False)
def _store() -> tuple[Store, bool]:
    """The store, and whether this process created its database."""
    settings = Settings.from_environment()
    created = not settings.database_path.exists()
    return Store.open(settings), created


@st.cache_resource(show_spinner=False)
def _demo_lock() -> threading.Lock:
    # Two people opening the dashboard at once must not both build the demo.
    return threading.Lock()


def store() -> Store:
    """The store, opened once per process; a problem the user can fix stops the page with a hint."""
    try:
        opened, _ = _store()
    except ThinkTankError as error:
        show_error(error)
        st.stop()
    return opened


def prepare_page() -> None:
    """Before any page: build the demo on a first start, and say when the data is a demo."""
    opened = store()
    _, created = _store()
    if created and demo_on_first_start():
        with _demo_lock():
            if not is_demo(opened):
                bar = st.progress(0.0, text="First start: building the demo partnership...")
                build_demo(
                    opened, utc_now().date(),
                    progress=lambda done, total, label: bar.progress(
                        done / total, text=f"First start: building the demo partnership ({label})"
                    ),
                )
                bar.empty()
                st.cache_data.clear()
    if is_demo(opened):
        st.info(
            "**Demo data.** Every figure here belongs to a made-up partnership built from "
            "published County Durham levels; no real child or return is shown.",
            icon=":material/science:",
        )


def show_error(error: ThinkTankError) -> None:
    st.error(error.title, icon=":material/error:")
    if error.hint:
        # Hints name files, ids and YAML keys: shown verbatim so underscores stay underscores.
        st.code(error.hint, language=None, wrap_lines=True)
