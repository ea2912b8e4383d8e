"""Plain CSV places (the supplement format and user CSVs): name, lat, lon, alternate names, and
optionally id, country, admin1, kind, population, source."""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from ..errors import GazetteerDataError
from ..records import KINDS, SourceRecord, kind_from_population, unique_names
from ..types import Place
from . import ReadReport
from ._open import open_text

# Accepted spellings of each column (first match wins).
COLUMNS = {
    "id": ("id", "place_id", "wof_id", "geonameid"),
    "name": ("name", "place", "place_name", "title"),
    "lat": ("lat", "latitude", "y"),
    "lon": ("lon", "lng", "long", "longitude", "x"),
    "alt_names": ("alt_names", "alternate_names", "alternatenames", "alternate names", "names",
                  "aliases", "altnames"),
    "country": ("country", "country_code", "countrycode", "iso2", "cc"),
    "admin1": ("admin1", "region", "province", "governorate", "region_name", "admin1_name"),
    "kind": ("kind", "type", "placetype", "feature"),
    "population": ("population", "pop"),
    "source": ("source", "url", "source_url"),
}
REQUIRED = ("name", "lat", "lon")
_SLUG_RE = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _SLUG_RE.sub("-", text).strip("-") or "place"


def split_names(value: str) -> list[str]:
    if not value:
        return []
    for sep in ("|", ";"):
        if sep in value:
            return [v.strip() for v in value.split(sep) if v.strip()]
    return [v.strip() for v in value.split(",") if v.strip()]


def _columns(header: list[str], path: str) -> dict[str, str]:
    lowered = {h.strip().lstrip("\ufeff").lower(): h for h in header if h}
    found = {}
    for field_name, options in COLUMNS.items():
        for opt in options:
            if opt in lowered:
                found[field_name] = lowered[opt]
                break
    missing = [f for f in REQUIRED if f not in found]
    if missing:
        raise GazetteerDataError(
            f"{path}, line 1 (header): missing column(s) {', '.join(missing)}; found "
            f"{', '.join(header) or 'no columns'}. A places CSV needs name, lat, lon "
            "(and optionally alt_names, country, admin1, kind).")
    return found


def parse_coord(value: str, low: float, high: float) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) and low <= v <= high else None


def read_places_csv(path: str | Path, *, source: str, id_prefix: str,
                    report: ReadReport | None = None) -> Iterator[SourceRecord]:
    """Yield one record per valid row; invalid rows go to ``report.problems``."""
    report = report if report is not None else ReadReport(str(path))
    used: dict[str, int] = {}
    with open_text(path) as fh:
        reader = csv.DictReader(fh)
        cols = _columns(list(reader.fieldnames or []), str(path))
        for row in reader:
            report.rows += 1
            line = reader.line_num

            def get(field_name: str, row=row) -> str:
                col = cols.get(field_name)
                return (row.get(col) or "").strip() if col else ""

            name = " ".join(get("name").split())
            if not name:
                report.problem(line, cols["name"], "", "is empty; give the place name.")
                continue
            lat = parse_coord(get("lat"), -90, 90)
            if lat is None:
                report.problem(line, cols["lat"], get("lat"),
                               "is not a latitude (a number from -90 to 90).")
                continue
            lon = parse_coord(get("lon"), -180, 180)
            if lon is None:
                report.problem(line, cols["lon"], get("lon"),
                               "is not a longitude (a number from -180 to 180).")
                continue
            try:
                population = int(float(get("population") or 0))
            except ValueError:
                population = 0
            kind = get("kind").lower()
            if kind not in KINDS:
                kind = kind_from_population(population)
            pid = get("id")
            if not pid:
                base = f"{id_prefix}:{slug(name)}"
                used[base] = used.get(base, 0) + 1
                pid = base if used[base] == 1 else f"{base}-{used[base]}"
            elif ":" not in pid:
                pid = f"{id_prefix}:{pid}"
            place = Place(
                id=pid, name=name, lat=lat, lon=lon,
                country=get("country").upper()[:2], admin1=get("admin1"), kind=kind,
                population=max(population, 0),
                names=unique_names(split_names(get("alt_names"))),
                source=get("source") or source,
            )
            report.kept += 1
            yield SourceRecord(place)
