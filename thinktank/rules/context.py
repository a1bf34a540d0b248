"""What a cross-row rule is given: the normalised rows of the return (indexed by the row
number Excel shows), the catalogue, the agency sending it, today, and a cursor for history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import duckdb
import pandas as pd

from thinktank.catalogue import Catalogue


@dataclass(frozen=True)
class ReturnContext:
    cursor: duckdb.DuckDBPyConnection
    catalogue: Catalogue
    agency_id: str
    frame: pd.DataFrame
    today: dt.date

    @cached_property
    def known_rows(self) -> pd.DataFrame:
        """Rows for catalogue indicators, with a readable period and a figure or symbol. Picked
        out once for every rule that asks; rules only read it."""
        frame = self.frame
        return frame[frame["unit"].notna() & frame["period"].notna() & frame["has_figure"]]
