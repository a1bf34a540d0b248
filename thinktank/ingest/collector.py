"""Python's cycle collector held off while a return is checked or stored.

Checking a backfill makes millions of small objects (a text, a number, a tuple per cell and
per row), and nearly all of them stay alive until the check is done, so every full collection
the allocations trigger walks all of them and finds almost nothing to free: on the 100,000-row
backfill, four full collections took about 0.5 s of its 3 s. Those objects are freed by their
reference counts when the check lets go of them; only reference cycles wait for the collector,
which runs as usual once the collector is let go again. Holding it off made the backfill's
peak memory lower, not higher (`bench/ingest.py`).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_holding = 0  # blocks inside collector_paused, across every thread
_enabled_before = True  # the collector's state when the first of them began


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection inside the block. Counted across threads (the server checks each
    visitor's upload in its own thread): the collector goes off when the first block begins and
    back to how it was when the last one ends, never while another is still inside."""
    global _holding, _enabled_before
    with _LOCK:
        if _holding == 0:
            _enabled_before = gc.isenabled()
            gc.disable()
        _holding += 1
    try:
        yield
    finally:
        with _LOCK:
            _holding -= 1
            if _holding == 0 and _enabled_before:
                gc.enable()
