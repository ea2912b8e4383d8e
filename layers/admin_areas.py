"""Admin units imported from a polygon layer (``frontline areas import FILE``): governorates,
districts and subdistricts an observation's ``place`` may name ("Afrin District",
"Idlib Governorate", "منطقة عفرين").

Read: Who's On First admin records (GeoJSON FeatureCollection or GeoJSON lines, .gz too;
``region`` → admin1, ``county`` → admin2, ``localadmin`` → admin3), geoBoundaries
(``shapeName``/``shapeType`` ADM1–3), any GeoJSON polygon layer given a name property and a
level, or an OpenSyria geography folder (names and hierarchy without polygons: its governorates
and districts join the units stored before, its subdistricts get approximate polygons, see
``_read_opensyria``). Every feature is imported, merged into a unit of the same name, or
reported skipped with its reason.

Stored in the user store, never in the repo (``$FRONTLINE_HOME``, see gazetteer.store):
- ``areas/<name>.geojson``: the units' polygons, names, level and source (sorted, fixed
  precision: same input, same bytes), listed in ``areas/manifest.json``;
- the gazetteer import ``areas-<name>``: one place per unit (its label point, kind
  ``governorate``/``district``/``subdistrict``), so the gazetteer resolves the units' names
  with its usual spelling, Arabic and did-you-mean machinery.

Names (rules as data in ``layers/data/admin_levels.toml``): a unit is named by a name that
says its level; a bare name ("Afrin") stays the town's. A source name holding a level word is
kept; any other is qualified with the level's words ("Afrin" → "Afrin District", "منطقة
عفرين"). A unit whose qualified name is a curated area's (``areas.toml``) takes that area's id:
the imported polygon then refines the curated definition instead of competing with it.

``imported_areas()`` gives the stored units as ``layers.regions.Area`` rows (polygon set), which
``expand_areas`` applies like the curated ones.
"""

from __future__ import annotations

import gzip
import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import shapely

from gazetteer._io import atomic_write_text, read_manifest
from gazetteer.store import home

from .crs import lonlat_transform

FORMATS = ("wof", "geoboundaries", "geojson", "opensyria")
LEVELS = ("admin1", "admin2", "admin3")
PRECISION = 1e-5  # degrees (~1 m): stored coordinates are snapped to this grid
_NAME_RE = re.compile(r"[^A-Za-z0-9_.-]+")
_PAREN_RE = re.compile(r"\s*\(([^)]*)\)\s*")
_ARABIC_RE = re.compile(r"[\u0600-\u06FF]")


class AdminLayerError(ValueError):
    """An admin layer that cannot be imported: names the file, the line or feature, the field
    and the value, and how to fix it."""


@dataclass(frozen=True)
class AdminUnit:
    """One admin unit: ``names`` are the level-qualified names it is known by."""

    id: str
    name: str
    level: str
    names: tuple[str, ...]
    country: str
    admin1: str
    polygon: shapely.Geometry
    source: str
    lat: float
    lon: float
    ids: tuple[str, ...] = ()  # the source's concordances ("wikidata:Q…", "geoboundaries:…")


@dataclass(frozen=True)
class AdminLayer:
    """What a layer holds: ``features`` = units + merged + skipped (each with its reason)."""

    units: tuple[AdminUnit, ...]
    skipped: tuple[str, ...]
    merged: tuple[str, ...]
    features: int
    format: str


@dataclass(frozen=True)
class AdminImport:
    """What an import read and stored; every feature is in ``units`` or in ``skipped``."""

    name: str
    format: str
    path: str
    stored: str
    features: int
    units: tuple[AdminUnit, ...]
    skipped: tuple[str, ...] = field(default=())
    merged: tuple[str, ...] = field(default=())

    def counts(self) -> dict[str, int]:
        return {lvl: sum(u.level == lvl for u in self.units) for lvl in LEVELS}


# ---------------------------------------------------------------------------- level rules


