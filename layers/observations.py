"""Observations: read an events file, validate it column by column, resolve places and controllers.

``read_observations(source, *, factions, gazetteer)`` returns an ObservationSet: the usable rows
as a DataFrame, the places they refer to as a GeoDataFrame, and every Problem found. Every input
row is accounted for: ``rows_read == len(frame) + len(dropped_lines)``.

The steps work on columns, not rows (each a function of this module):

1. ``read_table`` (readers.py): the file as a table of raw values, each row with its location.
2. ``map_columns``: input columns → schema fields (aliases never override a canonical column).
3. ``parse_columns``: dates, coordinates, controllers (the factions' alias table applied to the
   distinct values, as a categorical mapping), statuses, kinds, certainty — each distinct value
   is parsed once and the answer spread back over its rows.
4. ``resolve_places``: place ids, points and names; each distinct (name, country) is resolved
   once. Names that resolve on their own are resolved first; ambiguous names are then resolved
   again with the file's other places as context, so the file's own geography decides between
   two villages of the same name.
5. ``to_observation_set``: the usable rows, duplicate and conflict checks (check.py), the places.

Problems are collected as row masks (``_Problems.add``) and become Problem objects at the end,
each naming file, line, column, value and a fix. A new per-row step is one more function that
reads the parsed columns and adds masks.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .dates import format_date, iso_days, parse_date
from .errors import InvalidDate, UnknownFaction
from .factions import CONTESTED, Factions, load_factions
from .problems import Problem
from .readers import DELIMITERS, EXTRA, GEOMETRY_ERROR, Table, read_table

if TYPE_CHECKING:
    import geopandas as gpd

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
# Aliases so generic that their values must look like the field before they are used.
_GUARDED_ALIASES: dict[str, str] = {"id": "place_id"}
_PLACE_ID = re.compile(r"^[A-Za-z][\w.-]*:\S")  # source-prefixed: geonames:123, point:…, local:…

FRAME_COLUMNS: tuple[str, ...] = (
    "row", "date", "date_precision", "date_text", "place_id", "place", "place_text", "lat", "lon",
    "controller", "status", "kind", "certainty", "source", "note")
PLACE_COLUMNS: tuple[str, ...] = ("place_id", "name", "lat", "lon", "country", "admin1", "kind")
DATE_FIX = "write the date as YYYY-MM-DD, YYYY-MM or YYYY"


@dataclass(frozen=True)
class ObservationSet:
    """Validated observations. ``frame`` holds usable rows only (``row`` = input line or feature
    index); ``place_table`` one row per referenced place (PLACE_COLUMNS, sorted by place_id),
    and ``places`` the same rows with their points (EPSG:4326)."""

    frame: pd.DataFrame
    place_table: pd.DataFrame
    problems: tuple[Problem, ...]
    rows_read: int
    path: str
    factions: Factions | None = None
    format: str = ""
    dropped_lines: tuple[int, ...] = field(default=())
    # Rows of area observations expanded to their member places (layers/regions.py); the
    # timeline replays them with ``frame``; ``frame`` keeps the area rows as read.
    area_rows: pd.DataFrame | None = None

    @functools.cached_property
    def places(self) -> gpd.GeoDataFrame:
        """``place_table`` with a Point per place, built on first use: a command that needs no
        geometry object (``slice`` to GeoParquet packs the points from lat/lon) never imports
        geopandas."""
        return places_geodataframe(self.place_table)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    def summary(self) -> dict:
        return {"file": self.path, "rows_read": self.rows_read, "usable": len(self.frame),
                "dropped": len(self.dropped_lines), "errors": len(self.errors),
                "warnings": len(self.warnings), "places": len(self.place_table)}


def read_observations(source: str | Path, *, factions: Factions | None = None, gazetteer=None,
                      today: dt.date | None = None, fmt: str | None = None,
                      columns: Sequence[str] | None = None) -> ObservationSet:
    """Read, validate and resolve an events file (``-`` = stdin); see the module docstring.

    ``gazetteer`` is anything with ``resolve_one(name, *, country, context)`` and ``get(id)``
    (default: ``gazetteer.load()``, loaded only when a row names a place). ``today`` bounds
    future dates (default: the current UTC date). ``columns``: the FRAME_COLUMNS ``frame``
    needs (default: all); the others may be left out (a check that only counts rows and
    reports problems builds no text it does not print). Problems, places and counts do not
    depend on it.
    """
    factions = load_factions() if factions is None else factions
    table = read_table(source, fmt=fmt)
    today = today or dt.datetime.now(dt.UTC).date()
    report = _Problems(table.path, table.lines, table.unit)
    mapped = map_columns(table, report)
    parsed = parse_columns(table, mapped, report, factions=factions, today=today)
    placed = resolve_places(parsed, report, gazetteer=gazetteer)
    return to_observation_set(table, parsed, placed, report, factions=factions,
                              gazetteer=placed.gazetteer, columns=columns)


# ---------------------------------------------------------------------------- problems as masks

class _Problems:
    """Problems of one file, gathered as (row mask, column, value, message, fix) parts."""

    def __init__(self, path: str, lines: np.ndarray, unit: str):
        self.path, self.lines, self.unit = path, lines, unit
        self.parts: list[pd.DataFrame] = []
        self.fixed: list[Problem] = []  # whole-file problems (columns) and set-level checks
        self.errors = np.zeros(len(lines), dtype=bool)

    def add(self, mask: np.ndarray, column, value, message, fix, code: str,
            severity: str = "error") -> None:
        """One problem per row in ``mask``; each other argument is a str, a per-row array or a
        _Col (its per-row texts are looked up for the rows in ``mask`` only)."""
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        if severity == "error":
            self.errors[idx] = True

        def at(x):
            if isinstance(x, _Col):
                return np.asarray(x.uniq, dtype=object)[x.codes[idx]]
            return np.asarray(x, dtype=object)[idx] if isinstance(x, np.ndarray | list) else x
        self.parts.append(pd.DataFrame({
            "line": self.lines[idx], "column": at(column), "value": at(value),
            "message": at(message), "fix": at(fix), "severity": severity, "code": code}))

    def file_problem(self, line: int, column: str, value: str, message: str, fix: str, code: str,
                     severity: str = "warning", unit: str | None = None) -> None:
        self.fixed.append(Problem(self.path, line, column, value, message, fix, severity, code,
                                  unit or self.unit))

    def problems(self, *more: Problem) -> tuple[Problem, ...]:
        out = list(self.fixed) + list(more)
        for part in self.parts:
            out.extend(Problem(self.path, int(line), str(col), str(val), str(msg), str(fix),
                               sev, code, self.unit)
                       for line, col, val, msg, fix, sev, code in part.itertuples(
                           index=False, name=None))
        out.sort(key=lambda p: (p.line, p.column, p.code))
        return tuple(out)


# ---------------------------------------------------------------------------- distinct values

@dataclass(frozen=True, slots=True)
class _Col:
    """A column as distinct texts: ``uniq[codes]`` is the stripped text of every row (codes are
    int32 or int64: widen them before arithmetic that may pass 2**31)."""

    codes: np.ndarray
    uniq: np.ndarray

    @property
    def text(self) -> np.ndarray:
        return self.uniq[self.codes]

    def spread(self, per_unique) -> np.ndarray:
        return np.asarray(per_unique, dtype=object if not isinstance(per_unique, np.ndarray)
                          else per_unique.dtype)[self.codes]

    @property
    def empty(self) -> np.ndarray:
        return (self.uniq == "")[self.codes]


def _strings(values) -> pd.Series:
    """A ``string`` Series from a _Col (its codes and distinct values, cast in Arrow) or from a
    per-row object array (None → NA)."""
    import pyarrow as pa

    if not isinstance(values, _Col):
        try:  # texts and None (the usual): Arrow encodes them directly, no hashing
            return pd.Series(pd.array(pa.array(values, pa.string(), from_pandas=True),
                                      dtype="string"))
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            pass
        codes, uniq = pd.factorize(values, use_na_sentinel=True)
        values = _Col(codes, np.asarray(uniq, dtype=object))
    codes = values.codes.astype(np.int32)
    uniq = [None if v is None else str(v) for v in values.uniq.tolist()]
    mask = codes < 0
    arr = pa.DictionaryArray.from_arrays(
        pa.array(codes, mask=mask if mask.any() else None), pa.array(uniq, pa.string()))
    return pd.Series(pd.array(arr.cast(pa.string()), dtype="string"))


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _column(frame: pd.DataFrame, name: str | None, n: int, *, coded=None) -> _Col:
    """The column ``name`` of ``frame`` as a _Col (``coded``: its _arrow_codes, if known)."""
    if name is None or name not in frame:
        return _Col(np.zeros(n, dtype=np.int64), np.array([""], dtype=object))
    values = frame[name]
    coded = _arrow_codes(values) if coded is None else coded
    if coded is not None:  # text as read (CSV, Arrow): strip, no per-value checks
        codes, raw, missing = coded
        stripped = [u.strip() for u in raw]
        if stripped == raw:  # already stripped, and distinct (Arrow's dictionary)
            if "" not in raw:
                return _Col(codes, np.array(raw + [""], dtype=object))
            if missing:  # a missing value is the empty text already there
                codes = np.where(codes == len(raw), raw.index(""), codes)
            return _Col(codes, np.array(raw, dtype=object))
        texts = np.array(stripped + [""], dtype=object)
    else:
        try:
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
        except TypeError:  # unhashable values (a JSON list or object): their text is the value
            codes, uniques = pd.factorize(values.map(_text).to_numpy(dtype=object))
        texts = np.array([_text(u) for u in uniques] + [""], dtype=object)
        codes = np.where(codes < 0, len(texts) - 1, codes)
    merged, distinct = pd.factorize(texts)  # " a" and "a" are one value
    return _Col(merged[codes].astype(np.int64), np.asarray(distinct, dtype=object))


def _arrow_codes(values: pd.Series) -> tuple[np.ndarray, list[str], bool] | None:
    """A text column stored in Arrow as (codes, distinct texts, whether a value is missing),
    the codes of a missing value pointing one past the texts; None for other columns. Arrow's
    dictionary encoding, its int32 indices as they are: pandas' factorize of Arrow strings costs
    half as much again and copies the codes twice (to int64)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not hasattr(values.array, "__arrow_array__") or not len(values):
        return None
    arr = values.array.__arrow_array__()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    encoded = arr.dictionary_encode()  # the chunks share one dictionary
    raw = encoded.chunk(0).dictionary.to_pylist()
    indices = pa.chunked_array([c.indices for c in encoded.chunks], pa.int32())
    missing = indices.null_count > 0
    if missing:
        indices = pc.fill_null(indices, len(raw))
    return indices.to_numpy(), raw, missing  # int32: half the memory of a million codes


