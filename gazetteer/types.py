"""Records the gazetteer hands to the other packages: a Place and a Candidate (a resolution)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# The raw answer of a local candidate: nothing, shared and read-only (a candidate is made for
# every name resolved; one empty dict each would be garbage the cyclic GC has to visit).
NO_RAW: Mapping = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Place:
    """One place. ``id`` is stable and source-prefixed
    (``geonames:173322``, ``wof:…``, ``local:…``)."""

    id: str
    name: str
    lat: float
    lon: float
    country: str = ""
    admin1: str = ""
    admin2: str = ""
    kind: str = ""
    population: int = 0
    names: tuple[str, ...] = ()
    source: str = ""

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "lat": self.lat,
            "lon": self.lon,
            "country": self.country,
            "admin1": self.admin1,
            "admin2": self.admin2,
            "kind": self.kind,
            "population": self.population,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Candidate:
    """A Place proposed for a query: ``score`` in 0–1, ``matched`` says which name matched and how
    (``exact``, ``normalized``, ``skeleton``, ``arabic``, ``fuzzy``), ``why`` is a short reason."""

    place: Place
    score: float
    matched: str = ""
    how: str = ""
    why: str = ""
    # the online geocoder's answer (see gazetteer.online); empty and read-only for local places
    raw: Mapping = field(default_factory=lambda: NO_RAW, compare=False, hash=False)

    @property
    def id(self) -> str:
        return self.place.id

    @property
    def name(self) -> str:
        return self.place.name

    @property
    def lat(self) -> float:
        return self.place.lat

    @property
    def lon(self) -> float:
        return self.place.lon

    def to_dict(self) -> dict:
        return {**self.place.to_dict(), "score": round(self.score, 4), "matched": self.matched,
                "how": self.how, "why": self.why}
