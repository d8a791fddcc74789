"""The text people search captions and clip titles with."""

from __future__ import annotations

from .bad_input import BadInput

LONGEST_QUERY = 200  # characters; the rest of a longer query is ignored


def search_text(params, name: str = "q") -> str:
    """A search query parameter; PostgreSQL text cannot hold NUL, so it is refused, not a 500."""
    value = params.get(name, "")[:LONGEST_QUERY]
    if "\x00" in value:
        raise BadInput(f"{name} contains a NUL character.", {name: "invalid character"})
    return value
