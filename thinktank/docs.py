"""The indicator reference page, generated from the catalogue so that it cannot drift.

``python -m thinktank docs`` rewrites ``docs/indicators.md``; a test fails when the
committed page differs from what the catalogue generates.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from thinktank.catalogue import Catalogue, Indicator
from thinktank.formatting import PERIOD_BASIS_LABELS, POLARITY_LABELS, describe_target, format_value
from thinktank.reference import BenchmarkRow, ReferenceData
from thinktank.settings import REPO_ROOT

INDICATOR_REFERENCE = REPO_ROOT / "docs" / "indicators.md"
RULES_REFERENCE = REPO_ROOT / "docs" / "rules.md"
_RULE_FAMILIES = {
    "F": "The file",
    "R": "The figures",
    "E": "The Evidence sheet",
    "X": "Think Tank itself",
}


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


def render_rules_reference() -> str:
    """Every problem code a return can get, with what it means and an example message."""
    # Registration happens on import: these modules hold the checks.
    import schemas.returns  # noqa: F401
    import thinktank.ingest.normalise  # noqa: F401
    from thinktank.rules import CODES

    lines = [
        "# Problems a return can have",
        "",
        "Generated from the rule registry by `python -m thinktank docs`; do not edit by hand.",
        ("Every problem is shown with its code, the sheet, the row as Excel shows it, the column "
        "(name and letter) and the value seen. **Errors** must be fixed: a return with any error "
        "is refused and nothing is stored. **Warnings** can be accepted once you have checked "
        "them."),
    ]
    for prefix, heading in _RULE_FAMILIES.items():
        codes = sorted(code for code in CODES if code.startswith(prefix))
        lines += ["", f"## {heading}", ""]
        for code in codes:
            spec = CODES[code]
            columns = f" Columns: {', '.join(spec.fields)}." if spec.fields else ""
            lines += [
                f"### {code}: {spec.title} ({spec.severity})",
                "",
                f"{spec.explanation}{columns}",
                "",
                f"> Example: {spec.example}",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


def write_rules_reference(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_rules_reference(), encoding="utf-8")
