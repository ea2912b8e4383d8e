"""Write layers to disk by extension — GeoPackage, GeoParquet, GeoJSON or CSV — atomically.

Every writer renders the whole file first and swaps it into place through ``gazetteer._io``, so a
crash never leaves half a file. Same frame in → same bytes out (GeoPackage timestamps are pinned).
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from gazetteer._io import atomic_write_bytes, atomic_write_text

from .errors import OutputFormatError

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
    cats = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    if not cats:
        return frame
    out = frame.copy()
    for col in cats:
        out[col] = out[col].astype("string")
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
    out = _date_strings(frame)
    if isinstance(out, gpd.GeoDataFrame):
        geom = out.geometry
        out = pd.DataFrame(out.drop(columns=geom.name))
        out["geometry"] = geom.to_wkt().to_numpy()
    return out.to_csv(index=False, lineterminator="\n")
