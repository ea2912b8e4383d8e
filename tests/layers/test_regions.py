"""Area observations (layers/regions.py): an area row sets its member places, a place-level row
of the same date wins, later rows win, provenance reaches the slice, bad area files are named."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from gazetteer.types import Place
from layers import regions
from layers.observations import read_observations
from layers.regions import AreaFileError, load_areas, parse_areas
from layers.timeline import build_timeline, slice_at
from tests.layers.fake_gazetteer import PLACES, FakeGazetteer

TODAY = dt.date(2025, 1, 1)
AREA = Place(id="local:north", name="North Region", lat=36.3, lon=38.0, country="SY",
             admin1="", kind="region", names=())
AREAS_TOML = """
[[area]]
id = "local:north"
name = "North Region"
members = ["Tell Abyad", "Ain Issa"]
polygon = "POLYGON ((36.9 35.8, 39.5 35.8, 39.5 36.5, 36.9 36.5, 36.9 35.8))"
country = "SY"
source = "https://example.org/north"
"""


@pytest.fixture
def areas_file(tmp_path, monkeypatch):
    path = tmp_path / "areas.toml"
    path.write_text(AREAS_TOML, encoding="utf-8")
    monkeypatch.setattr(regions, "AREAS_FILE", path)
    return path


def _read(tmp_path, text):
    path = tmp_path / "events.csv"
    path.write_text(text, encoding="utf-8")
    return read_observations(path, gazetteer=FakeGazetteer((*PLACES, AREA)), today=TODAY)


EVENTS = """date,place,controller,source
2015-01-01,Aleppo,government,https://a.example/1
2015-01-01,Raqqa,opposition,https://a.example/2
2015-06-01,North Region,isis,https://a.example/area
2015-06-01,Aleppo,opposition,https://a.example/3
2016-01-01,Raqqa,sdf,https://a.example/4
"""


def _states(obs, day):
    tl = build_timeline(obs)
    m = tl.state_matrix(np.array([day], dtype="datetime64[ns]"))
    return dict(zip(m.place_ids, m.controller_ids()[0], strict=True))


def test_an_area_row_sets_every_member_and_place_rows_win(tmp_path, areas_file):
    obs = _read(tmp_path, EVENTS)
    assert obs.rows_read == len(obs.frame) == 5  # the area row stays one input row
    got = _states(obs, "2015-07-01")
    # Raqqa (inside the polygon), Tell Abyad and Ain Issa (listed; near Raqqa by context),
    # and the region's own point: all isis. Aleppo lies inside the box too, but its own row
    # of the same date says opposition.
    assert got["geonames:8"] == "isis" and got["geonames:6"] == "isis"
    assert got["geonames:9"] == "isis" and got["local:north"] == "isis"
    assert got["geonames:1"] == "opposition"
    assert "geonames:2" not in got  # Palmyra: neither listed nor inside, not observed
    # A later place-level row overrides the area.
    assert _states(obs, "2016-02-01")["geonames:8"] == "sdf"


def test_provenance_reaches_the_slice(tmp_path, areas_file):
    obs = _read(tmp_path, EVENTS)
    tl = build_timeline(obs)
    sl = slice_at(tl, obs.places, ["2015-07-01"])
    row = sl[sl["place_id"] == "geonames:6"].iloc[0]
    assert int(row["obs_row"]) == 4
    intervals = tl.intervals[tl.intervals["place_id"] == "geonames:6"]
    assert intervals["note"].iloc[0] == "via North Region (line 4, source https://a.example/area)"


def test_area_members_join_the_places(tmp_path, areas_file):
    obs = _read(tmp_path, EVENTS)
    ids = set(obs.places["place_id"])
    assert {"geonames:6", "geonames:9"} <= ids  # listed members without rows of their own
    assert list(obs.places["place_id"]) == sorted(ids)


def test_no_area_rows_no_change(tmp_path, areas_file):
    obs = _read(tmp_path, "date,place,controller\n2015-01-01,Aleppo,government\n")
    assert obs.area_rows is not None and obs.area_rows.empty
    assert list(obs.places["place_id"]) == ["geonames:1"]


def test_unknown_area_is_reported_like_an_unknown_place(tmp_path, areas_file):
    obs = _read(tmp_path, "date,place,controller\n2015-01-01,Nowhere Region,isis\n")
    assert [p.code for p in obs.errors] == ["unknown-place"]


def test_unknown_member_is_a_warning_naming_the_area(tmp_path, monkeypatch):
    path = tmp_path / "areas.toml"
    path.write_text(AREAS_TOML.replace('"Ain Issa"', '"Atlantis"'), encoding="utf-8")
    monkeypatch.setattr(regions, "AREAS_FILE", path)
    obs = _read(tmp_path, EVENTS)
    warn = [p for p in obs.warnings if p.code == "unknown-area-member"]
    assert len(warn) == 1 and "Atlantis" in warn[0].message and warn[0].line == 4


@pytest.mark.parametrize(("entry", "field"), [
    ({"id": "a", "name": "A", "source": "ftp://x", "members": ["B"]}, "source"),
    ({"id": "a", "name": "A", "source": "https://x"}, "members"),
    ({"id": "a", "name": "A", "source": "https://x", "polygon": "POLYGON (("}, "polygon"),
    ({"id": "a", "name": "A", "source": "https://x", "members": "B"}, "members"),
    ({"id": "", "name": "A", "source": "https://x", "members": ["B"]}, "id"),
    ({"id": "a", "name": "A", "source": "https://x", "members": ["B"], "colour": 1}, "colour"),
])
def test_bad_area_entries_name_the_field(entry, field):
    with pytest.raises(AreaFileError, match=f"field '{field}'"):
        parse_areas([entry], where="areas.toml")


def test_curated_areas_file_is_valid_and_sourced():
    areas = load_areas()
    assert areas, "gazetteer/data/supplement/areas.toml defines no area"
    assert all(a.source.startswith("https://") for a in areas)
    assert len({a.id for a in areas}) == len(areas)


def test_curated_areas_resolve_and_their_members_exist():
    import gazetteer

    gz = gazetteer.load()
    for a in load_areas():
        assert gz.resolve_one(a.name, country=a.country or None).place.id == a.id, a.name
        for m in a.members:  # every listed member resolves (ambiguity decided near the area)
            assert gz.resolve_one(m, country=a.country or None, context=[gz.get(a.id)]).place