@cache
def _rules() -> dict:
    text = (resources.files("layers") / "data" / "admin_levels.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def level_rules() -> dict[str, dict]:
    return _rules()["level"]


def _words(level: str, country: str) -> tuple[list[str], list[str]]:
    """(English words, Arabic words) that name ``level`` in ``country``."""
    rule, over = level_rules()[level], _rules().get("country", {}).get(country, {})
    return over.get(level, rule["words"]), over.get(f"{level}_arabic", rule["arabic"])


@cache
def _level_word_res() -> tuple[re.Pattern, tuple[str, ...]]:
    words, arabic = set(), set()
    for rule in [*level_rules().values()]:
        words.update(rule["words"])
        arabic.update(rule["arabic"])
    for over in _rules().get("country", {}).values():
        for key, values in over.items():
            (arabic if key.endswith("_arabic") else words).update(values)
    pattern = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, words))) + r")\b",
                         re.IGNORECASE)
    return pattern, tuple(sorted(a + " " for a in arabic))


def _level_of(fmt: str, value: str) -> str:
    for level, rule in level_rules().items():
        if value in rule.get(fmt, ()):
            return level
    return ""


def _has_level_word(name: str) -> bool:
    pattern, arabic = _level_word_res()
    return bool(pattern.search(name)) or name.startswith(arabic)


def qualified_names(raw: list[str], level: str, country: str = "") -> tuple[str, ...]:
    """The level-qualified names of a unit from its source names (pure, order kept):
    "Afrin" → "Afrin District"; "Homs (Hims)" → "Homs Governorate", "Hims Governorate"…"""
    words, arabic = _words(level, country)
    out: list[str] = []
    for name in (n for value in raw for n in str(value).split("|")):  # "a|b": two names
        name = " ".join(name.split())
        parts = [_PAREN_RE.sub(" ", name).strip(), *_PAREN_RE.findall(name)] if "(" in name \
            else [name]
        for part in (p.strip() for p in parts):
            if not part:
                continue
            if _has_level_word(part):
                out.append(part)
            elif _ARABIC_RE.search(part):
                out += [f"{w} {part}" for w in arabic]
            else:
                out += [f"{part} {w}" for w in words]
    return tuple(dict.fromkeys(out))


# ---------------------------------------------------------------------------- reading


