"""The indicator catalogue: what the partnership measures, who supplies it and how to read it.

The Think Tank owns its indicators, so they are data (``indicators/*.yaml``, one file per
theme, and the registers in ``indicators/partnership/``), not code. Everything is loaded into
strict models: an unknown key, a misspelt value or a dangling reference stops start-up with
the file, the line, the indicator and what to write instead, and every problem is reported
at once.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from thinktank.errors import CatalogueError, PeriodError
from thinktank.formatting import UNIT_LABELS
from thinktank.periods import Quarter
from thinktank.yaml_lines import LocatedYaml, YamlSyntaxError, read_located_yaml

Unit = Literal["count", "percent", "rate_per_10k", "days", "score", "gbp"]
Polarity = Literal["higher_is_better", "lower_is_better", "neutral"]
Status = Literal["active", "retired"]
# How a quarter's figure is measured: events in the quarter, a count on its last day,
# the 12 months to its end, or the financial year so far.
PeriodBasis = Literal["in_quarter", "at_quarter_end", "rolling_12_months", "year_to_date"]
Sector = Literal[
    "local_authority", "police", "health", "justice", "education", "voluntary", "partnership"
]

RATIO_UNITS = frozenset({"percent", "rate_per_10k"})
# Indicators that count something: a count in its value, a percentage or a rate in its numerator.
COUNTING_UNITS = frozenset({"count", *RATIO_UNITS})
DEFAULT_POPULATION = "children_0_17"
DEFAULT_CHANGE_TOLERANCE_PERCENT = 50.0

REGISTERS_FOLDER = "partnership"
Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


def _quarter_label(value: Any) -> str:
    try:
        return Quarter.parse(value).label
    except PeriodError as error:
        raise ValueError(error.title) from error


QuarterLabel = Annotated[str, BeforeValidator(_quarter_label)]

# Catalogue text is shown on every page, often inside formatted text: it is held as plain text,
# so that no name or definition typed in the app can become a link, an image, HTML or a formula
# anywhere it is shown. None of the partnership's own wording needs these characters.
FORMATTING_CHARACTERS = "[]<>*_`$~|\\#"
_FORMATTING = re.compile("[" + re.escape(FORMATTING_CHARACTERS) + "\u202a-\u202e\u2066-\u2069]")


def _plain_text(value: str) -> str:
    found = sorted(set(_FORMATTING.findall(value)))
    if found:
        shown = " ".join(character if character.isprintable() else f"U+{ord(character):04X}" for character in found)
        raise ValueError(f"must be plain text: take out {shown} (a page would read them as formatting)")
    return value


PlainText = Annotated[str, AfterValidator(_plain_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Agency(_Strict):
    id: Slug
    name: PlainText = Field(min_length=1)
    short_name: PlainText = Field(min_length=1)
    sector: Sector
    description: PlainText = ""


class Theme(_Strict):
    id: Slug
    number: int = Field(ge=1)
    name: PlainText = Field(min_length=1)
    description: PlainText = Field(min_length=1)


class Priority(_Strict):
    id: Slug
    name: PlainText = Field(min_length=1)
    description: PlainText = Field(min_length=1)


class Population(_Strict):
    id: Slug
    name: PlainText = Field(min_length=1)
    description: PlainText = Field(min_length=1)


class Breakdown(_Strict):
    id: Slug
    name: PlainText = Field(min_length=1)
    values: tuple[PlainText, ...] = ()


class Target(_Strict):
    """A target value read through the polarity, or for neutral measures a band to stay in.

    ``amber_tolerance`` is in the indicator's own unit: how far on the wrong side of the target
    (or outside the band) a figure may be before it turns red.
    """

    value: float | None = None
    low: float | None = None
    high: float | None = None
    amber_tolerance: float = Field(default=0.0, ge=0)

    @model_validator(mode="after")
    def _value_or_band(self) -> Target:
        has_band = self.low is not None or self.high is not None
        if self.value is not None and has_band:
            raise ValueError("give either 'value' or a band ('low' and 'high'), not both")
        if self.value is None and not has_band:
            raise ValueError("give 'value', or 'low' and 'high' for a band")
        if has_band and (self.low is None or self.high is None or self.low >= self.high):
            raise ValueError("a band needs both 'low' and 'high', with low below high")
        return self


class Indicator(_Strict):
    id: Annotated[str, Field(pattern=r"^[A-Z]{2,3}[0-9]{2}$")]
    theme: Slug
    name: PlainText = Field(min_length=1)
    definition: PlainText = Field(min_length=1)
    numerator: PlainText | None = None
    denominator: PlainText | None = None
    # The id of the indicator that counts this percentage's denominator (FD04's referrals in
    # the quarter are FD03's count), so that uploads can check the two figures agree.
    denominator_is: Annotated[str, Field(pattern=r"^[A-Z]{2,3}[0-9]{2}$")] | None = None
    unit: Unit
    polarity: Polarity
    population: Slug | None = None
    owner: Slug
    source: PlainText = Field(min_length=1)
    period_basis: PeriodBasis = "in_quarter"
    breakdowns: tuple[Slug, ...] = ()
    target: Target | None = None
    change_tolerance_percent: float = Field(default=DEFAULT_CHANGE_TOLERANCE_PERCENT, gt=0)
    priorities: tuple[Slug, ...] = ()
    applies_from: QuarterLabel
    status: Status = "active"
    retired_from: QuarterLabel | None = None
    notes: PlainText = ""
    # What the Performance and Learning Group should ask when the figure moves; shown beside a
    # worry in the headlines and the board pack.
    challenge_questions: tuple[Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_plain_text)], ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _rates_are_per_children_by_default(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("unit") == "rate_per_10k":
            return {"population": DEFAULT_POPULATION, **data}
        return data

    @model_validator(mode="after")
    def _fields_fit_the_unit(self) -> Indicator:
        if self.unit == "percent" and not (self.numerator and self.denominator):
            raise ValueError("a percent indicator needs 'numerator' and 'denominator' definitions")
        if self.unit == "rate_per_10k":
            if not self.numerator:
                raise ValueError("a rate_per_10k indicator needs a 'numerator' definition")
            if self.denominator:
                raise ValueError(
                    "a rate_per_10k indicator is per 10,000 of its 'population'; "
                    "remove 'denominator' and name the population instead"
                )
        if self.denominator_is and self.unit != "percent":
            raise ValueError("'denominator_is' applies only to percent indicators, whose denominator is a count")
        if self.unit not in RATIO_UNITS:
            for key in ("numerator", "denominator", "population"):
                if getattr(self, key):
                    raise ValueError(
                        f"'{key}' applies only to percent and rate_per_10k indicators, "
                        f"not to unit {self.unit}"
                    )
        return self

    @model_validator(mode="after")
    def _target_fits_the_polarity(self) -> Indicator:
        if self.target is None:
            return self
        if self.polarity == "neutral" and self.target.value is not None:
            raise ValueError(
                "a neutral indicator has no better direction: give its target as a band "
                "('low' and 'high')"
            )
        if self.polarity != "neutral" and self.target.value is None:
            raise ValueError(f"a {self.polarity} indicator's target needs 'value', not a band")
        bounds = {"percent": (0, 100), "score": (0, 10)}.get(self.unit)
        figures = [f for f in (self.target.value, self.target.low, self.target.high) if f is not None]
        if bounds and any(not bounds[0] <= f <= bounds[1] for f in figures):
            raise ValueError(f"a {self.unit} target must lie between {bounds[0]} and {bounds[1]}")
        return self

    @model_validator(mode="after")
    def _status_and_retirement_agree(self) -> Indicator:
        if self.status == "retired" and self.retired_from is None:
            raise ValueError("a retired indicator needs 'retired_from', the first quarter without it")
        if self.status == "active" and self.retired_from is not None:
            raise ValueError("'retired_from' is set but status is active: set status: retired")
        if self.retired_from and Quarter.parse(self.retired_from) <= Quarter.parse(self.applies_from):
            raise ValueError(
                f"retired_from ({self.retired_from}) must come after applies_from "
                f"({self.applies_from})"
            )
        return self

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS[self.unit]

    def is_active_in(self, quarter: Quarter) -> bool:
        """Whether the partnership collects this indicator for ``quarter``."""
        if quarter < Quarter.parse(self.applies_from):
            return False
        return self.retired_from is None or quarter < Quarter.parse(self.retired_from)


@dataclass(frozen=True)
class Span:
    """A stretch of an indicator's history: its definition in force from ``starts`` until the
    next span of the same indicator starts."""

    starts: Quarter
    indicator: Indicator


@dataclass(frozen=True)
class Catalogue:
    """The registers and the indicators. ``indicators`` are as their latest definition reads;
    ``history`` holds each indicator's spans (oldest first) where it has been changed from a
    quarter: `in_force` gives the catalogue as it read for any quarter."""

    themes: tuple[Theme, ...]
    agencies: tuple[Agency, ...]
    priorities: tuple[Priority, ...]
    populations: tuple[Population, ...]
    breakdowns: tuple[Breakdown, ...]
    indicators: tuple[Indicator, ...]
    history: Mapping[str, tuple[Span, ...]] = field(default_factory=dict)

    def spans_of(self, indicator_id: str) -> tuple[Span, ...]:
        """The indicator's definitions in force, oldest first (one span if never changed)."""
        if indicator_id in self.history:
            return self.history[indicator_id]
        indicator = self.indicator_by_id[indicator_id]
        return (Span(Quarter.parse(indicator.applies_from), indicator),)

    def definition_in_force(self, indicator_id: str, quarter: Quarter) -> Indicator:
        """The definition in force for ``quarter``: the latest span starting at or before it
        (the first span for a quarter before them all, when the indicator was not yet collected)."""
        spans = self.spans_of(indicator_id)
        chosen = spans[0]
        for span in spans:
            if span.starts <= quarter:
                chosen = span
        return chosen.indicator

    def in_force(self, quarter: Quarter) -> Catalogue:
        """The catalogue as it read for ``quarter``: every indicator by the definition then in force."""
        if not self.history:
            return self
        order = {theme.id: theme.number for theme in self.themes}
        indicators = sorted(
            (self.definition_in_force(indicator.id, quarter) for indicator in self.indicators),
            key=lambda indicator: (order.get(indicator.theme, 0), indicator.id),
        )
        return replace(self, indicators=tuple(indicators))

    @cached_property
    def indicator_by_id(self) -> dict[str, Indicator]:
        return {indicator.id: indicator for indicator in self.indicators}

    @cached_property
    def theme_by_id(self) -> dict[str, Theme]:
        return {theme.id: theme for theme in self.themes}

    @cached_property
    def agency_by_id(self) -> dict[str, Agency]:
        return {agency.id: agency for agency in self.agencies}

    def active_indicators(self) -> list[Indicator]:
        return [indicator for indicator in self.indicators if indicator.status == "active"]