def _arrow_codes_threaded(frame: pd.DataFrame, names: set[str]) -> dict:
    """``_arrow_codes`` of the columns ``names`` of a big frame, in threads (Arrow's dictionary
    encoding releases the GIL; the columns do not depend on each other)."""
    from concurrent.futures import ThreadPoolExecutor

    names = sorted(c for c in names if c in frame)
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        done = dict(zip(names, pool.map(lambda c: _arrow_codes(frame[c]), names), strict=True))
    return {c: v for c, v in done.items() if v is not None}


# ---------------------------------------------------------------------------- 2. columns

def map_columns(table: Table, report: _Problems) -> dict[str, str]:
    """Schema field → the table column that gives it. Unknown columns are reported (ignored);
    when two columns give one field, the canonical name wins, else the first, and the other is
    ignored with a warning naming both; a generic ``id`` whose values are not place ids is
    ignored with a warning."""
    line = table.header_line
    givers: dict[str, list[tuple[str, str]]] = {}
    for col in table.columns:
        name = col.strip().lower()
        if not name or name.startswith("__"):
            continue
        target = name if name in FIELDS else COLUMN_ALIASES.get(name)
        if target is None:
            first = table.first_line.get(name, line)
            report.file_problem(first, col, col, "unknown column, ignored",
                                f"rename it to one of {', '.join(FIELDS)} or remove it",
                                "unknown-column")
            continue
        if any(n == name for n, _ in givers.get(target, ())):
            report.file_problem(line, col, col, f"column {col!r} appears twice; the first one "
                                "is used", "remove or rename the second copy", "duplicate-column")
            continue
        givers.setdefault(target, []).append((name, col))
    out: dict[str, str] = {}
    for target, cols in givers.items():
        guarded = [(n, c) for n, c in cols if _GUARDED_ALIASES.get(n) == target
                   and not _looks_like(table.frame[n], target)]
        for n, c in guarded:
            example = next(t for t in (_text(v) for v in table.frame[n]) if t
                           and not _PLACE_ID.match(t))
            report.file_problem(
                table.first_line.get(n, line), c, example,
                f"column {c!r} does not hold place ids (e.g. {example!r}); it is ignored",
                "name a column place_id only if it holds gazetteer ids such as geonames:170063 "
                "(see `frontline gazetteer resolve NAME`); places come from place or lat/lon",
                "not-place-id")
        cols = [x for x in cols if x not in guarded]
        if not cols:
            continue
        winner = next(((n, c) for n, c in cols if n == target), cols[0])
        for n, c in cols:
            if (n, c) != winner:
                report.file_problem(
                    line, c, c, f"columns {winner[1]!r} and {c!r} both give {target}; "
                    f"{winner[1]!r} is used and {c!r} is ignored",
                    f"remove or rename one of the two (a column named {target} always wins)",
                    "duplicate-column")
        out[target] = winner[0]
    if table.delimiter and table.delimiter != ("\t" if table.format == "tsv" else ","):
        report.file_problem(line, "", DELIMITERS[table.delimiter],
                            f"fields are separated by {DELIMITERS[table.delimiter]}s, not commas",
                            "nothing to do: the file was read with that delimiter", "delimiter",
                            "info")
    return out


