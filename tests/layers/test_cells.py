"""Cell topology: Voronoi cells clipped to the theatre / radius caps, shared edges, degenerate
place sets (1 place, 2 places, collinear, duplicates)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layers.cells import CONFLICT, build_cells
from tests.layers.geometry_cases import places


def test_single_place_gets_its_radius_disc():
    topo = build_cells(places([(36.0, 35.0)]), max_radius_km=10)
    assert topo.n_sites == 1 and len(topo.edges) == 0
    assert shapely.area(topo.cells[0]) / 1e6 == pytest.approx(np.pi * 100, rel=0.01)


def test_two_places_share_one_straight_edge():
    topo = build_cells(places([(36.0, 35.0), (36.1, 35.0)]), max_radius_km=25)
    assert len(topo.edges) == 1
    assert (topo.edge_a[0], topo.edge_b[0]) == (0, 1)
    # the two caps meet on the bisector: chord length 2*sqrt(r^2 - (d/2)^2)
    d_km = shapely.distance(*shapely.points(topo.site_xy)) / 1000
    expected = 2 * np.sqrt(25**2 - (d_km / 2) ** 2)
    assert shapely.length(topo.edges[0]) / 1000 == pytest.approx(expected, rel=0.01)


def test_collinear_places_chain_of_edges():
    topo = build_cells(places([(36.0 + 0.1 * i, 35.0) for i in range(5)]), max_radius_km=30)
    assert topo.n_sites == 5
    pairs = {(int(a), int(b)) for a, b in zip(topo.edge_a, topo.edge_b, strict=True)}
    order = np.argsort(topo.site_xy[:, 0])
    assert pairs == {tuple(sorted((int(order[i]), int(order[i + 1])))) for i in range(4)}
    assert shapely.coverage_is_valid(topo.cells)


def test_duplicate_coordinates_share_a_cell():
    topo = build_cells(places([(36.0, 35.0), (36.0, 35.0), (36.2, 35.1)]), max_radius_km=20)
    assert topo.n_places == 3 and topo.n_sites == 2
    assert topo.site_of_place[0] == topo.site_of_place[1] != topo.site_of_place[2]
    frame = topo.cells_frame()
    assert frame.geometry.iloc[0].equals(frame.geometry.iloc[1])
    assert len(topo.edges) == 1


def test_site_codes_flag_conflicting_co_located_places():
    topo = build_cells(places([(36.0, 35.0), (36.0, 35.0), (36.2, 35.1)]), max_radius_km=20)
    codes = np.array([[0, 0, 1], [0, 1, 1], [-1, 2, -1], [-1, -1, 0]])
    site = topo.site_codes(codes)
    s0, s1 = topo.site_of_place[0], topo.site_of_place[2]
    assert site[:, s0].tolist() == [0, CONFLICT, 2, -1]
    assert site[:, s1].tolist() == [1, 1, -1, 0]


def test_theatre_clips_cells_and_drops_places_outside():
    theatre = shapely.box(35.9, 34.9, 36.15, 35.1)
    topo = build_cells(places([(36.0, 35.0), (36.1, 35.0), (37.0, 35.0)]), theatre=theatre)
    area = shapely.area(topo.cells)
    assert area[topo.site_of_place[2]] == 0  # outside the theatre: claims nothing
    in_wgs = topo.to_wgs84(topo.theatre)
    assert shapely.symmetric_difference(in_wgs, theatre).area < 1e-4 * theatre.area  # 1 m grid


def test_theatre_and_radius_cap_together():
    theatre = shapely.box(35.0, 34.0, 37.0, 36.0)
    capped = build_cells(places([(36.0, 35.0), (36.1, 35.0)]), theatre=theatre, max_radius_km=5)
    free = build_cells(places([(36.0, 35.0), (36.1, 35.0)]), theatre=theatre)
    assert shapely.area(capped.theatre) < shapely.area(free.theatre) / 10


def test_bad_inputs_are_clean_errors():
    with pytest.raises(ValueError, match="empty"):
        build_cells(places([(36.0, 35.0)]).iloc[:0])
    bad = places([(36.0, 35.0)])
    bad.loc[0, "geometry"] = shapely.LineString([(0, 0), (1, 1)])
    with pytest.raises(ValueError, match="no usable point"):
        build_cells(bad)
    with pytest.raises(ValueError, match="max_radius_km"):
        build_cells(places([(36.0, 35.0)]), max_radius_km=0)
    with pytest.raises(TypeError, match="GeoDataFrame"):
        build_cells([(36.0, 35.0)])


def test_frames_are_wgs84_and_aligned_with_places():
    topo = build_cells(places([(36.0, 35.0), (36.1, 35.0), (36.05, 35.08)]), max_radius_km=20)
    cells = topo.cells_frame()
    edges = topo.edges_frame()
    assert cells.crs.to_epsg() == 4326 and list(cells["place_id"]) == ["p0", "p1", "p2"]
    assert shapely.contains(cells.geometry.values, gpd.points_from_xy(
        [36.0, 36.1, 36.05], [35.0, 35.0, 35.08])).all()
    assert len(edges) == 3 and (edges["length_km"] > 0).all()


coords = st.lists(
    st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=40
).map(lambda pts: [(36.0 + x * 0.02, 35.0 + y * 0.02) for x, y in pts])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(coords, st.floats(2.0, 40.0))
def test_cells_form_a_valid_coverage_with_exact_shared_edges(pts, radius):
    topo = build_cells(places(pts), max_radius_km=radius)
    cells = topo.cells
    assert shapely.coverage_is_valid(cells)
    nonempty = ~shapely.is_empty(cells)
    assert nonempty.all()  # no theatre: every place keeps its own cell
    # every site lies in its own cell
    assert shapely.covers(cells, shapely.points(topo.site_xy)).all()
    # each shared edge lies on both cells' boundaries
    if len(topo.edges):
        rims = shapely.boundary(cells)
        on_a = shapely.length(shapely.intersection(topo.edges, rims[topo.edge_a]))
        on_b = shapely.length(shapely.intersection(topo.edges, rims[topo.edge_b]))
        length = shapely.length(topo.edges)
        assert np.allclose(on_a, length, rtol=1e-9, atol=1e-6)
        assert np.allclose(on_b, length, rtol=1e-9, atol=1e-6)
    # the union of cells is the union of the radius discs (within the polygonal approximation)
    discs = shapely.union_all(shapely.buffer(shapely.points(topo.site_xy), radius * 1000,
                                             quad_segs=64))
    assert abs(shapely.area(topo.theatre) - shapely.area(discs)) <= 0.01 * shapely.area(discs)
