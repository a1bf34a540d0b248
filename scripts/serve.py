"""Serve the dashboard (`make run`). Before the server takes anyone: get the database ready, on a
first start building the demo partnership with its progress in the terminal; then warm the
engine in the server's own process (the imports, the store opened, the first page's figures
cached), and start Streamlit in this same process, so that what was warmed is what it serves.

Streamlit has no hook for work before its first session, but its caches and imports belong to
the process: filling them before `streamlit run` starts here is what a hook would do.
`streamlit run app.py` still works without this: the first visitor then waits for it, and on a
first start sees the demo's progress on the page. Arguments go to `streamlit run`
(`python scripts/serve.py --server.port 8502`).
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUIET_WHILE_WARMING = ("streamlit.runtime.caching.cache_data_api", "streamlit.runtime.scriptrunner_utils.script_run_context")


def main() -> None:
    from thinktank import first_start
    from thinktank.errors import ThinkTankError
    from thinktank.settings import Settings
    from thinktank.store import utc_now

    out = sys.stderr
    try:
        first_start.prepare_in_terminal(Settings.from_environment(), utc_now().date(), out)
        started_at = time.perf_counter()
        warm()
        first_start.say(out, f"engine warmed in {time.perf_counter() - started_at:.1f} s; starting the dashboard")
    except ThinkTankError as error:  # the page shows it too, with its hint
        first_start.say(out, f"{error.title}. {error.hint}")
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *sys.argv[1:]]
    sys.exit(cli.main())


def warm() -> None:
    """The first page's work, done once before anyone asks (views.common.warm_for_first_visitor),
    and the modules the pages import that the engine does not (plotly's charts, the tiles)."""
    import streamlit  # noqa: F401  it sets its loggers' levels as it loads, so before they are quietened

    # Before its runtime starts Streamlit warns, for each cache (where it is declared and where it
    # is filled), that it keeps it in memory, where the runtime keeps these too (none is
    # `persist`); and that no script is running. Both are what is meant here.
    logs = [logging.getLogger(name) for name in QUIET_WHILE_WARMING]
    levels = [log.level for log in logs]
    for log in logs:
        log.setLevel(logging.ERROR)
    try:
        # plotly's charts, the slowest import of the next pages; the Scorecard page's tiles.
        from schemas.returns import load_row_checks
        from thinktank import charts, overview_html  # noqa: F401
        from views import common

        common.warm_for_first_visitor()
        load_row_checks()  # so that the first upload's check runs as every later one does
    finally:
        for log, level in zip(logs, levels, strict=True):
            log.setLevel(level)


if __name__ == "__main__":
    main()
