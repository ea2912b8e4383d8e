"""Gazetteer: resolve place names as news writes them (variants, Arabic script, typos) to places.

    import gazetteer
    gz = gazetteer.load()
    gz.resolve_one("Kfar Zeita", country="SY")         # Candidate, or PlaceNotFound/AmbiguousPlace
    gz.resolve("Douma", context=["Eastern Ghouta"])    # list[Candidate], best first
    gz.mentions("Fighting near al-Qusayr and Arsal")  # list[Mention]
"""

from __future__ import annotations

from .errors import (
    AmbiguousPlace,
    GazetteerDataError,
    GazetteerError,
    PlaceNotFound,
    ResolverUnavailable,
)
from .gazetteer import Gazetteer, SourceInfo
from .imports import ImportResult, import_file
from .load import load
from .mentions import Mention
from .rank import Context
from .types import Candidate, Place

__all__ = [
    "AmbiguousPlace",
    "Candidate",
    "Context",
    "Gazetteer",
    "GazetteerDataError",
    "GazetteerError",
    "ImportResult",
    "Mention",
    "Place",
    "PlaceNotFound",
    "ResolverUnavailable",
    "SourceInfo",
    "import_file",
    "load",
    "resolve",
    "resolve_one",
]


def resolve(name: str, *, country=None, near=None, context=None) -> list[Candidate]:
    """Candidates for ``name`` in the default gazetteer (``load()``), best first."""
    return load().resolve(name, country=country, near=near, context=context)


def resolve_one(name: str, *, country=None, near=None, context=None) -> Candidate:
    """The place ``name`` means in the default gazetteer; PlaceNotFound / AmbiguousPlace."""
    return load().resolve_one(name, country=country, near=near, context=context)
