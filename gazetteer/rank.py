"""Ranking: match quality first, then context (country, admin area, near, the other places of the
same document), then kind and population. Pure functions over hits and a prepared Context."""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import NamedTuple
from weakref import WeakKeyDictionary

from .index import NameIndex
from .match import APPROXIMATE, Hits
from .types import NO_RAW, Candidate

# Bonuses added to the match quality (raw scale). The reported score is raw / MAX_RAW.
COUNTRY_BONUS = 0.15
# A place in a hinted admin area ("in Daraa province") beats a somewhat closer spelling elsewhere.
ADMIN_BONUS = 0.15
# Without a country hint, places outside the region's core countries (the border zones of
# regions.toml) rank below a core place of similar match quality: a theatre's news names its own
# villages first. A context place or a near point close to the border town outweighs it.
BORDER_PENALTY = 0.15
# Approximate (skeleton/fuzzy) matches further than this outside every hinted admin area are
# dropped: "not found" is better than a lookalike in another governorate.
ADMIN_FAR_KM = 30.0
NEAR_BONUS, NEAR_KM = 0.15, 25.0
CONTEXT_BONUS, CONTEXT_KM = 0.10, 30.0
CONTEXT_COUNTRY_BONUS = 0.04
POPULATION_BONUS = 0.08
KIND_BONUS = {"city": 0.02, "town": 0.015, "village": 0.01, "neighbourhood": 0.005}
# Reported score = raw / MAX_RAW. A fixed scale (the bonuses as first tuned): re-weighting one
# bonus must not shift every score that callers threshold (extraction accepts score >= 0.45).
MAX_RAW = 1.64
AMBIGUITY_MARGIN = 0.03  # raw-score gap under which two distinct places are "ambiguous"
# A place the embedded (GeoNames cities500) or curated layers list ranks above a namesake only a
# village-level import knows: cities500 and the supplement list the places news names, an
# import adds every hamlet. More than AMBIGUITY_MARGIN, so it settles a tie between equals, and
# less than the population bonus of a town of a few thousand, which still wins.
LISTED_BONUS = 0.035
SAME_PLACE_KM = 2.0      # candidates this close to a better one are the same place
_SAME_DEG = SAME_PLACE_KM / 111.0
_SAME_LON = _SAME_DEG * 1.5  # (degrees of longitude shrink towards the poles: a wider box)
# Beyond this many context points, context_km asks a tree for the few points that can be nearest
# to each row instead of measuring every point; but a context asked once about no more than
# DIRECT_PAIRS row-point pairs (a one-off resolve with a long context list) measures them
# directly: the tree costs about as much to build as two such passes.
TREE_POINTS, DIRECT_PAIRS, TREE_FAR_KM = 64, 200_000, 300.0


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

    @cached_property
    def hinted_admins(self) -> frozenset[str]:
        """Admin-area ids hinted by context strings (country hints excluded)."""
        return frozenset(a for a in self.admin_ids if not a.startswith("country:")) \
            if self.admin_ids else frozenset()

    @cached_property
    def points(self) -> ContextPoints:
        """The context points prepared for distances (shared with contexts derived from this
        one: see derive)."""
        return ContextPoints(self.lats, self.lons)

    def voted(self) -> Context:
        """This context with the countries its hints name ("in Lebanon") as country hints when
        none is given; itself otherwise. (The derived context is kept: the same object for
        every name ranked. Itself is not, which would make every context a reference cycle.)"""
        if not self.admin_ids or self.countries:
            return self
        got = self.__dict__.get("_voted")
        if got is None:
            votes = {a[8:] for a in self.admin_ids if a.startswith("country:")}
            got = derive(self, countries=frozenset(votes)) if votes else self
            if got is not self:
                self.__dict__["_voted"] = got
        return got

    @cached_property
    def empty(self) -> bool:
        return not (self.countries or self.admin_ids or self.near or len(self.lats)
                    or self.point_countries)


EMPTY = Context()


