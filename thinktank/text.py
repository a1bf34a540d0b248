"""Text from people (file names, column headers, names an agency typed) kept in the order it
was typed wherever it is shown or written."""

from __future__ import annotations

import re

# Unicode's direction controls: embeddings and overrides (U+202A-202E), isolates (U+2066-2069)
# and the left-to-right and right-to-left marks (U+200E, U+200F). In a file name or a header
# they reorder what is shown ("report\u202excod.exe" reads as "reportexe.docx"), so they go.
_DIRECTION_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def without_direction_controls(text: str) -> str:
    """The text in the order it was typed: no character in it can reorder what is shown."""
    return _DIRECTION_CONTROLS.sub("", text)
