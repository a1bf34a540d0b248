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
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection inside the block. Nested, or in two threads at once (the server
    checks each visitor's upload in its own thread), the collector is switched back on by the
    block that switched it off, so it is never left off once every block has ended."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
