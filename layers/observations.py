"""Observations: read an events file, validate every row, resolve places and controllers.

``read_observations(source, *, factions, gazetteer)`` returns an ObservationSet: the usable rows
as a DataFrame, the places they refer to as a GeoDataFrame, and every Problem found. Every input
row is accounted for: ``rows_read == len(frame) + len(dropped_lines)``.

Place names go through the gazetteer only. Names that resolve on their own are resolved first;
ambiguous names are then resolved again with the file's other places as context, so the file's
own geography decides between two villages of the same name.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .dates import format_date, parse_date
from .errors import InvalidDate, UnknownFaction
from .factions import CONTESTED, Factions, load_factions
from .problems import Problem
from .readers import Record, read_records

STATUSES: tuple[str, ...] = ("held", "contested", "besieged")
KINDS: tuple[str, ...] = ("change", "state")
CERTAINTIES: tuple[str, ...] = ("confirmed", "claimed")

FIELDS: tuple[str, ...] = ("date", "place", "place_id", "lat", "lon", "controller", "status",
                           "kind", "certainty", "source", "note", "country")
# Column names people write, mapped to the schema's names (data, not logic).
COLUMN_ALIASES: dict[str, str] = {
    "latitude": "lat", "longitude": "lon", "lng": "lon", "long": "lon", "location": "place",
    "place_name": "place", "name": "place", "town": "place", "village": "place",
    "placeid": "place_id", "id": "place_id", "faction": "controller", "held_by": "controller",
    "holder": "controller", "control": "controller", "controlled_by": "controller",
    "url": "source", "citation": "source", "notes": "note", "comment": "note",
    "confidence": "certainty", "when": "date", "day": "date",
}

FRAME_COLUMNS: tuple[str, ...] = (
    "row", "date", "date_precision", "date_text", "place_id", "place", "place_text", "lat", "lon",
    "controller", "status", "kind", "certainty", "source", "note")
PLACE_COLUMNS: tuple[str, ...] = ("place_id", "name", "lat", "lon", "country", "admin1", "kind")


@dataclass(frozen=True)
class ObservationSet:
    """Validated observations. ``frame`` holds usable rows only (``row`` = input line or feature
    index); ``places`` one row per referenced place (EPSG:4326, sorted by place_id)."""

    frame: pd.DataFrame
    places: gpd.GeoDataFrame
    problems: tuple[Problem, ...]
    rows_read: int
    path: str
    factions: Factions | None = None
    format: str = ""
    dropped_lines: tuple[int, ...] = field(default=())
    # Rows of area observations expanded to their member places (layers/regions.py); the
    # timeline replays them with ``frame``; ``frame`` keeps the area rows as read.
    area_rows: pd.DataFrame | None = None

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    def summary(self) -> dict:
        return {"file": self.path, "rows_read": self.rows_read, "usable": len(self.frame),
                "dropped": len(self.dropped_lines), "errors": len(self.errors),
                "warnings": len(self.warnings), "places": len(self.places)}


@dataclass(slots=True)
class _Row:
    rec: Record
    problems: list[Problem]
    date: dt.date | None = None
    precision: str = ""
    place_text: str = ""
    place_id: str = ""
    lat: float | None = None
    lon: float | None = None
    country: str | None = None
    controller: str | None = None
    status: str = "held"
    kind: str = "change"
    certainty: str = "confirmed"
    source: str = ""
    note: str = ""
    place: object = None  # gazetteer Place once resolved


def read_observations(source: str | Path, *, factions: Factions | None = None, gazetteer=None,
                      today: dt.date | None = None, fmt: str | None = None) -> ObservationSet:
    """Read, validate and resolve an events file (``-`` = stdin); see the module docstring.

    ``gazetteer`` is anything with ``resolve_one(name, *, country, context)`` and ``get(id)``
    (default: ``gazetteer.load()``, loaded only when a row names a place). ``today`` bounds
    future dates (default: the current UTC date).
    """
    factions = load_factions() if factions is None else factions
    raw = read_records(source, fmt=fmt)
    today = today or dt.datetime.now(dt.UTC).date()
    problems: list[Problem] = list(_column_problems(raw.path, raw.columns, raw.records, raw.format))
    rows = [_parse_row(rec, raw.path, factions, today) for rec in raw.records]
    needs_gazetteer = any(r.place_text and r.lat is None and not r.place_id for r in rows) or any(
        r.place_id and not r.place_id.startswith("point:") for r in rows)
    if needs_gazetteer and gazetteer is None:
        gazetteer = _default_gazetteer()
    _resolve_places(rows, raw.path, gazetteer)
    for r in rows:
        problems.extend(r.problems)
    good = [r for r in rows if not any(p.severity == "error" for p in r.problems)]
    frame = _frame(good)

    from .check import find_conflicts, find_duplicates  # set-level checks live in check.py

    keep, dup_problems = find_duplicates(frame, path=raw.path, unit=_unit(raw.records))
    frame = frame[keep].reset_index(drop=True)
    problems.extend(dup_problems)
    problems.extend(find_conflicts(frame, path=raw.path, unit=_unit(raw.records)))
    used: dict = {}
    for r in sorted(good, key=lambda r: not r.place_text):  # a named row names a bare point
        used.setdefault(r.place.id, r.place)
    places = _places_frame([used[pid] for pid in sorted(set(frame["place_id"]))])
    from .regions import expand_areas  # area observations → member-place rows

    area_rows, places, area_problems = expand_areas(frame, places, gazetteer=gazetteer,
                                                    path=raw.path, unit=_unit(raw.records))
    problems.extend(area_problems)
    kept = set(frame["row"].tolist())
    dropped = tuple(sorted(r.rec.line for r in rows if r.rec.line not in kept))
    problems.sort(key=lambda p: (p.line, p.column, p.code))
    return ObservationSet(frame=frame, places=places, problems=tuple(problems),
                          rows_read=len(raw.records), path=raw.path, factions=factions,
                          format=raw.format, dropped_lines=dropped, area_rows=area_rows)


def _unit(records) -> str:
    return records[0].unit if records else "line"


def _default_gazetteer():
    import gazetteer

    return gazetteer.load()


def _column_problems(path: str, columns, records, fmt: str) -> list[Problem]:
    """Unknown columns, reported on the header (CSV/TSV) or where they first appear."""
    out = []
    for col in columns:
        name = col.strip().lower()
        if name in FIELDS or name in COLUMN_ALIASES or name.startswith("__") or not name:
            continue
        first = next((r for r in records if name in r.fields), None)
        line, unit = (1, "line") if first is None or fmt in ("csv", "tsv") \
            else (first.line, first.unit)
        out.append(Problem(path, line, col, col, "unknown column, ignored",
                           f"rename it to one of {', '.join(FIELDS)} or remove it",
                           "warning", "unknown-column", unit))
    return out


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _parse_row(rec: Record, path: str, factions: Factions, today: dt.date) -> _Row:
    f = {COLUMN_ALIASES.get(k, k): v for k, v in rec.fields.items()}
    row = _Row(rec=rec, problems=[])

    def problem(column, value, message, fix, code, severity="error"):
        row.problems.append(Problem(path, rec.line, column, _text(value), message, fix, severity,
                                    code, rec.unit))

    if "__extra__" in f:
        n, m = f["__extra__"]
        problem(f"#{m + 1}", "", f"row has {n} fields but the header has {m}; the extra fields "
                "are ignored", "quote fields that contain the delimiter (\"a, b\")",
                "extra-fields", "warning")
    if "__geometry_error__" in f:
        problem("geometry", f["__geometry_error__"], "only Point geometries are observations",
                "give each feature a Point geometry (or lat/lon properties)", "bad-geometry")
    # date
    date_value = f.get("date")
    if _text(date_value) == "":
        problem("date", "", "missing date", "write the date as YYYY-MM-DD, YYYY-MM or YYYY",
                "missing-date")
    else:
        try:
            row.date, row.precision = parse_date(date_value)
        except InvalidDate as exc:
            problem("date", date_value, exc.reason, "write the date as YYYY-MM-DD, YYYY-MM or YYYY",
                    "bad-date")
        else:
            if row.date > today:
                problem("date", date_value, f"date is in the future (today is {today})",
                        "check the year and month; observations record what already happened",
                        "future-date")
    # place
    row.place_text = _text(f.get("place"))
    row.place_id = _text(f.get("place_id"))
    row.country = _text(f.get("country")) or None
    lat_text, lon_text = _text(f.get("lat")), _text(f.get("lon"))
    if lat_text or lon_text:
        try:
            lat, lon = float(lat_text), float(lon_text)
            if not (-90 <= lat <= 90 and -180 <= lon <= 180) or math.isnan(lat + lon):
                raise ValueError
            row.lat, row.lon = lat, lon
        except ValueError:
            column = "lat" if not _is_coord(lat_text, 90) else "lon"
            problem(column, lat_text if column == "lat" else lon_text,
                    "bad coordinates (need decimal degrees: lat -90..90, lon -180..180)",
                    "write lat and lon as decimal degrees, e.g. lat 36.2021, lon 37.1343",
                    "bad-coordinates")
    if not (row.place_text or row.place_id or row.lat is not None) and not any(
            p.column in ("lat", "lon", "geometry") for p in row.problems):
        problem("place", "", "missing place", "give a place name, a place_id, or lat and lon",
                "missing-place")
    # controller
    controller = _text(f.get("controller"))
    if not controller:
        problem("controller", "", "missing controller",
                f"write a faction id ({', '.join(factions.ids)}), an alias, or 'contested'",
                "missing-controller")
    elif controller.casefold() == CONTESTED:
        row.controller, row.status = None, CONTESTED
    else:
        try:
            row.controller = factions.resolve(controller).id
        except UnknownFaction as exc:
            fix = (f"did you mean {' or '.join(exc.suggestions)}? " if exc.suggestions else "") + \
                f"Use a faction id ({', '.join(factions.ids)}) or an alias from " \
                f"{Path(factions.path).name or 'the factions file'}, or add this alias there"
            problem("controller", controller, "unknown controller", fix, "unknown-controller")
    # enumerations
    for name, allowed, default in (("status", STATUSES, "held"), ("kind", KINDS, "change"),
                                   ("certainty", CERTAINTIES, "confirmed")):
        value = _text(f.get(name)).lower()
        if not value:
            continue
        if value not in allowed:
            problem(name, value, f"unknown {name}", f"use one of {', '.join(allowed)} "
                    f"(empty means {default})", f"bad-{name}")
        elif name == "status" and row.status == CONTESTED and value != CONTESTED:
            problem(name, value, "controller 'contested' implies status contested",
                    "name the holder as controller, or leave status empty", "status-mismatch",
                    "warning")
        else:
            setattr(row, name, value)
    row.source = _text(f.get("source"))
    row.note = _text(f.get("note"))
    return row


def _is_coord(text: str, bound: float) -> bool:
    try:
        v = float(text)
    except ValueError:
        return False
    return -bound <= v <= bound


def point_place_id(lat: float, lon: float) -> str:
    """Stable id of a place given only by coordinates: ``point:36.2021,37.1343`` (5 decimals)."""
    def fmt(v: float) -> str:
        return f"{round(v, 5):.5f}".rstrip("0").rstrip(".")
    return f"point:{fmt(lat)},{fmt(lon)}"


def _point_place(lat: float, lon: float, name: str):
    from gazetteer.types import Place

    pid = point_place_id(lat, lon)
    return Place(id=pid, name=name or pid.removeprefix("point:"), lat=lat, lon=lon, kind="point",
                 source="events file")


def _resolve_places(rows: list[_Row], path: str, gz) -> None:
    """Attach a Place to every row that names one; add problems for the rest."""
    from gazetteer.errors import AmbiguousPlace, PlaceNotFound

    def problem(r, column, value, message, fix, code):
        r.problems.append(Problem(path, r.rec.line, column, value, message, fix, "error", code,
                                  r.rec.unit))

    by_name: dict[tuple[str, str | None], list[_Row]] = {}
    context: list = []
    for r in rows:
        if r.place_id:
            if r.place_id.startswith("point:"):
                try:
                    lat, lon = (float(x) for x in r.place_id[6:].split(","))
                    r.place = _point_place(lat, lon, r.place_text)
                except ValueError:
                    problem(r, "place_id", r.place_id, "bad point id",
                            "write point ids as point:<lat>,<lon>", "bad-place-id")
            else:
                try:
                    r.place = gz.get(r.place_id)
                except PlaceNotFound as exc:
                    hint = f" (did you mean {', '.join(exc.suggestions[:3])}?)" \
                        if exc.suggestions else ""
                    problem(r, "place_id", r.place_id, "unknown place_id",
                            f"use an id from `frontline gazetteer resolve NAME`{hint}, or give a "
                            "place name or lat/lon", "unknown-place-id")
        elif r.lat is not None and r.lon is not None:
            r.place = _point_place(r.lat, r.lon, r.place_text)
        elif r.place_text:
            by_name.setdefault((r.place_text, r.country), []).append(r)
            continue
        if r.place is not None:
            context.append(r.place)
    deferred: list[tuple[tuple[str, str | None], list[_Row]]] = []
    for (name, country), group in by_name.items():
        try:
            cand = _place_rows(gz, name, country, group, problem)
        except AmbiguousPlace:
            deferred.append(((name, country), group))
            continue
        if cand is not None:
            context.append(cand.place)
    # Ambiguous names, decided by the file's own geography (the places resolved above).
    # A gazetteer that can prepare the hints once (gazetteer.Gazetteer.context) gets them ready.
    hints = gz.context(context=context) if deferred and hasattr(gz, "context") else list(context)
    for (name, country), group in deferred:
        try:
            _place_rows(gz, name, country, group, problem, context=hints)
        except AmbiguousPlace as exc:
            options = "; ".join(exc.suggestions[:5])
            if exc.candidates and all(getattr(c, "how", "") == "fuzzy" for c in exc.candidates):
                _not_found(group, name, PlaceNotFound(name, exc.suggestions), problem)
                continue
            for r in group:
                problem(r, "place", name, f"ambiguous place: {options}",
                        "add a place_id or lat/lon, or a country column, to say which one",
                        "ambiguous-place")


def _place_rows(gz, name, country, group, problem, *, context=None):
    """Resolve one name for all its rows: the candidate, or None when not found (reported);
    AmbiguousPlace is left to the caller (defer it, or report it)."""
    from gazetteer.errors import PlaceNotFound

    try:
        cand = gz.resolve_one(name, country=country, context=context)
    except PlaceNotFound as exc:
        _not_found(group, name, exc, problem)
        return None
    for r in group:
        r.place = cand.place
    return cand


def _not_found(group, name, exc, problem) -> None:
    hint = f"did you mean {', '.join(exc.suggestions[:5])}? " if exc.suggestions else ""
    for r in group:
        problem(r, "place", name, "place not found in the gazetteer",
                f"{hint}Fix the spelling, give lat and lon columns, or list the place in a "
                "CSV (name,lat,lon,alternate_names) and run `frontline gazetteer import FILE`",
                "unknown-place")


def _frame(rows: list[_Row]) -> pd.DataFrame:
    data = {
        "row": np.array([r.rec.line for r in rows], dtype=np.int64),
        "date": pd.to_datetime(pd.Series([r.date for r in rows], dtype=object)).astype(
            "datetime64[ns]") if rows else pd.Series([], dtype="datetime64[ns]"),
        "date_precision": [r.precision for r in rows],
        "date_text": [format_date(r.date, r.precision) for r in rows],
        "place_id": [r.place.id for r in rows],
        "place": [r.place.name for r in rows],
        "place_text": [r.place_text for r in rows],
        "lat": np.array([r.place.lat for r in rows], dtype=float),
        "lon": np.array([r.place.lon for r in rows], dtype=float),
        "controller": pd.Series([r.controller for r in rows], dtype="string"),
        "status": [r.status for r in rows],
        "kind": [r.kind for r in rows],
        "certainty": [r.certainty for r in rows],
        "source": [r.source for r in rows],
        "note": [r.note for r in rows],
    }
    frame = pd.DataFrame({k: pd.Series(v) if not isinstance(v, pd.Series) else v.reset_index(
        drop=True) for k, v in data.items()})
    for col in ("date_precision", "date_text", "place_id", "place", "place_text", "status", "kind",
                "certainty", "source", "note"):
        frame[col] = frame[col].astype("string")
    return frame[list(FRAME_COLUMNS)]


def _places_frame(places: list) -> gpd.GeoDataFrame:
    """The one place where (lat, lon) becomes Point(lon, lat)."""
    df = pd.DataFrame({
        "place_id": pd.Series([p.id for p in places], dtype="string"),
        "name": pd.Series([p.name for p in places], dtype="string"),
        "lat": np.array([p.lat for p in places], dtype=float),
        "lon": np.array([p.lon for p in places], dtype=float),
        "country": pd.Series([p.country for p in places], dtype="string"),
        "admin1": pd.Series([p.admin1 for p in places], dtype="string"),
        "kind": pd.Series([p.kind for p in places], dtype="string"),
    })
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]),
                            crs="EPSG:4326")
