"""The timeline: replay rules, provenance, the vectorized state matrix and slices."""

from __future__ import annotations

import datetime as dt
import pickle

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import layers.observations as observations_module
from layers import build_timeline, read_observations, slice_at
from layers.timeline import INTERVAL_COLUMNS, SLICE_COLUMNS
from mapper.cli import app
from tests.layers.fake_gazetteer import FakeGazetteer

BASE = np.datetime64("2016-01-01", "D")


def _frame(rows):
    """rows: (place, day offset, controller or None, status, certainty)."""
    return pd.DataFrame({
        "row": np.arange(2, len(rows) + 2),
        "place_id": [r[0] for r in rows],
        "date": (BASE + np.array([r[1] for r in rows], dtype="timedelta64[D]")).astype(
            "datetime64[ns]") if rows else np.array([], dtype="datetime64[ns]"),
        "controller": pd.array([r[2] for r in rows], dtype="string"),
        "status": [r[3] for r in rows],
        "certainty": [r[4] for r in rows],
        "source": [f"s{i}" for i in range(len(rows))],
    })


def _state(tl, day, place):
    m = tl.state_matrix([BASE + day], place_ids=[place])
    c = m.controller_ids()[0, 0]
    s = m.status[0, 0]
    return c, (None if s < 0 else m.status_categories[s]), int(m.obs_row[0, 0])


def test_latest_wins_and_intervals_are_half_open():
    tl = build_timeline(_frame([("a", 0, "x", "held", "confirmed"),
                                ("a", 10, "y", "held", "confirmed")]))
    assert _state(tl, -1, "a") == (None, None, -1)
    assert _state(tl, 0, "a") == ("x", "held", 2)
    assert _state(tl, 9, "a") == ("x", "held", 2)
    assert _state(tl, 10, "a") == ("y", "held", 3)  # valid_to is exclusive
    iv = tl.intervals
    assert iv["valid_to"].iloc[0] == iv["valid_from"].iloc[1]
    assert pd.isna(iv["valid_to"].iloc[1])


def test_confirmed_beats_claimed_on_one_date_regardless_of_order():
    rows = [("a", 5, "y", "held", "claimed"), ("a", 5, "x", "held", "confirmed"),
            ("a", 5, "z", "held", "claimed")]
    tl = build_timeline(_frame(rows))
    assert _state(tl, 5, "a")[:2] == ("x", "held")
    # but a later claimed observation still wins over an earlier confirmed one
    tl = build_timeline(_frame([("a", 1, "x", "held", "confirmed"),
                                ("a", 2, "y", "held", "claimed")]))
    assert _state(tl, 2, "a")[0] == "y"


def test_disagreeing_confirmed_observations_make_the_place_contested():
    rows = [("a", 0, "x", "held", "confirmed"), ("a", 5, "y", "held", "confirmed"),
            ("a", 5, "z", "held", "confirmed")]
    tl = build_timeline(_frame(rows))
    c, s, _ = _state(tl, 5, "a")
    assert (c, s) == ("x", "contested")  # holder: the last undisputed controller
    assert tl.intervals["conflict"].tolist() == [False, True]


def test_contested_without_holder_keeps_the_last_holder_and_since():
    rows = [("a", 0, "x", "held", "confirmed"), ("a", 3, None, "contested", "confirmed"),
            ("a", 6, "x", "held", "confirmed"), ("b", 1, None, "contested", "confirmed")]
    tl = build_timeline(_frame(rows))
    assert _state(tl, 4, "a")[:2] == ("x", "contested")
    assert _state(tl, 1, "b")[:2] == (None, "contested")
    since = tl.intervals.set_index(["place_id", "valid_from"])["since"]
    assert (since.loc["a"] == pd.Timestamp("2016-01-01")).all()  # x since day 0 throughout


def test_state_matrix_shape_codes_and_unknown_places():
    tl = build_timeline(_frame([("a", 0, "x", "held", "confirmed"),
                                ("b", 2, "y", "besieged", "claimed")]), controllers=["y", "x"])
    m = tl.state_matrix([BASE, BASE + 2, BASE + 100], place_ids=["b", "zz", "a"])
    assert m.shape == (3, 3)
    assert m.categories == ("y", "x")
    assert m.controller.tolist() == [[-1, -1, 1], [0, -1, 1], [0, -1, 1]]
    assert m.status[1].tolist() == [2, -1, 0]
    assert m.certainty[1].tolist() == [1, -1, 0]
    assert m.controller.dtype == np.int16
    assert (tl.change_dates() == np.array([BASE, BASE + 2], dtype="datetime64[ns]")).all()


