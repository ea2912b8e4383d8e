"""Write layers to disk by extension — GeoPackage, GeoParquet, GeoJSON or CSV — atomically.

Every writer renders the whole file first and swaps it into place through ``gazetteer._io``, so a
crash never leaves half a file. Same frame in → same bytes out (GeoPackage timestamps are pinned).
"""

from __future__ import annotations

import base64
import io
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gazetteer._io import atomic_write_bytes, atomic_write_text

from .errors import OutputFormatError

if TYPE_CHECKING:
    import geopandas as gpd

EXTENSIONS: dict[str, str] = {".gpkg": "gpkg", ".parquet": "parquet", ".geoparquet": "parquet",
                              ".geojson": "geojson", ".json": "geojson", ".csv": "csv"}
# A fixed GeoPackage "last_change" keeps the bytes reproducible (GDAL reads OGR_CURRENT_DATE).
_GPKG_DATE = "2000-01-01T00:00:00.000Z"


def output_format(path: str | os.PathLike) -> str:
    """The format written for ``path``, from its extension; OutputFormatError if none fits."""
    ext = Path(path).suffix.lower()
    if ext not in EXTENSIONS:
        raise OutputFormatError(
            f"{path}: cannot write {ext or 'files without an extension'}; use "
            f"{', '.join(sorted(set(EXTENSIONS)))}")
    return EXTENSIONS[ext]


def write_frame(path: str | os.PathLike, frame: pd.DataFrame, *, layer: str | None = None) -> Path:
    """Write one (Geo)DataFrame to ``path``; the format follows the extension."""
    fmt = output_format(path)
    if fmt == "gpkg":
        return write_layers(path, {layer or Path(path).stem: frame})
    if fmt == "parquet":
        buf = io.BytesIO()
        # GeoParquet for a GeoDataFrame; categoricals become plain strings because GDAL (QGIS)
        # reads Arrow dictionary columns as integer codes.
        _plain_categoricals(frame).to_parquet(buf, index=False)
        return atomic_write_bytes(path, buf.getvalue())
    if fmt == "geojson":
        return atomic_write_text(path, _geojson(frame))
    return atomic_write_text(path, _csv(frame))


def write_slice(path: str | os.PathLike, piece, *, layer: str | None = None) -> Path:
    """Write a ``timeline.Slice`` to ``path``. GeoParquet is written straight from its columns
    with pyarrow: each place's geometry is encoded as WKB once and taken per row, and text is
    stored from its codes, so a slice of millions of place-dates never builds millions of
    geometries or strings. Other formats go through its GeoDataFrame (``write_frame``)."""
    if output_format(path) != "parquet":
        return write_frame(path, piece.to_geodataframe(), layer=layer)
    from .observations import is_geodataframe

    places = piece.places
    geometry = places.geometry if is_geodataframe(places) else LonLat(
        places["lon"].to_numpy(float), places["lat"].to_numpy(float))
    return atomic_write_bytes(path, memoryview(_geoparquet(
        piece.columns, geometry, rows=piece.place_rows)))


@dataclass(frozen=True)
class LonLat:
    """Points in EPSG:4326 given by their coordinates: a geometry column GeoParquet can store
    without building a geometry object (or importing geopandas and pyproj)."""

    lon: np.ndarray
    lat: np.ndarray
    name: str = "geometry"

    def __len__(self) -> int:
        return len(self.lon)


def geoparquet_bytes(frame: pd.DataFrame | Mapping[str, object],
                     geometry: gpd.GeoSeries | LonLat, *, rows: np.ndarray | None = None) -> bytes:
    """GeoParquet 1.1 (WKB, snappy) of ``frame``'s columns plus ``geometry.take(rows)`` as the
    last column, ``geometry`` (as geopandas writes it: the same schema, ``pandas`` and ``geo``
    metadata, so ``geopandas.read_parquet`` gives the GeoDataFrame back). Categoricals become
    plain strings (GDAL reads Arrow dictionaries as integer codes). ``frame`` may also be the
    columns of one as a mapping of name → array (numpy or pandas arrays, as a frame holds
    them). ``geometry`` may also be LonLat points, stored as the same points would be."""
    return _geoparquet(frame, geometry, rows=rows).to_pybytes()


