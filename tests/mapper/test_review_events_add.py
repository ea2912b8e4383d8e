"""`frontline events add`: check, de-duplicate against the log, append atomically, account for
every row (bundled gazetteer)."""

from __future__ import annotations

import csv
import io

from typer.testing import CliRunner

from mapper.cli import app

runner = CliRunner()
LOG = ("date,place,controller,kind,certainty,source\n"
       "2013-06-05,Qusair,government,change,confirmed,https://example.org/qusair\n"
       "2014-03-16,Yabroud,government,change,confirmed,https://example.org/yabroud\n")
ACCEPTED = (
    "date,place,place_id,lat,lon,controller,status,kind,certainty,source,note\n"
    "2013-03-03,Saraqib,,,,opposition,held,change,confirmed,https://example.org/s,n1\n"
    # the log's Qusair row, spelt another way and with a note: the same observation
    "2013-06-05,Al Qusayr,,,,SAA,held,change,confirmed,https://example.org/qusair,other note\n"
    "2013-02-30,Saraqib,,,,opposition,held,change,confirmed,x,bad date\n"
    "2013-03-04,Saraqib,,,,martians,held,change,confirmed,x,bad controller\n"
    "2013-03-03,Saraqib,,,,opposition,held,change,confirmed,https://example.org/s,n1\n"
    "2016-09-03,Tell Umm Hosh,,36.52,37.95,turkey_backed,held,change,claimed,r.txt,hill\n"
)


def _files(tmp_path):
    log, acc = tmp_path / "observations.csv", tmp_path / "accepted.csv"
    log.write_text(LOG, encoding="utf-8")
    acc.write_text(ACCEPTED, encoding="utf-8")
    return log, acc


def test_add_accounts_for_every_row_and_appends(tmp_path):
    log, acc = _files(tmp_path)
    res = runner.invoke(app, ["events", "add", str(acc), "--into", str(log)])
    assert res.exit_code == 1, res.output  # rows were rejected (the others are added)
    assert "6 rows read = 2 added + 2 duplicates + 2 rejected; appended to" in res.stdout
    assert f"{acc}:4: rejected: date: '2013-02-30'" in res.stderr
    assert f"{acc}:5: rejected: controller: 'martians': unknown controller" in res.stderr
    assert f"{acc}:3: duplicate: already in the log (line 2 of {log})" in res.stderr
    assert f"{acc}:6: duplicate: duplicate of line 2" in res.stderr
    text = log.read_text(encoding="utf-8")
    header, *lines = text.splitlines()
    assert header.split(",")[:6] == LOG.splitlines()[0].split(",")
    assert header.split(",")[6:] == ["status", "note", "lat", "lon"]  # columns the rows need
    assert lines[:2] == LOG.splitlines()[1:]  # existing rows kept byte for byte
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["place"] for r in rows] == ["Qusair", "Yabroud", "Saraqib", "Tell Umm Hosh"]
    assert (rows[3]["lat"], rows[3]["lon"], rows[3]["certainty"]) == ("36.52", "37.95", "claimed")
    check = runner.invoke(app, ["events", "check", str(log)])
    assert check.exit_code == 0 and "4 rows read = 4 usable" in check.stdout, check.output
    # adding the same file again adds nothing
    again = runner.invoke(app, ["events", "add", str(acc), "--into", str(log)])
    assert "6 rows read = 0 added + 4 duplicates + 2 rejected" in again.stdout
    assert log.read_text(encoding="utf-8") == text


def test_new_log_dry_run_and_clean_errors(tmp_path):
    log, acc = _files(tmp_path)
    good = tmp_path / "good.csv"
    good.write_text("\n".join(ACCEPTED.splitlines()[i] for i in (0, 1, 6)) + "\n",
                    encoding="utf-8")
    fresh = tmp_path / "new.csv"
    res = runner.invoke(app, ["events", "add", str(good), "--into", str(fresh), "--dry-run"])
    assert res.exit_code == 0 and "2 added" in res.stdout and not fresh.exists()
    res = runner.invoke(app, ["events", "add", str(good), "--into", str(fresh)])
    assert res.exit_code == 0 and "2 rows read = 2 added + 0 duplicates + 0 rejected" in res.stdout
    assert fresh.read_text(encoding="utf-8").splitlines()[0] == ACCEPTED.splitlines()[0]
    assert runner.invoke(app, ["events", "check", str(fresh)]).exit_code == 0
    js = tmp_path / "log.json"
    js.write_text('[{"date": "2013-06-05", "place": "Qusair", "controller": "government"}]',
                  encoding="utf-8")
    res = runner.invoke(app, ["events", "add", str(good), "--into", str(js)])
    assert res.exit_code == 1 and "CSV or TSV" in res.stderr and "Traceback" not in res.output
    res = runner.invoke(app, ["events", "add", str(tmp_path / "nope.csv"), "--into", str(log)])
    assert res.exit_code == 1 and "nope.csv" in res.stderr