def _looks_like(values: pd.Series, target: str) -> bool:
    """Whether every non-empty value of a guarded column has the field's form."""
    texts = pd.Series(pd.unique(values.dropna().map(_text)), dtype=object)
    texts = texts[texts != ""]
    return bool(texts.map(lambda t: bool(_PLACE_ID.match(t))).all())


# ---------------------------------------------------------------------------- 3. parse

@dataclass(frozen=True)
class Parsed:
    """Every row's parsed fields (arrays of the table's length) and the texts they came from."""

    n: int
    date: np.ndarray           # datetime64[D] (NaT when missing or bad)
    precision: _Col            # "day" | "month" | "year" | ""
    date_text: _Col            # canonical text at its precision
    place_text: _Col
    place_id: _Col
    country: _Col
    lat: np.ndarray            # float, NaN unless the row's coordinates are valid
    lon: np.ndarray
    coords: np.ndarray         # bool: valid coordinates given
    coords_lat: _Col           # texts of the lat and lon columns (for point keys)
    coords_lon: _Col
    controller: _Col           # faction id, or None (contested or not resolved)
    status: _Col
    kind: _Col
    certainty: _Col
    source: _Col
    note: _Col
    blocked: np.ndarray        # bool: a coordinate or geometry problem (no "missing place")


def parse_columns(table: Table, columns: dict[str, str], report: _Problems, *,
                  factions: Factions, today: dt.date) -> Parsed:
    """Parse every field as a column; problems go to ``report`` as masks."""
    frame, n = table.frame, len(table)
    coded = _arrow_codes_threaded(frame, set(columns.values())) if n >= _THREADED_ROWS else {}

    def col(name: str) -> _Col:
        return _column(frame, columns.get(name), n, coded=coded.get(columns.get(name)))

    if EXTRA in frame:
        extra = frame[EXTRA].to_numpy(dtype=np.int64)
        m = table.header_fields
        message = np.array([f"row has {k} fields but the header has {m}; the extra fields are "
                            "ignored" for k in extra.tolist()], dtype=object)
        report.add(extra > 0, f"#{m + 1}", "", message,
                   "quote fields that contain the delimiter (\"a, b\")", "extra-fields",
                   "warning")
    geom = _column(frame, GEOMETRY_ERROR if GEOMETRY_ERROR in frame else None, n)
    report.add(~geom.empty, "geometry", geom, "only Point geometries are observations",
               "give each feature a Point geometry (or lat/lon properties)", "bad-geometry")
    date, precision, date_text = _parse_dates(col("date"), report, today)
    lat_c, lon_c = col("lat"), col("lon")
    lat, lon, coords, bad_coords = _parse_coordinates(lat_c, lon_c, report)
    place_text, place_id = col("place"), col("place_id")
    blocked = bad_coords | ~geom.empty
    report.add(place_text.empty & place_id.empty & ~coords & ~blocked, "place", "",
               "missing place", "give a place name, a place_id, or lat and lon", "missing-place")
    controller, contested = _parse_controllers(col("controller"), report, factions)
    enums = {name: _parse_enum(col(name), report, name, allowed, default, contested)
             for name, allowed, default in (("status", STATUSES, "held"),
                                            ("kind", KINDS, "change"),
                                            ("certainty", CERTAINTIES, "confirmed"))}
    return Parsed(n=n, date=date, precision=precision, date_text=date_text,
                  place_text=place_text, place_id=place_id, country=col("country"),
                  lat=lat, lon=lon, coords=coords, coords_lat=lat_c, coords_lon=lon_c,
                  controller=controller, status=enums["status"], kind=enums["kind"],
                  certainty=enums["certainty"], source=col("source"),
                  note=col("note"), blocked=blocked)


