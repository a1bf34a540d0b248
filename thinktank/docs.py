"""The reference pages, generated so that they cannot drift: the indicator reference from the
catalogue, and the problem codes from the rule registry, each example message from running the
code's example input through the checks (the Rules page shows the same entries).

``python -m thinktank docs`` rewrites ``docs/indicators.md`` and ``docs/rules.md``; a test
fails when a committed page differs from what is generated.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from thinktank.catalogue import Catalogue, Indicator
from thinktank.formatting import PERIOD_BASIS_LABELS, POLARITY_LABELS, describe_target, format_value
from thinktank.reference import BenchmarkRow, ReferenceData
from thinktank.rules import CODES
from thinktank.rules.examples import example_problems, run_examples
from thinktank.settings import REPO_ROOT
from thinktank.text import without_direction_controls

INDICATOR_REFERENCE = REPO_ROOT / "docs" / "indicators.md"
RULES_REFERENCE = REPO_ROOT / "docs" / "rules.md"
RULE_FAMILIES = {
    "F": "The file",
    "R": "The figures",
    "E": "The Evidence sheet",
    "X": "Think Tank itself",
}
_MARKDOWN_CHARACTERS = set("\\`*_{}[]<>#|~")
WORD_JOINER = "\u2060"
# Where an address would start: a scheme's "://", "www." and the "@" of an email address.
_BARE_ADDRESS = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*)(://)|(\bwww)(\.)|(\w)(@)")


def render_indicator_reference(catalogue: Catalogue, reference: ReferenceData) -> str:
    agencies = catalogue.agency_by_id
    populations = {population.id: population.name for population in catalogue.populations}
    priorities = {priority.id: priority.name for priority in catalogue.priorities}
    breakdowns = {breakdown.id: breakdown.name for breakdown in catalogue.breakdowns}
    benchmarks: dict[str, list[BenchmarkRow]] = defaultdict(list)
    for row in reference.benchmarks:
        benchmarks[row.indicator_id].append(row)

    active = len(catalogue.active_indicators())
    lines = [
        "# Indicator reference",
        "",
        "Generated from `indicators/*.yaml` by `python -m thinktank docs`; do not edit by hand.",
        (f"{len(catalogue.indicators)} indicators ({active} active) in "
        f"{len(catalogue.themes)} themes, supplied by {len(catalogue.agencies)} agencies."),
        "",
        "## Themes",
        "",
    ]
    lines += [
        f"{theme.number}. [{theme.name}](#{_anchor(theme.number, theme.name)}): {theme.description}"
        for theme in catalogue.themes
    ]
    for theme in catalogue.themes:
        lines += ["", f"## {theme.number}. {theme.name}", "", theme.description, ""]
        for indicator in (i for i in catalogue.indicators if i.theme == theme.id):
            lines += _indicator_section(
                indicator, agencies, populations, priorities, breakdowns, benchmarks[indicator.id]
            )
    lines += ["", "## Agencies", "", "| id | agency | sector |", "| --- | --- | --- |"]
    lines += [
        f"| `{agency.id}` | {agency.name} | {agency.sector.replace('_', ' ')} |"
        for agency in sorted(catalogue.agencies, key=lambda agency: agency.name)
    ]
    return "\n".join(lines) + "\n"


def _indicator_section(
    indicator: Indicator,
    agencies: dict,
    populations: dict[str, str],
    priorities: dict[str, str],
    breakdowns: dict[str, str],
    benchmark_rows: list[BenchmarkRow],
) -> list[str]:
    status = "active" if indicator.status == "active" else f"retired from {indicator.retired_from}"
    target = indicator.target
    rows = [
        ("Definition", indicator.definition),
        ("Numerator", indicator.numerator),
        ("Denominator", (f"{indicator.denominator.rstrip('.')}, as counted by {indicator.denominator_is}."
                         if indicator.denominator_is else indicator.denominator)
         or (f"{populations[indicator.population]} (per 10,000)" if indicator.population else None)),
        ("Unit", indicator.unit_label),
        ("Polarity", POLARITY_LABELS[indicator.polarity]),
        ("Measured", PERIOD_BASIS_LABELS[indicator.period_basis]),
        ("Owner", agencies[indicator.owner].name),
        ("Source", indicator.source),
        ("Breakdowns", ", ".join(breakdowns[b] for b in indicator.breakdowns) or None),
        ("Target", describe_target(indicator.unit, indicator.polarity, target.value, target.low,
                                   target.high, target.amber_tolerance) if target else None),
        ("Warn on a change of more than", f"{indicator.change_tolerance_percent:g}% from the previous quarter"),
        ("Priorities", ", ".join(priorities[p] for p in indicator.priorities) or None),
        ("Applies from", indicator.applies_from),
        ("Status", status),
        ("Notes", indicator.notes or None),
        ("Questions to ask when it moves", " ".join(indicator.challenge_questions) or None),
    ]
    section = [f"### {indicator.id}: {indicator.name}", "", "| | |", "| --- | --- |"]
    section += [f"| {label} | {_cell(value)} |" for label, value in rows if value]
    if benchmark_rows:
        section += ["", "| Benchmark | Period | Figure | Source |", "| --- | --- | --- | --- |"]
        for row in sorted(benchmark_rows, key=lambda r: (r.period_end, r.area), reverse=True):
            group = f" ({row.breakdown_value})" if row.breakdown_value != "All" else ""
            section.append(
                f"| {row.area}{group} | {row.period} | {format_value(row.value, indicator.unit)} "
                f"| {_cell(row.source)} |"
            )
    return [*section, ""]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _anchor(number: int, name: str) -> str:
    slug = "".join(ch for ch in f"{number}. {name}".lower() if ch.isalnum() or ch in " -")
    return slug.replace(" ", "-")


def write_indicator_reference(catalogue: Catalogue, reference: ReferenceData, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_indicator_reference(catalogue, reference), encoding="utf-8")


@dataclass(frozen=True)
class RuleEntry:
    """One problem code as the rules reference and the Rules page show it."""

    code: str
    family: str
    title: str
    severity: str
    explanation: str
    columns: tuple[str, ...]
    what_to_do: str
    example_message: str  # what the checks said on the code's example input


def rule_entries() -> list[RuleEntry]:
    """Every problem code, by family, with the message its example input really produces.
    Raises if any code's example is missing or does not produce exactly that code."""
    problems = example_problems()
    if problems:
        raise ValueError("These rule codes have no working example: " + "; ".join(problems))
    runs = {run.code: run for run in run_examples()}
    entries = []
    for prefix, family in RULE_FAMILIES.items():
        for code in sorted(code for code in CODES if code.startswith(prefix)):
            spec = CODES[code]
            entries.append(RuleEntry(
                code, family, spec.title, spec.severity, spec.explanation, spec.fields,
                spec.what_to_do, runs[code].message,
            ))
    return entries


