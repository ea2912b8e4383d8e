"""A small in-memory stand-in for ``gazetteer.load()`` with the same methods (resolve, resolve_one,
get), used to test layers/ without the real gazetteer data. Ambiguity is decided by context the
way the real gazetteer promises: the candidate nearest to the context places wins."""

from __future__ import annotations

import math

from rapidfuzz import process

from gazetteer.errors import AmbiguousPlace, PlaceNotFound
from gazetteer.types import Candidate, Place


def _p(pid, name, lat, lon, country="SY", admin1="", names=()):
    return Place(id=pid, name=name, lat=lat, lon=lon, country=country, admin1=admin1,
                 kind="town", names=tuple(names))


PLACES = (
    _p("geonames:1", "Aleppo", 36.2021, 37.1343, admin1="Aleppo", names=("Halab",)),
    _p("geonames:2", "Palmyra", 34.5560, 38.2840, admin1="Homs", names=("Tadmur",)),
    _p("geonames:3", "Qusair", 34.5090, 36.5800, admin1="Homs", names=("al-Qusayr",)),
    _p("geonames:4", "Douma", 33.5720, 36.4020, admin1="Rif Dimashq"),
    _p("geonames:5", "Kafr Zita", 35.3740, 36.6010, admin1="Hama"),
    # Two "Tell Abyad"s: one near Raqqa (SY), one far away (made up, in Iraq).
    _p("geonames:6", "Tell Abyad", 36.6970, 38.9560, admin1="Raqqa"),
    _p("geonames:7", "Tell Abyad", 33.3000, 44.4000, country="IQ", admin1="Baghdad"),
    _p("geonames:8", "Raqqa", 35.9500, 39.0100, admin1="Raqqa"),
    # Two "Ain Issa"s 400 km apart, both in Syria: only context decides.
    _p("geonames:9", "Ain Issa", 36.3850, 38.8590, admin1="Raqqa"),
    _p("geonames:10", "Ain Issa", 33.0000, 36.0000, admin1="Daraa"),
    _p("geonames:11", "Daraa", 32.6189, 36.1021, admin1="Daraa"),
)


class FakeGazetteer:
    def __init__(self, places=PLACES):
        self.places = tuple(places)
        self.calls: list[tuple] = []

    def _names(self, p):
        return {p.name.casefold(), *(n.casefold() for n in p.names)}

    def resolve(self, name, *, country=None, near=None, context=None):
        key = name.strip().casefold()
        hits = [p for p in self.places if key in self._names(p)
                and (country is None or p.country in ([country] if isinstance(country, str)
                                                      else country))]
        return [Candidate(place=p, score=1.0, matched=p.name, how="exact") for p in hits]

    def resolve_one(self, name, *, country=None, near=None, context=None):
        self.calls.append((name, country, None if context is None else len(list(context))))
        cands = self.resolve(name, country=country)
        if not cands:
            names = sorted({n for p in self.places for n in self._names(p)})
            sugg = [m for m, _s, _i in process.extract(name.casefold(), names, limit=3,
                                                        score_cutoff=60)]
            raise PlaceNotFound(name, sugg)
        if len(cands) == 1:
            return cands[0]
        points = [(c.lat, c.lon) for c in (context or []) if hasattr(c, "lat")]
        if points:
            lat = sum(p[0] for p in points) / len(points)
            lon = sum(p[1] for p in points) / len(points)
            ranked = sorted(cands, key=lambda c: math.hypot(c.lat - lat, c.lon - lon))
            d0 = math.hypot(ranked[0].lat - lat, ranked[0].lon - lon)
            d1 = math.hypot(ranked[1].lat - lat, ranked[1].lon - lon)
            if d0 * 2 < d1:
                return ranked[0]
        raise AmbiguousPlace(name, cands)

    def get(self, place_id):
        for p in self.places:
            if p.id == place_id:
                return p
        raise PlaceNotFound(place_id, [])