def _parse_dates(c: _Col, report: _Problems, today: dt.date):
    k = len(c.uniq)
    day = np.full(k, np.datetime64("NaT"), dtype="datetime64[D]")
    precision = np.full(k, "", dtype=object)
    canonical = np.full(k, "", dtype=object)
    reason = np.full(k, "", dtype=object)
    texts = c.uniq.tolist()
    iso = iso_days(texts)  # the plain YYYY-MM-DD dates at once
    fast = ~np.isnat(iso)
    day[fast], precision[fast] = iso[fast], "day"
    canonical[fast] = c.uniq[fast]
    for i in np.flatnonzero(~fast).tolist():  # each other distinct date once
        text = texts[i]
        if not text:
            continue
        try:
            d, p = parse_date(text)
        except InvalidDate as exc:
            reason[i] = exc.reason
            continue
        day[i], precision[i], canonical[i] = np.datetime64(d, "D"), p, format_date(d, p)
    future = day > np.datetime64(today, "D")
    report.add(c.empty, "date", "", "missing date", DATE_FIX, "missing-date")
    report.add((reason != "")[c.codes], "date", c, _Col(c.codes, reason), DATE_FIX, "bad-date")
    report.add(future[c.codes], "date", c, f"date is in the future (today is {today})",
               "check the year and month; observations record what already happened",
               "future-date")
    ok = ~np.isnat(day) & ~future
    day = np.where(ok, day, np.datetime64("NaT"))
    return day[c.codes], _Col(c.codes, precision), _Col(c.codes, canonical)


def _floats(c: _Col, bound: float) -> np.ndarray:
    """Each distinct text as a float within ±bound, NaN otherwise (Python's float syntax, and a
    decimal comma: "33,5717" as a spreadsheet in a German or French locale writes it; degrees
    have no thousands to separate)."""
    out = np.full(len(c.uniq), np.nan)
    for i, text in enumerate(c.uniq.tolist()):
        try:
            v = float(text)
        except ValueError:
            if text.count(",") != 1 or "." in text:
                continue
            try:
                v = float(text.replace(",", "."))
            except ValueError:
                continue
        if -bound <= v <= bound:
            out[i] = v
    return out


def _parse_coordinates(lat_c: _Col, lon_c: _Col, report: _Problems):
    lat = _floats(lat_c, 90)[lat_c.codes]
    lon = _floats(lon_c, 180)[lon_c.codes]
    given = ~lat_c.empty | ~lon_c.empty
    lat_ok, lon_ok = ~np.isnan(lat), ~np.isnan(lon)
    bad = given & ~(lat_ok & lon_ok)
    if bad.any():  # the per-row texts only when some row needs them
        column = np.where(lat_ok, "lon", "lat").astype(object)
        value = np.where(lat_ok, lon_c.text, lat_c.text).astype(object)
        report.add(bad, column, value,
                   "bad coordinates (need decimal degrees: lat -90..90, lon -180..180)",
                   "write lat and lon as decimal degrees, e.g. lat 36.2021, lon 37.1343",
                   "bad-coordinates")
    coords = given & ~bad
    return np.where(coords, lat, np.nan), np.where(coords, lon, np.nan), coords, bad


def _parse_controllers(c: _Col, report: _Problems, factions: Factions):
    """The factions' alias table applied to each distinct controller text."""
    k = len(c.uniq)
    ids = np.full(k, None, dtype=object)
    contested = np.zeros(k, dtype=bool)
    fix = np.full(k, "", dtype=object)
    ids_text = ", ".join(factions.ids)
    where = Path(factions.path).name or "the factions file"
    for i, text in enumerate(c.uniq.tolist()):
        if not text:
            continue
        if text.casefold() == CONTESTED:
            contested[i] = True
            continue
        try:
            ids[i] = factions.resolve(text).id
        except UnknownFaction as exc:
            fix[i] = (f"did you mean {' or '.join(exc.suggestions)}? " if exc.suggestions
                      else "") + f"Use a faction id ({ids_text}) or an alias from {where}, or " \
                "add this alias there"
    report.add(c.empty, "controller", "", "missing controller",
               f"write a faction id ({ids_text}), an alias, or 'contested'", "missing-controller")
    report.add((fix != "")[c.codes], "controller", c, "unknown controller", _Col(c.codes, fix),
               "unknown-controller")
    return _Col(c.codes, ids), contested[c.codes]