def render_rules_reference() -> str:
    """Every problem code a return can get, with what it means, what to do, and an example."""
    lines = [
        "# Problems a return can have",
        "",
        "Generated from the rule registry by `python -m thinktank docs`; do not edit by hand.",
        ("Every problem is shown with its code, the sheet, the row as Excel shows it, the column "
        "(name and letter) and the value seen. **Errors** must be fixed: a return with any error "
        "is refused and nothing is stored. **Warnings** can be accepted once you have checked "
        "them. Each example is what the checks say about a small example return of a made-up "
        "partnership."),
    ]
    family = None
    for entry in rule_entries():
        if entry.family != family:
            family = entry.family
            lines += ["", f"## {family}", ""]
        columns = f" Columns: {', '.join(entry.columns)}." if entry.columns else ""
        lines += [
            f"### {entry.code}: {entry.title} ({entry.severity})",
            "",
            f"{entry.explanation}{columns}",
            "",
            f"What to do: {entry.what_to_do}",
            "",
            f"> Example: {markdown_text(entry.example_message)}",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def markdown_text(text: str) -> str:
    """Text shown as itself in Markdown: the characters Markdown would read are escaped, a
    bare web or email address is kept from becoming a link (GitHub-flavoured Markdown links
    ``https://…``, ``www.…`` and ``name@host`` by themselves) by an invisible word joiner, and
    direction controls are taken out (`without_direction_controls`)."""
    escaped = "".join(f"\\{char}" if char in _MARKDOWN_CHARACTERS else char
                      for char in without_direction_controls(text))
    return _BARE_ADDRESS.sub(_joined, escaped)


def _joined(found: re.Match[str]) -> str:
    before, after = (part for part in found.groups() if part is not None)
    return before + WORD_JOINER + after


def write_rules_reference(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_rules_reference(), encoding="utf-8")
