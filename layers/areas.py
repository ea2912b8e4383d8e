"""Dated control polygons (as DeepStateMap publishes them) as a second source of territory.

Input: a directory of GeoJSON files with the date in the file name (``…2024-07-08….geojson`` or
``…20240708….geojson``, ``.gz`` allowed), or one file whose features carry a date property
(``date``, ``snapshot_utc``, … or the one named). The status of a polygon comes from a property
(``status``, ``name``, … or the one named); bilingual names such as ``"Окуповано /// Occupied"``
use the part after ``///``, and dates or numbers inside the name are dropped (``"Liberated 25.03"``
→ ``liberated``). Overlapping or nested polygons of one status and date are dissolved before
anything is measured.

Front line of a status polygon = its boundary inside the theatre. The theatre is ``--theatre
FILE`` or, by default, the convex hull of every polygon of every date: the boundary stretches
that lie on that hull (outermost coasts and borders) are not front, but concave coasts and
borders are, since no outline of the country is known. Give a theatre for exact fronts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .problems import Problem
from .theatre import WGS84, local_equal_area_crs, transform_geometries

DATE_PROPERTIES: tuple[str, ...] = (
    "date", "snapshot_utc", "snapshot_date", "datetime", "timestamp", "time", "day",
    "snapshot_unix",
)
STATUS_PROPERTIES: tuple[str, ...] = ("status", "controller", "name")
DEFAULT_STATUS = "held"
DEFAULT_BORDER_TOLERANCE_KM = 0.5
_FILE_DATE = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")
_SUFFIXES = (".geojson", ".json", ".geojson.gz", ".json.gz")


@dataclass(frozen=True, eq=False)
class AreaSnapshots:
    """Dissolved control polygons: ``frame`` [date (ISO text), status, features, geometry]
    (EPSG:4326, sorted by date then status); ``theatre`` the area fronts are measured in."""

    frame: gpd.GeoDataFrame
    theatre: shapely.Geometry
    theatre_source: str
    problems: tuple[Problem, ...]
    features_read: int
    files: tuple[str, ...]

    @property
    def dates(self) -> list[str]:
        return sorted(set(self.frame["date"]))

    def at(self, dates) -> gpd.GeoDataFrame:
        """The snapshot in force on each date (the latest on or before it), with ``date`` set to
        the asked date and ``snapshot`` to the snapshot's date; dates before the first snapshot
        get no rows."""
        asked = list(pd.to_datetime(pd.Index(np.atleast_1d(dates))).strftime("%Y-%m-%d"))
        known = np.array(self.dates, dtype=object)
        pos = np.searchsorted(known, np.array(asked, dtype=object), side="right") - 1
        pairs = pd.DataFrame({"date": asked, "snapshot": np.where(pos >= 0, known[pos], None)})
        pairs = pairs[pairs["snapshot"].notna()]
        merged = pairs.merge(self.frame.rename(columns={"date": "snapshot"}), on="snapshot")
        return gpd.GeoDataFrame(merged, geometry="geometry", crs=WGS84)


def read_areas(
    path: str | Path,
    *,
    date_property: str | None = None,
    status_property: str | None = None,
    status_merge: Mapping[str, str] | None = None,
    theatre: shapely.Geometry | None = None,
    theatre_source: str = "",
) -> AreaSnapshots:
    """Read dated control polygons from a directory of dated files or one file (see module doc).

    ``status_merge`` maps a status prefix to a status (``{"occupied": "occupied"}`` folds
    "occupied crimea" into "occupied"). Features without a usable date, status or polygon are
    reported in ``problems`` and left out; every feature read is either kept or reported.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file or directory", str(path))
    problems: list[Problem] = []
    if path.is_dir():
        frames, files = [], []
        for file in sorted(p for p in path.iterdir() if p.name.lower().endswith(_SUFFIXES)):
            match = _FILE_DATE.search(file.name)
            if match is None:
                problems.append(Problem(str(file), 0, "", file.name, "no date in the file name",
                                        "name dated files like occupied_2024-07-08.geojson",
                                        severity="warning", code="no-date", unit="file"))
                continue
            frame = _read_polygon_file(file)
            frame["_date"] = "-".join(match.groups())
            frame["_file"] = str(file)
            frames.append(frame)
            files.append(str(file))
        if not frames:
            raise ValueError(f"{path}: no dated GeoJSON files (names need YYYY-MM-DD or YYYYMMDD)")
        raw = pd.concat(frames, ignore_index=True)
    else:
        files = [str(path)]
        raw = _read_polygon_file(path)
        raw["_file"] = str(path)
        raw["_date"] = _dates_from_property(raw, path, date_property, problems)

    raw["_feature"] = raw.groupby("_file").cumcount()
    raw["_status"] = _statuses(raw, status_property, status_merge or {})
    features = _usable(raw, problems)
    dissolved = dissolve_areas(features)
    source = theatre_source or "convex hull of every polygon of every date"
    if theatre is None:
        theatre = shapely.convex_hull(shapely.geometrycollections(dissolved.geometry.values))
    return AreaSnapshots(
        frame=dissolved,
        theatre=theatre,
        theatre_source=source,
        problems=tuple(problems),
        features_read=len(raw),
        files=tuple(files),
    )