def _parse_enum(c: _Col, report: _Problems, name: str, allowed: tuple[str, ...], default: str,
                contested: np.ndarray) -> _Col:
    lower = [t.lower() for t in c.uniq.tolist()]
    index = np.array([allowed.index(t) if t in allowed else -1 for t in lower], dtype=np.int64)
    index[np.array([t == "" for t in lower], dtype=bool)] = allowed.index(default)
    bad_u = index < 0
    out = index[c.codes]
    if bad_u.any():
        value = np.asarray(lower, dtype=object)[c.codes]
        report.add(bad_u[c.codes], name, value, f"unknown {name}",
                   f"use one of {', '.join(allowed)} (empty means {default})", f"bad-{name}")
        out = np.where(out < 0, allowed.index(default), out)
    if name == "status" and contested.any():
        given = np.array([t != "" for t in lower], dtype=bool)[c.codes]
        value = np.asarray(lower, dtype=object)[c.codes]
        mismatch = contested & given & ~bad_u[c.codes] & (value != CONTESTED)
        report.add(mismatch, name, value, "controller 'contested' implies status contested",
                   "name the holder as controller, or leave status empty", "status-mismatch",
                   "warning")
        out = np.where(contested, allowed.index(CONTESTED), out)
    return _Col(out, np.asarray(allowed, dtype=object))


# ---------------------------------------------------------------------------- 4. places

def point_place_id(lat: float, lon: float) -> str:
    """Stable id of a place given only by coordinates: ``point:36.2021,37.1343`` (5 decimals)."""
    return point_place_ids([lat], [lon])[0]


def point_place_ids(lat, lon) -> list[str]:
    """``point_place_id`` of each (lat, lon) pair. ``f"{v:.5f}"`` rounds the exact binary value
    to 5 decimals, as ``round(v, 5)`` does, so the id is that of the rounded coordinates."""
    return [f"point:{f'{a:.5f}'.rstrip('0').rstrip('.')},{f'{b:.5f}'.rstrip('0').rstrip('.')}"
            for a, b in zip(np.asarray(lat, dtype=float).tolist(),
                            np.asarray(lon, dtype=float).tolist(), strict=True)]


def _point_place(lat: float, lon: float, name: str):
    from gazetteer.types import Place

    pid = point_place_id(lat, lon)
    return Place(id=pid, name=name or pid.removeprefix("point:"), lat=lat, lon=lon, kind="point",
                 source="events file")


@dataclass(frozen=True)
class Placed:
    """Every row's place as a code: ``ids[code]`` is the row's place id (-1 where not placed:
    the set-level steps group rows by place with these, never by hashing id strings again);
    ``name`` the row's place name, ``lat`` and ``lon``; ``ok`` marks the placed rows; ``known``
    maps the gazetteer place ids to their Place."""

    code: np.ndarray
    ids: np.ndarray
    name: _Col  # codes -1 where not placed
    lat: np.ndarray
    lon: np.ndarray
    ok: np.ndarray
    known: dict
    gazetteer: object = None  # the gazetteer that placed the rows (area members resolve with it)


@dataclass(frozen=True)
class _Space:
    """Distinct places of one kind (ids, points or names): per entry its place id, display name
    (None: a point, named by its row), point text (``36.2,37.1``; None unless a point), Place."""

    ids: np.ndarray
    names: np.ndarray
    bare: np.ndarray
    places: np.ndarray


def _default_gazetteer():
    import gazetteer

    return gazetteer.load()


