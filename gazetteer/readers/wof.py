"""Who's On First: GeoJSON / GeoJSON-lines Features (plain or .gz) and flat CSV extracts."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from ..errors import GazetteerDataError
from ..records import SourceRecord, kind_from_population, unique_names
from ..types import Place
from . import ReadReport
from ._open import open_text
from .csv_places import parse_coord, split_names

# WOF placetypes imported as points, and their kind ("" = from population).
PLACETYPES = {"locality": "", "localadmin": "", "borough": "neighbourhood",
              "neighbourhood": "neighbourhood", "macrohood": "neighbourhood",
              "microhood": "neighbourhood", "campus": "base"}


def _kind(placetype: str, population: int, name: str) -> str:
    kind = PLACETYPES[placetype]
    if placetype == "campus" and ("airport" in name.lower() or "air base" in name.lower()):
        return "airport"
    return kind or kind_from_population(population)


def _int(value) -> int:
    try:
        return int(float(value or 0))
    except (TypeError, ValueError):
        return 0


def _record(*, wof_id, gn_id, name, lat, lon, country, admin1, placetype, population, names,
            source) -> SourceRecord:
    gn = _int(gn_id)
    pid = f"geonames:{gn}" if gn > 0 else f"wof:{wof_id}"
    place = Place(id=pid, name=name, lat=lat, lon=lon, country=country, admin1=admin1,
                  kind=_kind(placetype, population, name), population=population,
                  names=unique_names(names), source=source)
    return SourceRecord(place, (f"wof:{wof_id}",) if gn > 0 else ())


def read_wof_csv(path: str | Path, *, source: str,
                 report: ReadReport | None = None) -> Iterator[SourceRecord]:
    report = report if report is not None else ReadReport(str(path))
    with open_text(path) as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in ("wof_id", "name", "lat", "lon") if c not in header]
        if missing:
            raise GazetteerDataError(
                f"{path}, line 1 (header): missing WOF column(s) {', '.join(missing)}. "
                "Use --format csv for a plain name,lat,lon file.")
        for row in reader:
            report.rows += 1
            placetype = row.get("placetype") or "locality"
            if placetype not in PLACETYPES or (row.get("deprecated") or "").strip():
                continue
            lat = parse_coord(row.get("lat"), -90, 90)
            lon = parse_coord(row.get("lon"), -180, 180)
            if lat is None or lon is None or not (row.get("name") or "").strip():
                report.problem(reader.line_num, "name/lat/lon",
                               f"{row.get('name')},{row.get('lat')},{row.get('lon')}",
                               "needs a name and a coordinate.")
                continue
            report.kept += 1
            yield _record(
                wof_id=row["wof_id"], gn_id=row.get("geonames_id"), name=row["name"].strip(),
                lat=lat, lon=lon, country=_country(row.get("iso_country") or "", path),
                admin1=row.get("region_name") or "", placetype=placetype,
                population=_int(row.get("population")),
                names=[row.get("name_eng") or "", row.get("name_ara") or "",
                       *split_names(row.get("alt_names") or "")],
                source=source,
            )


def _country(value: str, path) -> str:
    if value:
        return value.upper()[:2]
    stem = Path(path).name.lower()  # "wof_sy_places.csv.gz" carries the country in its name
    for part in stem.replace(".", "_").split("_"):
        if len(part) == 2 and part.isalpha() and part not in ("gz",):
            return part.upper()
    return ""


def _features(fh, path, report: ReadReport) -> Iterator[tuple[int, dict]]:
    """Features of a FeatureCollection, a single Feature, or GeoJSON-lines (one per line)."""
    text = fh.read()
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        doc = None
    if isinstance(doc, dict):
        feats = doc.get("features") if doc.get("type") == "FeatureCollection" else [doc]
        yield from enumerate(feats or [], 1)
        return
    for line_no, line in enumerate(text.splitlines(), 1):
        line = line.strip().rstrip(",")
        if not line or line in ("[", "]"):
            continue
        try:
            yield line_no, json.loads(line)
        except json.JSONDecodeError:
            report.problem(line_no, "feature", line, "is not a GeoJSON Feature.")
            if report.rows == 0 and len(report.problems) >= 5:
                raise GazetteerDataError(
                    f"{path}: neither GeoJSON nor GeoJSON-lines ({report.problems[0]}).") from None


def read_wof_geojson(path: str | Path, *, source: str,
                     report: ReadReport | None = None) -> Iterator[SourceRecord]:
    """Features of a WOF GeoJSON / GeoJSON-lines file; region names come from the region
    records of the same file (WOF hierarchies point at them by id)."""
    report = report if report is not None else ReadReport(str(path))
    regions: dict[int, str] = {}
    points = []
    with open_text(path) as fh:
        for line_no, feat in _features(fh, path, report):
            if not isinstance(feat, dict):
                continue
            props = feat.get("properties") or {}
            report.rows += 1
            ptype = props.get("wof:placetype")
            if ptype == "region":
                regions[_int(props.get("wof:id"))] = props.get("wof:name") or ""
            elif ptype in PLACETYPES:
                points.append((line_no, props, feat.get("geometry") or {}))
    for line_no, props, geom in points:
        if props.get("edtf:deprecated") or props.get("wof:superseded_by"):
            continue
        lat = parse_coord(props.get("geom:latitude"), -90, 90)
        lon = parse_coord(props.get("geom:longitude"), -180, 180)
        if (lat is None or lon is None) and geom.get("type") == "Point":
            lon, lat = (geom.get("coordinates") or [None, None])[:2]
        name = (props.get("wof:name") or "").strip()
        if lat is None or lon is None or not name:
            report.problem(line_no, "wof:name/geom", name, "needs a name and a coordinate.")
            continue
        names = [props.get("qs_pg:name") or ""]
        for key, value in sorted(props.items()):
            if key.startswith("name:") and isinstance(value, list):
                names.extend(str(v) for v in value)
        hierarchy = (props.get("wof:hierarchy") or [{}])[0] or {}
        report.kept += 1
        yield _record(
            wof_id=props.get("wof:id"),
            gn_id=(props.get("wof:concordances") or {}).get("gn:id"),
            name=name, lat=float(lat), lon=float(lon),
            country=(props.get("wof:country") or props.get("iso:country") or "").upper()[:2],
            admin1=regions.get(_int(hierarchy.get("region_id")), ""),
            placetype=props["wof:placetype"],
            population=_int(props.get("wof:population") or props.get("gn:population")),
            names=names, source=source,
        )
