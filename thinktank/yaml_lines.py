"""Read YAML while remembering the line every key and list item came from.

Catalogue problems must name the file and the line, so the loader composes the node tree
itself rather than using ``yaml.safe_load``, and refuses duplicate keys (which plain PyYAML
silently resolves by keeping the last one).

The node tree comes from libyaml where PyYAML was built with it: reading the catalogue that way
takes about 8 ms instead of 68 ms, on every start and every command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Location = tuple[str | int, ...]
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class LocatedYaml:
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)
    duplicate_keys: list[tuple[str, int]] = field(default_factory=list)

    def line_of(self, location: Location) -> int | None:
        """The line of the deepest part of ``location`` that the file holds."""
        for end in range(len(location), -1, -1):
            line = self.lines.get(tuple(location[:end]))
            if line is not None:
                return line
        return None


class YamlSyntaxError(Exception):
    def __init__(self, line: int | None, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


def read_located_yaml(path: Path) -> LocatedYaml:
    text = path.read_text(encoding="utf-8")
    loader = SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        problem = str(error.problem)
        # A tab is the commonest slip in a hand-edited file, and libyaml's messages do not say what to do.
        lines = text.splitlines()
        if line is not None and line <= len(lines) and "\t" in lines[line - 1]:
            problem += "; the line holds a tab: indent with spaces"
        raise YamlSyntaxError(line, problem) from error
    finally:
        loader.dispose()
    located = LocatedYaml(data)
    if root is not None:
        located.lines[()] = root.start_mark.line + 1
        _walk(root, (), located)
    return located


def _walk(node: yaml.Node, location: Location, located: LocatedYaml) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                located.duplicate_keys.append((key, line))
            seen.add(key)
            located.lines[(*location, key)] = line
            _walk(value_node, (*location, key), located)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            located.lines[(*location, index)] = item.start_mark.line + 1
            _walk(item, (*location, index), located)
