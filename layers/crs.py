"""Coordinates stored in another CRS, as lon/lat: the one place the readers of points
(events files) and polygons (admin layers) decide whether, and how, to transform."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

# CRS ids whose x, y are already longitude, latitude in WGS 84 (no transform, no pyproj import)
_LONLAT_IDS = {("EPSG", 4326), ("EPSG", "4326"), ("OGC", "CRS84")}

Transform = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def lonlat_transform(crs, where: str, *, error: type[Exception] = ValueError
                     ) -> Transform | None:
    """A function (x, y) → (lon, lat) in WGS 84 for coordinates stored in ``crs`` (PROJJSON as
    GeoParquet stores it, or a name such as ``urn:ogc:def:crs:EPSG::3857`` as older GeoJSON
    does), or None when they are lon/lat already: CRS84 or EPSG:4326 (found by id or name
    without importing pyproj) or no CRS at all (read as lon/lat; the coordinate checks catch
    projected metres). Files store x, y (easting or longitude first) whatever the CRS's axis
    order, hence ``always_xy``. A CRS pyproj cannot read raises ``error`` naming ``where``."""
    if crs is None or (isinstance(crs, str) and crs.upper().replace("::", ":").endswith(
            ("CRS84", "EPSG:4326"))):  # "OGC:CRS84", "urn:ogc:def:crs:EPSG::4326" …
        return None
    ident = crs.get("id") if isinstance(crs, dict) else None
    if isinstance(ident, dict) and (ident.get("authority"), ident.get("code")) in _LONLAT_IDS:
        return None
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        source = CRS.from_user_input(crs)
    except CRSError as exc:
        raise error(f"{where} names a CRS pyproj cannot read ({exc}); re-save the file in "
                    "EPSG:4326 (longitude, latitude)") from None
    if source.equals("OGC:CRS84", ignore_axis_order=True):
        return None
    return Transformer.from_crs(source, "OGC:CRS84", always_xy=True).transform
