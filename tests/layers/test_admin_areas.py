"""Admin units imported from a polygon layer (layers/admin_areas.py, `frontline areas import`):
names that say the level, every feature accounted for, the user store, and an observation of a
unit setting every place inside its polygon unless a more specific row says otherwise.

``data/admin_schematic.geojson`` is a SCHEMATIC layer written for these tests (made-up units,
boxes around real towns near Raqqa): a governorate, a district, a district in two pieces, and a
locality, an alternate geometry and a line that must be skipped."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from typer.testing import CliRunner

from gazetteer.types import Place
from layers import admin_areas, regions
from layers.admin_areas import (
    AdminLayerError,
    import_admin_layer,
    imported_areas,
    qualified_names,
    read_admin_layer,
    remove_admin_layer,
)
from layers.observations import read_observations
from layers.timeline import build_timeline
from tests.layers.fake_gazetteer import PLACES, FakeGazetteer

DATA = Path(__file__).parent / "data"
LAYER = DATA / "admin_schematic.geojson"
TODAY = dt.date(2025, 1, 1)


@pytest.fixture(scope="module")
def _module_home(tmp_path_factory):
    return tmp_path_factory.mktemp("admin_areas_home")


@pytest.fixture
def store(_module_home, monkeypatch):
    """A user store of this module's own with no imports, so imports do not leak into other
    tests (the gazetteer's caches are kept between tests: rebuilding them is slow)."""
    import shutil

    shutil.rmtree(_module_home / "areas", ignore_errors=True)
    shutil.rmtree(_module_home / "gazetteer" / "imports", ignore_errors=True)
    monkeypatch.setenv("FRONTLINE_HOME", str(_module_home))
    return _module_home


# ---------------------------------------------------------------------------- names


def test_names_say_the_level():
    assert qualified_names(["Afrin"], "admin2", "SY") == ("Afrin District",)
    assert qualified_names(["منطقة عفرين", "Afrin District"], "admin2", "SY") == (
        "منطقة عفرين", "Afrin District")
    assert qualified_names(["إدلب"], "admin1", "SY") == ("محافظة إدلب",)
    got = qualified_names(["Homs (Hims)"], "admin1", "SY")
    assert got == ("Homs Governorate", "Homs Province", "Hims Governorate", "Hims Province")
    assert qualified_names(["Kharkiv"], "admin1", "UA")[0] == "Kharkiv Oblast"
    assert qualified_names(["Darfur"], "admin1", "SD")[0] == "Darfur State"
    assert qualified_names(["Tell Abyad"], "admin3", "SY")[0] == "Tell Abyad Subdistrict"
    assert qualified_names(["Zahle"], "admin2", "LB") == (
        "Zahle District", "Zahle Caza", "Zahle Qada")
    assert qualified_names(["زحلة"], "admin2", "LB") == ("قضاء زحلة",)
    assert qualified_names(["محافظة الجنوب|جنوب لبنان"], "admin1", "LB") == (
        "محافظة الجنوب", "محافظة جنوب لبنان")


# ---------------------------------------------------------------------------- reading


def test_every_feature_is_a_unit_merged_or_skipped():
    layer = read_admin_layer(LAYER, known={})
    assert layer.format == "wof" and layer.features == 7
    assert len(layer.units) + len(layer.merged) + len(layer.skipped) == layer.features
    assert [u.id for u in layer.units] == ["wof:9001", "wof:9101", "wof:9102"]
    by_id = {u.id: u for u in layer.units}
    gov, river, hills = by_id["wof:9001"], by_id["wof:9101"], by_id["wof:9102"]
    assert gov.level == "admin1" and gov.names[0] == "Northland Governorate"
    assert "محافظة الشمال" in gov.names
    assert river.names == ("Riverside District", "منطقة الضفة") and river.admin1 == "Northland"
    # The two "Hills" pieces are one district whose polygon holds both.
    assert hills.polygon.geom_type == "MultiPolygon"
    assert "wof:9103" in layer.merged[0]
    reasons = " | ".join(layer.skipped)
    assert "placetype 'locality' is not an admin unit" in reasons
    assert "no placetype" in reasons and "'LineString': not a polygon" in reasons
    # The label point lies inside the unit.
    assert river.polygon.contains(shapely.Point(river.lon, river.lat))


def test_a_name_already_known_keeps_its_id():
    layer = read_admin_layer(LAYER, known={"riverside district": "local:riverside"})
    assert "local:riverside" in {u.id for u in layer.units}


def test_bad_layers_are_named(tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(AdminLayerError, match=r"bad.geojson: line 1: not valid JSON"):
        read_admin_layer(bad)
    plain = tmp_path / "plain.geojson"
    plain.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"NAME_2": "X"}, "geometry": None}]}),
        encoding="utf-8")
    with pytest.raises(AdminLayerError, match="--name-property PROP and --level"):
        read_admin_layer(plain)
    layer = read_admin_layer(plain, name_property="NAME_2", level="admin2", country="SY",
                             known={})
    assert not layer.units and layer.skipped == (f"{plain}: feature 1: no geometry",)
    with pytest.raises(AdminLayerError, match="no admin units"):
        import_admin_layer(plain, name_property="NAME_2", level="admin2")


