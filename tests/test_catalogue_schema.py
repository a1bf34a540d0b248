"""The catalogue's published JSON Schema: current with the models, and in agreement with the
loader on the files the repo ships and on broken ones."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import CATALOGUE
from jsonschema import Draft202012Validator

from thinktank.catalogue_schema import (
    REGISTERS,
    SCHEMA_FOLDER,
    THEME_FILE_SCHEMA,
    catalogue_schemas,
    schema_text,
)
from thinktank.settings import REPO_ROOT

LIVE = REPO_ROOT / "indicators"


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_FOLDER / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_the_committed_schemas_are_what_the_models_give():
    made = catalogue_schemas()
    assert sorted(path.name for path in SCHEMA_FOLDER.glob("*.json")) == sorted(made)
    for name, schema in made.items():
        assert (SCHEMA_FOLDER / name).read_text(encoding="utf-8") == schema_text(schema), (
            f"{name} is out of date: run python -m thinktank docs")


@pytest.mark.parametrize("catalogue", [LIVE, CATALOGUE], ids=["live", "frozen"])
def test_every_file_shipped_passes_its_schema(catalogue):
    for path in sorted(catalogue.glob("*.yaml")):
        problems = list(validator(THEME_FILE_SCHEMA).iter_errors(yaml.safe_load(path.read_text(encoding="utf-8"))))
        assert not problems, (path.name, [problem.message for problem in problems])
    for name in REGISTERS:
        path = catalogue / "partnership" / f"{name}.yaml"
        problems = list(validator(f"{name}.schema.json").iter_errors(yaml.safe_load(path.read_text(encoding="utf-8"))))
        assert not problems, (path.name, [problem.message for problem in problems])


def test_the_schema_refuses_what_the_loader_refuses_field_by_field():
    theme_file = yaml.safe_load((LIVE / "02-front-door.yaml").read_text(encoding="utf-8"))
    first = theme_file["indicators"][0]
    for broken in ({"unit": "percentage"}, {"polarity": "up"}, {"id": "fd1"}, {"colour": "red"},
                   {"owner": "Durham Police"}, {"change_tolerance_percent": 0}):
        edited = {**theme_file, "indicators": [{**first, **broken}]}
        assert not validator(THEME_FILE_SCHEMA).is_valid(edited), broken
    without_name = {key: value for key, value in first.items() if key != "name"}
    assert not validator(THEME_FILE_SCHEMA).is_valid({**theme_file, "indicators": [without_name]})
