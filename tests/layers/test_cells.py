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


# --- issue 16: Natural Earth country outlines and random multi-part theatres ---

from pathlib import Path  # noqa: E402

from layers.frontline import front_line_codes  # noqa: E402
from layers.stats import cell_area_stats, equal_area_km2  # noqa: E402
from layers.territory import dissolve_codes  # noqa: E402

WORLD_ATLAS_50M = (Path(__file__).resolve().parents[2]
                   / ".cache/world-atlas/package/countries-50m.json")
ISO_N3 = {"SY": "760", "LB": "422", "UA": "804", "SD": "729"}


def _outline(code: str, resolution: str, shared_data: Path | None) -> shapely.Geometry:
    """NE outlines: SY/LB from ../shared's Levant files, UA/SD 10m from the registry package,
    UA/SD 50m from the npm world-atlas TopoJSON (`make outlines` fetches it)."""
    if code in ("SY", "LB"):
        folder = shared_data / "natural_earth_admin0_levant"
        frame = gpd.read_file(folder / f"ne_{resolution}_admin0_levant.geojson")
        return shapely.make_valid(frame.loc[frame["iso_n3"] == ISO_N3[code]].geometry.iloc[0])
    if resolution == "10m":
        from layers.countries import country_outline

        return country_outline([code])
    if not WORLD_ATLAS_50M.is_file():
        pytest.skip(f"{WORLD_ATLAS_50M} absent: run `make outlines` (npm world-atlas; "
                    "no PyPI package ships Natural Earth 50m)")
    frame = gpd.read_file(WORLD_ATLAS_50M, layer="countries")
    return shapely.make_valid(frame.loc[frame["id"] == ISO_N3[code]].geometry.iloc[0])


def _scatter(outline, n, seed):
    """n places spread over the outline's bounding box (some fall outside: at sea, abroad)."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = outline.bounds
    pts = np.column_stack([rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)])
    return places([tuple(p) for p in pts])


@pytest.mark.parametrize("resolution", ["10m", "50m"])
@pytest.mark.parametrize("code", ["SY", "LB", "UA", "SD"])
def test_natural_earth_outlines_cells_sum_to_the_outline(code, resolution, request):
    shared = request.getfixturevalue("shared_data") if code in ("SY", "LB") else None
    outline = _outline(code, resolution, shared)
    topo = build_cells(_scatter(outline, 250, seed=len(code) + len(resolution)), theatre=outline)
    expected = equal_area_km2([outline])[0]
    assert abs(topo.cell_area_km2.sum() - expected) <= 0.005 * expected
    assert abs(topo.theatre_area_km2 - expected) <= 0.005 * expected
    assert shapely.coverage_is_valid(topo.cells)
    rng = np.random.default_rng(7)
    codes = rng.integers(-1, 4, size=(6, topo.n_places))
    fronts = front_line_codes(topo, codes, wgs84=True)  # shared edges cut by the outline
    assert len(fronts.slice_index) and np.isin(shapely.get_type_id(fronts.geometry), [1, 5]).all()
    held = dissolve_codes(topo, codes, wgs84=True)  # sites outside the outline hold nothing
    table = cell_area_stats(topo, codes, dates=[f"2020-01-0{i + 1}" for i in range(6)],
                            labels=["a", "b", "c", "d"])
    for day, rows in table.groupby("date"):  # every date: the rows sum to the theatre
        assert rows["area_km2"].sum() == pytest.approx(topo.theatre_area_km2, rel=1e-6)
        assert rows["share"].sum() == pytest.approx(1.0, abs=1e-3)
        index = int(day[-1]) - 1
        dissolved = held.area_km2[held.slice_index == index].sum()
        known = rows.loc[rows["controller"] != "unknown", "area_km2"].sum()
        assert dissolved == pytest.approx(known, rel=1e-6)


@st.composite
def outlines(draw):
    """Random multi-part outlines near 36°E 35°N: boxes and triangles (islands), holes, and
    slivers (thin strips a fraction of a cell wide), sometimes invalid before repair."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        x, y = draw(st.floats(35.0, 37.0)), draw(st.floats(34.0, 36.0))
        w, h = draw(st.floats(0.01, 0.8)), draw(st.floats(0.0005, 0.8))  # h tiny = sliver
        shape = shapely.box(x, y, x + w, y + h)
        if draw(st.booleans()):
            shape = shapely.Polygon([(x, y), (x + w, y), (x + w / 2, y + h * 3)])
        if draw(st.booleans()) and w > 0.1 and h > 0.1:
            shape = shape.difference(shapely.box(x + w / 4, y + h / 4, x + w / 2, y + h / 2))
        parts.append(shape)
    return shapely.make_valid(shapely.union_all(parts))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(outlines(), coords, st.integers(0, 2**31 - 1))
def test_random_multipart_outlines_never_crash(outline, pts, seed):
    pts = [(x - 0.2, y - 0.5) for x, y in pts] + [(36.0, 35.0), (36.5, 35.2)]
    topo = build_cells(places(pts), theatre=outline)
    # densified: an edge straight in lon/lat is a curve in metres (NE outlines are dense already)
    expected = equal_area_km2([shapely.segmentize(outline, 0.01)])[0]
    assert abs(topo.cell_area_km2.sum() - expected) <= 0.005 * expected + 1e-3
    codes = np.random.default_rng(seed).integers(-1, 3, size=(3, topo.n_places))
    front_line_codes(topo, codes)
    dissolve_codes(topo, codes, wgs84=True)
    table = cell_area_stats(topo, codes, dates=["2020-01-01", "2020-01-02", "2020-01-03"],
                            labels=["a", "b", "c"])
    assert (table.groupby("date")["area_km2"].sum() - topo.theatre_area_km2).abs().max() <= 1e-2
