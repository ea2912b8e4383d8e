"""Theatre files and the local equal-area frame."""

from __future__ import annotations

import json

import numpy as np
import pyproj
import pytest
import shapely

from layers.theatre import local_equal_area_crs, read_theatre, transform_geometries


def test_theatre_file_is_dissolved_and_non_polygons_ignored(tmp_path):
    path = tmp_path / "admin.geojson"
    feats = [{"type": "Feature", "properties": {"name": n},
              "geometry": shapely.geometry.mapping(g)} for n, g in [
                  ("a", shapely.box(0, 0, 1, 1)), ("b", shapely.box(1, 0, 2, 1)),
                  ("capital", shapely.Point(0.5, 0.5))]]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    theatre = read_theatre(path)
    assert theatre.area == pytest.approx(2.0)
    assert shapely.get_num_geometries(theatre) == 1


def test_theatre_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_theatre(tmp_path / "missing.geojson")
    points = tmp_path / "points.geojson"
    points.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point",
                                                           "coordinates": [0, 0]}}]}))
    with pytest.raises(ValueError, match="no polygon features"):
        read_theatre(points)
    junk = tmp_path / "junk.geojson"
    junk.write_text("not json")
    with pytest.raises(ValueError, match="cannot read"):
        read_theatre(junk)


def test_local_crs_is_equal_area_and_round_trips():
    crs = local_equal_area_crs(np.array([35.0, 42.0]), np.array([32.0, 37.0]))
    assert isinstance(crs, pyproj.CRS) and "Lambert Azimuthal Equal Area" in crs.to_wkt()
    box = shapely.box(36, 34, 37, 35)
    back = transform_geometries(transform_geometries(box, "EPSG:4326", crs), crs, "EPSG:4326")
    assert shapely.equals_exact(box, back, tolerance=1e-7)
    with pytest.raises(ValueError, match="empty"):
        local_equal_area_crs(np.array([]), np.array([]))