def test_empty_timeline():
    tl = build_timeline(_frame([]))
    m = tl.state_matrix([BASE])
    assert m.shape == (1, 0) and len(tl) == 0


def test_unknown_controller_in_a_frame_is_an_error():
    with pytest.raises(ValueError, match="controller 'q'"):
        build_timeline(_frame([("a", 0, "q", "held", "confirmed")]), controllers=["x"])


def test_arrow_and_object_columns_give_the_same_codes_and_errors():
    rows = [("a", 0, "x", "held", "confirmed"), ("b", 1, "y", None, None),
            ("a", 2, None, "contested", "claimed")]
    plain = _frame(rows)
    arrow = plain.assign(**{c: pd.array(plain[c].tolist(), dtype="string[pyarrow]")
                            for c in ("place_id", "controller", "status", "certainty")})
    for controllers in (None, ["y", "x"]):
        a = build_timeline(plain, controllers=controllers)
        b = build_timeline(arrow, controllers=controllers)
        pd.testing.assert_frame_equal(a.intervals, b.intervals)
        of_b = b.intervals[b.intervals["place_id"] == "b"]  # its status and certainty are NA
        assert of_b[["status", "certainty"]].values.tolist() == [["held", "confirmed"]]
    bad = arrow.assign(status=pd.array(["held", None, "burning"], dtype="string[pyarrow]"))
    with pytest.raises(ValueError, match="status 'burning' is not one of held, contested"):
        build_timeline(bad)
    with pytest.raises(ValueError, match="place_id .* 'b' is not one of a"):
        build_timeline(arrow, place_ids=["a"])
    with pytest.raises(ValueError, match="is missing on some rows"):
        build_timeline(arrow.assign(place_id=pd.array(["a", None, "a"], dtype="string[pyarrow]")),
                       place_ids=["a", "b"])


def test_intervals_are_built_once_and_only_when_read(events):
    from layers.timeline import slice_table

    obs = read_observations(events, gazetteer=FakeGazetteer(), today=dt.date(2024, 1, 1))
    tl = build_timeline(obs)
    piece = slice_table(tl, obs.places, ["2016-01-01", "2016-04-01"])
    assert "intervals" not in tl.__dict__  # a slice reads the per-interval arrays only
    assert len(tl) == 3 and tl.conflicts() == 0 and len(piece) == 3
    assert tl.intervals is tl.intervals
    assert list(tl.intervals.columns) == list(INTERVAL_COLUMNS)
    back = pickle.loads(pickle.dumps(build_timeline(obs)))
    pd.testing.assert_frame_equal(back.intervals, tl.intervals)
    assert (back.state_matrix(["2016-04-01"]).interval == tl.state_matrix(["2016-04-01"]).interval
            ).all()


def _grid_reference(tl, dates):
    """The interval in force per (date, place): the last one begun on or before the date."""
    iv = tl.intervals
    start = iv["valid_from"].to_numpy("datetime64[ns]")
    place = iv["place_id"].cat.codes.to_numpy()
    out = np.full((len(dates), len(tl.place_ids)), -1)
    for di, d in enumerate(np.asarray(dates, dtype="datetime64[ns]")):
        begun = np.flatnonzero(start <= d)
        out[di, place[begun]] = begun  # rows grow with time within a place: the last one wins
    return out


@pytest.mark.parametrize("far", [False, True])
def test_state_grid_on_wide_grids_and_long_spans(far):
    """≥ 256 places take the row-by-row running maximum; days spread far apart take the binary
    search instead of the day table; query dates out of order and repeated."""
    rng = np.random.default_rng(7)
    n, n_places = 3_000, 300
    offsets = rng.integers(0, 400, n)
    if far:
        offsets[:5] = [-40_000, 30_000, 35_000, -39_000, 25_000]
    rows = [(f"p{p:03d}", int(d), ["x", "y", "z"][c], "held", ["confirmed", "claimed"][q])
            for p, d, c, q in zip(rng.integers(0, n_places, n), offsets, rng.integers(0, 3, n),
                                  rng.integers(0, 2, n), strict=True)]
    tl = build_timeline(_frame(rows))
    days = [300, -5, 0, 150, 399, 150, 26_000, -39_500, 1_000]
    dates = BASE + np.array(days, dtype="timedelta64[D]")
    m = tl.state_matrix(dates)
    assert m.shape == (len(days), len(tl.place_ids)) and len(tl.place_ids) > 256
    assert (m.interval == _grid_reference(tl, dates)).all()
    assert (m.dates == dates.astype("datetime64[ns]")).all()


