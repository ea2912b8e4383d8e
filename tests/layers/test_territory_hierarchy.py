"""The reuse tree, the flat per-slice union and a plain dissolve give the same territory on random
logs; chunking and the other slices never change a slice's bytes; the geometry-free table and the
per-day worker function agree with the frames; the topology survives pickling (process pools)."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layers.cells import build_cells
from layers.frontline import front_lines_frame
from layers.territory import day_layers, dissolve_codes, territory_frame, territory_table
from tests.layers.geometry_cases import places


@st.composite
def logs(draw):
    """A random log replayed into codes: points on a grid, a first holder each, then random
    flips of random places over the slices (few per slice: the pieces of unchanged blocks are
    reused), some places unknown for a while."""
    n = draw(st.integers(2, 70))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    cells = rng.choice(40 * 40, size=n, replace=False)
    coords = [(36.0 + 0.02 * (c % 40), 35.0 + 0.02 * (c // 40)) for c in cells.tolist()]
    n_slices = draw(st.integers(1, 12))
    factions = draw(st.integers(1, 5))
    codes = np.empty((n_slices, n), dtype=np.int64)
    state = rng.integers(-1, factions, n)
    for d in range(n_slices):  # test-data generation, not the code under test
        flips = rng.integers(0, n, draw(st.integers(0, max(1, n // 3))))
        state[flips] = rng.integers(-1, factions, len(flips))
        codes[d] = state
    radius = draw(st.sampled_from([None, 4.0, 30.0]))
    return coords, codes, radius


def _plain_dissolve(topo, site_codes, code):
    return shapely.union_all(topo.cells[site_codes == code])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs())
def test_tree_flat_and_plain_dissolve_agree_on_random_logs(log):
    coords, codes, radius = log
    theatre = None if radius else shapely.box(35.95, 34.95, 36.85, 35.85)
    topo = build_cells(places(coords), theatre=theatre, max_radius_km=radius)
    tree = dissolve_codes(topo, codes, strategy="tree")
    flat = dissolve_codes(topo, codes, strategy="flat")
    auto = dissolve_codes(topo, codes, chunk=3)
    for other in (flat, auto):
        assert tree.slice_index.tolist() == other.slice_index.tolist()
        assert tree.code.tolist() == other.code.tolist()
        assert tree.places.tolist() == other.places.tolist()
        assert np.array_equal(tree.area_km2, other.area_km2)
    # normalized: the same bytes whatever the strategy or the chunking
    assert shapely.to_wkb(tree.geometry).tolist() == shapely.to_wkb(flat.geometry).tolist()
    assert shapely.to_wkb(tree.geometry).tolist() == shapely.to_wkb(auto.geometry).tolist()
    site_codes = topo.site_codes(codes)
    total = shapely.area(topo.theatre)
    for k in range(len(tree.code)):
        direct = _plain_dissolve(topo, site_codes[tree.slice_index[k]], tree.code[k])
        assert shapely.is_valid(tree.geometry[k])
        assert shapely.area(shapely.symmetric_difference(tree.geometry[k], direct)) <= (
            1e-9 * total + 1e-3)


def test_a_slice_has_the_same_bytes_whatever_the_chunk_and_other_slices():
    rng = np.random.default_rng(11)
    coords = [(36 + x, 35 + y) for x, y in rng.uniform(0, 1.2, (300, 2))]
    topo = build_cells(places(coords), max_radius_km=12)
    state = rng.integers(0, 4, len(coords))
    codes = []
    for _ in range(20):
        state = state.copy()
        state[rng.integers(0, len(coords), 6)] = rng.integers(0, 4, 6)
        codes.append(state)
    codes = np.stack(codes)
    whole = dissolve_codes(topo, codes)
    for chunk in (1, 7):
        part = dissolve_codes(topo, codes, chunk=chunk)
        assert shapely.to_wkb(part.geometry).tolist() == shapely.to_wkb(whole.geometry).tolist()
    picks = np.array([3, 11, 19])
    subset = dissolve_codes(topo, codes[picks])
    rows = np.isin(whole.slice_index, picks)
    assert shapely.to_wkb(subset.geometry).tolist() == shapely.to_wkb(
        whole.geometry[rows]).tolist()


def test_territory_table_is_the_frame_without_geometry():
    rng = np.random.default_rng(5)
    coords = [(36 + x, 35 + y) for x, y in rng.uniform(0, 1.0, (120, 2))]
    coords += [coords[0]]  # a co-located pair: one cell, places counted apiece
    topo = build_cells(places(coords), max_radius_km=10)
    codes = rng.integers(-1, 3, (5, len(coords)))
    codes[2] = -1  # a slice where nobody holds anything
    dates = [f"2020-01-0{i + 1}" for i in range(5)]
    frame = territory_frame(topo, codes, dates=dates, labels=["a", "b", "c"])
    table = territory_table(topo, codes, dates=dates, labels=["a", "b", "c"])
    pd.testing.assert_frame_equal(pd.DataFrame(frame.drop(columns="geometry")), table)
    none = territory_table(topo, np.full((2, len(coords)), -1), dates=dates[:2], labels=["a"])
    assert list(none.columns) == ["date", "controller", "places", "area_km2"] and len(none) == 0


def test_day_layers_on_an_unpickled_topology_give_the_same_bytes():
    rng = np.random.default_rng(9)
    coords = [(36 + x, 35 + y) for x, y in rng.uniform(0, 1.0, (150, 2))]
    topo = build_cells(places(coords), max_radius_km=10)
    topo.cells_wgs84, topo.edges_wgs84  # noqa: B018 — cached before pickling, as a pool would
    codes = rng.integers(-1, 3, (4, len(coords)))
    dates, labels = np.array(["d0", "d1", "d2", "d3"], dtype=object), ["a", "b", "c"]
    copy = pickle.loads(pickle.dumps(topo))
    terr, fronts = day_layers(copy, codes[1:3], dates=dates[1:3], labels=labels)
    whole_terr = territory_frame(topo, codes, dates=dates, labels=labels)
    whole_fronts = front_lines_frame(topo, codes, dates=dates, labels=labels)
    want_terr = whole_terr[whole_terr["date"].isin(["d1", "d2"])].reset_index(drop=True)
    want_fronts = whole_fronts[whole_fronts["date"].isin(["d1", "d2"])].reset_index(drop=True)
    assert terr.drop(columns="geometry").equals(want_terr.drop(columns="geometry"))
    assert shapely.to_wkb(terr.geometry.values).tolist() == shapely.to_wkb(
        want_terr.geometry.values).tolist()
    assert fronts.drop(columns="geometry").equals(want_fronts.drop(columns="geometry"))
    assert shapely.to_wkb(fronts.geometry.values).tolist() == shapely.to_wkb(
        want_fronts.geometry.values).tolist()


def test_bad_strategy_and_chunk_are_clear_errors():
    topo = build_cells(places([(36, 35), (36.1, 35)]), max_radius_km=10)
    with pytest.raises(ValueError, match="strategy must be one of auto, tree, flat"):
        dissolve_codes(topo, np.array([0, 1]), strategy="fast")
    with pytest.raises(ValueError, match="chunk must be >= 1"):
        dissolve_codes(topo, np.array([0, 1]), chunk=0)


@pytest.mark.parametrize("seed", [1, 2])
def test_pieces_passing_through_upper_levels_give_the_plain_dissolve(seed):
    """Over 1,024 sites the tree has two upper levels, so parts that touch nothing outside their
    node pass upward without a union: regions (fronts) plus enclaves and random flips."""
    rng = np.random.default_rng(seed)
    coords = [(36 + x, 35 + y) for x, y in rng.uniform(0, 2.0, (1300, 2))]
    topo = build_cells(places(coords), theatre=shapely.box(35.9, 34.9, 38.1, 37.1))
    x, y = np.array(coords).T
    base = (x > 37).astype(np.int64) + 2 * (y > 36)
    codes = np.stack([base, base, base, base])
    for d in range(1, 4):  # flips: enclaves of every faction inside the others
        flips = rng.integers(0, len(coords), 40 * d)
        codes[d:, flips] = rng.integers(-1, 4, len(flips))
    tree = dissolve_codes(topo, codes, strategy="tree")
    flat = dissolve_codes(topo, codes, strategy="flat")
    assert shapely.to_wkb(tree.geometry).tolist() == shapely.to_wkb(flat.geometry).tolist()
    site_codes = topo.site_codes(codes)
    total = shapely.area(topo.theatre)
    for k in range(len(tree.code)):
        direct = _plain_dissolve(topo, site_codes[tree.slice_index[k]], tree.code[k])
        assert shapely.is_valid(tree.geometry[k])
        assert shapely.area(shapely.symmetric_difference(tree.geometry[k], direct)) <= (
            1e-9 * total + 1e-3)


def test_site_codes_match_a_per_site_reference_with_many_co_located_places():
    from layers.cells import CONFLICT

    rng = np.random.default_rng(4)
    spots = [(36 + x, 35 + y) for x, y in rng.uniform(0, 1.0, (30, 2))]
    coords = [spots[i] for i in rng.integers(0, 30, 90)]  # ~3 places per site
    topo = build_cells(places(coords), max_radius_km=10)
    codes = rng.integers(-1, 3, (5, len(coords)))
    got = topo.site_codes(codes)
    for site in range(topo.n_sites):  # reference: one site at a time
        members = codes[:, topo.site_of_place == site]
        for d in range(len(codes)):
            known = set(members[d][members[d] >= 0].tolist())
            want = -1 if not known else known.pop() if len(known) == 1 else CONFLICT
            assert got[d, site] == want
