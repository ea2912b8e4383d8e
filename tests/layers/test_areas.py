"""Dated control polygons: dated files or a date property, statuses from bilingual names,
dissolve per status, front line inside the theatre, and the DeepStateMap area agreement."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely

from layers.areas import area_front_lines, read_areas, status_text
from layers.stats import area_stats

WEEKLY = "deepstatemap_ukraine/cyterat_occupied_weekly_2024-07-08_2026-08-22.geojson.gz"
MONTHLY = "deepstatemap_ukraine/deepstatemaps_history_monthly_polygons_2022-04_2025-08.geojson.gz"


def feature(geom, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}


def write(path, *features) -> None:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}))


@pytest.mark.parametrize(("text", "status"), [
    ("Окуповано /// Occupied", "occupied"),
    ("Звільнено 25.03 /// Liberated 25.03 /// geoJSON.status.dismissed_at {{at:25.03}}",
     "liberated"),
    ("Звільнено 16.03-17.03 /// Liberated 16.03-17.03", "liberated"),
    ("Статус невідомий /// Unknown status\n", "unknown status"),
    ("held", "held"),
    (None, ""),
])
def test_status_text(text, status):
    assert status_text(text) == status


def test_directory_of_dated_files(tmp_path):
    write(tmp_path / "occupied_2024-07-08.geojson", feature(shapely.box(30, 45, 31, 46)))
    write(tmp_path / "occupied_20240715.geojson", feature(shapely.box(30, 45, 31.5, 46)))
    write(tmp_path / "readme.json", feature(shapely.box(0, 0, 1, 1)))  # no date: reported
    snaps = read_areas(tmp_path)
    assert snaps.dates == ["2024-07-08", "2024-07-15"]
    assert snaps.features_read == 2 and len(snaps.problems) == 1
    assert snaps.problems[0].code == "no-date"
    assert set(snaps.frame["status"]) == {"held"}
    at = snaps.at(["2024-07-01", "2024-07-10", "2024-08-01"])
    assert at[["date", "snapshot"]].values.tolist() == [
        ["2024-07-10", "2024-07-08"], ["2024-08-01", "2024-07-15"]]


def test_one_file_with_date_property_dissolves_overlaps_per_status(tmp_path):
    path = tmp_path / "areas.geojson"
    write(path,
          feature(shapely.box(0, 0, 2, 2), snapshot_utc="2022-04-03T12:33:28Z",
                  name="Окуповано /// Occupied"),
          feature(shapely.box(1, 1, 3, 3), snapshot_utc="2022-04-03T12:33:28Z",
                  name="Окуповано /// Occupied"),  # overlaps the first: counted once
          feature(shapely.box(0.5, 0.5, 1, 1), snapshot_utc="2022-04-03T12:33:28Z",
                  name="ОРДЛО /// Occupied Crimea"),
          feature(shapely.box(5, 5, 6, 6), snapshot_utc="2022-04-03T12:33:28Z",
                  name="Звільнено /// Liberated"),
          feature(shapely.Point(1, 1), snapshot_utc="2022-04-03T12:33:28Z", name="marker"),
          feature(shapely.box(0, 0, 1, 1), snapshot_utc="not a date", name="Occupied"))
    snaps = read_areas(path, status_merge={"occupied": "occupied"})
    assert snaps.features_read == 6
    assert sorted(p.code for p in snaps.problems) == ["bad-date", "not-polygon"]
    frame = snaps.frame.set_index("status")
    assert frame.loc["occupied", "features"] == 3
    assert frame.loc["occupied", "geometry"].area == pytest.approx(7.0)
    assert frame.loc["liberated", "geometry"].area == pytest.approx(1.0)


def test_missing_date_property_is_a_clear_error(tmp_path):
    path = tmp_path / "areas.geojson"
    write(path, feature(shapely.box(0, 0, 1, 1), status="occupied"))
    with pytest.raises(ValueError, match="no date property"):
        read_areas(path)
    with pytest.raises(ValueError, match="no property 'when'"):
        read_areas(path, date_property="when")


def test_front_line_is_the_boundary_inside_the_theatre():
    theatre = shapely.box(30, 45, 32, 47)
    snaps = gpd.GeoDataFrame({"date": ["2024-01-01"], "status": ["occupied"]},
                             geometry=[shapely.box(31, 45, 32, 47)], crs=4326)  # east half
    fronts = area_front_lines(snaps, theatre, border_tolerance_km=0.5)
    # only the western side (lon 31, two degrees of latitude ≈ 222 km) is front
    assert fronts["length_km"].iloc[0] == pytest.approx(222, rel=0.01)
    assert shapely.get_coordinates(fronts.geometry.iloc[0])[:, 0] == pytest.approx(31.0, abs=1e-6)


@pytest.mark.shared
def test_deepstatemap_weekly_area_series_agrees_with_the_polygons(shared_data):
    path = shared_data / WEEKLY
    snaps = read_areas(path)
    assert len(snaps.dates) == 110 and snaps.features_read == 110 and not snaps.problems
    stats = area_stats(snaps.frame, by="status")
    raw = gpd.read_file(f"/vsigzip/{path}")
    own = raw.to_crs("EPSG:6933").area.to_numpy() / 1e6  # the polygons' own equal-area area
    ours = stats.set_index("date").loc[raw["date"].astype(str), "area_km2"].to_numpy()
    assert np.all(np.abs(ours / own - 1) < 0.005)
    assert 100_000 < ours.min() and ours.max() < 130_000
    fronts = area_front_lines(snaps.frame, snaps.theatre)
    assert len(fronts) == 110 and (fronts["length_km"] > 0).all()


@pytest.mark.shared
def test_deepstatemap_monthly_multi_status(shared_data):
    path = shared_data / MONTHLY
    snaps = read_areas(path, status_merge={"occupied": "occupied"})
    assert len(snaps.dates) == 41
    statuses = set(snaps.frame["status"])
    assert {"occupied", "liberated", "unknown status", "contested"} <= statuses
    kept = int(snaps.frame["features"].sum())
    assert kept + len(snaps.problems) == snaps.features_read  # every feature accounted for
    # our area per date and status = the dissolved polygons' area in EPSG:6933 (equal-area)
    stats = area_stats(snaps.frame, by="status")
    own = snaps.frame.to_crs("EPSG:6933").area.to_numpy() / 1e6
    merged = stats.merge(snaps.frame.assign(own=own)[["date", "status", "own"]],
                         left_on=["date", "controller"], right_on=["date", "status"])
    assert len(merged) == len(snaps.frame)
    assert np.allclose(merged["area_km2"], merged["own"], rtol=0.005, atol=0.01)