def test_slice_with_places_in_another_order(events):
    """The places frame need not be the timeline's: rows are looked up by place id."""
    obs = read_observations(events, gazetteer=FakeGazetteer(), today=dt.date(2024, 1, 1))
    tl = build_timeline(obs)
    dates = ["2016-01-01", "2016-04-01"]
    extra = obs.places.iloc[:1].assign(place_id="zz:extra", name="Elsewhere")
    other = pd.concat([extra, obs.places.iloc[::-1]], ignore_index=True)
    for include_unknown in (False, True):
        ours = slice_at(tl, obs.places, dates, include_unknown=include_unknown)
        theirs = slice_at(tl, other, dates, include_unknown=include_unknown)
        # the same values (the place categories follow the places frame)
        pd.testing.assert_frame_equal(pd.DataFrame(ours.drop(columns="geometry")),
                                      pd.DataFrame(theirs.drop(columns="geometry")),
                                      check_categorical=False)
        assert ours.geometry.geom_equals(theirs.geometry).all()


# ---- property: the state at t is the latest observation at or before t, under the tie rules.

def _reference(rows, place, t):
    """Straightforward restatement of DESIGN.md §2 (one place, one date)."""
    mine = [(i, r) for i, r in enumerate(rows) if r[0] == place and r[1] <= t]
    if not mine:
        return None, None, -1
    day = max(r[1] for _, r in mine)
    group = [(i, r) for i, r in mine if r[1] == day]
    best = "confirmed" if any(r[4] == "confirmed" for _, r in group) else "claimed"
    kept = [(i, r) for i, r in group if r[4] == best]
    i, winner = kept[-1]
    holder, status = winner[2], winner[3]
    if best == "confirmed" and len({r[2] for _, r in kept}) > 1:
        holder, status = None, "contested"
    if holder is None:  # contested without a holder → the holder just before that day
        holder = _reference(rows, place, day - 1)[0]
    return holder, status, i + 2


