"""Published reference figures: populations that rates are per, and benchmarks.

Both files live in ``data/reference/`` with their sources. Rows are checked against the
catalogue, so a benchmark for an indicator that does not exist stops start-up with the file
and row, like any catalogue problem.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from thinktank.catalogue import Catalogue
from thinktank.errors import CatalogueError
from thinktank.periods import Quarter

POPULATION_FILE = "population.csv"
BENCHMARKS_FILE = "benchmarks.csv"
BenchmarkArea = Literal[
    "England", "North East", "Statistical neighbours", "England and Wales", "UK"
]


def _financial_year(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("write the financial year as, for example, 2023-24")
    try:
        return Quarter.parse(f"{value} Q1").financial_year
    except Exception as error:
        raise ValueError("write the financial year as, for example, 2023-24") from error


FinancialYear = Annotated[str, BeforeValidator(_financial_year)]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class PopulationRow(_Row):
    population_id: str
    financial_year: FinancialYear
    value: int = Field(gt=0)
    as_at: str
    derivation: str = Field(min_length=1)
    source: str = Field(min_length=1)
    licence: str = Field(min_length=1)

    @property
    def fy_start(self) -> int:
        return int(self.financial_year[:4])


class BenchmarkRow(_Row):
    indicator_id: str
    area: BenchmarkArea
    period: str = Field(min_length=1)
    period_type: str = Field(min_length=1)
    period_end: dt.date
    value: float
    published_value: float
    published_unit: str = Field(min_length=1)
    breakdown: str = "All"
    breakdown_value: str = "All"
    source: str = Field(min_length=1)
    licence: str = Field(min_length=1)
    note: str = ""


RowModel = TypeVar("RowModel", bound=_Row)


@dataclass(frozen=True)
class ReferenceData:
    population: tuple[PopulationRow, ...]
    benchmarks: tuple[BenchmarkRow, ...]


def load_reference(directory: Path, catalogue: Catalogue) -> ReferenceData:
    problems: list[str] = []
    population = _read_rows(directory / POPULATION_FILE, PopulationRow, problems)
    benchmarks = _read_rows(directory / BENCHMARKS_FILE, BenchmarkRow, problems)
    known_populations = {population.id for population in catalogue.populations}
    for line, row in population:
        if row.population_id not in known_populations:
            problems.append(
                f"{POPULATION_FILE}, row {line}: population '{row.population_id}' is not in "
                "indicators/partnership/populations.yaml"
            )
    seen: set[tuple[str, str]] = set()
    for line, row in population:
        key = (row.population_id, row.financial_year)
        if key in seen:
            problems.append(
                f"{POPULATION_FILE}, row {line}: a second figure for {key[0]} in {key[1]}"
            )
        seen.add(key)
    for line, row in benchmarks:
        if row.indicator_id not in catalogue.indicator_by_id:
            problems.append(
                f"{BENCHMARKS_FILE}, row {line}: indicator '{row.indicator_id}' is not in the "
                "catalogue"
            )
    if problems:
        raise CatalogueError(problems)
    return ReferenceData(
        population=tuple(row for _, row in population),
        benchmarks=tuple(row for _, row in benchmarks),
    )


def _read_rows(
    path: Path, model: type[RowModel], problems: list[str]
) -> list[tuple[int, RowModel]]:
    if not path.is_file():
        problems.append(f"{path.name}: file is missing from {path.parent}")
        return []
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(model.model_fields) - set(reader.fieldnames or [])
        required_missing = sorted(
            name for name in missing if model.model_fields[name].is_required()
        )
        if required_missing:
            problems.append(f"{path.name}: missing columns {', '.join(required_missing)}")
            return []
        for line, raw in enumerate(reader, start=2):
            cleaned = {key: value for key, value in raw.items() if value not in ("", None)}
            try:
                rows.append((line, model.model_validate(cleaned)))
            except ValidationError as error:
                for detail in error.errors():
                    column = ".".join(str(part) for part in detail["loc"])
                    message = str(detail["msg"]).removeprefix("Value error, ")
                    problems.append(f"{path.name}, row {line}: {column}: {message}")
    return rows