def _features(path: Path) -> Iterator[tuple[int, dict]]:
    """(line or feature number, feature) of a GeoJSON FeatureCollection or GeoJSON-lines file."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            head = fh.read(1 << 16)
            fh.seek(0)
            first = head.lstrip()[:1]
            lines = path.name.lower().removesuffix(".gz").endswith((".geojsonl", ".jsonl"))
            if first == "{" and not lines:
                try:
                    data = json.load(fh)
                except json.JSONDecodeError as exc:
                    raise AdminLayerError(
                        f"{path}: line {exc.lineno}: not valid JSON ({exc.msg}); give a GeoJSON "
                        "FeatureCollection or one Feature per line (.geojsonl)") from None
                if data.get("type") == "Feature":
                    yield 1, data
                    return
                if data.get("type") != "FeatureCollection":
                    raise AdminLayerError(
                        f"{path}: field 'type' = {data.get('type')!r}: give a GeoJSON "
                        "FeatureCollection of admin polygons")
                crs = data.get("crs")  # older GeoJSON (GDAL, QGIS) may name another CRS
                name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
                to_lonlat = lonlat_transform(name, f"{path}: the crs member",
                                             error=AdminLayerError) if name else None
                for i, f in enumerate(data.get("features") or [], start=1):
                    yield i, _in_lonlat(f, to_lonlat) if to_lonlat is not None else f
                return
            for i, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    yield i, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise AdminLayerError(
                        f"{path}: line {i}: not valid JSON ({exc.msg}); give one GeoJSON "
                        "Feature per line") from None
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise AdminLayerError(f"{path}: cannot be read ({exc}); give a GeoJSON file "
                              "(.geojson, .geojsonl, optionally .gz)") from None


def _in_lonlat(feature, to_lonlat) -> dict:
    """``feature`` with its geometry's coordinates through ``to_lonlat`` (one unreadable
    geometry is left as it is: ``_geometry`` reports it)."""
    geom = feature.get("geometry") if isinstance(feature, dict) else None
    if not geom:
        return feature
    try:
        shape = shapely.from_geojson(json.dumps(geom))
    except (shapely.errors.GEOSException, ValueError):
        return feature
    moved = shapely.transform(shape, lambda xy: np.column_stack(to_lonlat(xy[:, 0], xy[:, 1])))
    return {**feature, "geometry": json.loads(shapely.to_geojson(moved))}


def detect_format(props: dict) -> str:
    if "wof:placetype" in props or ("wof_id" in props and "placetype" in props):
        return "wof"
    if "shapeName" in props and "shapeType" in props:
        return "geoboundaries"
    return "geojson"


@dataclass
class _Raw:
    id: str
    level: str
    names: list[str]
    country: str
    parent: str  # parent admin1 id (source id) or admin1 name
    geometry: shapely.Geometry
    where: str
    label: tuple[float, float] | None = None
    wof_region: str = ""
    ids: tuple[str, ...] = ()
    source: str = ""  # set when it differs from the layer's (an approximated polygon)


def _geometry(feature: dict, where: str, skipped: list[str]) -> shapely.Geometry | None:
    geom = feature.get("geometry")
    if not geom:
        skipped.append(f"{where}: no geometry")
        return None
    try:
        g = shapely.from_geojson(json.dumps(geom))
    except (shapely.errors.GEOSException, ValueError) as exc:
        skipped.append(f"{where}: field 'geometry' unreadable ({exc})")
        return None
    g = shapely.make_valid(g)
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = shapely.get_parts(shapely.get_parts(g))  # collections of (multi)polygons, flat
    polys = parts[shapely.get_type_id(parts) == 3] if len(parts) else parts
    if not len(polys):
        skipped.append(f"{where}: field 'geometry' = {geom.get('type')!r}: not a polygon")
        return None
    return shapely.multipolygons(polys)


def _wof_names(p: dict) -> list[str]:
    names: list[str] = []
    for key in ("label:eng_x_preferred_longname", "wof:name", "name", "name_eng", "name_ara",
                "meso:name_en", "meso:nam_en_alt", "meso:name_loc", "statoids:name",
                "qs:a1", "qs:a2"):
        v = p.get(key)
        names += v if isinstance(v, list) else [v] if v else []
    for key in sorted(p):
        if key.startswith("name:") and (key.endswith("_x_preferred") or key.endswith("_x_variant")):
            if key[5:8] in ("eng", "ara"):
                v = p[key]
                names += v if isinstance(v, list) else [v]
    return [str(n) for n in names if isinstance(n, str) and n.strip()]


def _read_wof(features, path: Path, skipped: list[str]) -> list[_Raw]:
    out, regions = [], {}
    for i, f in features:
        where = f"{path}: feature {i}"
        p = f.get("properties") or {}
        ptype = p.get("wof:placetype", p.get("placetype"))
        wof_id = p.get("wof:id", p.get("wof_id"))
        if not ptype:
            skipped.append(f"{where}: no placetype (an alternate geometry)")
            continue
        level = _level_of("wof", ptype)
        if not level:
            skipped.append(f"{where} (wof:{wof_id}): placetype {ptype!r} is not an admin unit")
            continue
        if p.get("mz:is_current") == 0 or p.get("wof:superseded_by") or \
                str(p.get("edtf:deprecated", "")).strip() not in ("", "uuuu"):
            skipped.append(f"{where} (wof:{wof_id}): not current (superseded or deprecated)")
            continue
        geom = _geometry(f, f"{where} (wof:{wof_id})", skipped)
        if geom is None:
            continue
        hierarchy = (p.get("wof:hierarchy") or [{}])[0]
        parent = hierarchy.get("region_id", p.get("parent_id", ""))
        country = p.get("wof:country") or p.get("iso:country") or str(p.get("hasc", ""))[:2]
        lat, lon = p.get("lbl:latitude", p.get("mps:latitude")), \
            p.get("lbl:longitude", p.get("mps:longitude"))
        label = (float(lat), float(lon)) if lat is not None and lon is not None else None
        names = _wof_names(p)
        if not names:
            skipped.append(f"{where} (wof:{wof_id}): field 'name' is empty")
            continue
        conc = p.get("wof:concordances") or {}
        ids = {f"hasc:{h}" for h in (conc.get("hasc:id"), p.get("hasc")) if h}
        if conc.get("wd:id"):
            ids.add(f"wikidata:{conc['wd:id']}")
        ids = tuple(sorted(ids))
        raw = _Raw(f"wof:{wof_id}", level, names, str(country), str(parent), geom, where, label,
                   ids=ids)
        if level == "admin1":
            regions[str(wof_id)] = names[0] if not p.get("wof:name") else p["wof:name"]
        out.append(raw)
    for r in out:
        r.wof_region = regions.get(r.parent, "") if r.level != "admin1" else r.names[0]
    return out


def _read_geoboundaries(features, path: Path, skipped: list[str], country: str) -> list[_Raw]:
    out = []
    for i, f in features:
        where = f"{path}: feature {i}"
        p = f.get("properties") or {}
        level = _level_of("geoboundaries", str(p.get("shapeType", "")))
        if not level:
            skipped.append(f"{where}: field 'shapeType' = {p.get('shapeType')!r}: not ADM1–3")
            continue
        name = str(p.get("shapeName") or "").strip()
        if not name:
            skipped.append(f"{where}: field 'shapeName' is empty")
            continue
        geom = _geometry(f, where, skipped)
        if geom is None:
            continue
        cc = country or _iso2(str(p.get("shapeGroup", "")), path, where)
        sid = p.get("shapeID") or f"{p.get('shapeGroup', '')}-{p.get('shapeISO', i)}"
        out.append(_Raw(f"geoboundaries:{sid}", level, [name], cc, "", geom, where,
                        ids=(f"geoboundaries:{sid}",)))
    return out


def _read_geojson(features, path: Path, skipped: list[str], *, name_property: str | None,
                  level: str | None, country: str) -> list[_Raw]:
    if not name_property or not level:
        raise AdminLayerError(
            f"{path}: neither Who's On First nor geoBoundaries properties; give "
            "--name-property PROP and --level admin1|admin2|admin3 (and --country XX)")
    if level not in LEVELS:
        raise AdminLayerError(f"{path}: --level {level!r}: use one of {', '.join(LEVELS)}")
    out, stem = [], _import_name(path)
    for i, f in features:
        where = f"{path}: feature {i}"
        p = f.get("properties") or {}
        name = str(p.get(name_property) or "").strip()
        if not name:
            skipped.append(f"{where}: field {name_property!r} is empty")
            continue
        geom = _geometry(f, where, skipped)
        if geom is None:
            continue
        fid = f.get("id", i)
        out.append(_Raw(f"area-{stem}:{fid}", level, [name], country, "", geom, where))
    return out


# ---------------------------------------------------------------------------- OpenSyria

OPENSYRIA_FILES = {"governorates.json": "admin1", "districts.json": "admin2",
                   "subdistricts.json": "admin3"}
APPROXIMATE = ("polygon approximated: the part of the district nearer to this subdistrict's "
               "centre than to its other subdistricts' centres")


def _is_opensyria(path: Path) -> bool:
    folder = path if path.is_dir() else path.parent
    return path.is_dir() and any((folder / f).exists() for f in OPENSYRIA_FILES) or \
        path.name in OPENSYRIA_FILES


def _read_opensyria(path: Path, skipped: list[str], *, known: dict[str, str] | None
                    ) -> tuple[list[_Raw], int]:
    """Governorates, districts and subdistricts of an OpenSyria geography folder (names,
    aliases, hierarchy, centres; no polygons). A governorate or district takes the polygon of
    the stored unit it names (same external id or level-qualified name: import a polygon layer
    first); a subdistrict's polygon is approximated inside its district (``APPROXIMATE``)."""
    folder = path if path.is_dir() else path.parent
    known = known_ids() if known is None else known
    stored = _stored_polygons()
    records: dict[str, list[dict]] = {}
    for fname in OPENSYRIA_FILES:
        f = folder / fname
        if not f.exists():
            continue
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise AdminLayerError(f"{f}: not readable JSON ({exc}); give OpenSyria's "
                                  f"{fname} unmodified") from None
        if not isinstance(data, list):
            raise AdminLayerError(f"{f}: expected a JSON list of records, got "
                                  f"{type(data).__name__}")
        records[fname] = data
    if not records:
        raise AdminLayerError(f"{folder}: none of {', '.join(OPENSYRIA_FILES)} found")
    gov_names = {g.get("id"): (g.get("name") or {}).get("en", "")
                 for g in records.get("governorates.json", [])}
    out: list[_Raw] = []
    polygon_of: dict[str, shapely.Geometry] = {}  # OpenSyria district id → its polygon
    for fname in ("governorates.json", "districts.json"):
        level = OPENSYRIA_FILES[fname]
        for i, rec in enumerate(records.get(fname, []), start=1):
            where = f"{folder / fname}: record {i} ({rec.get('id', '?')})"
            names = _opensyria_names(rec)
            if not names:
                skipped.append(f"{where}: field 'name' is empty")
                continue
            ext = [f"{k}:{v}" for k, v in sorted((rec.get("externalIds") or {}).items())
                   if k in ("wikidata", "geoboundaries") and v]
            keys = [*ext, *qualified_names(names, level, "SY")]
            uid = next((known[k.casefold()] for k in keys if k.casefold() in known), "")
            if not uid or uid not in stored:
                skipped.append(f"{where}: no polygon: no imported unit has its id or name; "
                               "import a polygon layer (WOF, geoBoundaries) first")
                continue
            polygon_of[rec.get("id")] = stored[uid]
            region = names[0] if level == "admin1" else gov_names.get(rec.get("governorateId"), "")
            out.append(_Raw(uid, level, names, "SY", "", stored[uid], where,
                            _centre(rec), wof_region=region, ids=tuple(ext)))
    subs = records.get("subdistricts.json", [])
    by_district: dict[str, list[tuple[int, dict]]] = {}
    for i, rec in enumerate(subs, start=1):
        by_district.setdefault(rec.get("districtId"), []).append((i, rec))
    for district, group in by_district.items():
        poly = polygon_of.get(district)
        cells = _cells_within(poly, [_centre(r) for _, r in group]) if poly is not None else None
        for (i, rec), cell in zip(group, cells or [None] * len(group), strict=True):
            where = f"{folder / 'subdistricts.json'}: record {i} ({rec.get('id', '?')})"
            names = _opensyria_names(rec)
            if poly is None:
                skipped.append(f"{where}: its district {district!r} has no polygon (see the "
                               "district's own line)")
                continue
            if not names or cell is None:
                skipped.append(f"{where}: no name or no centre")
                continue
            ext = tuple(f"{k}:{v}" for k, v in sorted((rec.get("externalIds") or {}).items())
                        if k in ("wikidata", "geoboundaries") and v)
            out.append(_Raw(f"opensyria:{rec.get('id')}", "admin3", names, "SY", "", cell,
                            where, _centre(rec),
                            wof_region=gov_names.get(rec.get("governorateId"), ""), ids=ext,
                            source=f"opensyria:{folder.name} ({APPROXIMATE})"))
    return out, sum(len(v) for v in records.values())


