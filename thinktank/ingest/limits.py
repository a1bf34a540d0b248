"""How much a return may hold. Limits are settings: each has a default and an environment
variable, so a partnership can raise them for a backfill without a code change."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 25 * MIB
    max_rows: int = 200_000
    # A real xlsx expands about 5-20 times; hundreds of times is a zip bomb.
    max_uncompressed_bytes: int = 500 * MIB
    max_compression_ratio: int = 200
    max_zip_entries: int = 1_000
    # The template has eight columns; a row far wider is refused as soon as it is met, before
    # the row is built (one row of ten million columns once took 24 s and 3.75 GB).
    max_columns: int = 1_000
    # Any one cell, a comment or a piece of evidence included: a few pages of text.
    max_cell_chars: int = 10_000

    @classmethod
    def from_environment(cls) -> Limits:
        """Defaults, overridden by THINKTANK_MAX_FILE_BYTES and the like."""
        overrides = {}
        for limit in fields(cls):
            raw = os.environ.get(f"THINKTANK_{limit.name.upper()}")
            if raw:
                overrides[limit.name] = int(raw)
        return cls(**overrides)
