"""ACLED import on a hand-written export (tests/layers/data/acled_fixture.csv): every row is
accounted for, and `frontline slice` on the output gives the expected controller per place."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from layers import load_factions
from layers.acled import OUTPUT_COLUMNS, import_acled, read_acled
from mapper.cli import app

FIXTURE = Path(__file__).parent / "data" / "acled_fixture.csv"
runner = CliRunner()


@pytest.fixture(scope="module")
def imported():
    return import_acled(read_acled(FIXTURE), factions=load_factions(), path=str(FIXTURE))


def test_every_row_is_accounted_for(imported):
    r = imported.report
    assert r.rows_read == 12
    assert (r.mapped, r.skipped, r.reported) == (8, 3, 1)
    assert r.rows_read == r.mapped + r.skipped + r.reported
    assert r.skipped_by_type == {"Air/drone strike": 1, "Armed clash": 1, "Peaceful protest": 1}
    assert "12 rows read = 8 mapped + 3 skipped" in r.summary_line()
    assert r.summary_line().endswith("+ 1 reported")


def test_unknown_actor_is_reported_with_line_and_fix(imported):
    (p,) = imported.report.problems
    assert (p.line, p.column, p.value) == (9, "actor1", "Unidentified Armed Group (Syria)")
    assert "add this ACLED actor name to the aliases" in p.fix
    assert "Busra Esh-Sham" not in set(imported.frame["place"])


def test_rows_become_change_observations(imported):
    f = imported.frame
    assert tuple(f.columns) == OUTPUT_COLUMNS
    assert set(f["kind"]) == {"change"}
    by_id = f.set_index(f["source"].str.extract(r"^ACLED (\S+):")[0])
    # day-month-year and ISO dates
    assert by_id.loc["SYR1005", "date"] == "2018-03-18"
    assert by_id.loc["SYR1001", "date"] == "2017-01-05"
    # each territory sub-event type, ACLED actor names (unit suffixes, acronym prefixes)
    assert by_id.loc["SYR1001", "controller"] == "isis"            # non-state overtakes
    assert by_id.loc["SYR1002", "controller"] == "government"      # … (2000-) 4th Armored Division
    assert by_id.loc["SYR1007", "controller"] == "government"      # non-violent transfer
    assert by_id.loc["SYR1004", "controller"] == "sdf"             # QSD: Syrian Democratic Forces
    assert by_id.loc["SYR1005", "controller"] == "turkey_backed"   # Turkey with the SNA
    assert by_id.loc["SYR1009", "controller"] == "hts"
    # source = ACLED's source plus the event id; note = ACLED's notes
    assert by_id.loc["SYR1002", "source"] == "ACLED SYR1002: SANA; SOHR"
    assert by_id.loc["SYR1004", "note"] == "SDF fighters took full control of the city."
    # certainty: hedged wording / social-media scale → claimed
    assert by_id.loc["SYR1010", "certainty"] == "claimed"
    assert by_id.loc["SYR1009", "certainty"] == "confirmed"
    # geo_precision 3 → approximate
    assert by_id.loc["SYR1012", "note"].startswith("approximate location (ACLED geo_precision 3)")
    assert not by_id.loc["SYR1004", "note"].startswith("approximate")


def test_cli_import_then_slice(tmp_path):
    out = tmp_path / "obs.csv"
    res = runner.invoke(app, ["events", "import", str(FIXTURE), "--format", "acled",
                              "-o", str(out)])
    assert res.exit_code == 1, res.output  # a row was reported (the others are written)
    assert "12 rows read = 8 mapped + 3 skipped" in res.output
    assert "acled_fixture.csv:9:actor1" in res.output
    first = out.read_bytes()
    assert runner.invoke(app, ["events", "import", str(FIXTURE), "-o", str(out)]).exit_code == 1
    assert out.read_bytes() == first  # same input → same bytes
    sl = tmp_path / "slice.csv"
    res = runner.invoke(app, ["slice", str(out), "--at", "2017-02-01,2017-12-01,2019-06-01",
                              "-o", str(sl)])
    assert res.exit_code == 0, res.output
    s = pd.read_csv(sl)
    got = {(d, p): c for d, p, c in zip(s["date"], s["place"], s["controller"], strict=True)}
    assert got[("2017-02-01", "Tadmor")] == "isis"
    assert got[("2017-12-01", "Tadmor")] == "government"
    assert got[("2017-12-01", "Ar-Raqqa")] == "sdf"
    assert ("2017-12-01", "Afrin") not in got
    assert got[("2019-06-01", "Afrin")] == "turkey_backed"
    assert got[("2019-06-01", "Douma")] == "government"
    # the two conflicting rows on Darat Izza: the confirmed report beats the claimed one
    assert got[("2019-06-01", "Darat Izza")] == "hts"
    assert got[("2019-06-01", "Al Baghuz Fawqani")] == "sdf"


def test_cli_rejects_unknown_format(tmp_path):
    res = runner.invoke(app, ["events", "import", str(FIXTURE), "--format", "ucdp",
                              "-o", str(tmp_path / "o.csv")])
    assert res.exit_code == 1
    assert "use one of acled" in res.output