def test_a_layer_saved_in_another_crs_is_read_in_lon_lat(tmp_path):
    """QGIS and GDAL write a ``crs`` member into GeoJSON of a layer in another CRS (here Web
    Mercator metres): the polygons are transformed, not stored as degrees."""
    import geopandas as gpd

    box = shapely.box(36.3, 33.4, 36.6, 33.7)
    gdf = gpd.GeoDataFrame({"NAME_2": ["Testarea"]}, geometry=[box], crs="EPSG:4326")
    metres = tmp_path / "metres.geojson"
    gdf.to_crs("EPSG:3857").to_file(metres, driver="GeoJSON")
    assert "EPSG::3857" in metres.read_text(encoding="utf-8")
    [unit] = read_admin_layer(metres, name_property="NAME_2", level="admin2", country="SY",
                              known={}).units
    assert shapely.bounds(unit.polygon) == pytest.approx(shapely.bounds(box), abs=1e-9)


# ---------------------------------------------------------------------------- the store


def test_import_stores_in_the_user_store_deterministically(store):
    r = import_admin_layer(LAYER, name="schematic")
    stored = Path(r.stored)
    assert stored.parent == store / "areas" and stored.exists()
    first = stored.read_bytes()
    import_admin_layer(LAYER, name="schematic")
    assert stored.read_bytes() == first  # same input, same bytes
    names = [e["name"] for e in json.loads((store / "gazetteer" / "imports" / "manifest.json")
                                           .read_text(encoding="utf-8"))["imports"]]
    assert names == ["areas-schematic"]  # the names reach the gazetteer
    areas = {a.id: a for a in imported_areas()}
    assert set(areas) == {"wof:9001", "wof:9101", "wof:9102"}
    assert areas["wof:9101"].name == "Riverside District"
    assert remove_admin_layer("schematic") and not imported_areas()
    assert not (store / "gazetteer" / "imports" / "areas-schematic.jsonl.gz").exists()


# ---------------------------------------------------------------------------- observations

EVENTS = """date,place,controller,source
2015-01-01,Raqqa,opposition,https://a.example/1
2015-01-01,Tell Abyad,opposition,https://a.example/2
2015-01-01,Ain Issa,opposition,https://a.example/3
2015-01-01,Aleppo,government,https://a.example/4
2015-06-01,Northland Governorate,isis,https://a.example/gov
2015-06-01,Riverside District,government,https://a.example/dist
2015-06-01,Ain Issa,opposition,https://a.example/5
"""


def _unit_places(units):
    return tuple(Place(id=u.id, name=u.name, lat=u.lat, lon=u.lon, country=u.country,
                       admin1=u.admin1, kind="district", names=u.names) for u in units)