class ContextPoints:
    """A context's points, prepared on first use: numpy radians, an STRtree, and the distances
    of index places to the nearest point measured so far (see place_km)."""

    def __init__(self, lats: tuple[float, ...], lons: tuple[float, ...]):
        self.lats, self.lons = lats, lons
        self.asked = 0  # context_km calls so far

    @cached_property
    def radians(self):
        """(lat, lon) radians as numpy row vectors, for context_km."""
        import numpy as np

        return (np.radians(np.asarray(self.lats))[None, :],
                np.radians(np.asarray(self.lons))[None, :])

    @cached_property
    def tree(self):
        """(STRtree over the points in lon, lat degrees, each tree item's point index), for
        context_km. Points far east or west are also entered 360° round, so that degrees
        measure across the antimeridian as the sphere does."""
        import numpy as np
        import shapely

        lats, lons = np.asarray(self.lats, dtype=float), np.asarray(self.lons, dtype=float)
        wrap = np.flatnonzero(np.abs(lons) > 90.0)
        index = np.concatenate([np.arange(len(lons)), wrap])
        lons = np.concatenate([lons, lons[wrap] - 360.0 * np.sign(lons[wrap])])
        return shapely.STRtree(shapely.points(lons, lats[index])), index

    @cached_property
    def km_memo(self) -> WeakKeyDictionary:
        """Index → {place position: km to the nearest point}."""
        return WeakKeyDictionary()


def derive(base: Context, **changes) -> Context:
    """``dataclasses.replace(base, **changes)`` that keeps base's prepared points when the points
    are unchanged (a country or admin hint added to a document's context must not rebuild its
    tree of thousands of places)."""
    ctx = replace(base, **changes)
    if ctx.lats is base.lats and ctx.lons is base.lons:
        ctx.__dict__["points"] = base.points  # (a cached_property's slot, set ahead)
    return ctx


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


def context_km(rows: list[tuple], ctx: Context) -> list[float]:
    """Distance from each row to its nearest context point. A few points: one numpy haversine
    over rows × points. Many (an events file's context can hold thousands of resolved places):
    a tree over the points gives each row its nearest in degrees, then the points whose degrees
    allow them to be nearer on the sphere; the nearest point is the same, so is the distance."""
    import numpy as np

    lat_deg = np.array([r[_LAT] for r in rows], dtype=float)
    lon_deg = np.array([r[_LON] for r in rows], dtype=float)
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    points = ctx.points
    plat, plon = points.radians
    points.asked += 1
    if plat.shape[1] <= TREE_POINTS or ("tree" not in points.__dict__ and points.asked == 1
                                         and len(rows) * plat.shape[1] <= DIRECT_PAIRS):
        return _haversine_km(lat[:, None], lon[:, None], plat, plon).min(axis=1).tolist()
    import shapely

    tree, index = points.tree
    here = shapely.points(lon_deg, lat_deg)
    i, j = tree.query_nearest(here, all_matches=False)
    j = index[j]
    first = np.empty(len(rows))
    first[i] = _haversine_km(lat[i], lon[i], plat[0, j], plon[0, j])
    # A point nearer on the sphere than ``first`` lies within this many degrees (a degree of
    # longitude is shortest at the highest latitude the circle reaches).
    top = np.radians(np.minimum(89.0, np.abs(lat_deg) + first / 111.0 + 0.01))
    radius = 1.01 * first / 111.19 / np.cos(top) + 1e-9
    i, j = tree.query(here, predicate="dwithin", distance=radius)
    j = index[j]
    best = np.full(len(rows), np.inf)
    np.minimum.at(best, i, _haversine_km(lat[i], lon[i], plat[0, j], plon[0, j]))
    # (the degree bound is a flat approximation of the sphere: rows far from every point, few
    # and with no bonus to speak of, are measured against all points rather than trusted to it)
    far = np.flatnonzero(first > TREE_FAR_KM)
    if len(far):
        best[far] = _haversine_km(lat[far, None], lon[far, None], plat, plon).min(axis=1)
    return best.tolist()


