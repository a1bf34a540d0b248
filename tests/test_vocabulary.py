"""The display vocabularies: one home (`thinktank.formatting`), no second copy anywhere in the
core or the pages, and words for every value the engine can produce."""

from __future__ import annotations

import ast
import json
import re
import typing
from pathlib import Path

import duckdb
import pytest

from thinktank import catalogue, formatting
from thinktank.ingest.cells import SYMBOLS
from thinktank.scorecard import queries
from thinktank.settings import REPO_ROOT
from thinktank.users import Role

HOME = REPO_ROOT / "thinktank" / "formatting.py"
VOCABULARIES = {
    "statuses": formatting.STATUS_MEANINGS,
    "units": formatting.UNIT_LABELS,
    "directions": formatting.DIRECTION_LABELS,
    "movements": formatting.MOVEMENT_LABELS,
    "RAG ratings": formatting.RAG_LABELS,
    "SPC signals": formatting.SIGNAL_LABELS,
    "benchmark positions": formatting.POSITION_LABELS,
    "polarities": formatting.POLARITY_LABELS,
    "period bases": formatting.PERIOD_BASIS_LABELS,
    "return states": formatting.RETURN_STATE_LABELS,
    "roles": formatting.ROLE_LABELS,
}
CODES = set().union(*VOCABULARIES.values())


# --- What the engine can produce --------------------------------------------------------------

def _parsed(sql: str) -> dict:
    with duckdb.connect() as connection:
        (tree,) = connection.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
    parsed = json.loads(tree)
    assert not parsed["error"], parsed
    return parsed


def _results(expression: dict) -> set[str]:
    """The text constants an expression can give as its value (a CASE's THEN and ELSE, a
    coalesce's arguments), not those it compares with."""
    kind = expression.get("class")
    if kind == "CONSTANT":
        literal = expression.get("literal") or {}
        return {literal["text"]} if literal.get("kind") == "STRING" else set()
    if kind == "CASE":
        values = set().union(*(_results(check["then_expr"]) for check in expression["case_checks"]))
        return values | _results(expression["else_expr"])
    if kind == "CAST":
        return _results(expression["child"])
    if expression.get("type") == "OPERATOR_COALESCE" or expression.get("function_name") == "coalesce":
        return set().union(*(_results(child) for child in expression["children"]))
    return set()


def produced(sql: str, column: str) -> set[str]:
    """Every text value a column named ``column`` can take anywhere in the query (its CTEs too)."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("alias") == column:
                found.update(_results(node))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(_parsed(sql))
    return found


def test_the_sql_reader_sees_the_values_it_should():
    assert produced("SELECT CASE WHEN x = 'a' THEN 'yes' ELSE coalesce(y, 'no') END AS answer FROM t",
                    "answer") == {"yes", "no"}


RETURN_STATUSES = set(SYMBOLS.values())
ENGINE_VALUES = {
    "statuses": RETURN_STATUSES | produced(queries.SCORECARD, "status") | produced(queries.SERIES, "status")
    | produced(queries.SCORECARD, "previous_status"),
    "units": set(typing.get_args(catalogue.Unit)),
    "directions": produced(queries.SCORECARD, "direction"),
    "movements": produced(queries.SCORECARD, "movement"),
    "RAG ratings": produced(queries.SCORECARD, "rag"),
    "SPC signals": produced(queries.SCORECARD, "spc_signal") | produced(queries.SERIES, "spc_signal"),
    "benchmark positions": set().union(*(produced(queries.SCORECARD, f"{area}_position")
                                         for area in ("england", "north_east", "neighbours"))),
    "polarities": set(typing.get_args(catalogue.Polarity)),
    "period bases": set(typing.get_args(catalogue.PeriodBasis)),
    "return states": {"on_time", "late", "refused", "missing", "not_due"},
    "roles": set(Role),
}


@pytest.mark.parametrize("vocabulary", list(ENGINE_VALUES))
def test_every_value_the_engine_can_produce_has_its_words(vocabulary):
    values = ENGINE_VALUES[vocabulary]
    assert len(values) >= 3, f"found too few {vocabulary} to trust the reading: {values}"
    assert values - set(VOCABULARIES[vocabulary]) == set()


def test_the_scorecard_can_say_there_is_no_earlier_quarter_and_every_status_reads_in_words():
    assert {"missing", "count only", "no earlier quarter", "c", "u"} <= ENGINE_VALUES["statuses"]
    for status in ENGINE_VALUES["statuses"]:
        assert formatting.format_figure(None, "count", status) == f"{status} ({formatting.STATUS_MEANINGS[status]})"


def test_a_row_with_no_benchmark_position_reads_in_words():
    assert formatting.position_label(None) == formatting.position_label(float("nan")) == "Not compared"


# --- No second copy ---------------------------------------------------------------------------

def _is_words(value: ast.expr) -> bool:
    """A value that is text a person reads: a string or f-string, or a tuple that starts with
    one (a label with its style). A string that is itself a code, or a bare lower-case token
    such as a marker or a validation kind ("x", "whole"), is not words."""
    if isinstance(value, ast.Tuple) and value.elts:
        return _is_words(value.elts[0])
    if isinstance(value, ast.JoinedStr):
        return True
    return (isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value not in CODES
            and not re.fullmatch(r"[a-z_]+", value.value))


def dicts_of_words(source: str) -> list[tuple[int, set[str]]]:
    """Each dict written out in the source whose keys are codes of one vocabulary and whose
    values are words for them: its line and keys."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Dict) or not node.keys:
            continue
        keys = {key.value for key in node.keys if isinstance(key, ast.Constant) and isinstance(key.value, str)}
        in_one = max((len(keys & set(words)) for words in VOCABULARIES.values()), default=0)
        if in_one >= 2 and any(_is_words(value) for value in node.values):
            found.append((node.lineno, keys))
    return found


def test_the_scan_finds_a_second_copy_and_passes_a_mapping_of_codes():
    assert dicts_of_words('LABELS = {"improving": "Improving", "declining": "Declining"}')
    assert dicts_of_words('STYLES = {"concern": ("Concern", "#F46A25"), "improvement": ("Better", "#28A197")}')
    assert dicts_of_words('WORDS = {"on_time": f"{tick} On time", "late": "Late"}')
    assert not dicts_of_words('SYMBOLS = {"c": "c", "x": "x", ":": "x"}')
    assert not dicts_of_words('RULES = {"count": ("whole", 0), "percent": ("decimal", 0)}')
    assert not dicts_of_words('STYLES = {"concern": (LABELS["concern"], "x"), "neither": (LABELS["neither"], "o")}')


def sources() -> list[Path]:
    return sorted([*(REPO_ROOT / "thinktank").rglob("*.py"), *(REPO_ROOT / "views").rglob("*.py"),
                   REPO_ROOT / "app.py"])


def test_no_module_but_the_vocabulary_keeps_words_for_the_engines_values():
    copies = {
        str(path.relative_to(REPO_ROOT)): dicts_of_words(path.read_text(encoding="utf-8"))
        for path in sources() if path != HOME
    }
    assert {path: found for path, found in copies.items() if found} == {}


def test_no_module_but_the_vocabulary_defines_a_label_table_by_name():
    named = [
        f"{path.relative_to(REPO_ROOT)}: {target.id}"
        for path in sources() if path != HOME
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id in {name for name in dir(formatting) if name.isupper()}
    ]
    assert named == []
