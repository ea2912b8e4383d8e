"""layers/crs.py: which stored CRS need a transform to lon/lat, and the transform itself."""

from __future__ import annotations

import numpy as np
import pytest

from layers.crs import lonlat_transform


@pytest.mark.parametrize("crs", [None, "OGC:CRS84", "urn:ogc:def:crs:OGC:1.3:CRS84",
                                 "urn:ogc:def:crs:EPSG::4326", "EPSG:4326",
                                 {"id": {"authority": "EPSG", "code": 4326}},
                                 {"id": {"authority": "OGC", "code": "CRS84"}}])
def test_lon_lat_needs_no_transform(crs):
    assert lonlat_transform(crs, "f") is None


def test_projected_metres_become_lon_lat():
    from pyproj import Transformer

    lon, lat = np.array([36.3, 38.28]), np.array([33.4, 34.55])
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True).transform(lon, lat)
    back = lonlat_transform("urn:ogc:def:crs:EPSG::3857", "f")(x, y)
    assert np.allclose(back, (lon, lat), atol=1e-9)
    # a geographic CRS other than WGS 84 is transformed too (NAD27 differs by metres)
    assert lonlat_transform("EPSG:4267", "f") is not None


def test_an_unreadable_crs_raises_the_callers_error():
    class Mine(ValueError):
        pass

    with pytest.raises(Mine, match=r"x\.geojson: the crs member names a CRS pyproj cannot read"
                                   r" .*re-save the file in EPSG:4326"):
        lonlat_transform("urn:made:up", "x.geojson: the crs member", error=Mine)
