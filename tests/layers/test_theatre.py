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


# --- issue 16: country outlines, repaired/dropped parts reported, the factions file's theatre ---

from layers.countries import CountryNotFound, country_outline  # noqa: E402
from layers.stats import equal_area_km2  # noqa: E402
from layers.theatre import read_theatre_file, resolve_theatre, theatre_settings  # noqa: E402


@pytest.mark.parametrize(("code", "low", "high", "point"), [
    ("SY", 180_000, 192_000, (38.0, 35.0)),      # Syria ≈ 185,180 km²
    ("LB", 9_500, 11_000, (35.8, 33.9)),
    ("UA", 570_000, 610_000, (31.0, 49.0)),
    ("SD", 1_800_000, 1_900_000, (30.0, 15.0)),
])
def test_country_outline_by_iso_code(code, low, high, point):
    outline = country_outline([code])
    assert shapely.is_valid(outline) and shapely.get_type_id(outline) in (3, 6)
    assert low < equal_area_km2([outline])[0] < high
    assert outline.contains(shapely.Point(*point))


def test_country_outline_errors_name_the_code():
    with pytest.raises(ValueError, match="alpha-2"):
        country_outline(["Syria"])
    with pytest.raises(CountryNotFound, match="QQ"):
        country_outline(["QQ"])
    with pytest.raises(ValueError, match="no country codes"):
        country_outline([])


def _write(path, geoms):
    feats = [{"type": "Feature", "properties": {},
              "geometry": shapely.geometry.mapping(g)} for g in geoms]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return path


def test_collections_invalid_rings_and_lines_are_reported(tmp_path):
    bowtie = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2), (0, 0)])  # self-crossing ring
    collection = shapely.GeometryCollection([shapely.box(5, 0, 6, 1),
                                             shapely.LineString([(7, 0), (8, 1)])])
    island = shapely.MultiPolygon([shapely.box(10, 0, 11, 1), shapely.box(12, 0, 13, 1)])
    holed = shapely.box(20, 0, 23, 3).difference(shapely.box(21, 1, 22, 2))
    path = _write(tmp_path / "mixed.geojson",
                  [bowtie, collection, island, holed, shapely.Point(30, 0)])
    theatre = read_theatre_file(path)
    assert theatre.geometry.area == pytest.approx(2.0 + 1 + 2 + 8)
    text = " ".join(theatre.warnings)
    assert "1 invalid polygon(s) repaired (feature 1" in text
    assert "lines/points of 2 feature(s) dropped (feature 2, 5)" in text
    assert str(path) in text


def test_lines_only_file_is_an_error(tmp_path):
    path = _write(tmp_path / "lines.geojson", [shapely.LineString([(0, 0), (1, 1)])])
    with pytest.raises(ValueError, match="no polygon"):
        read_theatre_file(path)


def test_factions_file_names_the_default_theatre(tmp_path):
    from layers.factions import default_factions_path

    assert theatre_settings(default_factions_path()).countries == ("SY",)
    syria = resolve_theatre(None, factions_path=default_factions_path())
    assert syria is not None and "SY" in syria.source
    assert syria.geometry.contains(shapely.Point(36.3, 33.5))  # Damascus
    assert resolve_theatre(None, factions_path=None) is None
    custom = tmp_path / "f.toml"
    custom.write_text('[theatre]\ncountries = ["ua"]\nunknown_beyond_km = 40\n')
    assert theatre_settings(custom).countries == ("UA",)
    assert theatre_settings(custom).unknown_beyond_km == 40.0
    custom.write_text('[theatre]\nunknown_beyond_km = -3\n')
    with pytest.raises(ValueError, match="unknown_beyond_km"):
        theatre_settings(custom)
    custom.write_text('[theatre]\ncountries = 7\n')
    with pytest.raises(ValueError, match="countries"):
        theatre_settings(custom)