def _geoparquet(frame, geometry: gpd.GeoSeries | LonLat, *, rows: np.ndarray | None = None):
    """``geoparquet_bytes`` as a pyarrow Buffer (no copy into a Python bytes object)."""
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = dict(frame.items()) if isinstance(frame, pd.DataFrame) else dict(frame)
    name = geometry.name or "geometry"
    if name in columns:
        raise ValueError(f"column {name!r} is both a column and the geometry")
    rows = np.arange(len(geometry)) if rows is None else np.asarray(rows, dtype=np.int64)
    used = np.flatnonzero(np.bincount(rows, minlength=len(geometry)))  # O(n), no sort
    position = np.zeros(len(geometry), dtype=np.int32)
    position[used] = np.arange(len(used))
    # each used place's WKB once; rows index it (a dictionary column: Parquet writes its pages
    # without hashing a million geometries; a missing geometry is a plain null instead)
    each, types, bounds, crs = _used_geometry(geometry, used)
    wkb = pa.DictionaryArray.from_arrays(position[rows], each) \
        if each.null_count == 0 else each.take(pa.array(position[rows]))
    # pandas metadata exactly as pyarrow writes it for the frame with plain strings
    head = _plain_categoricals(pd.DataFrame({c: v[:0] for c, v in columns.items()})
                               ).assign(**{name: None})
    schema = pa.Schema.from_pandas(head, preserve_index=False)
    # Categoricals stay Arrow dictionaries: Parquet stores them as dictionary pages without
    # hashing millions of strings again; the stored Arrow schema (below) says plain strings,
    # so every reader (pyarrow, geopandas, GDAL) reads text, as geopandas writes it.
    arrays = [_arrow_column(v, schema.field(c).type, dictionary=True)
              for c, v in columns.items()]
    meta = {"ARROW:extension:name": "geoarrow.wkb",
            "ARROW:extension:metadata": json.dumps({"crs": crs}) if crs is not None else "{}"}
    fields = [pa.field(c, a.type) for c, a in zip(columns, arrays, strict=True)]
    plain = [pa.field(f.name, schema.field(f.name).type) if pa.types.is_dictionary(f.type)
             else f for f in fields]
    fields.append(pa.field(name, wkb.type, nullable=True, metadata=meta))
    plain.append(pa.field(name, pa.binary(), nullable=True, metadata=meta))
    column = {"encoding": "WKB", "crs": _without_member_ids(crs), "geometry_types": types,
              "bbox": [float(np.nanmin(bounds[:, 0])), float(np.nanmin(bounds[:, 1])),
                       float(np.nanmax(bounds[:, 2])), float(np.nanmax(bounds[:, 3]))]}
    geo = {"primary_column": name, "columns": {name: column}, "version": "1.1.0",
           "creator": {"library": "frontline layers.io", "version": "1"}}
    metadata = {**schema.metadata, b"geo": json.dumps(geo).encode("utf-8")}
    # the Arrow schema readers restore (what pyarrow stores as ARROW:schema), with plain strings
    metadata[b"ARROW:schema"] = base64.b64encode(
        pa.schema(plain, metadata=metadata).serialize().to_pybytes())
    table = pa.Table.from_arrays([*arrays, wkb], schema=pa.schema(fields))
    buf = pa.BufferOutputStream()
    # statistics for the numbers and dates only: min/max of millions of strings cost a quarter
    # of the write and no reader filters on them
    stats = [f.name for f in plain if not pa.types.is_large_string(f.type)
             and not pa.types.is_string(f.type) and f.name != name]
    # Integers (row numbers: nearly all distinct) are delta-encoded: a dictionary would be
    # hashed, outgrow its page and be thrown away. Everything else tries a dictionary (the
    # dictionary columns have theirs already; dates and confidences repeat a lot).
    ints = [f.name for f in fields if pa.types.is_integer(f.type)]
    with pq.ParquetWriter(buf, table.schema, compression="snappy", write_statistics=stats,
                          use_dictionary=[f.name for f in fields if f.name not in ints],
                          column_encoding=dict.fromkeys(ints, "DELTA_BINARY_PACKED") or None,
                          store_schema=False) as writer:
        writer.write_table(table, row_group_size=max(len(table), 1))
        writer.add_key_value_metadata(metadata)
    return buf.getvalue()


