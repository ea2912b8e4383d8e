"""Territory: cells dissolved by controller over many slices — disjoint, covering the known cells,
identical to a direct union, exact shared edges; the StateMatrix adapter."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings

from layers.cells import build_cells
from layers.territory import dissolve_codes, territory_frame, territory_layers
from tests.layers.geometry_cases import places, scenes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenes(max_slices=4))
def test_territories_are_disjoint_and_cover_the_known_cells(scene):
    coords, codes, radius = scene
    topo = build_cells(places(coords), max_radius_km=radius)
    result = dissolve_codes(topo, codes)
    site_codes = topo.site_codes(codes)
    for d in range(codes.shape[0]):
        rows = np.flatnonzero(result.slice_index == d)
        geoms = result.geometry[rows]
        assert shapely.is_valid(geoms).all()
        total = shapely.area(topo.theatre)
        # pairwise disjoint: intersections have no area
        for i in range(len(geoms)):
            for j in range(i + 1, len(geoms)):
                assert shapely.area(shapely.intersection(geoms[i], geoms[j])) <= 1e-9 * total
        # their union is exactly the cells of the sites with a known, agreed controller
        known = topo.cells[site_codes[d] >= 0]
        expected = shapely.union_all(known) if len(known) else shapely.Polygon()
        got = shapely.union_all(geoms) if len(geoms) else shapely.Polygon()
        assert shapely.area(shapely.symmetric_difference(got, expected)) <= 1e-9 * total + 1e-3
        if (site_codes[d] >= 0).all():  # everyone known: the whole theatre
            assert abs(shapely.area(got) - total) <= 1e-9 * total
        # each faction's polygon equals a direct union of its cells
        for k in rows:
            direct = shapely.union_all(topo.cells[site_codes[d] == result.code[k]])
            assert shapely.area(shapely.symmetric_difference(result.geometry[k], direct)) <= (
                1e-9 * total + 1e-3)
            assert result.places[k] == int((codes[d] == result.code[k]).sum())


def test_batch_equals_one_slice_at_a_time():
    rng = np.random.default_rng(7)
    coords = [(36 + x, 35 + y) for x, y in rng.uniform(0, 1.5, (400, 2))]
    topo = build_cells(places(coords), max_radius_km=15)
    codes = rng.integers(-1, 3, (6, len(coords)))
    batch = dissolve_codes(topo, codes)
    for d in range(len(codes)):
        one = dissolve_codes(topo, codes[d])
        rows = batch.slice_index == d
        assert one.code.tolist() == batch.code[rows].tolist()
        assert shapely.equals(one.geometry, batch.geometry[rows]).all()


def test_unchanged_slices_share_pieces_and_moving_front_is_exact():
    coords = [(36 + 0.05 * i, 35 + 0.05 * j) for i in range(20) for j in range(20)]
    topo = build_cells(places(coords), max_radius_km=6)
    x = topo.site_xy[topo.site_of_place][:, 0]
    cut = np.quantile(x, [0.3, 0.5, 0.5, 0.7])
    codes = np.stack([(x > c).astype(np.int64) for c in cut])
    result = dissolve_codes(topo, codes)
    areas = {(int(d), int(c)): shapely.area(g) for d, c, g in
             zip(result.slice_index, result.code, result.geometry, strict=True)}
    assert areas[(1, 0)] == areas[(2, 0)]
    assert areas[(0, 0)] < areas[(1, 0)] < areas[(3, 0)]
    # two factions split a grid: each is one polygon (no slivers, no holes)
    assert (shapely.get_num_geometries(result.geometry) == 1).all()
    assert (shapely.get_num_interior_rings(result.geometry) == 0).all()


def test_all_unknown_gives_no_territory():
    topo = build_cells(places([(36, 35), (36.1, 35)]), max_radius_km=10)
    result = dissolve_codes(topo, np.array([[-1, -1]]))
    assert len(result.code) == 0
    frame = territory_frame(topo, np.array([[-1, -1]]), dates=["2020-01-01"], labels=["a"])
    assert len(frame) == 0 and frame.crs.to_epsg() == 4326


def test_territory_frame_labels_dates_and_areas():
    topo = build_cells(places([(36, 35), (36.1, 35), (36.05, 35.1)]), max_radius_km=10)
    frame = territory_frame(topo, np.array([[0, 1, 1], [0, 0, 0]]), dates=["d1", "d2"],
                            labels=["gov", "opp"])
    assert frame[["date", "controller", "places"]].values.tolist() == [
        ["d1", "gov", 1], ["d1", "opp", 2], ["d2", "gov", 3]]
    assert frame["area_km2"].iloc[2] == pytest.approx(shapely.area(topo.theatre) / 1e6)


def test_codes_must_match_the_places():
    topo = build_cells(places([(36, 35), (36.1, 35)]), max_radius_km=10)
    with pytest.raises(ValueError, match="places"):
        dissolve_codes(topo, np.array([[0, 1, 1]]))


def test_territory_layers_from_a_timeline_state_matrix():
    from layers import build_timeline

    obs = gpd.pd.DataFrame({
        "place_id": ["p0", "p1", "p2", "p1"],
        "date": ["2020-01-01", "2020-01-01", "2020-01-01", "2020-02-01"],
        "controller": ["government", "opposition", "opposition", "government"],
        "status": ["held", "held", "held", "contested"],
    })
    timeline = build_timeline(obs, controllers=("government", "opposition"))
    topo = build_cells(places([(36, 35), (36.1, 35), (36.05, 35.1)]), max_radius_km=10)
    matrix = timeline.state_matrix(["2020-01-15", "2020-02-15"], place_ids=topo.place_ids)
    layers = territory_layers(topo, matrix)
    assert layers.territory[["date", "controller", "places"]].values.tolist() == [
        ["2020-01-15", "government", 1], ["2020-01-15", "opposition", 2],
        ["2020-02-15", "government", 2], ["2020-02-15", "opposition", 1]]
    assert layers.contested[["date", "place_id", "controller"]].values.tolist() == [
        ["2020-02-15", "p1", "government"]]
    assert set(layers.front_lines["date"]) == {"2020-01-15", "2020-02-15"}
    wrong = timeline.state_matrix(["2020-01-15"], place_ids=["p2", "p1", "p0"])
    with pytest.raises(ValueError, match="place_ids"):
        territory_layers(topo, wrong)


def test_wgs84_dissolve_matches_the_reprojected_local_dissolve():
    rng = np.random.default_rng(3)
    coords = [(36 + x, 35 + y) for x, y in rng.uniform(0, 1.0, (150, 2))]
    topo = build_cells(places(coords), max_radius_km=12)
    codes = rng.integers(-1, 3, (3, len(coords)))
    local = dissolve_codes(topo, codes)
    wgs = dissolve_codes(topo, codes, wgs84=True)
    assert local.code.tolist() == wgs.code.tolist()
    assert np.allclose(local.area_km2, wgs.area_km2)
    assert np.allclose(local.area_km2, shapely.area(local.geometry) / 1e6, rtol=1e-9)
    back = topo.to_wgs84(local.geometry)
    sym = shapely.area(shapely.symmetric_difference(back, wgs.geometry))
    assert (sym <= 1e-12 * np.maximum(shapely.area(wgs.geometry), 1e-9) + 1e-14).all()


def test_theatre_in_two_parts_splits_territory():
    gap = shapely.box(36.05, 34.85, 36.15, 35.15)
    theatre = shapely.box(35.9, 34.9, 36.3, 35.1).difference(gap)
    topo = build_cells(places([(35.95, 35.0), (36.25, 35.0), (37.0, 35.0)]), theatre=theatre)
    result = dissolve_codes(topo, np.array([0, 0, 1]))
    assert result.code.tolist() == [0, 1]
    assert shapely.get_num_geometries(result.geometry[0]) == 2
    # the third place lies outside the theatre: held, but its cell claims nothing
    assert result.places.tolist() == [2, 1]
    assert shapely.is_empty(result.geometry[1]) and result.area_km2[1] == 0