def place_km(ix: NameIndex, positions: Iterable[int], ctx: Context) -> list[float]:
    """context_km of the index's places at ``positions``, memoized on the context: a document's
    names share candidates, and Gazetteer.rank_many measures a whole batch in one call."""
    memos = ctx.points.km_memo
    memo = memos.get(ix)
    if memo is None:
        memo = memos[ix] = {}
    positions = list(positions)
    missing = [p for p in dict.fromkeys(positions) if p not in memo]
    if missing:
        rows = ix.rows
        memo.update(zip(missing, context_km([rows[p] for p in missing], ctx), strict=True))
    return [memo[p] for p in positions]


def _haversine_km(lat, lon, plat, plon):
    """Great-circle km between radian arrays (broadcast), as ``km`` computes it."""
    import numpy as np

    a = np.sin((plat - lat) / 2) ** 2 + np.cos(lat) * np.cos(plat) * np.sin((plon - lon) / 2) ** 2
    return 12742.0176 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def bonus(row: tuple, admin_id: str, ctx: Context, *, explain: bool = False,
          near_context_km: float | None = None) -> tuple[float, list[str]]:
    """The context-dependent part of the score (plus reasons when ``explain``);
    ``near_context_km`` is the row's precomputed distance to the nearest context point."""
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
        d = near_context_km if near_context_km is not None else \
            min(km(row[_LAT], row[_LON], la, lo) for la, lo in zip(ctx.lats, ctx.lons,
                                                                   strict=True))
        b += CONTEXT_BONUS * math.exp(-d / CONTEXT_KM)
        if explain:
            why.append(f"{d:.0f} km from a context place")
    if ctx.point_countries:
        b += CONTEXT_COUNTRY_BONUS * ctx.point_countries.get(country, 0.0)
    return b, why


def _near_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Cheap planar distance for de-duplication (exact enough under a few km)."""
    dlat = (lat1 - lat2) * 111.2
    dlon = (lon1 - lon2) * 111.2 * math.cos(math.radians(lat1))
    return math.sqrt(dlat * dlat + dlon * dlon)


class Ranked(NamedTuple):
    """A name's candidates best first, their raw scores, and whether the best two are too close
    to call. (A named tuple: one is made per name resolved, and a tuple is the cheapest.)"""

    candidates: list[Candidate]
    raw: list[float]
    ambiguous: bool


def max_bonus(ctx: Context) -> float:
    """The most any candidate can gain from ``ctx``: hits further below the best can't win."""
    b = POPULATION_BONUS + max(KIND_BONUS.values()) + BORDER_PENALTY + LISTED_BONUS
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


def _cached(ix: NameIndex, name: str, build):
    """Per-index derived table, built on first use (never pickled: see NameIndex.__getstate__)."""
    got = ix.__dict__.get(name)
    if got is None:
        got = ix.__dict__[name] = build()
    return got


class _Tables(NamedTuple):
    """Per-index ranking tables by place position, built once per index and core-country set.
    Numbers sit in flat arrays: ranking reads a few per hit, and a hit's numbers are then a
    neighbour's cache line away instead of behind a row tuple and its float objects."""

    core: frozenset[str]
    border: array       # static bonus with the border prior (no country hint)
    plain: array        # static bonus without it
    outside: bytes      # 1 where the place is outside the core countries
    lat: array
    lon: array


def _static_tables(ix: NameIndex) -> _Tables:
    """The index's _Tables (load() sets the core countries after unpickling: rebuilt when they
    change)."""
    core = ix.core_countries
    got = ix.__dict__.get("_static_tables")
    if got is None or got[0] is not core:
        rows = ix.rows
        outside = [bool(core) and bool(r[_COUNTRY]) and r[_COUNTRY] not in core for r in rows]
        plain = [static_bonus(r) for r in rows]
        unlisted = getattr(ix, "unlisted", b"")
        if unlisted:
            plain = [b if u else b + LISTED_BONUS for b, u in zip(plain, unlisted, strict=True)]
        border = [s - BORDER_PENALTY if out else s for s, out in zip(plain, outside, strict=True)]
        got = ix.__dict__["_static_tables"] = _Tables(
            core, array("d", border), array("d", plain), bytes(outside),
            array("d", [r[_LAT] for r in rows]), array("d", [r[_LON] for r in rows]))
    return got