def _used_geometry(geometry, used: np.ndarray):
    """(WKB of the ``used`` geometries as an Arrow array, their GeoParquet geometry types,
    bounds as an (n, 4) array, the CRS as PROJJSON) of a GeoSeries or LonLat points."""
    if isinstance(geometry, LonLat):
        xy = np.column_stack([geometry.lon[used], geometry.lat[used]])
        if np.isfinite(xy).all():
            bounds = np.column_stack([xy, xy]) if len(used) else np.full((1, 4), np.nan)
            return _point_wkb(xy), ["Point"] if len(used) else [], bounds, _wgs84()
        import geopandas as gpd  # a missing coordinate: an empty point, as geopandas makes it

        geometry = gpd.GeoSeries(gpd.points_from_xy(geometry.lon, geometry.lat),
                                 crs="EPSG:4326", name=geometry.name)
    import shapely

    shapes = np.asarray(geometry.array)[used]
    kinds = shapely.get_type_id(shapes) + 8 * shapely.has_z(shapes)
    types = sorted(_GEOMETRY_TYPES[k] for k in np.unique(kinds) if k >= 0)
    bounds = shapely.bounds(shapes) if len(used) else np.full((1, 4), np.nan)
    crs = geometry.crs.to_json_dict() if geometry.crs is not None else None
    return _wkb(shapes), types, bounds, crs


def _wgs84() -> dict:
    """EPSG:4326 as PROJJSON, as pyproj gives it (stored: a slice to GeoParquet need not import
    pyproj; tests/layers/test_io.py checks it against pyproj's)."""
    import json
    from importlib import resources

    return json.loads(resources.files("layers").joinpath("data/epsg4326.projjson").read_text(
        encoding="utf-8"))


def _wkb(shapes: np.ndarray):
    """ISO WKB of ``shapes`` as an Arrow binary array, as ``shapely.to_wkb(flavor="iso")``
    writes it; plain 2D points (the usual places) are packed by numpy (``_point_wkb``)."""
    import pyarrow as pa
    import shapely

    if len(shapes) and (shapely.get_type_id(shapes) == 0).all() \
            and not shapely.has_z(shapes).any() and not shapely.is_empty(shapes).any():
        return _point_wkb(shapely.get_coordinates(shapes))
    return pa.array(shapely.to_wkb(shapes, flavor="iso"), pa.binary())


def _point_wkb(xy: np.ndarray):
    """ISO WKB of 2D points (an (n, 2) array of x, y) as an Arrow binary array, 21 bytes each:
    byte order 1 (little endian), type 1 as uint32, x and y as float64."""
    import pyarrow as pa

    n = len(xy)
    packed = np.zeros(n, dtype=[("order", "u1"), ("kind", "<u4"), ("xy", "<f8", 2)])
    packed["order"], packed["kind"] = 1, 1
    packed["xy"] = xy
    offsets = np.arange(0, 21 * (n + 1), 21, dtype=np.int32)
    return pa.Array.from_buffers(pa.binary(), n, [None, pa.py_buffer(offsets),
                                                  pa.py_buffer(packed.tobytes())])


_GEOMETRY_TYPES = {i + 8 * z: n + (" Z" if z else "") for z in (0, 1) for i, n in enumerate((
    "Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
    "MultiPolygon", "GeometryCollection"))}


def _without_member_ids(crs: dict | None) -> dict | None:
    """PROJJSON without the ids of datum-ensemble members (as geopandas and GDAL write it:
    older PROJ versions do not know them)."""
    if not isinstance(crs, dict):
        return crs
    out = {}
    for key, value in crs.items():
        if isinstance(value, dict):
            value = _without_member_ids(value)
        elif key == "members" and isinstance(value, list):
            value = [{k: v for k, v in m.items() if k != "id"} if isinstance(m, dict) else m
                     for m in value]
        out[key] = value
    return out


