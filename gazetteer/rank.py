"""Ranking: match quality first, then context (country, admin area, near, the other places of the
same document), then kind and population. Pure functions over hits and a prepared Context."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .index import NameIndex
from .match import Hits
from .types import Candidate, Place

# Bonuses added to the match quality (raw scale). The reported score is raw / MAX_RAW.
COUNTRY_BONUS = 0.15
ADMIN_BONUS = 0.10
NEAR_BONUS, NEAR_KM = 0.15, 25.0
CONTEXT_BONUS, CONTEXT_KM = 0.10, 30.0
CONTEXT_COUNTRY_BONUS = 0.04
POPULATION_BONUS = 0.08
KIND_BONUS = {"city": 0.02, "town": 0.015, "village": 0.01, "neighbourhood": 0.005}
MAX_RAW = 1.0 + COUNTRY_BONUS + ADMIN_BONUS + NEAR_BONUS + CONTEXT_BONUS + CONTEXT_COUNTRY_BONUS \
    + POPULATION_BONUS + max(KIND_BONUS.values())
AMBIGUITY_MARGIN = 0.03  # raw-score gap under which two distinct places are "ambiguous"
SAME_PLACE_KM = 2.0      # candidates this close to a better one are the same place


@dataclass(frozen=True)
class Context:
    """Prepared ranking hints; build with Gazetteer.context() and reuse across names."""

    countries: frozenset[str] = frozenset()
    admin_ids: frozenset[str] = frozenset()
    near: tuple[float, float] | None = None
    lats: tuple[float, ...] = ()
    lons: tuple[float, ...] = ()
    point_countries: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.countries or self.admin_ids or self.near or len(self.lats)
                    or self.point_countries)


EMPTY = Context()


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Scalar great-circle distance (math, not numpy: called per candidate)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * \
        math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742.0176 * math.asin(math.sqrt(min(a, 1.0)))


def bonus(place: Place, admin_id: str, ctx: Context) -> tuple[float, list[str]]:
    b, why = 0.0, []
    if ctx.countries and place.country in ctx.countries:
        b += COUNTRY_BONUS
        why.append(f"country {place.country}")
    if ctx.admin_ids and admin_id in ctx.admin_ids:
        b += ADMIN_BONUS
        why.append(f"in {place.admin1 or admin_id}")
    if ctx.near is not None:
        d = km(place.lat, place.lon, ctx.near[0], ctx.near[1])
        b += NEAR_BONUS * math.exp(-d / NEAR_KM)
        why.append(f"{d:.0f} km from near point")
    if len(ctx.lats):
        d = min(km(place.lat, place.lon, la, lo) for la, lo in zip(ctx.lats, ctx.lons,
                                                                    strict=True))
        b += CONTEXT_BONUS * math.exp(-d / CONTEXT_KM)
        why.append(f"{d:.0f} km from a context place")
    if ctx.point_countries:
        share = ctx.point_countries.get(place.country, 0.0)
        b += CONTEXT_COUNTRY_BONUS * share
    if place.population > 0:
        # squared so a city clearly outranks a hamlet of the same name, not a town
        b += POPULATION_BONUS * min(1.0, math.log10(1 + place.population) / 6.0) ** 2
    b += KIND_BONUS.get(place.kind, 0.0)
    return b, why


@dataclass(frozen=True)
class Ranked:
    candidates: list[Candidate]
    raw: list[float]
    ambiguous: bool


def rank(ix: NameIndex, hits: Hits, ctx: Context, *, limit: int | None = None) -> Ranked:
    scored = []
    for pos, (quality, nid, how) in hits.items():
        place = ix.places[pos]
        b, why = bonus(place, ix.admin_ids[pos], ctx)
        scored.append((quality + b, quality, -place.population, place.id, pos, nid, how, why))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2], s[3]))
    kept: list[tuple] = []
    for s in scored:
        p = ix.places[s[4]]
        if any(km(p.lat, p.lon, ix.places[k[4]].lat, ix.places[k[4]].lon) < SAME_PLACE_KM
               for k in kept):
            continue
        kept.append(s)
        if limit and len(kept) >= limit:
            break
    candidates = [
        Candidate(place=ix.places[pos], score=min(1.0, raw / MAX_RAW), matched=ix.name_text[nid],
                  how=how, why="; ".join([f"{how} match {ix.name_text[nid]!r} ({q:.2f})", *why]))
        for raw, q, _, _, pos, nid, how, why in kept
    ]
    raws = [s[0] for s in kept]
    ambiguous = len(raws) > 1 and raws[0] - raws[1] < AMBIGUITY_MARGIN
    return Ranked(candidates, raws, ambiguous)
