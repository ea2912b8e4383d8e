"""read_observations: validation, resolution through the gazetteer API, and row accounting."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers import ObservationSet, load_factions, read_observations
from layers.observations import FRAME_COLUMNS, point_place_id
from tests.layers.fake_gazetteer import FakeGazetteer

TODAY = dt.date(2024, 1, 1)


def _read(tmp_path, text, name="e.csv", **kw) -> ObservationSet:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    kw.setdefault("gazetteer", FakeGazetteer())
    return read_observations(path, today=TODAY, **kw)


def test_schema_defaults_and_precision(tmp_path):
    obs = _read(tmp_path, "date,place,controller\n2016-03-27,Palmyra,SAA\n2015-05,Tadmur,Daesh\n"
                          "2014,Aleppo,rebels\n")
    f = obs.frame
    assert tuple(f.columns) == FRAME_COLUMNS
    assert f["row"].tolist() == [2, 3, 4]
    assert f["date_precision"].tolist() == ["day", "month", "year"]
    assert f["date_text"].tolist() == ["2016-03-27", "2015-05", "2014"]
    assert str(f["date"].iloc[1].date()) == "2015-05-01"
    assert f["controller"].tolist() == ["government", "isis", "opposition"]
    assert f["place_id"].tolist() == ["geonames:2", "geonames:2", "geonames:1"]
    assert f["place_text"].tolist() == ["Palmyra", "Tadmur", "Aleppo"]
    assert set(f["status"]) == {"held"} and set(f["kind"]) == {"change"}
    assert set(f["certainty"]) == {"confirmed"}
    assert obs.places["place_id"].tolist() == ["geonames:1", "geonames:2"]
    assert obs.places.crs == "EPSG:4326"
    aleppo = obs.places.geometry.iloc[0]
    assert (aleppo.x, aleppo.y) == (37.1343, 36.2021)  # Point(lon, lat)
    assert obs.rows_read == 3 and not obs.problems


def test_latlon_with_a_name_is_a_local_place(tmp_path):
    obs = _read(tmp_path, "date,place,lat,lon,controller\n"
                          "2016-01-01,Hill 412,35.12345678,36.5,SDF\n"
                          "2016-02-01,,35.12345678,36.5,ISIS\n")
    pid = point_place_id(35.12345678, 36.5)
    assert pid == "point:35.12346,36.5"
    assert obs.frame["place_id"].tolist() == [pid, pid]
    assert obs.places["name"].tolist() == ["Hill 412"]  # first name seen wins


def test_place_id_rows_use_gazetteer_get(tmp_path):
    gz = FakeGazetteer()
    obs = _read(tmp_path, "date,place_id,controller\n2016-01-01,geonames:3,SAA\n"
                          "2016-01-02,point:34.5,36.5,SAA\n"
                          "2016-01-03,geonames:999,SAA\n", gazetteer=gz)
    assert obs.frame["place_id"].tolist() == ["geonames:3"]
    codes = [p.code for p in obs.problems]
    assert "unknown-place-id" in codes


def test_contested_literal_means_status_contested(tmp_path):
    obs = _read(tmp_path, "date,place,controller\n2016-01-01,Raqqa,Contested\n")
    assert obs.frame["status"].tolist() == ["contested"]
    assert obs.frame["controller"].isna().all()


def test_ambiguous_names_are_decided_by_the_files_geography(tmp_path):
    gz = FakeGazetteer()
    obs = _read(tmp_path, "date,place,controller\n2016-01-01,Tell Abyad,YPG\n"
                          "2016-01-01,Raqqa,ISIS\n2016-01-02,Ain Issa,SDF\n", gazetteer=gz)
    # Tell Abyad and Ain Issa are ambiguous alone; Raqqa (resolved first) decides both.
    assert obs.frame["place_id"].tolist() == ["geonames:6", "geonames:8", "geonames:9"]
    first_pass = [c for c in gz.calls if c[2] is None]
    second_pass = [c for c in gz.calls if c[2] is not None]
    assert {c[0] for c in first_pass} == {"Tell Abyad", "Raqqa", "Ain Issa"}
    assert {c[0] for c in second_pass} == {"Tell Abyad", "Ain Issa"}
    assert all(c[2] >= 1 for c in second_pass)


def test_each_name_is_resolved_once(tmp_path):
    gz = FakeGazetteer()
    _read(tmp_path, "date,place,controller\n" + "2016-01-01,Aleppo,SAA\n" * 50, gazetteer=gz)
    assert gz.calls == [("Aleppo", None, None)]


def test_country_column_is_passed_to_the_gazetteer(tmp_path):
    obs = _read(tmp_path, "date,place,country,controller\n2016-01-01,Tell Abyad,IQ,isis\n")
    assert obs.frame["place_id"].tolist() == ["geonames:7"]


def test_column_aliases_and_unknown_columns(tmp_path):
    obs = _read(tmp_path, "Date,Location,Faction,URL,Notes,Weather\n"
                          "2016-01-01,Aleppo,SAA,https://x.example,n,rain\n")
    assert obs.frame["source"].tolist() == ["https://x.example"]
    assert obs.frame["note"].tolist() == ["n"]
    [p] = obs.problems
    assert (p.code, p.line, p.column, p.severity) == ("unknown-column", 1, "Weather", "warning")


def test_other_conflict_factions(tmp_path):
    factions_path = tmp_path / "river.toml"
    factions_path.write_text('[[faction]]\nid = "north"\ncolour = "#00f"\naliases = ["NL"]\n',
                             encoding="utf-8")
    obs = _read(tmp_path, "date,lat,lon,controller\n2001-01-01,10,20,nl\n2001-01-01,10,21,SAA\n",
                factions=load_factions(factions_path))
    assert obs.frame["controller"].tolist() == ["north"]
    assert [p.code for p in obs.problems] == ["unknown-controller"]


def test_every_row_is_accounted_for(tmp_path):
    obs = _read(tmp_path, "date,place,controller\n2016-01-01,Aleppo,SAA\n2016-01-01,Aleppo,SAA\n"
                          "bad,Aleppo,SAA\n2016-01-01,Nowhere,SAA\n2016-01-02,Aleppo,SAA\n")
    assert obs.rows_read == 5
    assert obs.frame["row"].tolist() == [2, 6]
    assert obs.dropped_lines == (3, 4, 5)
    assert obs.summary()["usable"] + obs.summary()["dropped"] == obs.rows_read
    assert {p.line for p in obs.problems} == {3, 4, 5}


def test_geojson_events(tmp_path):
    text = ('{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point",'
            '"coordinates":[36.5,35.1]},"properties":{"date":"2016-01-01","place":"Hill",'
            '"controller":"YPG"}},{"type":"Feature","geometry":{"type":"Polygon","coordinates":[]},'
            '"properties":{"date":"2016-01-01","controller":"YPG"}}]}')
    obs = _read(tmp_path, text, name="e.geojson")
    assert obs.frame["place_id"].tolist() == ["point:35.1,36.5"]
    [p] = obs.problems
    assert (p.code, p.line, p.unit, p.location) == ("bad-geometry", 2, "feature",
                                                    f"{obs.path}:feature 2:geometry")


def test_no_gazetteer_needed_for_coordinates_only(tmp_path, monkeypatch):
    import layers.observations as mod

    monkeypatch.setattr(mod, "_default_gazetteer", lambda: pytest.fail("gazetteer loaded"))
    obs = _read(tmp_path, "date,lat,lon,controller\n2016-01-01,35,36,SDF\n", gazetteer=None)
    assert len(obs.frame) == 1


cell = st.one_of(st.just(""), st.text(alphabet="abc ,\"\n-", max_size=6))
row_strategy = st.tuples(
    st.sampled_from(["2016-01-01", "2016-02", "2015", "2016-13-01", "", "2099-01-01", "x"]),
    st.sampled_from(["Aleppo", "Palmyra", "Tell Abyad", "Ain Issa", "Nowhere", ""]),
    st.sampled_from(["SAA", "ISIS", "contested", "Hamas", "", "YPG"]),
    st.sampled_from(["", "held", "besieged", "bad"]),
    st.sampled_from(["", "confirmed", "claimed", "rumour"]),
    cell,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(row_strategy, max_size=25))
def test_property_every_input_row_is_accounted_for(tmp_path_factory, rows):
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["date", "place", "controller", "status", "certainty", "note"])
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("acc") / "e.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    obs = read_observations(path, gazetteer=FakeGazetteer(), today=TODAY)
    non_blank = [r for r in rows if any(c.strip() for c in r)]
    assert obs.rows_read == len(non_blank)
    usable = obs.frame["row"].tolist()
    assert len(set(usable)) == len(usable)
    assert not set(usable) & set(obs.dropped_lines)
    assert len(usable) + len(obs.dropped_lines) == obs.rows_read
    dropping = {p.line for p in obs.problems if p.severity == "error" or p.code == "duplicate"}
    assert set(obs.dropped_lines) == dropping


def test_unknown_key_in_json_lines_is_reported_where_it_first_appears(tmp_path):
    text = ('{"date": "2016-01-01", "place": "Aleppo", "controller": "SAA"}\n'
            '{"date": "2016-01-02", "place": "Aleppo", "controller": "SAA", "mood": "calm"}\n')
    obs = _read(tmp_path, text, name="e.jsonl")
    [p] = obs.problems
    assert (p.code, p.line, p.column) == ("unknown-column", 2, "mood")
    assert len(obs.frame) == 2
