"""A tiny in-memory gazetteer for extraction tests (literal names → places)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gazetteer.types import Candidate, Place

PLACES = {
    "Qusair": (34.5078, 36.5803, "town"),
    "Sarkha": (33.885, 36.564, "village"),
    "Maaloula": (33.845, 36.545, "town"),
    "Jibbeh": (33.908, 36.479, "village"),
    "Rankous": (33.756, 36.388, "town"),
    "Douma": (33.572, 36.403, "city"),
    "Mleiha": (33.485, 36.376, "town"),
    "Palmyra": (34.562, 38.284, "city"),
    "Nasib": (32.552, 36.188, "crossing"),
    "Um Al-Mayadeen": (32.585, 36.19, "village"),
    "Daraya": (33.458, 36.233, "city"),
    "Aleppo": (36.2, 37.16, "city"),
    "Homs": (34.73, 36.71, "city"),
    "Bukamal": (34.452, 40.919, "town"),
    "Kafr Zita": (35.374, 36.603, "town"),
    "Hawsh Arab": (33.815, 36.446, "village"),
    "Jbaadin": (33.86, 36.5, "village"),
    "Saraqib": (35.864, 36.8, "town"),
    "Syria": (35.0, 38.0, "country"),
    "Lebanon": (33.9, 35.8, "country"),
}


@dataclass(frozen=True)
class FakeMention:
    start: int
    end: int
    text: str
    candidates: tuple


def candidate(name: str, places=PLACES) -> Candidate:
    lat, lon, kind = places[name]
    place = Place(
        id=f"test:{name.lower().replace(' ', '-')}",
        name=name,
        lat=lat,
        lon=lon,
        country="SY",
        kind=kind,
    )
    return Candidate(place=place, score=0.9, matched=name, how="exact")


class FakeGazetteer:
    """``mentions`` finds the names of PLACES literally; ``resolve`` looks them up."""

    def __init__(self, places=PLACES):
        self.places = places
        self._rx = re.compile(
            r"\b(" + "|".join(sorted(map(re.escape, places), key=len, reverse=True)) + r")\b"
        )

    def mentions(self, text: str, *, max_words: int = 5):
        return [
            FakeMention(m.start(), m.end(), m.group(0), (candidate(m.group(0), self.places),))
            for m in self._rx.finditer(text)
        ]

    def resolve(self, name: str, *, country=None, near=None, context=None):
        return [candidate(name, self.places)] if name in self.places else []

    def context(self, *, country=None, near=None, context=None):
        return context