def _opensyria_names(rec: dict) -> list[str]:
    name = rec.get("name") or {}
    names = [name.get("en", ""), name.get("ar", "")]
    names += [a.get("value", "") for a in rec.get("aliases") or [] if isinstance(a, dict)]
    return [n for n in dict.fromkeys(names) if isinstance(n, str) and n.strip()]


def _centre(rec: dict) -> tuple[float, float] | None:
    c = rec.get("centroid") or {}
    try:
        return float(c["latitude"]), float(c["longitude"])
    except (KeyError, TypeError, ValueError):
        return None


def _cells_within(polygon: shapely.Geometry, centres: list) -> list[shapely.Geometry | None]:
    """The part of ``polygon`` nearer to each centre than to the others (one centre: all of
    it); a centre that is missing gets None."""
    pts = [(i, c) for i, c in enumerate(centres) if c is not None]
    out: list[shapely.Geometry | None] = [None] * len(centres)
    if len(pts) == 1:
        out[pts[0][0]] = polygon
        return out
    if not pts:
        return out
    points = shapely.points([c[1] for _, c in pts], [c[0] for _, c in pts])
    cells = shapely.get_parts(shapely.voronoi_polygons(
        shapely.multipoints(points), extend_to=shapely.envelope(polygon).buffer(1.0)))
    # voronoi_polygons does not keep the input order: match each cell to its point
    for cell in cells:
        inside = np.flatnonzero(shapely.contains(cell, points))
        if len(inside):
            j = int(inside[0])
            part = shapely.make_valid(shapely.intersection(cell, polygon))
            out[pts[j][0]] = part if not part.is_empty else None
    return out


