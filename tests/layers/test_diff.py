"""diff_states and ``frontline diff``: gains and losses per faction, with their observations."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import layers.observations as observations_module
from layers import build_timeline, diff_states, read_observations
from mapper.cli import app
from tests.layers.fake_gazetteer import FakeGazetteer

EVENTS = """date,place,controller,status,source,note
2015-05,Palmyra,ISIS,,https://a.example,offensive
2016-03-27,Palmyra,SAA,,https://b.example,retaken
2016-06-01,Palmyra,SAA,,https://c.example,still held
2016-01-10,Aleppo,rebels,,https://d.example,
2016-05-01,Aleppo,rebels,besieged,https://e.example,
2016-04-01,Douma,rebels,,https://f.example,
2014-01-01,Qusair,SAA,,https://g.example,
"""


@pytest.fixture
def timeline(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(EVENTS, encoding="utf-8")
    obs = read_observations(path, gazetteer=FakeGazetteer(), today=dt.date(2024, 1, 1))
    return obs, build_timeline(obs)


def test_gains_losses_and_their_cause(timeline):
    obs, tl = timeline
    d = diff_states(tl, start="2016-02-01", end="2016-12-31")
    assert len(d.hands) == 2 and len(d.status_only) == 1
    groups = d.by_faction(obs.factions)
    assert list(groups) == ["government", "opposition", "isis"]
    [gained] = groups["government"]["gained"].to_dict("records")
    # the change is explained by the observation that started the new holder's run (line 3),
    # not by the later "still held" report (line 4)
    assert (gained["place"], gained["from_controller"], gained["obs_row"], gained["source"]) == \
        ("Palmyra", "isis", 3, "https://b.example")
    [lost] = groups["isis"]["lost"].to_dict("records")
    assert lost["place"] == "Palmyra" and lost["to_controller"] == "government"
    [new] = groups["opposition"]["gained"].to_dict("records")
    assert new["place"] == "Douma" and pd.isna(new["from_controller"])  # first seen after start
    [status] = d.status_only.to_dict("records")
    assert (status["place"], status["from_status"], status["to_status"], status["obs_row"]) == \
        ("Aleppo", "held", "besieged", 6)
    assert "Qusair" not in set(d.changes["place"])  # unchanged places are not listed


def test_no_change_between_equal_dates_and_no_backwards_diff(timeline):
    _obs, tl = timeline
    assert diff_states(tl, start="2016-02-01", end="2016-02-01").changes.empty
    with pytest.raises(ValueError, match="swap --from and --to"):
        diff_states(tl, start="2016-02-01", end="2016-01-01")


def test_cli_diff_text_and_json(tmp_path, monkeypatch):
    monkeypatch.setattr(observations_module, "_default_gazetteer", FakeGazetteer)
    path = tmp_path / "e.csv"
    path.write_text(EVENTS, encoding="utf-8")
    runner = CliRunner()
    text = runner.invoke(app, ["diff", str(path), "--from", "2016-02", "--to", "2016-12-31"])
    assert text.exit_code == 0, text.output
    assert "2 places changed hands, 1 changed status only" in text.output
    assert "government: +1 −0" in text.output
    assert "+ Palmyra (from isis) on 2016-03-27 [line 3, https://b.example]" in text.output
    assert "~ Aleppo: held → besieged (opposition) on 2016-05-01 [line 6" in text.output
    js = runner.invoke(app, ["diff", str(path), "--from", "2016-02", "--to", "2016-12-31",
                             "--json"])
    doc = json.loads(js.stdout)
    assert doc["from"] == "2016-02-01" and doc["changed_hands"] == 2
    assert doc["factions"]["isis"]["net"] == -1
    assert doc["factions"]["government"]["gained"][0]["changed_on"] == "2016-03-27"


def test_property_diff_lists_exactly_the_places_whose_state_differs():
    import numpy as np
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from tests.layers.test_timeline import BASE, _frame

    obs = st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 30),
                    st.sampled_from(["x", "y", None]), st.sampled_from(["held", "besieged"]),
                    st.sampled_from(["confirmed", "claimed"]))

    @settings(max_examples=80, deadline=None)
    @given(st.lists(obs, max_size=30), st.integers(-2, 32), st.integers(-2, 32))
    def check(rows, t0, t1):
        rows = [(p, d, c, "contested" if c is None else s, k) for p, d, c, s, k in rows]
        tl = build_timeline(_frame(rows), controllers=["x", "y"])
        start, end = BASE + min(t0, t1), BASE + max(t0, t1)
        d = diff_states(tl, start=start, end=end)
        m = tl.state_matrix([start, end])
        differs = (m.controller[0] != m.controller[1]) | (m.status[0] != m.status[1])
        assert sorted(d.changes["place_id"].astype(str)) == sorted(tl.place_ids[differs])
        hands = set(d.hands["place_id"].astype(str))
        assert hands == set(tl.place_ids[m.controller[0] != m.controller[1]])
        for r in d.hands.itertuples():  # a change of hands is caused between the two dates
            if pd.isna(r.to_controller):
                continue  # lost to nobody known: no gaining observation to cite
            assert np.datetime64(start, "ns") < r.changed_on <= np.datetime64(end, "ns")

    check()