def test_an_admin_unit_sets_every_place_inside_unless_more_specific(tmp_path, store,
                                                                    monkeypatch):
    monkeypatch.setattr(regions, "AREAS_FILE", tmp_path / "none.toml")  # imported units only
    r = import_admin_layer(LAYER, name="schematic")
    path = tmp_path / "events.csv"
    path.write_text(EVENTS, encoding="utf-8")
    obs = read_observations(path, gazetteer=FakeGazetteer((*PLACES, *_unit_places(r.units))),
                            today=TODAY)
    assert not obs.errors and obs.rows_read == len(obs.frame) == 7
    tl = build_timeline(obs)
    m = tl.state_matrix(np.array(["2015-07-01"], dtype="datetime64[ns]"))
    got = dict(zip(m.place_ids, m.controller_ids()[0], strict=True))
    assert got["geonames:6"] == "isis"        # Tell Abyad: inside the governorate (and Hills)
    assert got["geonames:8"] == "government"  # Raqqa: its district's row is more specific
    assert got["geonames:9"] == "opposition"  # Ain Issa: its own row of that date wins
    assert got["geonames:1"] == "government"  # Aleppo: outside the governorate, unchanged
    note = tl.intervals[(tl.intervals["place_id"] == "geonames:8")]["note"].iloc[-1]
    assert note == "via Riverside District (line 7, source https://a.example/dist)"
    note = tl.intervals[(tl.intervals["place_id"] == "geonames:6")]["note"].iloc[-1]
    assert note == "via Northland Governorate (line 6, source https://a.example/gov)"


def test_cli_import_then_check_names_an_unknown_unit_with_suggestions(tmp_path, store):
    from mapper.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["areas", "import", str(LAYER), "--name", "schematic"])
    assert res.exit_code == 0, res.output
    assert "imported 3 admin units (1 admin1, 2 admin2) from 7 features" in res.output
    assert "1 feature(s) merged" in res.output and "3 skipped" in res.output
    listed = runner.invoke(app, ["areas", "list"])
    assert "schematic\twof\t3 units" in listed.output
    events = tmp_path / "events.csv"
    events.write_text("date,place,controller,source\n"
                      "2015-01-01,Raqqa,opposition,https://a.example/1\n"
                      "2015-06-01,Riverside District,isis,https://a.example/2\n"
                      "2015-06-01,منطقة الضفة,isis,https://a.example/3\n"
                      "2015-07-01,Rivrside Dstrict,sdf,https://a.example/4\n"
                      "2015-07-01,Riverbend District,sdf,https://a.example/5\n"
                      "2015-08-01,Hillz District,sdf,https://a.example/6\n", encoding="utf-8")
    res = runner.invoke(app, ["events", "check", str(events)])
    out = res.output
    assert res.exit_code == 1 and "events.csv:6:place: error[unknown-place]" in out
    assert "Riverside District" in out.split("Riverbend District", 1)[1]  # the suggestion
    # both names of the unit and a misspelling of it resolve: only line 6 is an error
    assert "6 rows read = 5 usable + 1 dropped; 1 errors, 1 warnings" in out
    # a spelling the gazetteer only matched loosely is applied, and flagged
    assert "events.csv:7:place: warning[area-spelling]" in out and "Hills District" in out
    assert "area-spelling" not in out.split("events.csv:7", 1)[0]
    res = runner.invoke(app, ["areas", "remove", "nothing"])
    assert res.exit_code == 1 and "no admin layer named 'nothing'" in res.output


# ---------------------------------------------------------------------------- real layers


def test_real_wof_and_geoboundaries_layers(shared_data, tmp_path, store):
    import gazetteer

    wof = import_admin_layer(shared_data / "wof_gazetteer_sy_lb" / "wof_sy_admin_polygons.geojson",
                             name="wof-sy")
    assert wof.counts() == {"admin1": 15, "admin2": 61, "admin3": 0}
    assert len(wof.units) + len(wof.merged) + len(wof.skipped) == wof.features == 78
    gb = import_admin_layer(shared_data / "geoboundaries_syr_adm1"
                            / "geoBoundaries-SYR-ADM1_simplified.geojson", name="gb-sy")
    assert gb.counts()["admin1"] == 14
    # geoBoundaries' governorates join the WOF ones of the same name: no duplicates.
    assert {u.id for u in gb.units} <= {u.id for u in wof.units}
    gz = gazetteer.load()
    for name, want in (("Afrin District", "local:afrin-district"),
                       ("منطقة عفرين", "local:afrin-district"),
                       ("Idlib Governorate", "wof:85678373"), ("محافظة إدلب", "wof:85678373"),
                       ("Deir ez-Zor Governorate", "wof:85678381"),
                       ("Manbij District", "wof:1108779205")):
        assert gz.resolve_one(name).place.id == want, name
    assert gz.resolve_one("Idlib").place.kind != "governorate"  # the bare name is the city's
    # An observation of Idlib Governorate sets the governorate's towns, not Aleppo's.
    events = tmp_path / "events.csv"
    events.write_text("date,place,controller,source\n"
                      "2015-01-01,Idlib,government,https://a.example/1\n"
                      "2015-01-01,Maarat al-Numan,government,https://a.example/2\n"
                      "2015-01-01,Azaz,government,https://a.example/3\n"
                      "2015-03-28,Idlib Governorate,opposition,https://a.example/4\n",
                      encoding="utf-8")
    obs = read_observations(events, today=TODAY)
    assert not obs.errors, obs.errors
    tl = build_timeline(obs)
    m = tl.state_matrix(np.array(["2015-04-01"], dtype="datetime64[ns]"))
    got = dict(zip(m.place_ids, m.controller_ids()[0], strict=True))
    ids = dict(zip(obs.frame["place_text"], obs.frame["place_id"], strict=True))
    assert got[ids["Idlib"]] == got[ids["Maarat al-Numan"]] == "opposition"
    assert got[ids["Azaz"]] == "government"  # Aleppo governorate: not a member
    assert got[ids["Idlib Governorate"]] == "opposition"