# --- loading -------------------------------------------------------------------------------

_REGISTERS: dict[str, type[_Strict]] = {
    "themes": Theme,
    "agencies": Agency,
    "priorities": Priority,
    "populations": Population,
    "breakdowns": Breakdown,
}


class _Problems:
    """Every problem found while loading, each naming its file and line."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.found: list[str] = []

    def add(self, path: Path | None, line: int | None, subject: str, message: str) -> None:
        where = "" if path is None else self._relative(path) + (f", line {line}" if line else "") + ": "
        self.found.append(f"{where}{subject + ': ' if subject else ''}{message}")

    def _relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)


def load_catalogue(directory: Path) -> Catalogue:
    """Load and check the whole catalogue; raise `CatalogueError` listing every problem."""
    problems = _Problems(directory)
    registers_dir = directory / REGISTERS_FOLDER
    if not directory.is_dir() or not registers_dir.is_dir():
        raise CatalogueError([f"{directory}: no catalogue here (expected {registers_dir})"])

    registers = {
        name: _load_register(registers_dir / f"{name}.yaml", name, model, problems)
        for name, model in _REGISTERS.items()
    }
    indicators: list[tuple[Indicator, Path, LocatedYaml, int]] = []
    file_of_theme: dict[str, Path] = {}
    file_of_id: dict[str, Path] = {}
    for path in sorted(directory.glob("*.yaml")):
        indicators.extend(_load_theme_file(path, registers, file_of_theme, file_of_id, problems))
    if not file_of_theme and not problems.found:
        problems.add(directory, None, "", "no theme files (*.yaml) found")

    _check_references(indicators, registers, problems)
    if problems.found:
        raise CatalogueError(problems.found)
    themes = sorted(registers["themes"], key=lambda theme: theme.number)
    theme_order = {theme.id: theme.number for theme in themes}
    return Catalogue(
        themes=tuple(themes),
        agencies=tuple(registers["agencies"]),
        priorities=tuple(registers["priorities"]),
        populations=tuple(registers["populations"]),
        breakdowns=tuple(registers["breakdowns"]),
        indicators=tuple(
            sorted((entry[0] for entry in indicators), key=lambda i: (theme_order[i.theme], i.id))
        ),
    )


def _read(path: Path, problems: _Problems) -> LocatedYaml | None:
    if not path.is_file():
        problems.add(path, None, "", "file is missing")
        return None
    try:
        located = read_located_yaml(path)
    except YamlSyntaxError as error:
        problems.add(path, error.line, "", f"not valid YAML ({error.problem})")
        return None
    for key, line in located.duplicate_keys:
        problems.add(path, line, "", f"key '{key}' appears twice; keep one")
    return located


def _entries(
    located: LocatedYaml, key: str, path: Path, problems: _Problems
) -> list[tuple[int, Any]]:
    data = located.data
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        problems.add(path, located.line_of(()), "", f"expected a top-level '{key}:' list")
        return []
    unknown = sorted(set(data) - {key, "theme"} if key == "indicators" else set(data) - {key})
    for name in unknown:
        problems.add(path, located.line_of((name,)), "", f"unknown top-level key '{name}'")
    return list(enumerate(data[key]))


def _load_register(
    path: Path, name: str, model: type[_Strict], problems: _Problems
) -> list[Any]:
    located = _read(path, problems)
    if located is None:
        return []
    loaded = []
    for index, raw in _entries(located, name, path, problems):
        entry_id = raw.get("id") if isinstance(raw, dict) else None
        subject = f"{model.__name__.lower()} {entry_id or f'#{index + 1}'}"
        parsed = _validate(model, raw, path, located, (name, index), subject, problems)
        if parsed is not None:
            loaded.append(parsed)
    for duplicate in _duplicates(entry.id for entry in loaded):
        problems.add(path, None, f"{model.__name__.lower()} {duplicate}", "id is used twice")
    return loaded


def _load_theme_file(
    path: Path,
    registers: dict[str, list[Any]],
    file_of_theme: dict[str, Path],
    file_of_id: dict[str, Path],
    problems: _Problems,
) -> list[tuple[Indicator, Path, LocatedYaml, int]]:
    located = _read(path, problems)
    if located is None:
        return []
    data = located.data if isinstance(located.data, dict) else {}
    theme_id = data.get("theme")
    known_themes = [theme.id for theme in registers["themes"]]
    if theme_id not in known_themes:
        problems.add(
            path, located.line_of(("theme",)), "",
            f"theme '{theme_id}' is not in partnership/themes.yaml{_suggest(theme_id, known_themes)}",
        )
        theme_id = None
    elif theme_id in file_of_theme:
        problems.add(
            path, located.line_of(("theme",)), "",
            f"theme '{theme_id}' already has its file ({file_of_theme[theme_id].name}); "
            "keep one file per theme",
        )
    else:
        file_of_theme[theme_id] = path

    loaded = []
    for index, raw in _entries(located, "indicators", path, problems):
        location = ("indicators", index)
        indicator_id = raw.get("id") if isinstance(raw, dict) else None
        subject = f"indicator {indicator_id or f'#{index + 1}'}"
        if isinstance(indicator_id, str) and indicator_id in file_of_id:
            problems.add(
                path, located.line_of((*location, "id")), subject,
                f"id {indicator_id} is already used in {file_of_id[indicator_id].name}; "
                "give each indicator its own id",
            )
        elif isinstance(indicator_id, str):
            file_of_id[indicator_id] = path
        if isinstance(raw, dict) and "theme" in raw and theme_id and raw["theme"] != theme_id:
            problems.add(
                path, located.line_of((*location, "theme")), subject,
                f"says theme '{raw['theme']}' but sits in the file of theme '{theme_id}'; "
                "move it to its theme's file",
            )
            continue
        if theme_id is None or not isinstance(raw, dict):
            if not isinstance(raw, dict):
                problems.add(path, located.line_of(location), subject, "expected a mapping of keys")
            continue
        indicator = _validate(
            Indicator, {**raw, "theme": theme_id}, path, located, location, subject, problems
        )
        if indicator is not None:
            loaded.append((indicator, path, located, index))
    return loaded


def _validate(
    model: type[_Strict],
    raw: Any,
    path: Path,
    located: LocatedYaml,
    location: tuple[str | int, ...],
    subject: str,
    problems: _Problems,
) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        for field_location, reason in _reasons(model, error):
            problems.add(path, located.line_of((*location, *field_location)), subject, reason)
        return None


def _reasons(model: type[_Strict], error: ValidationError) -> list[tuple[tuple[str | int, ...], str]]:
    """Each problem pydantic found, as (where in the entry, the reason in words)."""
    details = error.errors()
    # A misspelt key also shows up as the real key missing; say it once, as the typo.
    misspelt_for = {
        suggestion
        for detail in details
        if detail["type"] == "extra_forbidden"
        for suggestion in _close(str(detail["loc"][-1]), list(model.model_fields))
    }
    return [
        (tuple(detail["loc"]), _explain(model, detail))
        for detail in details
        if not (detail["type"] == "missing" and detail["loc"][-1] in misspelt_for)
    ]


def _explain(model: type[_Strict], detail: dict[str, Any]) -> str:
    location = [str(part) for part in detail["loc"]]
    key = location[-1] if location else ""
    kind = detail["type"]
    if kind == "extra_forbidden":
        owner = model if len(location) == 1 else Target
        return f"unknown key '{key}'{_suggest(key, list(owner.model_fields))}"
    if kind == "missing":
        return f"required key '{key}' is missing"
    if kind == "literal_error":
        allowed = _literal_choices(model, location)
        return (
            f"{key} '{detail['input']}' is not allowed{_suggest(str(detail['input']), allowed)}"
            f"; allowed: {', '.join(allowed)}"
        )
    if kind == "string_pattern_mismatch" and key == "id":
        example = "CP02" if model is Indicator else "childrens_social_care"
        return f"id '{detail['input']}' is not a valid id; write it like {example}"
    if kind == "string_pattern_mismatch":
        return f"{key} '{detail['input']}' must be lower case letters, digits and underscores"
    message = str(detail["msg"]).removeprefix("Value error, ")
    return f"{key}: {message}" if key else message


def _literal_choices(model: type[_Strict], location: list[str]) -> list[str]:
    field_name = next((part for part in reversed(location) if part in model.model_fields), None)
    if field_name is None:
        return []
    annotation = model.model_fields[field_name].annotation
    choices: list[str] = []
    for option in (annotation, *get_args(annotation)):
        choices.extend(arg for arg in get_args(option) if isinstance(arg, str))
    return choices


def _close(value: str, choices: Sequence[str]) -> list[str]:
    return difflib.get_close_matches(value, choices, n=2, cutoff=0.6)


def _suggest(value: Any, choices: Sequence[str]) -> str:
    close = _close(str(value), choices)
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"'{choice}'" for choice in close) + "?)"


def _duplicates(ids: Iterable[str]) -> list[str]:
    return sorted(entry_id for entry_id, count in Counter(ids).items() if count > 1)


def _check_references(
    indicators: list[tuple[Indicator, Path | None, LocatedYaml, int]],
    registers: dict[str, list[Any]],
    problems: _Problems,
) -> None:
    by_id = {entry[0].id: entry[0] for entry in indicators}
    for indicator, path, located, index in indicators:
        location = ("indicators", index)
        subject = f"indicator {indicator.id}"
        counted = indicator.denominator_is
        if counted and counted not in by_id:
            problems.add(
                path, located.line_of((*location, "denominator_is")), subject,
                f"denominator_is '{counted}' is not an indicator in the catalogue{_suggest(counted, list(by_id))}",
            )
        elif counted and by_id[counted].unit not in COUNTING_UNITS:
            problems.add(
                path, located.line_of((*location, "denominator_is")), subject,
                f"denominator_is '{counted}' must name an indicator that counts (a count, or a "
                f"percent or rate_per_10k whose numerator is the count), not a {by_id[counted].unit} indicator",
            )
        references = [
            ("owner", [indicator.owner], "agencies"),
            ("priorities", list(indicator.priorities), "priorities"),
            ("breakdowns", list(indicator.breakdowns), "breakdowns"),
            ("population", [indicator.population] if indicator.population else [], "populations"),
        ]
        for key, values, register in references:
            known = [entry.id for entry in registers[register]]
            for value in values:
                if value not in known:
                    problems.add(
                        path, located.line_of((*location, key)), subject,
                        f"{key} '{value}' is not in partnership/{register}.yaml"
                        f"{_suggest(value, known)}",
                    )


# --- checking one entry, as the loader does --------------------------------------------------

def check_entry(model: type[_Strict], raw: dict[str, Any]) -> tuple[Any, list[tuple[str, str]]]:
    """Validate one register entry or indicator as the loader does, for a form: the model (or
    None) and every problem as (the field, the reason in the loader's words)."""
    try:
        return model.model_validate(raw), []
    except ValidationError as error:
        return None, [(str(where[0]) if where else "", reason) for where, reason in _reasons(model, error)]


def check_catalogue(catalogue: Catalogue) -> list[str]:
    """The loader's checks between entries, for a catalogue changed in the app: every
    definition in force at any time names a theme, an owner, breakdowns, priorities and a
    population the registers hold, and a counted denominator names a counting indicator."""
    problems = _Problems(Path())
    registers = {
        "themes": list(catalogue.themes), "agencies": list(catalogue.agencies),
        "priorities": list(catalogue.priorities), "populations": list(catalogue.populations),
        "breakdowns": list(catalogue.breakdowns),
    }
    for name, entries in registers.items():
        for duplicate in _duplicates(entry.id for entry in entries):
            problems.add(None, None, f"{name} {duplicate}", "id is used twice")
    for duplicate in _duplicates(indicator.id for indicator in catalogue.indicators):
        problems.add(None, None, f"indicator {duplicate}", "id is used twice")
    theme_ids = [theme.id for theme in catalogue.themes]
    definitions = [span.indicator for indicator in catalogue.indicators for span in catalogue.spans_of(indicator.id)]
    for indicator in definitions:
        if indicator.theme not in theme_ids:
            problems.add(None, None, f"indicator {indicator.id}",
                         f"theme '{indicator.theme}' is not a theme{_suggest(indicator.theme, theme_ids)}")
    _check_references([(indicator, None, LocatedYaml(data={}), 0) for indicator in definitions], registers, problems)
    return list(dict.fromkeys(problems.found))


# --- writing the files back ------------------------------------------------------------------

def theme_file_name(theme: Theme) -> str:
    """``02-front-door.yaml`` for theme 2, front_door: the names the repository's files have."""
    return f"{theme.number:02d}-{theme.id.replace('_', '-')}.yaml"


def write_catalogue(catalogue: Catalogue, directory: Path, heading: str) -> list[Path]:
    """Write the catalogue as the files `load_catalogue` reads (one per theme and the registers
    in ``partnership/``), each indicator by its latest definition. ``heading`` opens every file
    as a comment. Returns the files written."""
    registers = directory / REGISTERS_FOLDER
    registers.mkdir(parents=True, exist_ok=True)
    written = []
    for name, entries in (
        ("themes", catalogue.themes), ("agencies", catalogue.agencies), ("priorities", catalogue.priorities),
        ("populations", catalogue.populations), ("breakdowns", catalogue.breakdowns),
    ):
        path = registers / f"{name}.yaml"
        _write_yaml(path, heading, {name: [entry.model_dump(mode="json", exclude_defaults=True) for entry in entries]})
        written.append(path)
    for theme in catalogue.themes:
        path = directory / theme_file_name(theme)
        indicators = [
            {key: value for key, value in indicator.model_dump(mode="json", exclude_defaults=True).items()
             if key != "theme"}
            for indicator in catalogue.indicators if indicator.theme == theme.id
        ]
        _write_yaml(path, heading, {"theme": theme.id, "indicators": indicators})
        written.append(path)
    return written


def _write_yaml(path: Path, heading: str, document: dict[str, Any]) -> None:
    comment = "".join(f"# {line}\n" for line in heading.splitlines())
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    path.write_text(comment + body, encoding="utf-8")