observation = st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 20),
                        st.sampled_from(["x", "y", "z", None]),
                        st.sampled_from(["held", "besieged"]),
                        st.sampled_from(["confirmed", "claimed"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(observation, max_size=40), st.lists(st.integers(-2, 24), min_size=1, max_size=8))
def test_state_equals_latest_observation_under_tie_rules(rows, days):
    rows = [(p, d, c, "contested" if c is None else s, cert) for p, d, c, s, cert in rows]
    tl = build_timeline(_frame(rows), controllers=["x", "y", "z"])
    places = ["a", "b", "c"]
    m = tl.state_matrix(BASE + np.array(days, dtype="timedelta64[D]"), place_ids=places)
    got = m.controller_ids()
    for di, t in enumerate(days):
        for pi, place in enumerate(places):
            holder, status, row = _reference(rows, place, t)
            assert got[di, pi] == holder, (place, t)
            s = m.status[di, pi]
            assert (None if s < 0 else m.status_categories[s]) == status
            assert m.obs_row[di, pi] == row


# ---- slices and the CLI


@pytest.fixture
def events(tmp_path, monkeypatch):
    monkeypatch.setattr(observations_module, "_default_gazetteer", FakeGazetteer)
    path = tmp_path / "events.csv"
    path.write_text("date,place,controller,certainty,source\n2015-05,Palmyra,ISIS,,https://a\n"
                    "2016-03-27,Palmyra,SAA,,https://b\n2016-01-10,Aleppo,rebels,claimed,c\n"
                    "2016-02-01,Nowhere,SAA,,d\n", encoding="utf-8")
    return path


def test_slice_at_long_table(events):
    obs = read_observations(events, gazetteer=FakeGazetteer(), today=dt.date(2024, 1, 1))
    tl = build_timeline(obs)
    out = slice_at(tl, obs.places, ["2016-01-01", "2016-04-01"])
    assert tuple(out.columns) == SLICE_COLUMNS
    assert out.crs == "EPSG:4326"
    assert out[["place", "controller"]].values.tolist() == [
        ["Palmyra", "isis"], ["Aleppo", "opposition"], ["Palmyra", "government"]]
    assert out["date"].dt.strftime("%Y-%m-%d").tolist() == ["2016-01-01", "2016-04-01",
                                                            "2016-04-01"]
    assert out["source"].tolist() == ["https://a", "c", "https://b"]
    assert out["since"].dt.strftime("%Y-%m-%d").tolist() == ["2015-05-01", "2016-01-10",
                                                             "2016-03-27"]
    assert out["obs_row"].tolist() == [2, 4, 3]
    full = slice_at(tl, obs.places, ["2016-01-01"], include_unknown=True)
    assert len(full) == 2 and full["controller"].isna().sum() == 1


@pytest.mark.parametrize("ext", [".gpkg", ".parquet", ".geojson", ".csv"])
def test_cli_slice_writes_every_format(events, tmp_path, ext):
    out = tmp_path / f"slices{ext}"
    result = CliRunner().invoke(app, ["slice", str(events), "--every", "month", "--from",
                                      "2016-01-01", "--to", "2016-04-01", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "4 rows read = 3 used + 1 dropped" in result.output
    if ext == ".csv":
        back = pd.read_csv(out)
    elif ext == ".parquet":
        back = gpd.read_parquet(out)
    else:
        back = gpd.read_file(out)
    assert len(back) == 1 + 2 + 2 + 2  # Aleppo unknown on 2016-01-01
    assert {"date", "place_id", "place", "controller", "status", "certainty", "since",
            "source", "geometry"} <= set(back.columns)


def test_cli_slice_at_and_errors(events, tmp_path):
    out = tmp_path / "s.geojson"
    ok = CliRunner().invoke(app, ["slice", str(events), "--at", "2016-03,2016-04-01",
                                  "-o", str(out)])
    assert ok.exit_code == 0, ok.output
    both = CliRunner().invoke(app, ["slice", str(events), "-o", str(out)])
    assert both.exit_code == 1 and "exactly one of --at" in both.output
    bad = CliRunner().invoke(app, ["slice", str(events), "--at", "2016", "-o",
                                   str(tmp_path / "x.shp")])
    assert bad.exit_code == 1 and "cannot write .shp" in bad.output
    date = CliRunner().invoke(app, ["slice", str(events), "--at", "March", "-o", str(out)])
    assert date.exit_code == 1 and "'March'" in date.output


@pytest.mark.parametrize("args", [
    ["slice", "--at", "2016-13-01", "-o", "s.parquet"],
    ["slice", "--every", "month", "--from", "2016-02-30", "-o", "s.parquet"],
    ["slice", "--every", "week", "--to", "2016-13", "-o", "s.parquet"],
    ["slice", "--every", "month", "--from", "2017", "--to", "2016", "-o", "s.parquet"],
    ["diff", "--from", "2016-02-30", "--to", "2017"],
    ["diff", "--from", "2017", "--to", "2016-06"],
    ["stats", "--to", "2016-13"],
    ["stats", "--from", "2017", "--to", "2016"],
])
def test_cli_bad_dates_fail_before_reading_the_events(args, tmp_path, monkeypatch):
    """A mistyped date is reported at once, not after reading a big log: the events file here
    does not exist, so an error about the date shows the events were never read."""
    monkeypatch.chdir(tmp_path)
    command, *options = args
    result = CliRunner().invoke(app, [command, str(tmp_path / "never-read.csv"), *options])
    assert result.exit_code == 1, result.output
    assert "never-read.csv" not in result.output
    assert ("not a real date" in result.output or "is before the start date" in result.output), \
        result.output
    assert not (tmp_path / "s.parquet").exists()


def test_change_dates_skip_repeated_reports():
    tl = build_timeline(_frame([("a", 0, "x", "held", "confirmed"),
                                ("a", 3, "x", "held", "claimed"),  # same state, reported again
                                ("a", 5, "x", "besieged", "confirmed"),
                                ("b", 3, "y", "held", "confirmed")]))
    assert (tl.change_dates() == (BASE + np.array([0, 3, 5], dtype="timedelta64[D]")).astype(
        "datetime64[ns]")).all()
    tl = build_timeline(_frame([("a", 0, "x", "held", "confirmed"),
                                ("a", 3, "x", "held", "claimed")]))
    assert len(tl.change_dates()) == 1 and len(tl.intervals) == 2