def dissolve_areas(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Union the polygons of each (date, status) — one vectorized ``union_all(axis=1)`` over a
    [groups × most polygons in a group] array — into [date, status, features, geometry]."""
    if len(features) == 0:
        return gpd.GeoDataFrame({"date": [], "status": [], "features": []},
                                geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    keys = features[["date", "status"]].astype(str)
    groups = keys.drop_duplicates().sort_values(["date", "status"]).reset_index(drop=True)
    group = pd.MultiIndex.from_frame(groups).get_indexer(pd.MultiIndex.from_frame(keys))
    order = np.argsort(group, kind="stable")
    counts = np.bincount(group, minlength=len(groups))
    slot = np.arange(len(group)) - np.repeat(np.cumsum(counts) - counts, counts)
    table = np.full((len(groups), counts.max()), None, dtype=object)
    table[group[order], slot] = features.geometry.values[order]
    unions = shapely.union_all(table, axis=1)
    return gpd.GeoDataFrame(
        {"date": groups["date"], "status": groups["status"], "features": counts},
        geometry=_polygons_only(np.asarray(unions, dtype=object)),
        crs=WGS84,
    )


def area_front_lines(
    snapshots: gpd.GeoDataFrame,
    theatre: shapely.Geometry,
    *,
    border_tolerance_km: float = DEFAULT_BORDER_TOLERANCE_KM,
) -> gpd.GeoDataFrame:
    """Front line of each status polygon: its boundary inside ``theatre``, leaving out what runs
    within ``border_tolerance_km`` of the theatre's edge. [date, status, length_km, geometry]."""
    geoms = snapshots.geometry.values
    bounds = shapely.total_bounds(np.append(geoms, theatre))
    local = local_equal_area_crs(bounds[[0, 2]], bounds[[1, 3]])
    projected = transform_geometries(np.asarray(geoms, dtype=object), WGS84, local)
    theatre_m = transform_geometries(theatre, WGS84, local)
    edge = shapely.boundary(theatre_m)
    if border_tolerance_km > 0:
        edge = shapely.buffer(edge, border_tolerance_km * 1000.0)
    inside = shapely.difference(shapely.intersection(shapely.boundary(projected), theatre_m), edge)
    lines = shapely.line_merge(_lines_only(np.asarray(inside, dtype=object)))
    extra = [c for c in snapshots.columns if c not in ("geometry", "features")]
    return gpd.GeoDataFrame(
        {**{c: snapshots[c].to_numpy() for c in extra},
         "length_km": np.round(shapely.length(lines) / 1000.0, 3)},
        geometry=transform_geometries(lines, local, WGS84),
        crs=WGS84,
    )


def status_text(value: object) -> str:
    """Canonical status from a polygon's label: the part after ``///`` when bilingual, without
    dates/numbers, lower-cased, spaces collapsed (``"Звільнено 25.03 /// Liberated 25.03"`` →
    ``liberated``)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value)
    parts = [p for p in text.split("///")]
    if len(parts) > 1:
        text = parts[1]
    text = re.sub(r"[\d]+([.:/\-–][\d]+)*", " ", text)
    text = re.sub(r"[\s\-–.,:;{}]+", " ", text)
    return text.strip().lower()


def _read_polygon_file(path: Path) -> gpd.GeoDataFrame:
    source = f"/vsigzip/{path}" if path.suffix == ".gz" else str(path)
    try:
        frame = gpd.read_file(source)
    except Exception as exc:  # pyogrio's DataSourceError family
        raise ValueError(f"{path}: cannot read polygons ({exc}); give GeoJSON files") from exc
    if frame.crs is not None and not frame.crs.equals(WGS84):
        frame = frame.to_crs(WGS84)
    return frame


def _dates_from_property(raw, path: Path, name: str | None, problems: list) -> pd.Series:
    if name is None:
        name = next((p for p in DATE_PROPERTIES if p in raw.columns), None)
        if name is None:
            raise ValueError(
                f"{path}: no date property in the features (looked for "
                f"{', '.join(DATE_PROPERTIES)}); name it with --date-property, or give a "
                "directory of files with the date in the file name"
            )
    elif name not in raw.columns:
        raise ValueError(f"{path}: no property '{name}' (properties: "
                         f"{', '.join(c for c in raw.columns if c != 'geometry')})")
    values = raw[name]
    if pd.api.types.is_numeric_dtype(values):  # epoch seconds (snapshot_unix)
        parsed = pd.to_datetime(values, unit="s", utc=True, errors="coerce")
    else:
        parsed = pd.to_datetime(values.astype(str), utc=True, errors="coerce", format="mixed")
    text = parsed.dt.strftime("%Y-%m-%d")
    for i in np.flatnonzero(parsed.isna().to_numpy()):
        problems.append(Problem(str(path), int(i), name, str(values.iloc[i]),
                                "not a date", "write dates as YYYY-MM-DD",
                                code="bad-date", unit="feature"))
    return text


def _statuses(raw, name: str | None, merge: Mapping[str, str]) -> pd.Series:
    if name is None:
        name = next((p for p in STATUS_PROPERTIES if p in raw.columns), None)
    elif name not in raw.columns:
        raise ValueError(f"no status property '{name}' (properties: "
                         f"{', '.join(c for c in raw.columns if c != 'geometry')})")
    if name is None:
        return pd.Series(DEFAULT_STATUS, index=raw.index)
    status = raw[name].map(status_text)
    if merge:
        rules = sorted(((k.strip().lower(), v) for k, v in merge.items()), key=lambda kv:
                       -len(kv[0]))
        status = status.map(lambda s: next((v for k, v in rules if s.startswith(k)), s))
    return status


def _usable(raw: gpd.GeoDataFrame, problems: list) -> gpd.GeoDataFrame:
    geoms = raw.geometry.values
    polygonal = np.isin(shapely.get_type_id(geoms), [3, 6]) & ~shapely.is_empty(geoms)
    ok = polygonal & raw["_date"].notna().to_numpy() & (raw["_status"] != "").to_numpy()
    for i in np.flatnonzero(~polygonal):
        problems.append(Problem(raw["_file"].iat[i], int(raw["_feature"].iat[i]), "geometry",
                                str(shapely.get_type_id(geoms[i])), "not a polygon",
                                "only Polygon/MultiPolygon features count as area",
                                severity="warning", code="not-polygon", unit="feature"))
    for i in np.flatnonzero(polygonal & (raw["_status"] == "").to_numpy()):
        problems.append(Problem(raw["_file"].iat[i], int(raw["_feature"].iat[i]), "status", "",
                                "no status text", "give each polygon a status or name",
                                severity="warning", code="no-status", unit="feature"))
    kept = raw[ok]
    valid = shapely.make_valid(shapely.force_2d(kept.geometry.values))
    columns = {"date": kept["_date"].to_numpy(), "status": kept["_status"].to_numpy()}
    geometry = _polygons_only(np.asarray(valid, dtype=object))
    return gpd.GeoDataFrame(columns, geometry=geometry, crs=WGS84)


def _polygons_only(geoms: np.ndarray) -> np.ndarray:
    return _keep_types(geoms, (3,), shapely.multipolygons, shapely.MultiPolygon())


def _lines_only(geoms: np.ndarray) -> np.ndarray:
    return _keep_types(geoms, (1,), shapely.multilinestrings, shapely.MultiLineString())


def _keep_types(geoms, types, build, empty) -> np.ndarray:
    parts, index = shapely.get_parts(geoms, return_index=True)
    keep = np.isin(shapely.get_type_id(parts), types)
    out = np.full(len(geoms), empty, dtype=object)
    if keep.any():
        present, dense = np.unique(index[keep], return_inverse=True)
        out[present] = build(parts[keep], indices=dense)
    simple = np.isin(shapely.get_type_id(geoms), types)  # keep single parts as they are
    out[simple] = geoms[simple]
    return out


__all__ = ["AreaSnapshots", "area_front_lines", "dissolve_areas", "read_areas", "status_text"]