def test_real_full_wof_lines_file(shared_data, store):
    layer = read_admin_layer(shared_data / "wof_gazetteer_sy_lb" / "wof_admin_sy.geojsonl.gz",
                             known=admin_areas.known_ids())
    assert layer.features == 10_710
    assert len(layer.units) + len(layer.merged) + len(layer.skipped) == layer.features
    afrin = next(u for u in layer.units if u.id == "local:afrin-district")
    assert "Afrin District" in afrin.names and "منطقة عفرين" in afrin.names


# ---------------------------------------------------------------------------- OpenSyria

OPENSYRIA = DATA / "opensyria_schematic"


def test_opensyria_names_join_the_polygons_and_split_districts(store):
    with pytest.raises(AdminLayerError, match="no admin units"):  # no polygon layer yet
        import_admin_layer(OPENSYRIA, name="os")
    import_admin_layer(LAYER, name="schematic")
    r = import_admin_layer(OPENSYRIA, name="os")
    assert r.format == "opensyria" and r.features == 8
    assert len(r.units) + len(r.merged) + len(r.skipped) == r.features
    assert r.counts() == {"admin1": 1, "admin2": 2, "admin3": 3}
    assert sum("'xx-northland-nowhere' has no polygon" in s for s in r.skipped) == 1
    assert sum("no polygon: no imported unit" in s for s in r.skipped) == 1
    by_id = {u.id: u for u in r.units}
    # governorate and districts join the WOF units (their ids), adding OpenSyria's names
    assert {"wof:9001", "wof:9101", "wof:9102"} <= set(by_id)
    assert "River Side District" in by_id["wof:9101"].names
    east = by_id["opensyria:xx-northland-riverside-eastbank"]
    west = by_id["opensyria:xx-northland-riverside-westbank"]
    hill = by_id["opensyria:xx-northland-hills-hilltop"]
    assert east.level == "admin3" and east.names[0] == "Eastbank Subdistrict"
    assert "ناحية الضفة الشرقية" in east.names and "approximated" in east.source
    river = by_id["wof:9101"].polygon
    # the district's subdistricts split it: nearer centre wins, no gap, no overlap
    assert abs(east.polygon.area + west.polygon.area - river.area) < 1e-9
    assert east.polygon.intersection(west.polygon).area < 1e-9
    assert east.polygon.contains(shapely.Point(39.25, 35.95))
    assert west.polygon.contains(shapely.Point(39.01, 35.95))  # Raqqa: west of the bisector
    assert hill.polygon.equals(by_id["wof:9102"].polygon)  # one subdistrict: the district


