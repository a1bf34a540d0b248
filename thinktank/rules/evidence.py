"""The Evidence sheet: qualitative findings (audits, surveys, the voice of children, families
and practitioners) that sit beside the figures, each filed under a theme and a Signs of
Safety heading."""

from __future__ import annotations

import datetime as dt
import difflib

import pandas as pd

from thinktank.catalogue import Catalogue
from thinktank.errors import ThinkTankError
from thinktank.ingest.cells import read_text
from thinktank.ingest.reader import SheetRows
from thinktank.periods import Quarter
from thinktank.rules import Issue, issue, register
from thinktank.rules.example_inputs import POLICE_ROWS, ExampleReturn

SOURCES = (
    "audit", "survey", "voice_of_child", "family_feedback", "practitioner_feedback", "review",
    "inspection", "other",
)
SIGNS_OF_SAFETY = ("worried", "working_well", "needs_to_happen")
REQUIRED = ("theme", "source", "signs_of_safety", "title")


def _evidence_example(*rows: tuple[str, ...], header: tuple[str, ...] = ("period", *REQUIRED)) -> ExampleReturn:
    """The example police return as a workbook whose Evidence sheet holds these rows."""
    return ExampleReturn(*POLICE_ROWS, evidence=[header, *rows])

register("E401", "error", "Evidence column missing",
         "The Evidence sheet needs the columns theme, source, signs_of_safety and title.",
         _evidence_example(("2024-25 Q1", "child_protection", "audit", "Audit of plans"),
                           header=("period", "theme", "source", "title")),
         REQUIRED, what_to_do="Add the missing columns, named as in the template's Evidence sheet.")
register("E402", "error", "Evidence without a required entry",
         "Every evidence row needs its theme, source, Signs of Safety heading and a title.",
         _evidence_example(("2024-25 Q1", "child_protection", "audit", "worried", "")), REQUIRED,
         what_to_do="Fill in the empty entry.")
register("E403", "error", "Unknown theme",
         "The theme must be one of the catalogue's 12 themes, by id or by name.",
         _evidence_example(("2024-25 Q1", "Child protecton", "audit", "worried", "Audit of plans")),
         ("theme",), what_to_do="Write the theme's id or name as the catalogue gives it.")
register("E404", "error", "Unknown evidence source",
         "The source is one of: " + ", ".join(SOURCES) + ".",
         _evidence_example(("2024-25 Q1", "child_protection", "focus group", "worried", "Parents' views")),
         ("source",), what_to_do="Use one of the sources listed; other covers anything else.")
register("E405", "error", "Unknown Signs of Safety heading",
         "The heading is worried, working_well or needs_to_happen.",
         _evidence_example(("2024-25 Q1", "child_protection", "audit", "concern", "Audit of plans")),
         ("signs_of_safety",), what_to_do="Use worried, working_well or needs_to_happen.")


def _key(text: str) -> str:
    return text.lower().replace(" ", "_").replace("-", "_").replace("'", "")


def read_evidence(
    sheet: SheetRows, catalogue: Catalogue, chosen: Quarter | None, today: dt.date
) -> tuple[pd.DataFrame, list[Issue]]:
    issues: list[Issue] = []
    missing = [column for column in REQUIRED if column not in sheet.columns]
    if "period" not in sheet.columns and chosen is None:
        missing.append("period")
    if missing:
        return pd.DataFrame(), [issue(
            "E401", f"The Evidence sheet has no {', '.join(repr(m) for m in missing)} column. "
            "Add it as in the template.", sheet=sheet.sheet, row=sheet.header_row,
        )]
    themes = {}
    for theme in catalogue.themes:
        themes[_key(theme.id)] = theme.id
        themes[_key(theme.name)] = theme.id
    records = []
    for row_number, cells in sheet.rows:
        def where(column: str, row_number: int = row_number) -> dict:
            return {"sheet": sheet.sheet, "row": row_number, "column": column,
                    "column_letter": sheet.letter(column)}

        values = {column: read_text(cells[column].value) if column in cells else None
                  for column in ("theme", "source", "signs_of_safety", "title", "detail")}
        problems = len(issues)
        for column in REQUIRED:
            if not values[column]:
                issues.append(issue("E402", f"This evidence row has no {column}. Fill it in.", **where(column)))
        theme_id = themes.get(_key(values["theme"])) if values["theme"] else None
        if values["theme"] and theme_id is None:
            close = difflib.get_close_matches(values["theme"], [t.name for t in catalogue.themes], n=2, cutoff=0.4)
            issues.append(issue(
                "E403", f"'{values['theme']}' is not a theme."
                + (f" Did you mean {' or '.join(close)}?" if close else " Use a theme's id or name."),
                value=values["theme"], **where("theme"),
            ))
        for column, allowed, code in (("source", SOURCES, "E404"), ("signs_of_safety", SIGNS_OF_SAFETY, "E405")):
            if values[column] and _key(values[column]) not in allowed:
                issues.append(issue(
                    code, f"'{values[column]}' is not allowed here. Use one of: {', '.join(allowed)}.",
                    value=values[column], **where(column),
                ))
        period = chosen.label if chosen else None
        if "period" in cells:
            try:
                quarter = Quarter.parse(cells["period"].value)
            except ThinkTankError as error:
                issues.append(issue("R204", f"{error.title}. {error.hint}", value=cells["period"].value, **where("period")))
            else:
                period = quarter.label
                if quarter.is_future(today):
                    issues.append(issue("R205", f"{period} has not ended yet. Check the period.", value=period, **where("period")))
                elif chosen and quarter != chosen:
                    issues.append(issue(
                        "R206", f"This evidence is for {period} but the quarter chosen is {chosen.label}.",
                        value=period, **where("period"),
                    ))
        if len(issues) == problems:
            records.append({
                "theme_id": theme_id, "source": _key(values["source"]),
                "signs_of_safety": _key(values["signs_of_safety"]), "title": values["title"],
                "detail": values["detail"], "period": period, "source_row": row_number,
            })
    return pd.DataFrame.from_records(
        records, columns=["theme_id", "source", "signs_of_safety", "title", "detail", "period", "source_row"]
    ), issues
