"""The qualitative side of a theme for a quarter: evidence agencies sent with their returns
(audits, surveys, the voice of children, families and practitioners), under its Signs of Safety
heading. The Think Tank's own statements are the headlines (`thinktank.headlines`)."""

from __future__ import annotations

import duckdb
import pandas as pd

from thinktank.periods import Quarter
from thinktank.rules.evidence import SIGNS_OF_SAFETY


def theme_evidence(cursor: duckdb.DuckDBPyConnection, theme: str, period: Quarter) -> pd.DataFrame:
    """Evidence for the theme and quarter from the returns in force, by Signs of Safety heading."""
    return cursor.execute(
        """
        SELECT e.signs_of_safety, e.source, e.title, e.detail, a.short_name AS agency
        FROM evidence e
        JOIN submissions_in_force s ON s.id = e.submission_id
        JOIN agencies a ON a.id = s.agency_id
        WHERE e.theme_id = $theme AND e.period = $period
        ORDER BY list_position($headings, e.signs_of_safety), a.short_name, e.title
        """,
        {"theme": theme, "period": period.label, "headings": list(SIGNS_OF_SAFETY)},
    ).df()