def test_a_subdistrict_observation_sets_its_part_of_the_district(tmp_path, store, monkeypatch):
    monkeypatch.setattr(regions, "AREAS_FILE", tmp_path / "none.toml")
    wof = import_admin_layer(LAYER, name="schematic")
    os_ = import_admin_layer(OPENSYRIA, name="os")
    units = {u.id: u for u in (*wof.units, *os_.units)}
    path = tmp_path / "events.csv"
    path.write_text("date,place,controller,source\n"
                    "2015-01-01,Raqqa,opposition,https://a.example/1\n"
                    "2015-06-01,Eastbank Subdistrict,isis,https://a.example/2\n"
                    "2015-07-01,Westbank Subdistrict,sdf,https://a.example/3\n", encoding="utf-8")
    obs = read_observations(path, gazetteer=FakeGazetteer(
        (*PLACES, *_unit_places(units.values()))), today=TODAY)
    assert not obs.errors
    m = build_timeline(obs).state_matrix(
        np.array(["2015-06-15", "2015-07-15"], dtype="datetime64[ns]"))
    got = [dict(zip(m.place_ids, row, strict=True)) for row in m.controller_ids()]
    assert got[0]["geonames:8"] == "opposition"  # Raqqa is in Westbank, not Eastbank
    assert got[1]["geonames:8"] == "sdf"


def test_real_opensyria_after_wof(shared_data, store):
    import gazetteer

    import_admin_layer(shared_data / "wof_gazetteer_sy_lb" / "wof_sy_admin_polygons.geojson",
                       name="wof-sy")
    r = import_admin_layer(shared_data / "opensyria_admin_hierarchy", name="opensyria")
    assert len(r.units) + len(r.merged) + len(r.skipped) == r.features == 14 + 62 + 272
    counts = r.counts()
    assert counts["admin1"] == 14 and counts["admin2"] >= 60 and counts["admin3"] >= 260
    gz = gazetteer.load()
    sub = gz.resolve_one("Kafr Zita Subdistrict").place
    assert sub.kind == "subdistrict" and gz.resolve_one("ناحية كفر زيتا").place.id == sub.id
    town = gz.resolve_one("Kafr Zita").place
    area = {a.id: a for a in imported_areas()}[sub.id]
    assert area.polygon.contains(shapely.Point(town.lon, town.lat))
    assert gz.resolve_one("Hasakah Governorate").place.id == "wof:85678377"


def test_gazetteer_import_of_an_admin_layer_points_to_areas_import(store):
    from mapper.cli import app

    res = CliRunner().invoke(app, ["gazetteer", "import", str(LAYER)])
    assert res.exit_code == 1 and "frontline areas import FILE" in res.output


def test_real_wof_lebanon_layer(shared_data, store):
    import gazetteer

    r = import_admin_layer(shared_data / "wof_gazetteer_sy_lb" / "wof_lb_admin_polygons.geojson",
                           name="wof-lb")
    assert r.counts() == {"admin1": 8, "admin2": 24, "admin3": 0}
    assert len(r.units) + len(r.merged) + len(r.skipped) == r.features
    gz = gazetteer.load()
    zahle = gz.resolve_one("Zahle District").place
    assert zahle.kind == "district" and zahle.country == "LB"
    assert gz.resolve_one("Zahle Caza").place.id == zahle.id
    assert gz.resolve_one("Zahle").place.kind != "district"  # the town keeps its name


def test_a_governorate_row_reaches_its_districts_points_unless_they_say_otherwise(
        tmp_path, store, monkeypatch):
    monkeypatch.setattr(regions, "AREAS_FILE", tmp_path / "none.toml")
    r = import_admin_layer(LAYER, name="schematic")
    path = tmp_path / "events.csv"
    path.write_text("date,place,controller,source\n"
                    "2015-01-01,Riverside District,government,https://a.example/1\n"
                    "2015-01-01,Hills District,government,https://a.example/2\n"
                    "2015-06-01,Northland Governorate,isis,https://a.example/3\n"
                    "2015-06-01,Hills District,sdf,https://a.example/4\n"
                    "2015-07-01,Riverside District,opposition,https://a.example/5\n",
                    encoding="utf-8")
    obs = read_observations(path, gazetteer=FakeGazetteer((*PLACES, *_unit_places(r.units))),
                            today=TODAY)
    assert not obs.errors and not obs.warnings
    m = build_timeline(obs).state_matrix(
        np.array(["2015-06-15", "2015-07-15"], dtype="datetime64[ns]"))
    june, july = (dict(zip(m.place_ids, row, strict=True)) for row in m.controller_ids())
    assert june["wof:9101"] == "isis"  # the district's own point, inside the governorate
    assert june["wof:9102"] == "sdf"   # its own row of that date wins: not contested
    assert june["wof:9001"] == "isis"
    assert july["wof:9101"] == "opposition" and july["wof:9001"] == "isis"  # not the reverse
