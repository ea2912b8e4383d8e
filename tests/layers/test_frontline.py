"""Front lines: shared edges between cells of two different known controllers, line-merged per
slice and pair, lying exactly on both territories' boundaries."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings

from layers.cells import build_cells
from layers.frontline import front_line_codes, front_lines_frame
from layers.territory import dissolve_codes
from tests.layers.geometry_cases import places, scenes


def _segments(lines: np.ndarray) -> np.ndarray:
    """Every two-point segment of the given lines."""
    parts = shapely.get_parts(lines)
    coords, index = shapely.get_coordinates(parts, return_index=True)
    same = index[1:] == index[:-1]
    return shapely.linestrings(np.stack([coords[:-1][same], coords[1:][same]], axis=1))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenes(max_slices=3))
def test_every_front_segment_lies_between_cells_of_two_different_controllers(scene):
    coords, codes, radius = scene
    topo = build_cells(places(coords), max_radius_km=radius)
    fronts = front_line_codes(topo, codes)
    site_codes = topo.site_codes(codes)
    tree = shapely.STRtree(topo.cells)
    for k in range(len(fronts.side_a)):
        assert fronts.side_a[k] < fronts.side_b[k]
        d = fronts.slice_index[k]
        segments = _segments(fronts.geometry[k : k + 1])
        middles = shapely.line_interpolate_point(segments, 0.5, normalized=True)
        seg, cell = tree.query(middles, predicate="dwithin", distance=1e-6)
        for s in range(len(segments)):
            sides = set(site_codes[d, cell[seg == s]].tolist())
            assert {int(fronts.side_a[k]), int(fronts.side_b[k])} <= sides


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenes(max_slices=3))
def test_front_is_the_common_boundary_of_the_two_territories(scene):
    coords, codes, radius = scene
    topo = build_cells(places(coords), max_radius_km=radius)
    fronts = front_line_codes(topo, codes)
    terr = dissolve_codes(topo, codes)
    polygon = {(int(d), int(c)): g for d, c, g in
               zip(terr.slice_index, terr.code, terr.geometry, strict=True)}
    found = {(int(d), int(a), int(b)) for d, a, b in
             zip(fronts.slice_index, fronts.side_a, fronts.side_b, strict=True)}
    for d in range(codes.shape[0]):
        factions = sorted(c for (dd, c) in polygon if dd == d)
        for i, a in enumerate(factions):
            for b in factions[i + 1:]:
                common = shapely.intersection(shapely.boundary(polygon[(d, a)]),
                                              shapely.boundary(polygon[(d, b)]))
                length = shapely.length(common)
                if (d, a, b) in found:
                    k = [n for n in range(len(fronts.side_a)) if (fronts.slice_index[n],
                         fronts.side_a[n], fronts.side_b[n]) == (d, a, b)][0]
                    assert shapely.length(fronts.geometry[k]) == pytest.approx(length, rel=1e-9,
                                                                               abs=1e-6)
                else:
                    assert length == pytest.approx(0, abs=1e-6)


def test_straight_front_between_two_halves_is_one_merged_line():
    coords = [(36 + 0.05 * i, 35 + 0.05 * j) for i in range(10) for j in range(10)]
    topo = build_cells(places(coords), max_radius_km=20)
    x = np.array([c[0] for c in coords])
    codes = (x > 36.22).astype(np.int64)
    fronts = front_line_codes(topo, codes)
    assert len(fronts.side_a) == 1 and fronts.edges[0] == 10
    assert shapely.get_type_id(fronts.geometry[0]) == 1  # one LineString after line_merge
    assert shapely.length(fronts.geometry[0]) / 1000 > 9 * 0.05 * 111 * 0.99


def test_unknown_places_make_no_front():
    topo = build_cells(places([(36, 35), (36.1, 35), (36.2, 35)]), max_radius_km=20)
    fronts = front_line_codes(topo, np.array([[0, -1, 1], [0, 0, 0]]))
    assert len(fronts.side_a) == 0


def test_frame_sorts_the_pair_by_label_and_reports_length():
    topo = build_cells(places([(36, 35), (36.1, 35)]), max_radius_km=20)
    frame = front_lines_frame(topo, np.array([[0, 1], [1, 0]]), dates=["d1", "d2"],
                              labels=["zeta", "alpha"])
    assert frame[["date", "side_a", "side_b", "edges"]].values.tolist() == [
        ["d1", "alpha", "zeta", 1], ["d2", "alpha", "zeta", 1]]
    assert frame["length_km"].iloc[0] == pytest.approx(shapely.length(topo.edges[0]) / 1000)
    assert frame.crs.to_epsg() == 4326


def test_shared_edge_cut_by_the_theatre_is_a_front_in_two_pieces():
    """A lake (hole) on the border of two cells cuts their shared edge in two: the edge is a
    MultiLineString, and the front is still drawn (once crashed shapely.multilinestrings)."""
    theatre = shapely.box(36.0, 35.0, 36.4, 35.2).difference(
        shapely.box(36.18, 35.08, 36.22, 35.12))
    topo = build_cells(places([(36.1, 35.1), (36.3, 35.1)]), theatre=theatre)
    assert shapely.get_type_id(topo.edges[0]) == 5  # MultiLineString
    fronts = front_line_codes(topo, [[0, 1]])
    assert fronts.edges.tolist() == [1]
    assert shapely.get_num_geometries(fronts.geometry[0]) == 2
    frame = front_lines_frame(topo, [[0, 1]], dates=["2020-01-01"], labels=["a", "b"])
    assert frame["length_km"].iloc[0] == pytest.approx((0.2 - 0.04) * 111.2, rel=0.01)