# Candidate is a frozen dataclass; the ranker builds thousands a second, so it sets the slots
# directly (half the cost of the generated frozen __init__, the same objects).
_new = object.__new__
_SET_CANDIDATE = tuple(getattr(Candidate, f).__set__ for f in
                       ("place", "score", "matched", "how", "why", "raw"))
_new_ranked = tuple.__new__  # (Ranked(...) goes through a Python-level __new__)

_QUALITY_TEXT: dict[float, str] = {}


def _quality_text(q: float) -> str:
    """f" ({q:.2f})", memoized (match qualities are few distinct floats; formatting one costs
    more than the lookup)."""
    qt = _QUALITY_TEXT.get(q)
    if qt is None:
        if len(_QUALITY_TEXT) > 4096:
            _QUALITY_TEXT.clear()
        qt = _QUALITY_TEXT[q] = f" ({q:.2f})"
    return qt


def admin_extents(ix: NameIndex) -> dict[str, tuple[float, float, float]]:
    """Admin id → (centroid lat, centroid lon, radius km) from the places the index holds:
    the radius is the 90th-percentile distance of its places from the centroid."""
    def build() -> dict[str, tuple[float, float, float]]:
        import numpy as np

        ids = np.asarray(ix.admin_ids, dtype=object)
        lat = np.fromiter((r[_LAT] for r in ix.rows), float, len(ix.rows))
        lon = np.fromiter((r[_LON] for r in ix.rows), float, len(ix.rows))
        out = {}
        for a in sorted(set(ix.admin_ids) - {""}):
            m = ids == a
            clat, clon = float(lat[m].mean()), float(lon[m].mean())
            d = np.hypot((lat[m] - clat) * 111.2,
                         (lon[m] - clon) * 111.2 * math.cos(math.radians(clat)))
            out[a] = (clat, clon, float(np.percentile(d, 90)))
        return out

    return _cached(ix, "_admin_extent", build)


def far_outside(row: tuple, areas: list[tuple[float, float, float]],
                countries: frozenset[str]) -> bool:
    """Is this place in none of the hinted areas' countries, or more than ADMIN_FAR_KM beyond
    every hinted area?"""
    if row[_COUNTRY] and row[_COUNTRY] not in countries:
        return True
    return all(km(row[_LAT], row[_LON], a[0], a[1]) - a[2] > ADMIN_FAR_KM for a in areas)


def rank(ix: NameIndex, hits: Hits, ctx: Context, *, limit: int | None = None) -> Ranked:
    tables = ix.__dict__.get("_static_tables")  # (_static_tables inline: once per name)
    if tables is None or tables.core is not ix.core_countries:
        tables = _static_tables(ix)
    dist: dict[int, float] = {}
    if ctx is EMPTY:
        border, with_ctx = tables.outside, False
        if len(hits) == 1:  # the common case: one place, no hints: nothing to drop or sort
            ((pos, (q, nid, how)),) = hits.items()
            kept = [(-(q + tables.border[pos]), -q, pos, nid, how)]
        else:
            kept = _select(ix, hits, ctx, tables.border, tables, limit, dist)
    else:
        border = None if ctx.countries else tables.outside
        with_ctx = not ctx.empty
        kept = _select(ix, hits, ctx, tables.plain if ctx.countries else tables.border, tables,
                       limit, dist)
    rows, admin, text = ix.rows, ix.admin_ids, ix.name_text
    places = ix.places
    built = getattr(places, "built", places)  # (the lazy sequence's list: no method call)
    s_place, s_score, s_matched, s_how, s_why, s_raw = _SET_CANDIDATE
    candidates = []
    raws = []
    for neg_raw, neg_q, pos, nid, how in kept:
        matched = text[nid]
        why = f"{how} match {matched!r}{_QUALITY_TEXT.get(-neg_q) or _quality_text(-neg_q)}"
        if with_ctx:
            reasons = bonus(rows[pos], admin[pos], ctx, explain=True,
                            near_context_km=dist.get(pos))[1]
            if reasons:
                why = "; ".join([why, *reasons])
        if border is not None and border[pos]:
            why += f"; outside the core countries ({rows[pos][_COUNTRY]})"
        place = built[pos]
        c = _new(Candidate)  # (see _SET_CANDIDATE)
        s_place(c, place if place is not None else places[pos])
        score = -neg_raw / MAX_RAW
        s_score(c, score if score < 1.0 else 1.0)
        s_matched(c, matched)
        s_how(c, how)
        s_why(c, why)
        s_raw(c, NO_RAW)
        candidates.append(c)
        raws.append(-neg_raw)
    ambiguous = len(raws) > 1 and raws[0] - raws[1] < AMBIGUITY_MARGIN
    return _new_ranked(Ranked, (candidates, raws, ambiguous))


