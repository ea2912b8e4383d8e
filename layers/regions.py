"""Area observations: an observation whose place is an AREA (a region or an admin unit) sets every
place inside it on that date, unless a place-level observation of the same date says otherwise
(later observations of a place win anyway: they are newer).

Areas are data (``gazetteer/data/supplement/areas.toml``, or any TOML file of the same shape):

    [[area]]
    id = "local:afrin-district"        # the gazetteer id the area's name resolves to
    name = "Afrin District"
    members = ["Afrin", "Jindires"]    # member places by name (via the gazetteer), and/or
    admin1 = "Idlib"                   # every place of that governorate (its admin1), and/or
    polygon = "POLYGON ((lon lat, …))" # every place inside this WKT polygon (EPSG:4326)
    source = "https://…"               # public source of the definition

Admin units imported with ``frontline areas import`` (layers/admin_areas.py) are areas too
(``all_areas``); an imported polygon with a curated area's id adds to that area.

``expand_areas`` turns each area row into one row per member place, with provenance in ``note``
("via Afrin District (line 812, source …)") and the area row's line in ``row``. Membership is
computed over the observation set's places plus the listed members, vectorized (one
``shapely.contains_xy`` per area, not per place).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from .observations import is_geodataframe, places_geodataframe
from .problems import Problem

if TYPE_CHECKING:
    import geopandas as gpd

AREAS_FILE = (Path(__file__).resolve().parents[1] / "gazetteer" / "data" / "supplement"
              / "areas.toml")
AREA_KEYS: tuple[str, ...] = ("id", "name", "members", "admin1", "polygon", "source")


class AreaFileError(ValueError):
    """An areas file that cannot be used: names the file, the area, the field and the value."""


@dataclass(frozen=True)
class Area:
    id: str
    name: str
    members: tuple[str, ...] = ()
    admin1: str = ""
    polygon: shapely.Geometry | None = None
    source: str = ""
    country: str = ""
    names: tuple[str, ...] = ()  # other names it is known by (imported units)


def load_areas(path: str | Path | None = None) -> tuple[Area, ...]:
    """Read an areas TOML file (default: the curated supplement's ``areas.toml``)."""
    path = Path(path) if path is not None else AREAS_FILE
    if not path.exists():
        return ()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AreaFileError(f"{path}: not valid TOML ({exc}); fix the syntax") from None
    return parse_areas(data.get("area", []), where=str(path))


def parse_areas(entries, *, where: str = "areas") -> tuple[Area, ...]:
    """Validate parsed ``[[area]]`` tables into Areas (pure)."""
    out: list[Area] = []
    seen: set[str] = set()
    for i, e in enumerate(entries, start=1):
        def bad(field, value, fix, i=i, e=e):
            label = e.get("name", "?") if isinstance(e, dict) else "?"
            return AreaFileError(f"{where}: area {i} ({label}): field '{field}' = {value!r}: {fix}")
        if not isinstance(e, dict):
            raise bad("area", e, "write each area as an [[area]] table")
        unknown = sorted(set(e) - set(AREA_KEYS) - {"country", "note"})
        if unknown:
            raise bad(unknown[0], e[unknown[0]], f"use only {', '.join(AREA_KEYS)}")
        for key in ("id", "name", "source"):
            if not isinstance(e.get(key), str) or not e[key].strip():
                raise bad(key, e.get(key), "give a non-empty text")
        if not e["source"].startswith(("http://", "https://")):
            raise bad("source", e["source"], "give the http(s) URL of the definition")
        if e["id"] in seen:
            raise bad("id", e["id"], "each area id once")
        seen.add(e["id"])
        members = e.get("members", [])
        if not isinstance(members, list) or not all(isinstance(m, str) and m for m in members):
            raise bad("members", members, "give a list of place names")
        polygon = None
        if "polygon" in e:
            try:
                polygon = shapely.make_valid(shapely.from_wkt(e["polygon"]))
            except (shapely.errors.GEOSException, TypeError) as exc:
                raise bad("polygon", str(e["polygon"])[:60], f"give WKT ({exc})") from None
            if polygon.is_empty or polygon.area == 0:
                raise bad("polygon", str(e["polygon"])[:60], "give a polygon with an area")
        if not members and not e.get("admin1") and polygon is None:
            raise bad("members", members, "give members, admin1 or polygon")
        out.append(Area(id=e["id"], name=e["name"].strip(), members=tuple(members),
                        admin1=str(e.get("admin1", "")), polygon=polygon, source=e["source"],
                        country=str(e.get("country", ""))))
    return tuple(out)


def all_areas() -> tuple[Area, ...]:
    """The curated areas, then the admin units imported into the user store
    (``frontline areas import``, layers/admin_areas.py)."""
    from .admin_areas import imported_areas

    return load_areas() + imported_areas()


def _by_id(areas) -> dict[str, Area]:
    """One Area per id: an imported polygon of a curated area's id refines it (the members,
    admin1 and polygons of every definition count)."""
    out: dict[str, Area] = {}
    for a in areas:
        old = out.get(a.id)
        if old is None:
            out[a.id] = a
            continue
        polys = [p for p in (old.polygon, a.polygon) if p is not None]
        out[a.id] = Area(id=a.id, name=old.name, members=old.members + a.members,
                         admin1=old.admin1 or a.admin1,
                         polygon=shapely.union_all(polys) if polys else None,
                         source=old.source, country=old.country or a.country)
    return out


def expand_areas(frame: pd.DataFrame, places: pd.DataFrame | gpd.GeoDataFrame, *, areas=None,
                 gazetteer=None, path: str = "", unit: str = "line", place_codes=None,
                 area_frame=None) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """(area rows, places with the listed members added, problems) for the rows of ``frame``
    whose place is an area. ``places``: PLACE_COLUMNS (observations.py), plain or a
    GeoDataFrame (the members get their points too). The area rows have ``frame``'s columns;
    ``place_text`` keeps the area's name and ``note`` says "via AREA (line N, source URL)".
    ``place_codes``: the frame's place ids already as (codes, distinct ids), when the caller
    has them; ``area_frame(mask)``: the rows of ``frame`` in ``mask`` with every column, for a
    caller whose ``frame`` holds only some (default: ``frame[mask]``)."""
    empty = frame.iloc[:0].copy()
    if not len(frame):
        return empty, places, []
    areas = all_areas() if areas is None else tuple(areas)
    if not areas:
        return empty, places, []
    area_ids = sorted({a.id for a in areas})
    # each distinct place id looked at once (a file has few areas and many rows)
    pid_codes, pid_uniq = place_codes if place_codes is not None else pd.factorize(
        frame["place_id"], use_na_sentinel=False)
    pid_uniq = np.asarray(pid_uniq, dtype=object).astype(str)
    names_area = np.isin(pid_uniq, area_ids)
    hit = pd.Series(names_area[pid_codes], index=frame.index)
    if not hit.any():
        return empty, places, []
    named_ids = set(pid_uniq[names_area].tolist())
    by_id = _by_id([a for a in areas if a.id in named_ids])  # merge only the areas named
    used = [by_id[i] for i in sorted(named_ids)]
    rows = frame[hit] if area_frame is None else area_frame(hit.to_numpy(dtype=bool))
    problems: list[Problem] = _far_spellings(rows, by_id, gazetteer, path, unit)
    places, named = _with_members(places, used, gazetteer, path, rows, unit, problems)
    ids = places["place_id"].astype(str).to_numpy()
    lon, lat = places["lon"].to_numpy(float), places["lat"].to_numpy(float)
    admin1 = places["admin1"].fillna("").astype(str).str.casefold().to_numpy()
    is_area = np.isin(ids, area_ids)
    poly_area = np.array([_area_of(by_id[i]) if i in by_id else np.inf for i in ids])
    members = {}
    for a in used:
        in_polygon = shapely.contains_xy(a.polygon, lon, lat) if a.polygon is not None \
            else np.zeros(len(ids), bool)
        inside = in_polygon.copy()
        if a.admin1:
            inside |= admin1 == a.admin1.casefold()
        inside |= np.isin(ids, [named.get(m, "") for m in a.members])
        # An area's own point is a member of another area only when a smaller polygon area
        # lies inside it (a district's point in its governorate), never the other way round.
        inside &= ~is_area | (in_polygon & (poly_area < _area_of(a)))
        inside &= ids != a.id
        members[a.id] = np.flatnonzero(inside)  # positions in ``places``
    # every (area row, member) pair, all areas at once: the rows repeated, the members tiled
    rows_pid = rows["place_id"].astype(str).to_numpy()
    pairs = []  # (row positions, member positions, the area's index in ``used``)
    for k, a in enumerate(used):
        sel, mem = np.flatnonzero(rows_pid == a.id), members[a.id]
        if len(sel) and len(mem):
            pairs.append((np.repeat(sel, len(mem)), np.tile(mem, len(sel)),
                          np.full(len(sel) * len(mem), k)))
    if not pairs:
        return empty, places, problems
    at, mem, k = (np.concatenate(x) for x in zip(*pairs, strict=True))
    area_names = np.array([a.name for a in used], dtype=object)[k]
    sizes = np.array([len(members[a.id]) for a in used], dtype=np.int64)[k]
    out = rows.iloc[at].reset_index(drop=True)
    out["place_id"] = pd.array(ids[mem], dtype="string")
    out["place"] = pd.array(places["name"].astype(str).to_numpy()[mem], dtype="string")
    out["lat"], out["lon"] = lat[mem], lon[mem]
    out["place_text"] = pd.array(area_names, dtype="string")
    via = ("via " + pd.Series(area_names, dtype=object) + " (" + unit + " "
           + out["row"].astype(str) + ", source " + out["source"].astype(str) + ")")
    note = out["note"].fillna("").astype(str)
    out["note"] = pd.array(np.where(note == "", via, via + ": " + note), dtype="string")
    out["_size"] = sizes
    # A place-level row of the same place and date wins; of two areas, the smaller one.
    # (place, date) pairs as integer codes, over the rows of the members only: pandas' isin
    # over Arrow strings is a Python loop.
    out_pid = pd.Index(pid_uniq).get_indexer(out["place_id"].to_numpy(dtype=object).astype(str))
    member = np.zeros(len(pid_uniq) + 1, dtype=bool)
    member[out_pid] = True  # -1 (a member no row names) sets the spare last slot
    direct = np.flatnonzero(member[pid_codes])  # an area's own row too
    pid = np.concatenate([pid_codes[direct], out_pid])
    day = np.concatenate([frame["date"].to_numpy("datetime64[D]")[direct],
                          out["date"].to_numpy("datetime64[D]")]).astype(np.int64)
    pair = (pid.astype(np.int64) + 1) * (1 << 32) + (day - day.min() if len(day) else 0)
    pair, _ = pd.factorize(pair)  # hashing, not sorting
    seen = np.zeros(int(pair.max()) + 1 if len(pair) else 0, dtype=bool)
    seen[pair[:len(direct)]] = True
    out = out[~seen[pair[len(direct):]]]
    out = out.sort_values(["_size", "row"], kind="stable")
    out = out.drop_duplicates(["place_id", "date"], keep="first")
    out = out.sort_values(["row", "place_id"], kind="stable").drop(columns="_size")
    return out.reset_index(drop=True)[list(rows.columns)], places, problems


def _area_of(a: Area) -> float:
    """The polygon's area in square degrees (only compared between areas); inf without one."""
    return float(a.polygon.area) if a.polygon is not None else np.inf


def _far_spellings(rows: pd.DataFrame, by_id: dict[str, Area], gazetteer, path: str,
                   unit: str) -> list[Problem]:
    """A warning for each area row whose place text is none of the area's names, even by
    consonant skeleton: the gazetteer read a misspelt or unknown area as a different one
    ("Sarmada Subdistrict" as Sarmin Subdistrict), and an area row sets many places."""
    from gazetteer.normalize import skeleton_key

    pids = rows["place_id"].astype(str).to_numpy(dtype=object)
    texts = rows["place_text"].fillna("").astype(str).to_numpy(dtype=object)
    # each distinct (area, text) once: a log may name one governorate on thousands of rows
    # (joined by the unit separator: numpy drops a NUL at the end of a string scalar)
    pair, distinct = pd.factorize(pids + "\x1f" + texts)
    known: dict[str, set[str]] = {}
    far = np.zeros(len(distinct), dtype=bool)
    for k, key in enumerate(distinct.tolist()):
        pid, text = key.split("\x1f", 1)
        if pid not in known:
            a = by_id[pid]
            names = [a.name, *a.names]
            try:
                names += list(gazetteer.get(pid).names) if gazetteer is not None else []
            except LookupError:
                pass
            known[pid] = {skeleton_key(n) for n in names if n}
        far[k] = bool(text) and skeleton_key(text) not in known[pid]
    out = []
    lines = rows["row"].to_numpy(dtype=np.int64)
    for i in np.flatnonzero(far[pair]).tolist():  # one warning per such row (the report)
        a, text = by_id[pids[i]], texts[i]
        out.append(Problem(
            path, int(lines[i]), "place", text,
            f"area '{text}' was read as {a.name}, a different spelling; it sets every "
            "place inside that area",
            f"write the area's name as '{a.name}' if that is meant, else fix the name",
            "warning", "area-spelling", unit))
    return out


def _with_members(places, used, gazetteer, path, frame, unit, problems):
    """(``places`` plus every listed member, {listed name: place id or ""})."""
    if not any(a.members for a in used):
        return places, {}
    if gazetteer is None:
        import gazetteer as gz_module

        gazetteer = gz_module.load()
    from gazetteer.errors import AmbiguousPlace, PlaceNotFound

    first = frame.groupby(frame["place_id"].astype(str), sort=False)["row"].min()
    line = {a.name: int(first[a.id]) for a in used}
    new, named = [], {}
    for a in used:
        try:  # the area's own point decides between two members of the same name
            context = [gazetteer.get(a.id)]
        except PlaceNotFound:
            context = None
        for m in a.members:
            if m in named:
                continue
            try:
                p = gazetteer.resolve_one(m, country=a.country or None, context=context).place
            except (PlaceNotFound, AmbiguousPlace) as exc:
                problems.append(Problem(
                    path, line[a.name], "place", a.name,
                    f"member '{m}' of area {a.name} is not in the gazetteer ({type(exc).__name__})",
                    "fix the member's spelling in the areas file, or import the place",
                    "warning", "unknown-area-member", unit))
                named[m] = ""
                continue
            named[m] = p.id
            new.append(p)
    known = set(places["place_id"].astype(str).tolist())
    add = {p.id: p for p in new if p.id not in known}
    if add:
        ps = list(add.values())
        extra = pd.DataFrame({
            "place_id": pd.Series([p.id for p in ps], dtype="string"),
            "name": pd.Series([p.name for p in ps], dtype="string"),
            "lat": np.array([p.lat for p in ps], float),
            "lon": np.array([p.lon for p in ps], float),
            "country": pd.Series([p.country for p in ps], dtype="string"),
            "admin1": pd.Series([p.admin1 for p in ps], dtype="string"),
            "kind": pd.Series([p.kind for p in ps], dtype="string"),
        })
        if is_geodataframe(places):
            extra = places_geodataframe(extra).set_crs(places.crs, allow_override=True)
        places = pd.concat([places, extra], ignore_index=True).sort_values(
            "place_id", kind="stable").reset_index(drop=True)
    return places, named