def _iso2(iso3: str, path: Path, where: str) -> str:
    if len(iso3) == 2:
        return iso3.upper()
    table = _iso3_table()
    if iso3.upper() not in table:
        raise AdminLayerError(f"{where}: field 'shapeGroup' = {iso3!r}: not an ISO 3166 alpha-3 "
                              "code Natural Earth knows; give --country XX")
    return table[iso3.upper()]


@cache
def _iso3_table() -> dict[str, str]:
    import pyogrio

    from .countries import NE_LAYER, natural_earth_path

    frame = pyogrio.read_dataframe(f"/vsizip/{natural_earth_path()}/{NE_LAYER}",
                                   columns=["ISO_A2", "ISO_A2_EH", "ISO_A3"],
                                   read_geometry=False)
    a2 = np.where(frame["ISO_A2"] == "-99", frame["ISO_A2_EH"], frame["ISO_A2"])
    return {a3: b for a3, b in zip(frame["ISO_A3"], a2, strict=True) if a3 != "-99"}


def read_admin_layer(path: str | Path, *, format: str | None = None,
                     name_property: str | None = None, level: str | None = None,
                     country: str = "", source: str | None = None,
                     known: dict[str, str] | None = None) -> AdminLayer:
    """The units of an admin layer; every feature is a unit, merged into one, or skipped.
    ``known`` (name → id, default ``known_ids()``): a unit named like one takes its id."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file", str(path))
    skipped: list[str] = []
    merged: list[str] = []
    if format == "opensyria" or (format is None and _is_opensyria(path)):
        raws, n = _read_opensyria(path, skipped, known=known)
        units = _units(raws, source=source or f"opensyria:{path.name}", skipped=skipped,
                       merged=merged, known=known)
        return AdminLayer(units, tuple(skipped), tuple(merged), n, "opensyria")
    if path.is_dir():
        raise AdminLayerError(f"{path} is a directory; give one GeoJSON file, or an OpenSyria "
                              "folder (governorates.json, districts.json, subdistricts.json)")
    feats = list(_features(path))
    if not feats:
        raise AdminLayerError(f"{path}: no features; give a GeoJSON layer of admin polygons")
    fmt = format or detect_format(feats[0][1].get("properties") or {})
    if fmt not in FORMATS:
        raise AdminLayerError(f"{path}: --format {fmt!r}: use one of {', '.join(FORMATS)}")
    country = country.upper()
    if fmt == "wof":
        raws = _read_wof(feats, path, skipped)
    elif fmt == "geoboundaries":
        raws = _read_geoboundaries(feats, path, skipped, country)
    else:
        raws = _read_geojson(feats, path, skipped, name_property=name_property, level=level,
                             country=country)
    if country:
        for r in raws:
            r.country = r.country or country
    units = _units(raws, source=source or f"{fmt}:{path.name}", skipped=skipped, merged=merged,
                   known=known)
    return AdminLayer(units, tuple(skipped), tuple(merged), len(feats), fmt)


def _units(raws: list[_Raw], *, source: str, skipped: list[str], merged: list[str],
           known: dict[str, str] | None) -> tuple[AdminUnit, ...]:
    from gazetteer.admin import admin_areas, admin_name, canonical_admin

    aliases = {a.id: (a.name, *a.aliases) for a in admin_areas()}
    curated = known if known is not None else known_ids()
    groups: dict[tuple, list[tuple[_Raw, tuple[str, ...], str]]] = {}
    for r in raws:
        raw_names = list(r.names)
        region_text = r.names[0] if r.level == "admin1" else r.wof_region
        admin_id = canonical_admin(r.country, region_text) if region_text and r.country else ""
        admin1 = region_text  # the source's spelling, unless the gazetteer knows the area
        if admin_id:
            admin1 = admin_name(admin_id)
            if r.level == "admin1":  # the governorate's usual spellings first ("Deir ez-Zor")
                raw_names = [admin1, *raw_names, *aliases.get(admin_id, ())]
        names = qualified_names(raw_names, r.level, r.country)
        if not names:
            skipped.append(f"{r.where}: no usable name")
            continue
        # Two records of one unit (WOF keeps "Rural Damascus" district in two pieces).
        key = (r.level, r.country, admin1, names[0].casefold())
        groups.setdefault(key, []).append((r, names, admin1))
    out = []
    for (level, country, admin1, _), members in groups.items():
        first, names, _ = members[0]
        names = tuple(dict.fromkeys(n for _, ns, _ in members for n in ns))
        geom = shapely.union_all([r.geometry for r, _, _ in members]) if len(members) > 1 \
            else first.geometry
        geom = shapely.make_valid(shapely.set_precision(geom, PRECISION))
        uid = min(r.id for r, _, _ in members)
        ids = tuple(sorted({i for r, _, _ in members for i in r.ids}))
        uid = next((curated[k.casefold()] for k in (*ids, *names) if k.casefold() in curated),
                   uid)
        if first.label is not None and shapely.contains_xy(geom, first.label[1], first.label[0]):
            lat, lon = first.label
        else:
            pt = shapely.point_on_surface(geom)
            lat, lon = pt.y, pt.x
        for r, _, _ in members[1:]:
            merged.append(f"{r.where} ({r.id}): merged into {uid} ({names[0]}), same name")
        out.append(AdminUnit(id=uid, name=names[0], level=level, names=names, country=country,
                             admin1=admin1, polygon=geom, source=first.source or source,
                             lat=round(float(lat), 6), lon=round(float(lon), 6), ids=ids))
    return tuple(sorted(_with_admin1(out), key=lambda u: u.id))


def _with_admin1(units: list[AdminUnit]) -> list[AdminUnit]:
    """A unit whose source names no governorate gets the one of the layer containing its
    label point (WOF's Quneitra districts have no parent)."""
    tops = [u for u in units if u.level == "admin1" and u.admin1]
    if not tops:
        return units
    polys = np.array([u.polygon for u in tops], dtype=object)
    out = []
    for u in units:
        if u.level != "admin1" and not u.admin1:
            inside = np.flatnonzero(shapely.contains_xy(polys, u.lon, u.lat))
            if len(inside):
                u = replace(u, admin1=tops[int(inside[0])].admin1)
        out.append(u)
    return out


def known_ids(*, exclude: str = "") -> dict[str, str]:
    """Casefolded name → id of the areas a new import joins rather than duplicates: the curated
    areas (``areas.toml``), then the units of the other stored imports (not ``exclude``)."""
    from .regions import load_areas

    out = {a.name.casefold(): a.id for a in load_areas()}
    for e in manifest():
        p = areas_dir() / f"{e['name']}.geojson"
        if e["name"] == exclude or not p.exists():
            continue
        try:
            feats = json.loads(p.read_text(encoding="utf-8"))["features"]
        except (OSError, ValueError, KeyError):
            continue
        for f in feats:
            for n in (*f["properties"].get("ids", ()), *f["properties"].get("names", ())):
                out.setdefault(n.casefold(), f["properties"]["id"])
    return out


def _stored_polygons(*, exclude: str = "") -> dict[str, shapely.Geometry]:
    """Unit id → polygon of the stored imports other than ``exclude`` (first import wins)."""
    out: dict[str, shapely.Geometry] = {}
    for e in manifest():
        p = areas_dir() / f"{e['name']}.geojson"
        if e["name"] == exclude or not p.exists():
            continue
        st = p.stat()
        for a in _read_stored(str(p), st.st_mtime_ns, st.st_size):
            out.setdefault(a.id, a.polygon)
    return out


# ---------------------------------------------------------------------------- the store


def areas_dir() -> Path:
    return home() / "areas"


def _import_name(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".geojsonl", ".geojson", ".jsonl", ".json"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return _NAME_RE.sub("-", name).strip("-") or "areas"


def import_admin_layer(path: str | Path, *, format: str | None = None, name: str | None = None,
                       name_property: str | None = None, level: str | None = None,
                       country: str = "") -> AdminImport:
    """Read an admin polygon layer (all or nothing) and store its units in the user store."""
    from gazetteer.imports import store_import
    from gazetteer.records import SourceRecord
    from gazetteer.types import Place

    path = Path(path)
    name = _NAME_RE.sub("-", name or _import_name(path))
    layer = read_admin_layer(path, format=format, name_property=name_property, level=level,
                             country=country, known=known_ids(exclude=name))
    units, skipped, n, fmt = layer.units, layer.skipped, layer.features, layer.format
    if not units:
        detail = f" First problems: {'; '.join(skipped[:3])}" if skipped else ""
        raise AdminLayerError(f"{path}: no admin units read as {fmt} ({n} features).{detail}")
    kinds = {lvl: rule["kind"] for lvl, rule in level_rules().items()}
    records = [SourceRecord(Place(
        id=u.id, name=u.name, lat=u.lat, lon=u.lon, country=u.country, admin1=u.admin1,
        kind=kinds[u.level], names=u.names, source=u.source), ()) for u in units]
    target = areas_dir() / f"{name}.geojson"
    atomic_write_text(target, _geojson_text(units))
    store_import(f"areas-{name}", records, fmt=f"areas-{fmt}", path=path, rows=n,
                 problems=skipped)
    _update_manifest(name, fmt, path, target, len(units))
    return AdminImport(name, fmt, str(path), str(target), n, units, skipped, layer.merged)


def _geojson_text(units: tuple[AdminUnit, ...]) -> str:
    feats = [{"type": "Feature", "id": u.id, "properties": {
        "id": u.id, "name": u.name, "names": list(u.names), "level": u.level,
        "country": u.country, "admin1": u.admin1, "lat": u.lat, "lon": u.lon,
        "source": u.source, "ids": list(u.ids)},
        "geometry": json.loads(shapely.to_geojson(u.polygon))}
        for u in units]
    return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False,
                      sort_keys=True) + "\n"


def _manifest_path() -> Path:
    return areas_dir() / "manifest.json"


def manifest() -> list[dict]:
    return read_manifest(_manifest_path(), error=AdminLayerError, what="areas manifest",
                         fix="delete it and import the admin layers again")


def _update_manifest(name: str, fmt: str, path: Path, target: Path, units: int) -> None:
    entries = [e for e in manifest() if e["name"] != name]
    entries.append({"name": name, "format": fmt, "source": str(path), "path": str(target),
                    "units": units})
    atomic_write_text(_manifest_path(), json.dumps({"imports": entries}, indent=1,
                                                   ensure_ascii=False) + "\n")


def remove_admin_layer(name: str) -> bool:
    """Forget an imported admin layer (its polygons and its gazetteer names)."""
    from gazetteer.imports import remove_import

    entries = manifest()
    kept = [e for e in entries if e["name"] != name]
    (areas_dir() / f"{name}.geojson").unlink(missing_ok=True)
    remove_import(f"areas-{name}")
    if len(kept) != len(entries):
        atomic_write_text(_manifest_path(), json.dumps({"imports": kept}, indent=1,
                                                       ensure_ascii=False) + "\n")
    return len(kept) != len(entries)


def imported_areas():
    """Every stored admin unit as a ``layers.regions.Area`` (in import order)."""
    out = []
    for e in manifest():
        p = areas_dir() / f"{e['name']}.geojson"
        if p.exists():
            st = p.stat()
            out += _read_stored(str(p), st.st_mtime_ns, st.st_size)
    return tuple(out)


@cache
def _read_stored(path: str, _mtime: int, _size: int):
    from .regions import Area

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        feats = data["features"]
        geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in feats]) if feats else []
        return tuple(Area(id=f["properties"]["id"], name=f["properties"]["name"],
                          polygon=g, source=f["properties"]["source"],
                          country=f["properties"]["country"],
                          names=tuple(f["properties"].get("names", ())))
                     for f, g in zip(feats, geoms, strict=True))
    except (OSError, ValueError, KeyError, shapely.errors.GEOSException) as exc:
        raise AdminLayerError(f"{path}: stored admin layer is unreadable ({exc}); run "
                              "`frontline areas import` again") from None


__all__ = ["AdminImport", "AdminLayer", "AdminLayerError", "AdminUnit", "imported_areas",
           "import_admin_layer", "qualified_names", "read_admin_layer", "remove_admin_layer"]
