"""Running each code's example input through the real checks, for the documentation.

The examples run on an in-memory store of the frozen example partnership (``example_data/``),
on a fixed day and with the default limits, so what they say changes only when a rule does.
Every check module is imported here, so every code is registered before one is looked up.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import thinktank.ingest.validate  # noqa: F401  (registers every code: its modules hold the checks)
from thinktank.ingest.catalogue_facts import with_catalogue_facts
from thinktank.ingest.checks import rule_issues
from thinktank.ingest.limits import Limits
from thinktank.ingest.normalise import normalise_cells
from thinktank.ingest.reader import read_return
from thinktank.ingest.sniff import sniff
from thinktank.ingest.submit import ingest_return
from thinktank.ingest.validate import EVIDENCE_COLUMNS, RETURN_COLUMNS, validate_return
from thinktank.periods import Quarter
from thinktank.rules import CODES, RULES, Finding, Issue, Rule
from thinktank.rules.context import ReturnContext
from thinktank.rules.example_inputs import (
    EXAMPLE_PERIOD,
    ExampleCrash,
    ExampleFile,
    ExampleReturn,
    csv_text,
)
from thinktank.settings import Settings
from thinktank.store import Store
from thinktank.users import LOCAL_ANALYST

EXAMPLE_DATA = Path(__file__).parent / "example_data"
# A fixed day, so that an example about a quarter not yet ended stays true.
EXAMPLE_TODAY = dt.date(2025, 11, 23)
EXAMPLE_SUBMITTED = dt.datetime(2025, 11, 20, 9, 0)


def example_store() -> Store:
    """A new in-memory store of the example partnership."""
    return Store.open(Settings(Path(":memory:"), EXAMPLE_DATA / "indicators", EXAMPLE_DATA / "reference"))


def example_issues(code: str, shared: Store | None = None) -> list[Issue]:
    """Every issue the checks find in ``code``'s example input. ``shared`` is a store of the
    example partnership to validate in (nothing is written to it); an example with stored
    history gets a store of its own."""
    example = CODES[code].example
    if isinstance(example, ExampleReturn) and example.stored:
        with example_store() as own:
            return _return_issues(own, example)
    if shared is None:
        with example_store() as own:
            return example_issues(code, own)
    if isinstance(example, ExampleReturn):
        return _return_issues(shared, example)
    if isinstance(example, ExampleFile):
        return _validate(shared, example.content(), example.file_name, "police", Quarter.parse(EXAMPLE_PERIOD))
    if isinstance(example, ExampleCrash):
        return _crash_issues(shared, example)
    raise TypeError(f"{code}'s example is {example!r}, not an ExampleReturn, ExampleFile or ExampleCrash")


def _quarter(label: str | None) -> Quarter | None:
    return Quarter.parse(label) if label else None


def _return_issues(store: Store, example: ExampleReturn) -> list[Issue]:
    if example.stored:
        stored_period = example.stored_period or example.period
        result = ingest_return(
            store, csv_text(example.header, example.stored), "earlier.csv", example.agency,
            _quarter(stored_period), LOCAL_ANALYST, confirm_warnings=True, today=EXAMPLE_TODAY,
            now=EXAMPLE_SUBMITTED - dt.timedelta(days=30), limits=Limits(),
        )
        if result.outcome != "stored":
            raise ValueError(f"the stored rows of an example were not stored: {result.report.issues}")
    return _validate(store, example.content(), example.file_name, example.agency, _quarter(example.period))


def _validate(store: Store, content: bytes, file_name: str, agency: str, chosen: Quarter | None) -> list[Issue]:
    report = validate_return(
        store.cursor(), store.catalogue, content, file_name, agency, chosen, LOCAL_ANALYST,
        EXAMPLE_TODAY, Limits(),
    )
    return report.issues


def _crash_issues(store: Store, example: ExampleCrash) -> list[Issue]:
    """The return read as `validate_return` reads it, then the one rule, made to crash."""
    sent = example.sent
    content = sent.content()
    sniffed = sniff(content, sent.file_name, Limits())
    read = read_return(content, sniffed.kind or "csv", sent.file_name,
                       {"return": RETURN_COLUMNS, "evidence": EVIDENCE_COLUMNS}, Limits())
    if read.returns is None:
        raise ValueError(f"the crash example's return cannot be read: {read.issues}")
    frame, _ = normalise_cells(read.returns, _quarter(sent.period), EXAMPLE_TODAY)
    frame = with_catalogue_facts(frame, store.catalogue, store.cursor())
    context = ReturnContext(store.cursor(), store.catalogue, sent.agency, frame, EXAMPLE_TODAY)
    (registered,) = [candidate for candidate in RULES if candidate.code == example.rule]

    def crashing(context: ReturnContext) -> list[Finding]:
        raise ZeroDivisionError("division by zero")

    return rule_issues(Rule(registered.code, crashing, registered.family), context, read.returns)


@dataclass(frozen=True)
class ExampleRun:
    """What one code's example produced, and why it cannot stand as the example if it does not
    produce exactly that code."""

    code: str
    issues: tuple[Issue, ...] = ()
    problem: str | None = None

    @property
    def message(self) -> str:
        return next(item.message for item in self.issues if item.code == self.code)


@functools.cache
def run_examples() -> tuple[ExampleRun, ...]:
    """Every registered code's example, run once per process (about ten seconds): the
    examples and the checks are code, so they cannot change while it runs."""
    runs = []
    with example_store() as shared:
        for code in sorted(CODES):
            runs.append(run_example(code, shared))
    return tuple(runs)


def run_example(code: str, shared: Store) -> ExampleRun:
    """Run one code's example in ``shared`` (a store of the example partnership)."""
    example = CODES[code].example
    if not isinstance(example, ExampleReturn | ExampleFile | ExampleCrash):
        return ExampleRun(code, problem=(
            f"{code} has no example input ({example!r} is not an ExampleReturn, ExampleFile or "
            "ExampleCrash from thinktank.rules.example_inputs)"))
    try:
        issues = tuple(example_issues(code, shared))
    except Exception as error:  # a broken example is reported by its code, not as a crash
        return ExampleRun(code, problem=f"{code}'s example could not run ({type(error).__name__}: {error})")
    produced = sorted({item.code for item in issues})
    if produced != [code]:
        return ExampleRun(code, issues, problem=(
            f"{code}'s example produces {', '.join(produced) or 'no problem'}, not {code} alone"))
    return ExampleRun(code, issues)


def example_problems() -> list[str]:
    """Each code whose example is missing, does not run, or does not produce exactly it."""
    return [run.problem for run in run_examples() if run.problem]
