"""The theatre (the area a map may claim) and the local equal-area frame the geometry works in.

All territory geometry is computed in metres in a Lambert azimuthal equal-area projection centred
on the data: areas are exact there, distances are within a fraction of a percent over a theatre
the size of Syria or Ukraine, and neighbouring cells keep exactly shared edges because every
coordinate goes through the same transform. Results are handed back in EPSG:4326.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
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


def read_theatre(path: str | Path) -> shapely.Geometry:
    """Read any polygon file (country outline, admin areas…) as ONE dissolved EPSG:4326 geometry.

    ``.gz`` files are read through GDAL's gzip reader. Non-polygon features are ignored; a file
    with no polygon at all is an error naming the file.
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
    geoms = frame.geometry.values
    polygonal = np.isin(shapely.get_type_id(geoms), [3, 6])
    if not polygonal.any():
        raise ValueError(
            f"{path}: no polygon features in the theatre file ({len(frame)} features read). "
            "Give a file with a country outline or admin-area polygons."
        )
    valid = shapely.make_valid(np.asarray(geoms[polygonal]))
    theatre = shapely.union_all(valid)
    return _polygonal_part(theatre)


def _polygonal_part(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygons of a geometry (make_valid/union can leave lines and points)."""
    parts = shapely.get_parts(geom)
    polys = parts[np.isin(shapely.get_type_id(parts), [3, 6])]
    if len(polys) == 0:
        return shapely.MultiPolygon()
    return shapely.union_all(polys)