def _arrow_column(values, target, *, dictionary: bool = False):
    """One column (a Series, or a numpy or pandas array) as an Arrow array of ``target`` type;
    categoricals through their codes (kept as a dictionary of ``target`` values with
    ``dictionary``)."""
    import pyarrow as pa

    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.array if isinstance(values, pd.Series) else values
        codes = values.codes
        cats = pa.array(np.asarray(values.categories, dtype=object), pa.large_string()
                        if pa.types.is_large_string(target) else None)
        missing = codes < 0
        # a Categorical's codes are in range by construction: no bounds check of a million
        out = pa.DictionaryArray.from_arrays(
            pa.array(codes, mask=missing if missing.any() else None), cats, safe=False)
        if dictionary and out.dictionary.type == target:
            return out
        return out.cast(target)
    if isinstance(values, np.ndarray) and values.dtype.kind in "mMf":
        # NaT / NaN are nulls (as from_pandas makes them), found by numpy's SIMD kernels, and
        # the values are used as they are, without Arrow's per-value null scan
        missing = np.isnan(values) if values.dtype.kind == "f" else \
            values.view(np.int64) == np.iinfo(np.int64).min  # NaT (faster than np.isnat)
        return pa.array(values, type=target, mask=missing if missing.any() else None)
    return pa.array(values, type=target, from_pandas=True)


def write_layers(path: str | os.PathLike, layers: Mapping[str, pd.DataFrame]) -> Path:
    """Write several named layers: one GeoPackage with a layer each (``.gpkg``), or, for the
    single-layer formats, ``<stem>.<name><ext>`` next to ``path``; returns ``path``."""
    fmt = output_format(path)
    path = Path(path)
    if fmt != "gpkg":
        if len(layers) == 1:
            return write_frame(path, next(iter(layers.values())))
        for name, frame in layers.items():
            write_frame(path.with_name(f"{path.stem}.{name}{path.suffix}"), frame)
        return path
    import geopandas as gpd
    import pyogrio

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}.") as tmp:
        staged = Path(tmp) / path.name
        old = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _GPKG_DATE})
        try:
            for name, frame in layers.items():
                gdf = frame if isinstance(frame, gpd.GeoDataFrame) else gpd.GeoDataFrame(frame)
                pyogrio.write_dataframe(_for_ogr(gdf), staged, layer=name, driver="GPKG",
                                        append=staged.exists())
        finally:
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": old})
        os.replace(staged, path)
    return path


def _plain_categoricals(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as strings, cast in Arrow (from the codes, not per value)."""
    cats = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    if not cats:
        return frame
    import pyarrow as pa

    out = frame.copy()
    for col in cats:
        values = out[col]
        text = _arrow_column(values, pa.large_string()) if pd.api.types.is_string_dtype(
            values.cat.categories) else None
        out[col] = pd.Series(pd.array(text, dtype="string") if text is not None
                             else values.astype("string"), index=values.index)
    return out


def _for_ogr(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """OGR has no nullable-string or bool-with-NA types: cast them to plain object columns."""
    out = gdf.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        if isinstance(out[col].dtype, pd.StringDtype) or out[col].dtype == "str":
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out


def _date_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Datetime columns at midnight → ``YYYY-MM-DD`` text (what people expect in CSV/GeoJSON)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            s = out[col]
            midnight = (s.dropna() == s.dropna().dt.normalize()).all()
            text = s.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%dT%H:%M:%S")
            out[col] = text.astype(object).where(s.notna(), None)
    return out


def _geojson(frame: pd.DataFrame) -> str:
    import geopandas as gpd

    gdf = frame if isinstance(frame, gpd.GeoDataFrame) else gpd.GeoDataFrame(frame)
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    out = _date_strings(gdf)
    for col in out.columns:
        if col != out.geometry.name and isinstance(out[col].dtype, pd.StringDtype | type(
                pd.Series(dtype="str").dtype)):
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out.to_json(drop_id=True, ensure_ascii=False) + "\n"


def _csv(frame: pd.DataFrame) -> str:
    import geopandas as gpd

    out = _date_strings(frame)
    if isinstance(out, gpd.GeoDataFrame):
        geom = out.geometry
        out = pd.DataFrame(out.drop(columns=geom.name))
        out["geometry"] = geom.to_wkt().to_numpy()
    return out.to_csv(index=False, lineterminator="\n")