def _select(ix: NameIndex, hits: Hits, ctx: Context, base: array, tables: _Tables,
            limit: int | None, dist: dict[int, float]) -> list[tuple]:
    """The hits worth a candidate, best first, as (-raw score, -quality, position, name id,
    how): lookalikes far from hinted areas and hits no bonus can lift dropped, near-duplicate
    places skipped, at most ``limit``. ``base`` is the context-free part of each place's score;
    ``dist`` receives each hit's distance to the nearest context point when computed."""
    rows, admin = ix.rows, ix.admin_ids
    hinted = ctx.hinted_admins if ctx is not EMPTY else None
    if hinted and hits:
        # approximate matches far from every hinted area are lookalikes, not the place meant
        ext = admin_extents(ix)
        areas = [ext[a] for a in sorted(hinted) if a in ext]
        if areas:
            countries = frozenset(a.split(".")[0] for a in hinted)
            far = [pos for pos, h in hits.items()
                   if h[0] < APPROXIMATE and admin[pos] not in hinted
                   and far_outside(rows[pos], areas, countries)]
            # ...unless the document's own places are around it: a report naming Damascus and
            # Qalamoun towns still means the Qalamoun village its typo resembles
            # (in the hinted countries only: another country's lookalike stays dropped)
            home = [pos for pos in far if rows[pos][_COUNTRY] in countries]
            if home and len(ctx.lats):
                near = place_km(ix, home, ctx)
                kept = {pos for pos, d in zip(home, near, strict=True) if d <= CONTEXT_KM}
                far = [pos for pos in far if pos not in kept]
            dropped = set(far)
            hits = {pos: h for pos, h in hits.items() if pos not in dropped}
    if len(hits) > 10:
        # (hits are (quality, name id, how): max/min compare the quality first, in C)
        floor = max(hits.values())[0] - max_bonus(ctx) - AMBIGUITY_MARGIN
        if min(hits.values())[0] < floor:
            hits = {pos: h for pos, h in hits.items() if h[0] >= floor}
    # Sort key: score, then match quality, then index position (deterministic: the index is
    # built in source order, and the embedded layer is sorted by GeoNames id).
    if ctx is not EMPTY and not ctx.empty:
        if len(ctx.lats) > 4:
            dist.update(zip(hits, place_km(ix, hits, ctx), strict=True))
        scored = [(-(q + base[pos] + bonus(rows[pos], admin[pos], ctx,
                                           near_context_km=dist.get(pos))[0]), -q, pos, nid, how)
                  for pos, (q, nid, how) in hits.items()]
    else:
        scored = [(-(q + base[pos]), -q, pos, nid, how) for pos, (q, nid, how) in hits.items()]
    if len(scored) < 2:
        return scored
    scored.sort()
    kept = []
    seen: list[tuple[float, float]] = []
    lats, lons = tables.lat, tables.lon
    for s in scored:
        lat, lon = lats[s[2]], lons[s[2]]
        # bounding-box pre-test, exact distance only for the rare near pair
        for olat, olon in seen:
            if -_SAME_DEG < lat - olat < _SAME_DEG and -_SAME_LON < lon - olon < _SAME_LON \
                    and _near_km(lat, lon, olat, olon) < SAME_PLACE_KM:
                break
        else:
            kept.append(s)
            seen.append((lat, lon))
            if limit and len(kept) >= limit:
                break
    return kept
