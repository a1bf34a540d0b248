"""The catalogue's files as JSON Schema, made from the very models the loader checks them with,
so that a partnership can check its YAML in an editor as it types (VS Code's YAML extension and
most others read JSON Schema) before the loader does.

A schema holds what each field may be; the rules that compare fields (a percent needs a
numerator and a denominator, a neutral indicator's target is a band, a theme file names a theme
in themes.yaml) are the loader's alone, and it names the file, line and field of each.

``python -m thinktank docs`` rewrites ``schemas/catalogue/``; a test fails when a committed
schema differs from what the models give.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field, create_model

from thinktank.catalogue import Agency, Breakdown, Indicator, Population, Priority, Slug, Theme
from thinktank.settings import REPO_ROOT

SCHEMA_FOLDER = REPO_ROOT / "schemas" / "catalogue"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
THEME_FILE_SCHEMA = "theme-file.schema.json"
# partnership/<name>.yaml holds a list under the key <name>, each entry one of these.
REGISTERS = {"agencies": Agency, "themes": Theme, "priorities": Priority, "populations": Population,
             "breakdowns": Breakdown}
_STRICT = ConfigDict(extra="forbid")


def catalogue_schemas() -> dict[str, dict[str, Any]]:
    """Each schema by its file name: one for the theme files, one for each register."""
    theme_file = create_model(
        "ThemeFile", __config__=_STRICT,
        theme=(Slug, Field(description="The theme's id in partnership/themes.yaml.")),
        indicators=(tuple[Indicator, ...], Field(description="The theme's indicators, one entry each.")),
    )
    made = theme_file.model_json_schema()
    # An indicator takes its theme from its file, so an entry may leave it out (or repeat it).
    entry = made["$defs"]["Indicator"]
    entry["required"].remove("theme")
    entry["properties"]["theme"]["description"] = "Optional: the file's theme, which the indicator belongs to."
    schemas = {THEME_FILE_SCHEMA: _described(
        made,
        "A theme file of the Think Tank catalogue (indicators/NN-theme.yaml)",
        "The indicators of one theme. Fields that depend on each other (a percent's numerator and "
        "denominator, a target read through the polarity) are checked by the loader.")}
    for name, model in REGISTERS.items():
        register = create_model(f"{model.__name__}Register", __config__=_STRICT,
                                **{name: (tuple[model, ...], Field(description=f"Every entry of {name}."))})
        schemas[f"{name}.schema.json"] = _described(
            register.model_json_schema(), f"The Think Tank catalogue's {name} (indicators/partnership/{name}.yaml)",
            f"The partnership's {name}; each entry's id is how the catalogue refers to it.")
    return schemas


def _described(schema: dict[str, Any], title: str, description: str) -> dict[str, Any]:
    return {"$schema": SCHEMA_DIALECT, **schema, "title": title, "description": description}


def schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_catalogue_schemas(folder: Path = SCHEMA_FOLDER) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in catalogue_schemas().items():
        path = folder / name
        path.write_text(schema_text(schema), encoding="utf-8")
        written.append(path)
    return written
