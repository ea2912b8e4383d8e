"""Area statistics (equal-area km², zero-filled date × controller grid, front lengths) and the
deterministic area chart."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from layers.stats import area_stats, equal_area_km2, with_front_lengths


def test_equal_area_of_a_one_degree_cell_at_the_equator_and_at_60n():
    km2 = equal_area_km2([shapely.box(0, 0, 1, 1), shapely.box(0, 60, 1, 61), shapely.Polygon()])
    # spherical-zone formula on the authalic sphere (R = 6371.007 km)
    assert km2[0] == pytest.approx(12363.7, rel=0.005)
    assert km2[1] == pytest.approx(6106.0, rel=0.01)
    assert km2[2] == 0


def test_area_stats_fills_every_date_and_controller():
    territory = gpd.GeoDataFrame(
        {"date": ["2020-01-01", "2020-01-01", "2020-02-01"],
         "controller": ["gov", "opp", "gov"], "places": [3, 2, 5]},
        geometry=[shapely.box(36, 35, 36.1, 35.1), shapely.box(36.1, 35, 36.2, 35.1),
                  shapely.box(36, 35, 36.2, 35.1)], crs=4326)
    stats = area_stats(territory, dates=["2020-03-01"], controllers=["opp", "gov", "isis"])
    assert list(stats.columns) == ["date", "controller", "places", "area_km2"]
    assert stats[["date", "controller", "places"]].values.tolist() == [
        ["2020-01-01", "opp", 2], ["2020-01-01", "gov", 3], ["2020-01-01", "isis", 0],
        ["2020-02-01", "opp", 0], ["2020-02-01", "gov", 5], ["2020-02-01", "isis", 0],
        ["2020-03-01", "opp", 0], ["2020-03-01", "gov", 0], ["2020-03-01", "isis", 0]]
    jan = stats[stats["date"] == "2020-01-01"].set_index("controller")["area_km2"]
    feb_gov = stats[(stats["date"] == "2020-02-01") & (stats["controller"] == "gov")]
    assert jan["gov"] + jan["opp"] == pytest.approx(feb_gov["area_km2"].iloc[0], abs=0.002)


def test_area_stats_without_places_column_and_bad_columns():
    frame = gpd.GeoDataFrame({"date": ["d"], "status": ["occupied"]},
                             geometry=[shapely.box(30, 45, 31, 46)], crs=4326)
    stats = area_stats(frame, by="status")
    assert list(stats.columns) == ["date", "controller", "area_km2"]
    with pytest.raises(ValueError, match="no 'controller' column"):
        area_stats(frame)


def test_front_lengths_count_for_both_sides():
    stats = pd.DataFrame({"date": ["d", "d", "d"], "controller": ["a", "b", "c"],
                          "area_km2": [1.0, 2.0, 3.0]})
    fronts = pd.DataFrame({"date": ["d", "d"], "side_a": ["a", "a"], "side_b": ["b", "c"],
                           "length_km": [10.0, 5.0]})
    out = with_front_lengths(stats, fronts)
    assert out["front_km"].tolist() == [15.0, 10.0, 5.0]


def test_area_chart_is_a_deterministic_png():
    from mapper.charts import area_chart

    stats = pd.DataFrame({"date": ["2020-01-01", "2020-02-01"] * 2,
                          "controller": ["gov", "gov", "opp", "opp"],
                          "area_km2": [10.0, 12.0, 5.0, 3.0]})
    first = area_chart(stats, colours={"gov": "#d7191c"})
    second = area_chart(stats.copy(), colours={"gov": "#d7191c"})
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert first == second
    assert b"Software" not in first and b"matplotlib" not in first
    assert area_chart(stats, colours={"gov": "#000000"}) != first
    with pytest.raises(ValueError, match="no 'area_km2' column"):
        area_chart(stats.drop(columns="area_km2"))


def test_area_chart_legend_uses_faction_labels(monkeypatch):
    """The legend shows each faction's label, not its id (ids are for files, labels for readers)."""
    import pandas as pd
    from matplotlib.axes import Axes

    from mapper.charts import area_chart

    table = pd.DataFrame({"date": ["2014-01-01", "2014-02-01"] * 2,
                          "controller": ["gov", "gov", "reb", "reb"],
                          "area_km2": [10.0, 12.0, 5.0, 3.0]})
    seen: list[str] = []
    plot = Axes.plot

    def spy(self, *args, **kwargs):
        seen.append(kwargs.get("label"))
        return plot(self, *args, **kwargs)

    monkeypatch.setattr(Axes, "plot", spy)
    area_chart(table, labels={"gov": "Government", "reb": "Rebels"})
    assert seen == ["Government", "Rebels"]
    seen.clear()
    area_chart(table)
    assert seen == ["gov", "reb"]


def test_cell_area_stats_sum_to_the_theatre_with_unknown_land():
    """Per-cell areas: every date's rows (factions + unknown) sum to the theatre's area; with
    a distance cap, land beyond every cap is unknown too."""
    import numpy as np

    from layers.cells import build_cells
    from layers.stats import cell_area_stats
    from tests.layers.geometry_cases import places

    theatre = shapely.box(36.0, 35.0, 37.0, 36.0)
    pts = places([(36.2, 35.2), (36.8, 35.2), (36.5, 35.8), (36.5, 35.5)])
    codes = np.array([[0, 1, -1, 0], [1, 1, 1, 1]])
    total = equal_area_km2([shapely.segmentize(theatre, 0.01)])[0]
    for cap in (None, 10.0):
        topo = build_cells(pts, theatre=theatre, max_radius_km=cap)
        table = cell_area_stats(topo, codes, dates=["2020-01-01", "2020-02-01"],
                                labels=["gov", "reb"], controllers=["reb"])
        assert list(table.columns) == ["date", "controller", "places", "area_km2", "share",
                                       "front_km"]
        assert table["controller"].tolist()[:3] == ["reb", "gov", "unknown"]
        sums = table.groupby("date")["area_km2"].sum()
        assert np.allclose(sums, total, rtol=1e-3)
        first = table[table["date"] == "2020-01-01"].set_index("controller")
        assert first.loc["unknown", "places"] == 1 and first.loc["gov", "places"] == 2
        assert first.loc["unknown", "area_km2"] > 0
        second = table[table["date"] == "2020-02-01"].set_index("controller")
        assert second.loc["gov", "front_km"] == 0 and second.loc["reb", "places"] == 4
        if cap is None:
            assert second.loc["reb", "share"] == pytest.approx(1.0, abs=1e-4)
            assert first.loc["gov", "front_km"] == first.loc["reb", "front_km"] > 0
        else:
            held = np.pi * 10.0**2 * 4  # four discs that do not overlap
            assert second.loc["reb", "area_km2"] == pytest.approx(held, rel=0.01)
            assert second.loc["unknown", "share"] == pytest.approx(1 - held / total, abs=1e-3)
