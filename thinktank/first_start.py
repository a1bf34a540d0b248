"""First start: open (creating if need be) the store, and fill a database this process created
with the demo partnership when that is switched on (``THINKTANK_DEMO_ON_FIRST_START``).

The dashboard and the command line (``python -m thinktank init`` and ``demo``) both start
here, so a page only shows the progress it is told, and never builds the demo itself.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

from thinktank import demo
from thinktank.settings import Settings, demo_on_first_start
from thinktank.store import Store
from thinktank.store.audit import ChainCheck, verify_chain

# progress(done, total, what is being done now)
Progress = Callable[[int, int, str], None]

# Two people opening the dashboard at once must not both build the demo.
_DEMO_LOCK = threading.Lock()


@dataclass(frozen=True)
class Started:
    store: Store
    created: bool  # this process created the database file
    audit: ChainCheck  # the audit log's chain as it stood at start-up

    @property
    def demo_due(self) -> bool:
        """A new database, the demo switched on, and not built yet."""
        return self.created and demo_on_first_start() and not is_demo(self.store)


def open_store(settings: Settings, serve_control: bool = False) -> Started:
    """Open the store and check the audit log's chain; a broken chain is said in the terminal
    too, where whoever runs Think Tank sees it. ``serve_control``: the dashboard's store, which
    answers commands run while it holds the database (a backup, above all)."""
    created = not settings.database_path.exists()
    store = Store.open(settings, serve_control=serve_control)
    audit = verify_chain(store.cursor())
    if not audit.intact:
        print(f"Think Tank: {audit.summary} (python -m thinktank audit verify names every broken link.)",
              file=sys.stderr)
    return Started(store, created, audit)


def build_demo_if_due(started: Started, today: dt.date, progress: Progress | None = None) -> demo.DemoSummary | None:
    """Build the demo into a database this process just created, if it is due; None if not."""
    if not started.demo_due:
        return None
    with _DEMO_LOCK:
        if not started.demo_due:  # built by another session while this one waited
            return None
        return build_demo(started.store, today, progress)


def build_demo(store: Store, today: dt.date, progress: Progress | None = None) -> demo.DemoSummary:
    """The demo partnership, into a database that holds no returns (else `DemoNotEmptyError`)."""
    return demo.build_demo(store, today, progress=progress)


def is_demo(store: Store) -> bool:
    """Whether the data is the demo partnership's, so that every page can say so."""
    return demo.is_demo(store)
