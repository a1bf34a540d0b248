"""Where things live. Each path has a default beside the code and can be overridden by an
environment variable (and, for the database, the CLI's ``--db`` flag)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATABASE_ENV = "THINKTANK_DB"
CATALOGUE_ENV = "THINKTANK_CATALOGUE"
REFERENCE_ENV = "THINKTANK_REFERENCE"
# A new database is filled with the demo partnership on the dashboard's first start, unless a
# real deployment switches that off.
DEMO_ENV = "THINKTANK_DEMO_ON_FIRST_START"


def demo_on_first_start() -> bool:
    return os.environ.get(DEMO_ENV, "1") != "0"


# A server others reach sets this, so that the dashboard refuses to run without sign-in: with no
# identity provider configured it would be in local mode, where anyone acts as whoever they choose.
DEPLOYED_ENV = "THINKTANK_DEPLOYED"


def deployed() -> bool:
    return os.environ.get(DEPLOYED_ENV, "0") == "1"


# Returns are due this many days after their quarter ends (the partnership's timetable).
RETURN_DUE_DAYS = int(os.environ.get("THINKTANK_RETURN_DUE_DAYS", "42"))


@dataclass(frozen=True)
class Settings:
    database_path: Path
    catalogue_dir: Path
    reference_dir: Path

    @classmethod
    def from_environment(cls, database_path: Path | str | None = None) -> Settings:
        """Settings from the environment; an explicit ``database_path`` wins over both."""
        return cls(
            database_path=Path(
                database_path
                or os.environ.get(DATABASE_ENV)
                or REPO_ROOT / "data" / "thinktank.duckdb"
            ),
            catalogue_dir=Path(os.environ.get(CATALOGUE_ENV) or REPO_ROOT / "indicators"),
            reference_dir=Path(os.environ.get(REFERENCE_ENV) or REPO_ROOT / "data" / "reference"),
        )