def resolve_places(parsed: Parsed, report: _Problems, *, gazetteer=None) -> Placed:
    """Place every row: a place_id (``point:lat,lon`` or a gazetteer id), else valid lat/lon,
    else the name through the gazetteer (each distinct name and country once). A point is named
    by its row's place text, else by its coordinates. Rows are coded into the distinct places
    (no per-row object arrays: a million rows cost integer takes)."""
    from gazetteer.errors import AmbiguousPlace, PlaceNotFound

    n = parsed.n
    pid_c, text_c = parsed.place_id, parsed.place_text
    by_id = ~pid_c.empty
    by_point = ~by_id & parsed.coords
    by_name = ~by_id & ~parsed.coords & ~text_c.empty
    uniq_ids = pid_c.uniq.tolist()
    used = np.zeros(len(uniq_ids), dtype=bool)
    used[pid_c.codes[by_id]] = True
    gz = gazetteer
    if gz is None and (by_name.any() or any(
            used[i] and not t.startswith("point:") for i, t in enumerate(uniq_ids))):
        gz = _default_gazetteer()
    lat, lon = np.full(n, np.nan), np.full(n, np.nan)
    ok = np.zeros(n, dtype=bool)
    code = np.full(n, -1, dtype=np.int64)  # per row, into the concatenation of ``spaces``
    known: dict = {}

    # place ids, each distinct one once
    k = len(uniq_ids)
    u_pid, u_name, u_bare, u_place = (np.full(k, None, dtype=object) for _ in range(4))
    u_lat, u_lon = np.full(k, np.nan), np.full(k, np.nan)
    u_code, u_msg, u_fix = (np.full(k, "", dtype=object) for _ in range(3))
    for i, text in enumerate(uniq_ids):
        if not used[i]:
            continue
        if text.startswith("point:"):
            try:
                a, b = (float(x) for x in text[6:].split(","))
            except ValueError:
                u_code[i], u_msg[i], u_fix[i] = ("bad-place-id", "bad point id",
                                                 "write point ids as point:<lat>,<lon>")
                continue
            u_pid[i], u_lat[i], u_lon[i] = point_place_id(a, b), a, b
            u_bare[i] = u_pid[i][6:]
            continue
        try:
            p = gz.get(text)
        except PlaceNotFound as exc:
            hint = f" (did you mean {', '.join(exc.suggestions[:3])}?)" if exc.suggestions else ""
            u_code[i], u_msg[i], u_fix[i] = (
                "unknown-place-id", "unknown place_id",
                f"use an id from `frontline gazetteer resolve NAME`{hint}, or give a place "
                "name or lat/lon")
            continue
        u_pid[i], u_lat[i], u_lon[i], u_place[i], u_name[i] = p.id, p.lat, p.lon, p, p.name
        known[p.id] = p
    for problem in ("bad-place-id", "unknown-place-id"):
        mask = by_id & (u_code == problem)[pid_c.codes]
        if mask.any():
            report.add(mask, "place_id", pid_c.text, u_msg[pid_c.codes], u_fix[pid_c.codes],
                       problem)
    ids_ok = by_id & (u_code == "")[pid_c.codes]
    rows = np.flatnonzero(ids_ok)
    c = pid_c.codes[rows]
    code[rows], lat[rows], lon[rows], ok[rows] = c, u_lat[c], u_lon[c], True
    spaces = [_Space(u_pid, u_name, u_bare, u_place)]
    # points given by lat/lon, each distinct pair of texts once
    rows = np.flatnonzero(by_point)
    if len(rows):
        pair = parsed.coords_lat.codes[rows].astype(np.int64) * len(parsed.coords_lon.uniq) \
            + parsed.coords_lon.codes[rows]
        pcodes, pairs = pd.factorize(pair)
        first = np.zeros(len(pairs), dtype=np.int64)
        first[pcodes[::-1]] = rows[::-1]  # the first row of each pair
        ids = np.array(point_place_ids(parsed.lat[first], parsed.lon[first]), dtype=object)
        bares = np.array([t[6:] for t in ids.tolist()], dtype=object)
        lat[rows], lon[rows], ok[rows] = parsed.lat[rows], parsed.lon[rows], True
        code[rows] = pcodes + sum(len(sp.ids) for sp in spaces)
        spaces.append(_Space(ids, np.full(len(ids), None, dtype=object), bares,
                             np.full(len(ids), None, dtype=object)))
    # names, each distinct (name, country) once
    rows = np.flatnonzero(by_name)
    if len(rows):
        offset = sum(len(sp.ids) for sp in spaces)
        context = (ids_ok | by_point, code, spaces, lat, lon)
        g_rows, g_codes, space = _resolve_names(parsed, report, gz, rows, context, known,
                                                AmbiguousPlace, PlaceNotFound)
        code[g_rows] = g_codes + offset
        lat[g_rows] = np.array([p.lat for p in space.places.tolist()], dtype=float)[g_codes]
        lon[g_rows] = np.array([p.lon for p in space.places.tolist()], dtype=float)[g_codes]
        ok[g_rows] = True
        spaces.append(space)
    all_ids = np.concatenate([sp.ids for sp in spaces])
    all_bare = np.concatenate([sp.bare for sp in spaces])
    # a row's name: the place's, else (a point) the row's place text, else its coordinates
    all_names = np.concatenate([sp.names for sp in spaces])
    label = np.where(all_names == None, all_bare, all_names)  # noqa: E711 (elementwise)
    is_point = np.zeros(n, dtype=bool)
    is_point[ok] = (all_bare != None)[code[ok]]  # noqa: E711 (elementwise)
    own_text = is_point & ~text_c.empty
    name_codes = np.where(own_text, len(label) + text_c.codes, code)
    name = _Col(np.where(ok, name_codes, -1), np.concatenate([label, text_c.uniq]))
    # one code per distinct place id (an id, a point and a name may give the same place)
    merged, uniq = pd.factorize(all_ids, use_na_sentinel=True)
    code = np.where(ok, merged[np.clip(code, 0, None)] if len(merged) else -1, -1)
    return Placed(code=code.astype(np.int64, copy=False), ids=np.asarray(uniq, dtype=object),
                  name=name, lat=lat, lon=lon, ok=ok, known=known, gazetteer=gz)


