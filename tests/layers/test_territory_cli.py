"""``frontline territory`` and ``frontline stats`` end to end through the CLI."""

from __future__ import annotations

import json

import geopandas as gpd
import pyogrio
import pytest
import shapely
from typer.testing import CliRunner

from mapper.cli import app

EVENTS = """date,place,lat,lon,controller,status,source
2020-01-01,Alpha,35.00,36.00,government,held,https://example.org/1
2020-01-01,Bravo,35.00,36.20,opposition,held,https://example.org/2
2020-01-01,Charlie,35.20,36.10,opposition,held,https://example.org/3
2020-01-01,Delta,34.80,36.10,isis,held,https://example.org/4
2020-02-01,Charlie,35.20,36.10,government,contested,https://example.org/5
2020-02-01,Echo,35.10,35.90,sdf,held,https://example.org/6
"""

runner = CliRunner()


@pytest.fixture
def events(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(EVENTS)
    return path


def test_territory_writes_geopackage_layers(events, tmp_path):
    out = tmp_path / "map.gpkg"
    result = runner.invoke(app, ["territory", str(events), "--at", "2020-01-15,2020-02-15",
                                 "-o", str(out), "--json", "--max-radius-km", "15"])
    assert result.exit_code == 0, result.output
    assert "6 rows read = 6 used" in result.output
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert layers == {"territory", "front_lines", "contested"}
    territory = gpd.read_file(out, layer="territory")
    assert set(territory["date"]) == {"2020-01-15", "2020-02-15"}
    feb = territory[territory["date"] == "2020-02-15"].set_index("controller")
    assert feb.loc["government", "places"] == 2  # Alpha + Charlie (contested, held by gov)
    contested = gpd.read_file(out, layer="contested")
    assert contested["place_id"].str.contains("35.2").all() and len(contested) == 1
    fronts = gpd.read_file(out, layer="front_lines")
    assert (fronts["side_a"] < fronts["side_b"]).all() and (fronts["length_km"] > 0).all()
    summary = json.loads(result.stdout[result.stdout.index("{"):])
    assert summary["territory"] == len(territory) and set(summary["front_km"]) == {
        "2020-01-15", "2020-02-15"}


def test_territory_geojson_is_one_file_per_layer(events, tmp_path):
    out = tmp_path / "map.geojson"
    result = runner.invoke(app, ["territory", str(events), "--at", "2020-01-15", "-o", str(out)])
    assert result.exit_code == 0, result.output
    for layer in ("territory", "front_lines", "contested"):
        assert (tmp_path / f"map.{layer}.geojson").exists()


def test_territory_with_theatre_file(events, tmp_path):
    theatre = tmp_path / "theatre.geojson"
    gpd.GeoDataFrame(geometry=[shapely.box(35.95, 34.9, 36.15, 35.1)], crs=4326).to_file(theatre)
    out = tmp_path / "map.gpkg"
    result = runner.invoke(app, ["territory", str(events), "--at", "2020-02-15", "-o", str(out),
                                 "--theatre", str(theatre)])  # every place known by then
    assert result.exit_code == 0, result.output
    territory = gpd.read_file(out, layer="territory")
    assert territory.union_all().area == pytest.approx(0.2 * 0.2, rel=1e-3)


def test_user_errors_are_clean(events, tmp_path):
    bad = runner.invoke(app, ["territory", str(events), "--at", "2020-01-15", "-o",
                              str(tmp_path / "map.txt")])
    assert bad.exit_code == 1 and "cannot write .txt" in bad.output
    neither = runner.invoke(app, ["territory", "--at", "2020-01-15", "-o",
                                  str(tmp_path / "m.gpkg")])
    assert neither.exit_code == 1 and "EVENTS" in neither.output
    both = runner.invoke(app, ["stats", str(events), "--areas", str(tmp_path)])
    assert both.exit_code == 1 and "not both" in both.output
    chart = runner.invoke(app, ["stats", str(events), "--chart", str(tmp_path / "c.svg")])
    assert chart.exit_code == 1 and "PNG" in chart.output
    assert "Traceback" not in bad.output + neither.output + both.output + chart.output


def test_stats_csv_json_and_deterministic_chart(events, tmp_path):
    result = runner.invoke(app, ["stats", str(events), "--every", "month"])
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith(("date,", "2020-"))]
    assert lines[0] == "date,controller,places,area_km2,share,front_km"
    assert any(ln.startswith("2020-02-01,sdf,1,") for ln in lines)
    as_json = runner.invoke(app, ["stats", str(events), "--every", "week", "--to", "2020-02-05",
                                  "--json"])
    records = json.loads(as_json.stdout[as_json.stdout.index("["):])
    assert {r["date"] for r in records} == {"2020-01-01", "2020-01-08", "2020-01-15",
                                            "2020-01-22", "2020-01-29", "2020-02-05"}
    charts = []
    for name in ("a", "b"):
        chart = tmp_path / f"{name}.png"
        out = tmp_path / f"{name}.csv"
        done = runner.invoke(app, ["stats", str(events), "--every", "month", "-o", str(out),
                                   "--chart", str(chart)])
        assert done.exit_code == 0, done.output
        charts.append(chart.read_bytes())
    assert charts[0] == charts[1] and charts[0].startswith(b"\x89PNG")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_areas_directory_territory_and_stats(tmp_path):
    folder = tmp_path / "areas"
    folder.mkdir()
    for day, east in (("2024-07-08", 31.0), ("2024-07-15", 30.5)):
        gpd.GeoDataFrame({"status": ["occupied"]}, geometry=[shapely.box(east, 45, 32, 47)],
                         crs=4326).to_file(folder / f"occupied_{day}.geojson")
    gpd.GeoDataFrame({"status": ["x"]}, geometry=[shapely.box(30, 45, 32, 47)],
                     crs=4326).to_file(tmp_path / "theatre.geojson")
    out = tmp_path / "areas.gpkg"
    result = runner.invoke(app, ["territory", "--areas", str(folder), "--at",
                                 "2024-07-10,2024-07-20", "-o", str(out),
                                 "--theatre", str(tmp_path / "theatre.geojson")])
    assert result.exit_code == 0, result.output
    assert "2 features read = 2 used" in result.output
    fronts = gpd.read_file(out, layer="front_lines")
    assert fronts["length_km"].iloc[0] == pytest.approx(222, rel=0.01)
    territory = gpd.read_file(out, layer="territory")
    assert territory[["date", "snapshot"]].values.tolist() == [
        ["2024-07-10", "2024-07-08"], ["2024-07-20", "2024-07-15"]]
    assert territory["area_km2"].iloc[1] == pytest.approx(1.5 * territory["area_km2"].iloc[0],
                                                          rel=0.01)
    stats = runner.invoke(app, ["stats", "--areas", str(folder), "--json",
                                "--theatre", str(tmp_path / "theatre.geojson")])
    assert stats.exit_code == 0, stats.output
    records = json.loads(stats.stdout[stats.stdout.index("["):])
    assert [r["date"] for r in records] == ["2024-07-08", "2024-07-15"]
    assert records[1]["area_km2"] > records[0]["area_km2"] * 1.4
    assert all(r["front_km"] == pytest.approx(222, rel=0.01) for r in records)
