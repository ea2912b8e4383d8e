"""Ranking: match quality first, then context (country, admin area, near, the other places of the
same document), then kind and population. Pure functions over hits and a prepared Context."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .index import NameIndex
from .match import Hits
from .types import Candidate

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
_SAME_DEG = SAME_PLACE_KM / 111.0


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


# Row fields (see NameIndex.rows)
_LAT, _LON, _COUNTRY, _ADMIN1, _KIND, _POP = 2, 3, 4, 5, 7, 8


def static_bonus(row: tuple) -> float:
    """The context-free part: population (squared log, so a city clearly outranks a hamlet of
    the same name but not a town) and kind."""
    pop = row[_POP]
    b = POPULATION_BONUS * min(1.0, math.log10(1 + pop) / 6.0) ** 2 if pop > 0 else 0.0
    return b + KIND_BONUS.get(row[_KIND], 0.0)


def bonus(row: tuple, admin_id: str, ctx: Context, *, explain: bool = False
          ) -> tuple[float, list[str]]:
    """The context-dependent part of the score (plus reasons when ``explain``)."""
    b, why = 0.0, []
    country = row[_COUNTRY]
    if ctx.countries and country in ctx.countries:
        b += COUNTRY_BONUS
        if explain:
            why.append(f"country {country}")
    if ctx.admin_ids and admin_id in ctx.admin_ids:
        b += ADMIN_BONUS
        if explain:
            why.append(f"in {row[_ADMIN1] or admin_id}")
    if ctx.near is not None:
        d = km(row[_LAT], row[_LON], ctx.near[0], ctx.near[1])
        b += NEAR_BONUS * math.exp(-d / NEAR_KM)
        if explain:
            why.append(f"{d:.0f} km from near point")
    if ctx.lats:
        d = min(km(row[_LAT], row[_LON], la, lo) for la, lo in zip(ctx.lats, ctx.lons,
                                                                  strict=True))
        b += CONTEXT_BONUS * math.exp(-d / CONTEXT_KM)
        if explain:
            why.append(f"{d:.0f} km from a context place")
    if ctx.point_countries:
        b += CONTEXT_COUNTRY_BONUS * ctx.point_countries.get(country, 0.0)
    return b, why


def _near_km(a: tuple, b: tuple) -> float:
    """Cheap planar distance for de-duplication (exact enough under a few km)."""
    dlat = (a[_LAT] - b[_LAT]) * 111.2
    dlon = (a[_LON] - b[_LON]) * 111.2 * math.cos(math.radians(a[_LAT]))
    return math.sqrt(dlat * dlat + dlon * dlon)


@dataclass(frozen=True)
class Ranked:
    candidates: list[Candidate]
    raw: list[float]
    ambiguous: bool


def max_bonus(ctx: Context) -> float:
    """The most any candidate can gain from ``ctx``: hits further below the best can't win."""
    b = POPULATION_BONUS + max(KIND_BONUS.values())
    if ctx.countries:
        b += COUNTRY_BONUS
    if ctx.admin_ids:
        b += ADMIN_BONUS
    if ctx.near is not None:
        b += NEAR_BONUS
    if ctx.lats:
        b += CONTEXT_BONUS
    if ctx.point_countries:
        b += CONTEXT_COUNTRY_BONUS
    return b


def rank(ix: NameIndex, hits: Hits, ctx: Context, *, limit: int | None = None) -> Ranked:
    if len(hits) > 10:
        floor = max(h[0] for h in hits.values()) - max_bonus(ctx) - AMBIGUITY_MARGIN
        hits = {pos: h for pos, h in hits.items() if h[0] >= floor}
    rows, admin = ix.rows, ix.admin_ids
    static = ix.__dict__.get("_static_bonus")
    if static is None:  # context-free bonuses, once per index (not pickled)
        static = ix.__dict__["_static_bonus"] = [static_bonus(r) for r in rows]
    with_ctx = not ctx.empty
    # Sort key: score, then match quality, then index position (deterministic: the index is
    # built in source order, and the embedded layer is sorted by GeoNames id).
    if with_ctx:
        scored = [(-(q + static[pos] + bonus(rows[pos], admin[pos], ctx)[0]), -q, pos, nid, how)
                  for pos, (q, nid, how) in hits.items()]
    else:
        scored = [(-(q + static[pos]), -q, pos, nid, how) for pos, (q, nid, how) in hits.items()]
    if len(scored) == 1:
        kept = scored
    else:
        scored.sort()
        kept = []
        seen: list[tuple] = []
        for s in scored:
            r = rows[s[2]]
            lat, lon = r[_LAT], r[_LON]
            # bounding-box pre-test, exact distance only for the rare near pair
            if any(abs(lat - o[_LAT]) < _SAME_DEG and abs(lon - o[_LON]) < _SAME_DEG * 1.5
                   and _near_km(r, o) < SAME_PLACE_KM for o in seen):
                continue
            kept.append(s)
            seen.append(r)
            if limit and len(kept) >= limit:
                break
    candidates = []
    for neg_raw, neg_q, pos, nid, how in kept:
        raw, q = -neg_raw, -neg_q
        why = bonus(rows[pos], admin[pos], ctx, explain=True)[1] if with_ctx else []
        candidates.append(Candidate(
            place=ix.places[pos], score=min(1.0, raw / MAX_RAW), matched=ix.name_text[nid],
            how=how, why="; ".join([f"{how} match {ix.name_text[nid]!r} ({q:.2f})", *why])))
    raws = [-s[0] for s in kept]
    ambiguous = len(raws) > 1 and raws[0] - raws[1] < AMBIGUITY_MARGIN
    return Ranked(candidates, raws, ambiguous)
