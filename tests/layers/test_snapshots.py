"""Snapshots → changes (layers/snapshots.py, `frontline events from-snapshots`): the minimal
rows, vanishing places, bad files, mixed place ids / names / coordinates, the CLI."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from typer.testing import CliRunner

from layers import ObservationsFileError, load_factions
from layers.snapshots import (
    OUTPUT_COLUMNS,
    changes_from_snapshots,
    date_from_name,
    read_snapshots,
    snapshot_files,
)
from mapper.cli import app

from .fake_gazetteer import FakeGazetteer

FACTIONS = load_factions()
TODAY = dt.date(2026, 1, 1)
runner = CliRunner()


def _files(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _run(paths, **kw):
    return changes_from_snapshots(read_snapshots(paths, factions=FACTIONS, today=TODAY, **kw))


THREE = {
    "2016-01-01.csv": "place,lat,lon,controller,source\n"
                      "A,35.0,36.0,government,https://example.org/a\n"
                      "B,35.1,36.1,opposition,\n"
                      "C,35.2,36.2,isis,\n",
    "2016-02-01.csv": "place,lat,lon,controller\n"
                      "A,35.0,36.0,government\n"
                      "B,35.1,36.1,government\n",
    "2016-03-01.csv": "place,lat,lon,controller,status\n"
                      "A,35.0,36.0,government,contested\n"
                      "B,35.1,36.1,government,\n"
                      "C,35.2,36.2,sdf,\n",
}


def test_minimal_rows_each_citing_its_snapshot(tmp_path):
    d = _files(tmp_path, THREE)
    res = _run([d])
    f = res.frame
    assert tuple(f.columns) == OUTPUT_COLUMNS
    got = list(zip(f["date"], f["place"], f["controller"], f["status"], f["kind"], strict=True))
    assert got == [
        ("2016-01-01", "A", "government", "held", "state"),
        ("2016-01-01", "B", "opposition", "held", "state"),
        ("2016-01-01", "C", "isis", "held", "state"),
        ("2016-02-01", "B", "government", "held", "change"),
        ("2016-03-01", "A", "government", "contested", "state"),  # status only
        ("2016-03-01", "C", "sdf", "held", "change"),
    ]
    # the row's source, else the snapshot file; the note says which file and line
    assert f["source"].iloc[0] == "https://example.org/a"
    assert f["source"].iloc[3] == str(d / "2016-02-01.csv")
    assert f["note"].iloc[3] == f"snapshot {d / '2016-02-01.csv'}:3"
    r = res.report
    assert (r.rows_read, r.first_states, r.changes, r.status_changes, r.unchanged, r.merged,
            r.dropped) == (8, 3, 2, 1, 2, 0, 0)
    assert r.dates == ("2016-01-01", "2016-02-01", "2016-03-01")
    assert r.summary_line().startswith("8 rows read in 3 files (3 snapshot dates) = 3 first "
                                       "states + 2 changes + 1 status changes + 2 unchanged")


def test_vanishing_places_are_reported_where_last_seen(tmp_path):
    d = _files(tmp_path, {**THREE, "2016-04-01.csv": "place,lat,lon,controller\n"
                                                     "A,35.0,36.0,government\n"})
    r = _run([d]).report
    vanished = [p for p in r.problems if p.code == "vanished-place"]
    assert r.vanished == len(vanished) == 3
    got = {(p.file.rsplit("/", 1)[1], p.line, p.value, p.severity) for p in vanished}
    assert got == {("2016-01-01.csv", 4, "C", "warning"),   # gone on 02-01, back on 03-01
                   ("2016-03-01.csv", 3, "B", "warning"),   # gone on 04-01
                   ("2016-03-01.csv", 4, "C", "warning")}
    c = next(p for p in vanished if p.line == 4 and p.file.endswith("01-01.csv"))
    assert "missing from the snapshot of 2016-02-01" in c.message
    assert "back on 2016-03-01" in c.message
    assert "keeps its last state (isis, held)" in c.fix
    assert r.exit_code() == 0 and r.exit_code(strict=True) == 1


def test_an_empty_later_snapshot_still_counts(tmp_path):
    d = _files(tmp_path, {"2016-01-01.csv": THREE["2016-01-01.csv"],
                          "2016-02-01.csv": "place,lat,lon,controller\n"})
    r = _run([d]).report
    assert r.dates == ("2016-01-01", "2016-02-01")
    assert r.vanished == 3


def test_one_file_with_a_date_column(tmp_path):
    d = _files(tmp_path, {"control.csv": "date,place,lat,lon,controller\n"
                                         "2016-01,A,35.0,36.0,government\n"
                                         "2016-01,B,35.1,36.1,opposition\n"
                                         "2016-02,A,35.0,36.0,isis\n"
                                         "2016-02,B,35.1,36.1,opposition\n"})
    res = _run([d / "control.csv"])
    assert res.frame["date"].tolist() == ["2016-01", "2016-01", "2016-02"]
    assert res.frame["kind"].tolist() == ["state", "state", "change"]
    assert res.report.unchanged == 1 and res.report.vanished == 0


def test_conflicting_rows_on_one_date_become_contested(tmp_path):
    d = _files(tmp_path, {"north_2016-01-01.csv": "place,lat,lon,controller\n"
                                                  "A,35.0,36.0,government\n",
                          "south_2016-01-01.csv": "place,lat,lon,controller\n"
                                                  "A,35.0,36.0,opposition\n"
                                                  "B,35.1,36.1,opposition\n"})
    res = _run([d])
    a = res.frame[res.frame["place"] == "A"].iloc[0]
    assert (a["status"], a["controller"]) == ("contested", "contested")
    assert res.report.merged == 1 and res.report.dates == ("2016-01-01",)
    assert res.report.rows_read == 3 == res.report.written + res.report.merged
    (c,) = [p for p in res.report.problems if p.code == "conflict"]
    assert c.severity == "warning" and c.value == "opposition"
    assert "north_2016-01-01.csv:2 says government" in c.message
    assert "south_2016-01-01.csv:2 says opposition" in c.message


def test_mixed_place_ids_names_and_coordinates(tmp_path):
    gz = FakeGazetteer()
    d = _files(tmp_path, {
        "2016-01-01.csv": "place,place_id,lat,lon,controller\n"
                          ",geonames:1,,,government\n"       # Aleppo by id
                          "Tadmur,,,,isis\n"                 # Palmyra by another name
                          "Hill 7,,35.5,36.5,opposition\n",  # a point
        "2016-02-01.csv": "place,place_id,lat,lon,controller\n"
                          "Aleppo,,,,government\n"           # the same place by name
                          ",geonames:2,,,government\n"       # Palmyra by id
                          ',"point:35.5,36.5",,,opposition\n',  # the point by its id
    })
    res = _run([d], gazetteer=gz)
    f = res.frame
    assert res.report.vanished == 0 and not res.report.errors
    # sorted by date, then place name
    assert f["place_id"].tolist() == ["geonames:1", "point:35.5,36.5", "geonames:2",
                                      "geonames:2"]
    assert f["kind"].tolist() == ["state", "state", "state", "change"]
    assert f["place"].tolist() == ["Aleppo", "Hill 7", "Palmyra", "Palmyra"]
    assert res.report.unchanged == 2


def test_bad_rows_are_reported_with_file_line_column_value(tmp_path):
    d = _files(tmp_path, {"2016-01-01.csv": "place,lat,lon,controller\n"
                                            "A,35.0,36.0,government\n"
                                            "B,35.1,36.1,martians\n"
                                            "C,95,36.2,isis\n"})
    r = _run([d], gazetteer=FakeGazetteer()).report
    got = {(p.file.rsplit("/", 1)[1], p.line, p.column, p.value) for p in r.errors}
    assert got == {("2016-01-01.csv", 3, "controller", "martians"),
                   ("2016-01-01.csv", 4, "lat", "95"),
                   ("2016-01-01.csv", 4, "place", "C")}  # nor is "C" a known name
    assert r.dropped == 2 and r.rows_read == 3 == r.written + r.dropped
    assert any("unknown controller" in p.message and "add this alias" in p.fix
               for p in r.errors)
    assert r.exit_code() == 1


def test_a_file_without_any_date_is_a_clear_error(tmp_path):
    d = _files(tmp_path, {"control.csv": "place,lat,lon,controller\nA,35,36,government\n"})
    with pytest.raises(ObservationsFileError, match=r"control\.csv: no date: .*2016-05-01\.csv"):
        _run([d])
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.md").write_text("not a snapshot")
    with pytest.raises(ObservationsFileError, match="no snapshot files in this directory"):
        snapshot_files([empty])
    with pytest.raises(ObservationsFileError, match="no such file or directory"):
        snapshot_files([tmp_path / "nope.csv"])


def test_bad_date_in_a_date_column(tmp_path):
    d = _files(tmp_path, {"c.csv": "date,place,lat,lon,controller\n"
                                   "2016-13-01,A,35,36,government\n"
                                   "2016-01-01,B,35.1,36.1,government\n"})
    (p,) = _run([d / "c.csv"]).report.errors
    assert (p.line, p.column, p.value) == (2, "date", "2016-13-01")


def test_date_from_name():
    assert date_from_name("snapshots/2016-05-01.csv") == "2016-05-01"
    assert date_from_name("aleppo_2016-12.geojson") == "2016-12"
    assert date_from_name("v2-control.csv") == ""
    assert date_from_name("20160501.csv") == ""


def test_cli(tmp_path):
    (tmp_path / "snaps").mkdir()
    d = _files(tmp_path / "snaps", THREE)
    out = tmp_path / "changes.csv"
    res = runner.invoke(app, ["events", "from-snapshots", str(d), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "8 rows read in 3 files (3 snapshot dates)" in res.output
    assert "vanished-place" in res.output
    first = out.read_bytes()
    runner.invoke(app, ["events", "from-snapshots", str(d), "-o", str(out)])
    assert out.read_bytes() == first  # same inputs, same bytes
    assert len(pd.read_csv(out)) == 6
    # the output is an events file: `slice` reads it back
    sl = tmp_path / "slice.csv"
    res = runner.invoke(app, ["slice", str(out), "--at", "2016-02-15", "-o", str(sl)])
    assert res.exit_code == 0, res.output
    s = pd.read_csv(sl).set_index("place")["controller"].to_dict()
    assert s == {"A": "government", "B": "government", "C": "isis"}
    assert runner.invoke(app, ["events", "from-snapshots", str(d), "-o", str(out),
                               "--strict"]).exit_code == 1
    bad = runner.invoke(app, ["events", "from-snapshots", str(tmp_path / "x.csv"), "-o",
                              str(out)])
    assert bad.exit_code == 1 and "no such file or directory" in bad.output
    assert "Traceback" not in bad.output
    help_text = runner.invoke(app, ["events", "from-snapshots", "--help"]).output
    assert "2016-05-01.csv" in help_text and "date column" in help_text
