"""Gazetteer errors; each also inherits the builtin a caller would naturally catch."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .types import Candidate


class GazetteerError(Exception):
    """Base of every gazetteer error."""


class PlaceNotFound(GazetteerError, LookupError):
    """No place matches ``query``; ``suggestions`` holds did-you-mean names."""

    def __init__(self, query: str, suggestions: list[str] | None = None):
        self.query = query
        self.suggestions = list(suggestions or [])
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"no place found for {query!r}.{hint}")


class AmbiguousPlace(GazetteerError, ValueError):
    """Several places match ``query`` and context does not decide; ``candidates`` best first."""

    def __init__(self, query: str, candidates: list[Candidate]):
        self.query = query
        self.candidates = list(candidates)
        self.suggestions = [describe(c) for c in self.candidates]
        super().__init__(
            f"{query!r} is ambiguous: {'; '.join(self.suggestions[:5])}. "
            "Add a country or province hint, a place_id, or lat/lon."
        )


class GazetteerDataError(GazetteerError, ValueError):
    """A gazetteer file could not be read (names the file, line and field)."""


class ResolverUnavailable(GazetteerError, ConnectionError):
    """An online resolver could not be reached."""


def describe(c: Candidate) -> str:
    """A candidate as one suggestion: name (admin area, country; id; lat,lon)."""
    p = c.place
    where = ", ".join(x for x in (p.admin1, p.country) if x)
    return f"{p.name} ({where}; {p.id}; {p.lat:.4f},{p.lon:.4f})"