def _resolve_names(parsed, report, gz, rows, context, known, AmbiguousPlace, PlaceNotFound
                   ) -> tuple[np.ndarray, np.ndarray, _Space]:
    """(the placed rows, their group, the groups' places as a _Space) for the rows named only;
    ``context``: (the rows placed otherwise, their codes into ``spaces``, the spaces, lat, lon),
    whose places decide ambiguous names."""
    text_c, country_c = parsed.place_text, parsed.country
    key = text_c.codes[rows].astype(np.int64) * len(country_c.uniq) + country_c.codes[rows]
    gcodes, groups = pd.factorize(key)  # in order of first appearance
    k = len(groups)
    names = text_c.uniq[(groups // len(country_c.uniq)).astype(np.int64)]
    countries = [c or None for c in country_c.uniq[(groups % len(country_c.uniq)).astype(
        np.int64)].tolist()]
    answer = np.full(k, None, dtype=object)
    failure: list[tuple[int, str, str, str]] = []  # (group, code, message, fix)

    def not_found(g, exc):
        hint = f"did you mean {', '.join(exc.suggestions[:5])}? " if exc.suggestions else ""
        failure.append((g, "unknown-place", "place not found in the gazetteer",
                        f"{hint}Fix the spelling, give lat and lon columns, or list the place in "
                        "a CSV (name,lat,lon,alternate_names) and run "
                        "`frontline gazetteer import FILE`"))

    deferred = []
    for g in range(k):
        try:
            answer[g] = gz.resolve_one(names[g], country=countries[g], context=None).place
        except PlaceNotFound as exc:
            not_found(g, exc)
        except AmbiguousPlace:
            deferred.append(g)
    if deferred:
        # Ambiguous names, decided by the file's own geography: the places of the rows with an
        # id or coordinates (in row order), then the names resolved above (in file order).
        context_rows, code, spaces, lat, lon = context
        ctx_rows = np.flatnonzero(context_rows)
        place = np.concatenate([sp.places for sp in spaces])[code[ctx_rows]]
        ctx = [p if p is not None else _LatLon(a, b) for p, a, b in zip(
            place.tolist(), lat[ctx_rows].tolist(), lon[ctx_rows].tolist(), strict=True)]
        ctx += [a for a in answer.tolist() if a is not None]
        # A gazetteer that can prepare the hints once (gazetteer.Gazetteer.context) gets them.
        hints = gz.context(context=ctx) if hasattr(gz, "context") else ctx
        for g in deferred:
            try:
                answer[g] = gz.resolve_one(names[g], country=countries[g], context=hints).place
            except AmbiguousPlace as exc:
                if exc.candidates and all(getattr(c, "how", "") == "fuzzy"
                                          for c in exc.candidates):
                    not_found(g, PlaceNotFound(names[g], exc.suggestions))
                    continue
                failure.append((g, "ambiguous-place",
                                f"ambiguous place: {'; '.join(exc.suggestions[:5])}",
                                "add a place_id or lat/lon, or a country column, to say which one"))
    for problem in ("unknown-place", "ambiguous-place"):
        msg, fix = np.full(k, "", dtype=object), np.full(k, "", dtype=object)
        hit = np.zeros(k, dtype=bool)
        for g, c, m, f in failure:
            if c == problem:
                hit[g], msg[g], fix[g] = True, m, f
        if hit.any():
            mask = np.zeros(parsed.n, dtype=bool)
            mask[rows] = hit[gcodes]
            per_row_msg = np.full(parsed.n, "", dtype=object)
            per_row_fix = np.full(parsed.n, "", dtype=object)
            per_row_msg[rows], per_row_fix[rows] = msg[gcodes], fix[gcodes]
            report.add(mask, "place", text_c.text, per_row_msg, per_row_fix, problem)
    found = np.array([a is not None for a in answer.tolist()], dtype=bool)
    places = answer[found]
    renumber = np.cumsum(found) - 1  # group → its index among the found ones
    hit = found[gcodes]
    for p in places.tolist():
        known[p.id] = p
    space = _Space(np.array([p.id for p in places.tolist()], dtype=object),
                   np.array([p.name for p in places.tolist()], dtype=object),
                   np.full(len(places), None, dtype=object), places)
    return rows[hit], renumber[gcodes[hit]], space


@dataclass(frozen=True, slots=True)
class _LatLon:
    """A context point that is not a gazetteer place (a row's own coordinates)."""

    lat: float
    lon: float


# ---------------------------------------------------------------------------- 5. the set

def to_observation_set(table: Table, parsed: Parsed, placed: Placed, report: _Problems, *,
                       factions: Factions, gazetteer=None,
                       columns: Sequence[str] | None = None) -> ObservationSet:
    """The usable rows (no error), then the set-level checks (duplicates, conflicts).
    ``columns``: as for ``read_observations``."""
    good = np.flatnonzero(~report.errors & placed.ok)
    codes, ids = placed.code[good], placed.ids
    alone = _singletons(codes, parsed.date[good])
    # Duplicates and conflicts compare every column; without them the places, the area rows
    # and the caller need only these (the area rows get every column, see expand_areas).
    # The texts of millions of rows are built only when asked for: the places come from each
    # place's chosen row, and the area rows (a few) get every column from ``area_frame``.
    wanted = None if columns is None or not alone else set(columns) | set(_NUMBER_FIELDS)
    frame = _frame(table, parsed, placed, good, place_codes=(codes, ids), only=wanted)
    from .check import find_conflicts, find_duplicates  # set-level checks live in check.py

    keep, dup_problems = find_duplicates(frame, path=table.path, unit=table.unit,
                                         singletons=alone)
    # each place's row, picked before duplicates go (a named row names a bare point)
    pick, chosen_codes = _places_rows(~parsed.place_text.empty[good], codes, ids)
    chosen = _frame(table, parsed, placed, good[pick], place_codes=(codes[pick], ids),
                    only={"place_id", "place", "lat", "lon"})[["place_id", "place", "lat", "lon"]]
    frame = frame[keep].reset_index(drop=True)
    codes = codes[keep]
    conflicts = find_conflicts(frame, path=table.path, unit=table.unit,
                               singletons=True if alone else None)
    present = np.bincount(codes, minlength=len(ids)).astype(bool) if len(codes) \
        else np.zeros(len(ids), dtype=bool)
    places = _places_table(chosen[present[chosen_codes]], placed.known)
    from .regions import expand_areas  # area observations → member-place rows

    def area_frame(mask: np.ndarray) -> pd.DataFrame:  # the area rows with every column
        return _frame(table, parsed, placed, good[keep][mask],
                      place_codes=(codes[mask], ids))

    area_rows, places, area_problems = expand_areas(
        frame, places, gazetteer=gazetteer, path=table.path, unit=table.unit,
        place_codes=(codes, ids), area_frame=None if wanted is None else area_frame)
    kept = np.zeros(len(table), dtype=bool)
    kept[good[keep]] = True
    dropped = tuple(np.sort(table.lines[~kept]).tolist())
    return ObservationSet(frame=frame, place_table=places,
                          problems=report.problems(*dup_problems, *conflicts, *area_problems),
                          rows_read=len(table), path=table.path, factions=factions,
                          format=table.format, dropped_lines=dropped, area_rows=area_rows)


def _singletons(codes: np.ndarray, day: np.ndarray) -> bool:
    """Whether no two rows share a place and a date (then nothing is a duplicate or conflict):
    integer codes of (place, day), hashed once."""
    if len(codes) < 2:
        return True
    d = day.astype("datetime64[D]").astype(np.int64)
    d = d - d.min()
    span = (int(codes.max()) + 1) * (int(d.max()) + 1)
    if span <= min(_SCATTER_KEYS, 64 * len(codes)):  # a bitmap of the keys: no hash table
        seen = np.zeros(span, dtype=bool)
        seen[codes * (int(d.max()) + 1) + d] = True
        return int(np.count_nonzero(seen)) == len(codes)
    if int(d.max()) < (1 << 62) // (int(codes.max()) + 1):
        key = codes * (int(d.max()) + 1) + d
    else:  # would overflow: number the days first
        dcodes, duniq = pd.factorize(d)
        key = codes * len(duniq) + dcodes
    return not pd.Series(key).duplicated().any()


_SCATTER_KEYS = 1 << 26  # (place, day) pairs up to this many: a 64 MB bitmap at most


# The columns a frame built without texts keeps (regions.expand_areas uses row and date).
_NUMBER_FIELDS: tuple[str, ...] = ("row", "date", "lat", "lon")


def _frame(table: Table, parsed: Parsed, placed: Placed, good: np.ndarray, *,
           place_codes: tuple[np.ndarray, np.ndarray] | None = None,
           only: set[str] | None = None) -> pd.DataFrame:
    """The usable rows ``good`` as FRAME_COLUMNS (those in ``only``, if given)."""
    texts = {
        "date_precision": parsed.precision, "date_text": parsed.date_text,
        "place_id": _Col(*place_codes) if place_codes is not None else _Col(placed.code,
                                                                            placed.ids),
        "place": placed.name, "place_text": parsed.place_text,
        "controller": parsed.controller, "status": parsed.status, "kind": parsed.kind,
        "certainty": parsed.certainty, "source": parsed.source, "note": parsed.note}
    if only is not None:
        texts = {k: v for k, v in texts.items() if k in only}

    def s(name: str) -> pd.Series:
        values = texts[name]
        if name == "place_id" and place_codes is not None:
            return _strings(values)  # already the usable rows
        if isinstance(values, _Col):
            return _strings(_Col(values.codes[good], values.uniq))
        return _strings(values[good])

    # Each text column is its strings materialized in Arrow (which releases the GIL): a big
    # file builds them in threads, one column each; the columns do not depend on each other.
    if len(good) >= _THREADED_ROWS:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            built = dict(zip(texts, pool.map(s, texts), strict=True))
    else:
        built = {name: s(name) for name in texts}
    data = {
        "row": table.lines[good].astype(np.int64),
        "date": parsed.date[good].astype("datetime64[ns]"),
        **built,
        "lat": placed.lat[good].astype(float),
        "lon": placed.lon[good].astype(float),
    }
    return pd.DataFrame(data, index=pd.RangeIndex(len(good)))[
        [c for c in FRAME_COLUMNS if only is None or c in only]]


_THREADED_ROWS = 100_000  # below this, threads cost more than they save


def _places_rows(named: np.ndarray, codes: np.ndarray, ids: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """One row per place id (sorted by id): its first row with a place text (``named``), else
    its first row; as (row positions, the place code of each)."""
    rows = np.arange(len(codes))
    first = np.full(len(ids), -1, dtype=np.int64)
    first[codes[::-1]] = rows[::-1]  # each place's first row
    named = rows[named]
    first_named = np.full(len(ids), -1, dtype=np.int64)
    first_named[codes[named][::-1]] = named[::-1]  # … and its first row with a place text
    pick = np.where(first_named >= 0, first_named, first)
    used = np.flatnonzero(pick >= 0)
    used = used[np.argsort(ids[used].astype(str), kind="stable")]
    return pick[used], used


def _places_table(rows: pd.DataFrame, known: dict) -> pd.DataFrame:
    """PLACE_COLUMNS of the places' chosen rows (the gazetteer's country, admin1 and kind)."""
    ids = rows["place_id"].tolist()
    info = [known.get(pid) for pid in ids]
    df = pd.DataFrame({
        "place_id": pd.Series(ids, dtype="string"),
        "name": pd.Series(rows["place"].tolist(), dtype="string"),
        "lat": rows["lat"].to_numpy(dtype=float),
        "lon": rows["lon"].to_numpy(dtype=float),
        "country": pd.Series([p.country if p else "" for p in info], dtype="string"),
        "admin1": pd.Series([p.admin1 if p else "" for p in info], dtype="string"),
        "kind": pd.Series([p.kind if p else "point" for p in info], dtype="string"),
    })
    return df


def is_geodataframe(frame) -> bool:
    """Whether ``frame`` is a GeoDataFrame, without importing geopandas (unimported, no frame
    can be one)."""
    import sys

    gpd = sys.modules.get("geopandas")
    return gpd is not None and isinstance(frame, gpd.GeoDataFrame)


def places_geodataframe(table: pd.DataFrame) -> gpd.GeoDataFrame:
    """The one place where (lat, lon) becomes Point(lon, lat), in EPSG:4326."""
    import geopandas as gpd

    return gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table["lon"], table["lat"]),
                            crs="EPSG:4326")
