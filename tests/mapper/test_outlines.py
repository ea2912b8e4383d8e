"""Outlines drawn without tiles: any polygon file, TopoJSON included, clipped to the data."""

import json

import pytest
import shapely

from mapper.pipeline import read_outlines

# Two adjacent 10°×10° squares as TopoJSON: three arcs, the shared one used by both.
TOPO = {
    "type": "Topology",
    "objects": {"countries": {"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "arcs": [[0, 1]], "properties": {"name": "West"}},
        {"type": "Polygon", "arcs": [[2, -1]], "properties": {"name": "East"}},
    ]}},
    "arcs": [
        [[10, 0], [10, 10]],
        [[10, 10], [0, 10], [0, 0], [10, 0]],
        [[10, 10], [20, 10], [20, 0], [10, 0]],
    ],
}


@pytest.fixture
def topo_file(tmp_path):
    path = tmp_path / "countries.json"
    path.write_text(json.dumps(TOPO))
    return path


def test_topojson_borders_are_read_as_lines(topo_file):
    lines = read_outlines(topo_file)
    assert shapely.get_type_id(lines) == 5  # MultiLineString
    # both squares' boundaries: 2 × 40° of perimeter, the shared border drawn twice
    assert lines.length == pytest.approx(80)


def test_outlines_are_clipped_to_the_area_of_interest(topo_file):
    lines = read_outlines(topo_file, clip_to=(12, 2, 30, 8))
    minx, miny, maxx, maxy = lines.bounds
    assert minx >= 12 and maxx <= 30 and miny >= 2 and maxy <= 8
    assert lines.length == pytest.approx(6)  # only East's right edge crosses the box


def test_nothing_inside_the_area_is_a_clear_error(topo_file):
    with pytest.raises(ValueError, match="no polygons or lines"):
        read_outlines(topo_file, clip_to=(50, 50, 60, 60))


def test_unreadable_outlines_name_the_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="bad.json"):
        read_outlines(bad)
