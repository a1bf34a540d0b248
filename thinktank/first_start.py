"""First start: open (creating if need be) the store, and fill a database this process created
with the demo partnership when that is switched on (``THINKTANK_DEMO_ON_FIRST_START``).

The dashboard and the command line (``python -m thinktank init`` and ``demo``) both start
here, so a page only shows the progress it is told, and never builds the demo itself.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

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


def prepare_in_terminal(settings: Settings, today: dt.date, out: TextIO | None = None) -> demo.DemoSummary | None:
    """What `make run` does before it serves anyone (scripts/serve.py): open the store, creating
    it if need be, and on a first start build the demo there, saying in the terminal what is
    happening, so that the first visitor sees the scorecard rather than a progress bar. The
    store is closed again for the server to open. The demo built, or None. ``out``: the
    terminal's standard error unless told."""
    out = out or sys.stderr
    started_at = time.perf_counter()
    if not settings.database_path.exists():
        say(out, f"first start: creating the database {settings.database_path}")
    started = open_store(settings)
    with started.store:
        built = None
        if started.demo_due:
            say(out, "building the demo partnership (every return read and checked as an upload is)")
            built = build_demo_if_due(started, today, _progress_lines(out))
            say(out, f"demo built: {built.stored} returns stored, {built.refused} refused, "
                     f"{built.quarters[0]} to {built.quarters[-1]}")
    say(out, f"database ready in {time.perf_counter() - started_at:.1f} s")
    return built


def say(out: TextIO, message: str) -> None:
    """A line in the terminal that runs Think Tank, marked as ours among Streamlit's."""
    print(f"Think Tank: {message}", file=out, flush=True)


def _progress_lines(out: TextIO) -> Progress:
    """Progress as a line at each tenth of the way: readable in a terminal and in a log alike,
    where a line redrawn in place is not."""
    said = [0]

    def progress(done: int, total: int, label: str) -> None:
        tenth = done * 10 // total
        if tenth > said[0]:
            said[0] = tenth
            say(out, f"  {done * 100 // total:>3}% done, now {label}")

    return progress
