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


# (gazetteer, monotonic time of the last freshness check, user store it came from)
_DEFAULT: list = [None, 0.0, None]
_RECHECK_SECONDS = 2.0


def _default() -> Gazetteer:
    """load(), re-checked for changed inputs at most every couple of seconds: a caller that
    resolves row by row must not stat every source file for every row."""
    import os
    import time

    now, home = time.monotonic(), os.environ.get("FRONTLINE_HOME")
    if _DEFAULT[0] is None or now - _DEFAULT[1] > _RECHECK_SECONDS or home != _DEFAULT[2]:
        _DEFAULT[:] = [load(), now, home]
    return _DEFAULT[0]


def resolve(name: str, *, country=None, near=None, context=None) -> list[Candidate]:
    """Candidates for ``name`` in the default gazetteer (``load()``), best first."""
    return _default().resolve(name, country=country, near=near, context=context)


def resolve_one(name: str, *, country=None, near=None, context=None) -> Candidate:
    """The place ``name`` means in the default gazetteer; PlaceNotFound / AmbiguousPlace."""
    return _default().resolve_one(name, country=country, near=near, context=context)
