"""The theatre (the area a map may claim) and the local equal-area frame the geometry works in.

All territory geometry is computed in metres in a Lambert azimuthal equal-area projection centred
on the data: areas are exact there, distances are within a fraction of a percent over a theatre
the size of Syria or Ukraine, and neighbouring cells keep exactly shared edges because every
coordinate goes through the same transform. Results are handed back in EPSG:4326.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import shapely

WGS84 = "EPSG:4326"


def local_equal_area_crs(lon: np.ndarray, lat: np.ndarray) -> pyproj.CRS:
    """A Lambert azimuthal equal-area CRS centred on the middle of the given coordinates."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.size == 0:
        raise ValueError("cannot centre a projection on zero places: the place set is empty")
    lon0 = float(np.round((np.nanmin(lon) + np.nanmax(lon)) / 2, 3))
    lat0 = float(np.round((np.nanmin(lat) + np.nanmax(lat)) / 2, 3))
    return pyproj.CRS.from_proj4(
        f"+proj=laea +lat_0={lat0} +lon_0={lon0} +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
    )


def transform_geometries(geoms, source, target):
    """Reproject a shapely geometry or array of geometries (vectorized over coordinates)."""
    transformer = pyproj.Transformer.from_crs(source, target, always_xy=True)

    def _apply(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, _apply)


@dataclass(frozen=True)
class Theatre:
    """The area a map may claim (EPSG:4326 polygons), where it came from, and what reading it
    repaired or dropped (one line each, for the report)."""

    geometry: shapely.Geometry
    source: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class TheatreSettings:
    """The ``[theatre]`` table of a factions file: ``countries`` (ISO 3166-1 alpha-2 codes whose
    outline is the default theatre) and ``unknown_beyond_km`` (land farther than this from every
    observed place is ``unknown``; None = every point belongs to its nearest place)."""

    countries: tuple[str, ...] = ()
    unknown_beyond_km: float | None = None


def theatre_settings(factions_path: str | Path | None) -> TheatreSettings:
    """Read the ``[theatre]`` table of a factions file (absent table: no default theatre)."""
    if not factions_path or not Path(factions_path).is_file():
        return TheatreSettings()
    data = tomllib.loads(Path(factions_path).read_text(encoding="utf-8-sig"))
    table = data.get("theatre", {})
    where = f"{factions_path}: [theatre]"
    if not isinstance(table, dict):
        raise ValueError(f"{where} should be a table, e.g. [theatre] countries = [\"SY\"]")
    countries = table.get("countries", [])
    if isinstance(countries, str):
        countries = [countries]
    if not isinstance(countries, list) or not all(isinstance(c, str) for c in countries):
        raise ValueError(f"{where} countries = {countries!r}: give a list of ISO 3166-1 "
                         "alpha-2 codes, e.g. countries = [\"SY\"]")
    limit = table.get("unknown_beyond_km")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int | float)
                              or not limit > 0):
        raise ValueError(f"{where} unknown_beyond_km = {limit!r}: give a distance in km > 0, "
                         "or leave it out (every point then belongs to its nearest place)")
    return TheatreSettings(countries=tuple(c.strip().upper() for c in countries),
                           unknown_beyond_km=None if limit is None else float(limit))


def resolve_theatre(path: str | Path | None, *, factions_path: str | Path | None = None
                    ) -> Theatre | None:
    """The theatre a command uses: ``path`` (``--theatre FILE``) when given, else the outline of
    the factions file's ``[theatre] countries``, else None (cells capped around their places)."""
    if path is not None:
        return read_theatre_file(path)
    settings = theatre_settings(factions_path)
    if not settings.countries:
        return None
    from .countries import NE_SOURCE, country_outline

    return Theatre(geometry=_polygonal_part(country_outline(settings.countries)),
                   source=f"{', '.join(settings.countries)} ({NE_SOURCE})")


def read_theatre(path: str | Path) -> shapely.Geometry:
    """Read any polygon file as ONE dissolved EPSG:4326 geometry (see ``read_theatre_file``)."""
    return read_theatre_file(path).geometry


def read_theatre_file(path: str | Path) -> Theatre:
    """Read any polygon file (country outline, admin areas…) as ONE dissolved EPSG:4326 geometry.

    Polygons, MultiPolygons (islands, holes) and the polygons inside GeometryCollections are
    kept; invalid rings are repaired (``make_valid``) and lines and points dropped, each
    reported as a warning. ``.gz`` files are read through GDAL's gzip reader. A file with no
    polygon at all is an error naming the file.
    """
    import geopandas as gpd

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file", str(path))
    source = f"/vsigzip/{path}" if path.suffix == ".gz" else str(path)
    try:
        frame = gpd.read_file(source)
    except Exception as exc:  # pyogrio raises its own DataSourceError family
        raise ValueError(
            f"{path}: cannot read the theatre file ({exc}). Give a GeoJSON, GeoPackage or "
            "Shapefile with polygon features."
        ) from exc
    if frame.crs is not None and not frame.crs.equals(WGS84):
        frame = frame.to_crs(WGS84)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    present = ~pd.isna(geoms)
    present[present] = ~shapely.is_empty(geoms[present])
    parts, feature = shapely.get_parts(geoms[present], return_index=True)
    feature = np.flatnonzero(present)[feature]
    while (nested := shapely.get_type_id(parts) == 7).any():  # collections inside collections
        inner, where = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], inner])
        feature = np.concatenate([feature[~nested], feature[nested][where]])
    polygonal = np.isin(shapely.get_type_id(parts), [3, 6])
    warnings: list[str] = []
    dropped = np.unique(feature[~polygonal & ~shapely.is_empty(parts)])
    if len(dropped):
        warnings.append(f"{path}: lines/points of {len(dropped)} feature(s) dropped (feature "
                        f"{_listed(dropped)}); only polygons bound a theatre")
    if not polygonal.any():
        raise ValueError(
            f"{path}: no polygon features in the theatre file ({len(frame)} features read). "
            "Give a file with a country outline or admin-area polygons."
        )
    polys, feature = parts[polygonal], feature[polygonal]
    invalid = ~shapely.is_valid(polys)
    if invalid.any():
        reasons = shapely.is_valid_reason(polys[invalid])
        warnings.append(f"{path}: {int(invalid.sum())} invalid polygon(s) repaired (feature "
                        f"{_listed(np.unique(feature[invalid]))}: {reasons[0]}); check the "
                        "outline if the map looks wrong there")
        polys = polys.copy()
        polys[invalid] = shapely.make_valid(polys[invalid])
    theatre = _polygonal_part(shapely.union_all(polys))
    if shapely.is_empty(theatre) or shapely.area(theatre) <= 0:
        raise ValueError(f"{path}: the theatre's polygons have no area ({len(frame)} features "
                         "read). Give a file with a country outline or admin-area polygons.")
    return Theatre(geometry=theatre, source=str(path), warnings=tuple(warnings))


def _listed(indices: np.ndarray, shown: int = 5) -> str:
    text = ", ".join(str(int(i) + 1) for i in indices[:shown])
    return text + (f" and {len(indices) - shown} more" if len(indices) > shown else "")


def _polygonal_part(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygons of a geometry (make_valid/union can leave lines and points)."""
    parts = shapely.get_parts(geom)
    polys = parts[np.isin(shapely.get_type_id(parts), [3, 6])]
    if len(polys) == 0:
        return shapely.MultiPolygon()
    return shapely.union_all(polys)
