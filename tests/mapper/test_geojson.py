"""The bundle's GeoJSON text (mapper/geojson.py) is the bytes layers.io.write_frame writes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from layers.io import write_frame
from mapper.geojson import VertexText, geojson_by, geojson_text, geometry_json

HOLE = shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (2, 1), (2, 2), (1, 2)]])
MULTI = shapely.MultiPolygon([HOLE, shapely.box(5.125, 5, 6, 6.3333333333333)])
LINE = shapely.LineString([(0.1, 0.2), (0.30000000000000004, 1e-7), (36.2, 35.0)])
MULTILINE = shapely.MultiLineString([LINE, [(1, 1), (2, 3)]])

CASES = {
    "polygons": [HOLE, shapely.box(0, 0, 1, 1)],
    "multipolygons": [MULTI, shapely.MultiPolygon([shapely.box(0, 0, 1, 1)])],
    "mixed polygonal and empty": [HOLE, MULTI, shapely.Polygon(), shapely.MultiPolygon(),
                                  None],
    "lines": [LINE, shapely.LineString([(3, 4), (5, 6)])],
    "mixed linear and empty": [LINE, MULTILINE, shapely.LineString(),
                               shapely.MultiLineString()],
    "other types and negative zero": [shapely.Point(-0.0, 0.0), HOLE,
                                      shapely.GeometryCollection([LINE]),
                                      shapely.box(-0.0, 0.0, 1, 1)],
    "nothing": [],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_bytes_as_write_frame(case, tmp_path):
    geoms = CASES[case]
    frame = gpd.GeoDataFrame({
        "date": [f"2020-01-0{i % 9 + 1}" for i in range(len(geoms))],
        "controller": [f'side "{i}" <b> "geometry": null' for i in range(len(geoms))],
        "places": np.arange(len(geoms), dtype=np.int64),
        "area_km2": np.linspace(0.1, 7.7, len(geoms)),
    }, geometry=gpd.GeoSeries(geoms, dtype="geometry"), crs="EPSG:4326")
    write_frame(tmp_path / "a.geojson", frame)
    assert geojson_text(frame) == (tmp_path / "a.geojson").read_text(encoding="utf-8")


def test_geometry_json_of_a_missing_geometry_is_none():
    assert geometry_json(np.array([None, LINE], dtype=object))[0] is None


def test_known_vertices_give_the_same_text(tmp_path):
    geoms = CASES["other types and negative zero"] + CASES["mixed polygonal and empty"]
    frame = gpd.GeoDataFrame({"n": np.arange(len(geoms))},
                             geometry=gpd.GeoSeries(geoms, dtype="geometry"), crs="EPSG:4326")
    write_frame(tmp_path / "a.geojson", frame)
    expected = (tmp_path / "a.geojson").read_text(encoding="utf-8")
    # some vertices known, some not, zeros of both signs among them
    known = VertexText.of([HOLE, shapely.box(-0.0, 0.0, 1, 1), LINE])
    assert geojson_text(frame, vertices=known) == expected
    assert geojson_text(frame, vertices=VertexText(np.empty((0, 2)))) == expected


def test_one_text_per_date_is_each_date_written_alone(tmp_path):
    geoms = [MULTI, None, LINE, HOLE, shapely.Polygon(), MULTILINE]
    frame = gpd.GeoDataFrame({
        "date": ["2020-01-02", "2020-01-01", "2020-01-02", "2020-01-03", "2020-01-02",
                 "2020-01-01"],
        "controller": ['a "}, {" b', "ح", None, "x}]}", "", "z"],
        "edges": np.arange(6, dtype=np.int64),
        "length_km": [0.5, np.nan, 2.25, 1e-9, 3.0, 12345.678],
    }, geometry=gpd.GeoSeries(geoms, dtype="geometry"), crs="EPSG:4326")
    dates = ["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-04"]  # the last has no rows
    texts = geojson_by(frame, "date", dates,
                       vertices=VertexText.of([HOLE, LINE, shapely.box(0, 0, 1, 1)]))
    for date, text in zip(dates, texts, strict=True):
        write_frame(tmp_path / f"{date}.geojson",
                    frame[frame["date"] == date].reset_index(drop=True))
        assert text == (tmp_path / f"{date}.geojson").read_text(encoding="utf-8"), date
    # datetime dates take the per-file path: written as YYYY-MM-DD, the same bytes
    stamped = frame.assign(date=pd.to_datetime(frame["date"]))
    assert geojson_by(stamped, "date", pd.to_datetime(dates).to_numpy()) == texts
