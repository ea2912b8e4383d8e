"""Snapshot round trip (issue 20, property test): slicing a log at D1…Dn, writing the slices as
snapshots and running from-snapshots gives a log whose slices at D1…Dn are identical (place,
controller, status, certainty)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layers import build_timeline, load_factions, read_observations, slice_at, write_frame
from layers.snapshots import changes_from_snapshots, read_snapshots

FACTIONS = load_factions()
CONTROLLERS = ["government", "opposition", "isis", "sdf", "contested"]
PLACES = [(35.0 + i * 0.1, 36.0 + (i % 3) * 0.2) for i in range(4)]
START = dt.date(2015, 1, 1)
TODAY = dt.date(2026, 1, 1)
STATE = ["place_id", "controller", "status", "certainty"]

row = st.fixed_dictionaries({
    "place": st.integers(0, len(PLACES) - 1),
    "day": st.integers(0, 30),
    "controller": st.sampled_from(CONTROLLERS),
    "status": st.sampled_from(["", "held", "contested", "besieged"]),
    "certainty": st.sampled_from(["confirmed", "claimed"]),
})


def _log(rows) -> pd.DataFrame:
    return pd.DataFrame({
        "date": [(START + dt.timedelta(days=r["day"])).isoformat() for r in rows],
        "lat": [PLACES[r["place"]][0] for r in rows],
        "lon": [PLACES[r["place"]][1] for r in rows],
        "controller": [r["controller"] for r in rows],
        "status": ["" if r["controller"] == "contested" else r["status"] for r in rows],
        "certainty": [r["certainty"] for r in rows],
        "source": [f"https://example.org/{i}" for i in range(len(rows))],
    })


def _slices(path, dates) -> pd.DataFrame:
    obs = read_observations(path, factions=FACTIONS, today=TODAY)
    assert not obs.errors, obs.errors
    sl = slice_at(build_timeline(obs), obs.places, dates)
    out = pd.DataFrame(sl.drop(columns="geometry")).astype({c: object for c in STATE})
    out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    return out.sort_values(["date", "place_id"]).reset_index(drop=True)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(row, min_size=4, max_size=40),
       cut=st.lists(st.integers(-2, 32), min_size=2, max_size=8, unique=True),
       one_file=st.booleans())
def test_slices_of_the_rebuilt_log_are_identical(tmp_path_factory, rows, cut, one_file):
    tmp = tmp_path_factory.mktemp("rt")
    log = tmp / "log.csv"
    _log(rows).to_csv(log, index=False)
    dates = np.array(sorted(np.datetime64(START + dt.timedelta(days=d)) for d in cut),
                     dtype="datetime64[ns]")
    before = _slices(log, dates)

    # the slices, written as snapshots: one file per date (date in the name) or one file
    snap = before.assign(controller=before["controller"].where(before["controller"].notna(),
                                                               "contested"))
    snap = snap[["date", "place_id", "place", "controller", "status", "certainty", "source"]]
    snap_dir = tmp / "snapshots"
    snap_dir.mkdir()
    if one_file:
        write_frame(snap_dir / "all.csv", snap)
    else:
        for d in np.datetime_as_string(dates.astype("datetime64[D]"), unit="D").tolist():
            write_frame(snap_dir / f"{d}.csv", snap[snap["date"] == d].drop(columns="date"))
    result = changes_from_snapshots(read_snapshots([snap_dir], factions=FACTIONS, today=TODAY))
    r = result.report
    assert r.vanished == 0  # a slice never forgets a place
    assert r.rows_read == len(before)
    assert r.rows_read == (r.first_states + r.changes + r.status_changes + r.unchanged
                           + r.merged + r.dropped)
    rebuilt = tmp / "rebuilt.csv"
    write_frame(rebuilt, result.frame)
    after = _slices(rebuilt, dates)
    pd.testing.assert_frame_equal(before[["date", *STATE]], after[["date", *STATE]])
    # minimal: one row per place for its first snapshot, then only the changes of state
    by_place = before.sort_values(["place_id", "date"], kind="stable")
    text = by_place[STATE].fillna("?").astype(str)
    state = text["controller"] + "|" + text["status"] + "|" + text["certainty"]
    new = (by_place["place_id"] != by_place["place_id"].shift()) | (state != state.shift())
    assert len(result.frame) == r.written == int(new.sum())
    assert r.first_states == before["place_id"].nunique()
    assert set(result.frame["kind"]) <= {"state", "change"}
