"""Errors a user can cause, each with a title to show and a hint on what to do.

Anything that is not one of these is a bug and is allowed to surface as such.
"""

from __future__ import annotations


class ThinkTankError(Exception):
    """A problem the user can fix: `title` says what went wrong, `hint` what to do."""

    def __init__(self, title: str, hint: str = "") -> None:
        super().__init__(title if not hint else f"{title}\n{hint}")
        self.title = title
        self.hint = hint


class CatalogueError(ThinkTankError):
    """The indicator catalogue or its reference data cannot be loaded.

    `problems` holds every problem found, so one start-up reports them all at once.
    """

    def __init__(self, problems: list[str]) -> None:
        count = len(problems)
        title = f"The indicator catalogue has {count} problem{'s' if count != 1 else ''}"
        super().__init__(title, "\n".join(f"- {problem}" for problem in problems))
        self.problems = problems


class PeriodError(ThinkTankError):
    """A reporting period that cannot be read as a financial-year quarter."""


class StoreError(ThinkTankError):
    """The database cannot be opened, upgraded or written to."""


class DatabaseInUseError(StoreError):
    """Another process (the dashboard, or another command) has the database open."""


class WriteConflictError(StoreError):
    """Another writer changed the same rows first, so this transaction was rolled back.

    Running the whole transaction again, on the data as it now is, usually succeeds.
    """


class AccessDeniedError(ThinkTankError):
    """The acting user may not do this for this agency."""


class UnknownAgencyError(ThinkTankError):
    """An agency id that is not in the catalogue."""


class UnknownIndicatorError(ThinkTankError):
    """An indicator id that is not in the catalogue."""


class BackupError(ThinkTankError):
    """A backup that cannot be taken where asked, or a backup that fails its checks."""


class CatalogueChangeError(ThinkTankError):
    """A change to the catalogue that cannot be saved as it stands."""
