"""An area observation reaches the map: a member place's interval points at its own copy of the
area row, whose note says "via AREA (line N, source …)" (the popup shows that note)."""

from __future__ import annotations

from layers.factions import load_factions
from layers.timeline import build_timeline
from mapper.model import model_from_layers
from tests.layers.test_regions import EVENTS, _read, areas_file  # noqa: F401 (fixture)


def test_member_interval_shows_the_area_row(tmp_path, areas_file):  # noqa: F811
    obs = _read(tmp_path, EVENTS)
    model = model_from_layers(obs, build_timeline(obs), load_factions())
    pos = list(model.places["place_id"]).index("geonames:6")  # Tell Abyad: listed member only
    iv = model.intervals[model.intervals["place_pos"] == pos]
    assert len(iv) == 1 and iv["controller"].iloc[0] == "isis"
    o = model.observations.loc[int(iv["obs"].iloc[0])]
    assert o["place_pos"] == pos and o["row"] == 4
    assert o["note"] == "via North Region (line 4, source https://a.example/area)"
    # The member keeps its own label: the area's name is not one of its spellings.
    assert model.places.loc[pos, "label"] == "Tell Abyad"
