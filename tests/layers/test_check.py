"""``frontline events check``: a file seeded with every problem kind, accounting, exit codes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import layers.observations as observations_module
from mapper.cli import app
from tests.layers.fake_gazetteer import FakeGazetteer

runner = CliRunner()

SEEDED = """date,place,lat,lon,place_id,controller,status,kind,certainty,source,weather
2016-01-01,Aleppo,,,,SAA,,,,https://a.example,
2016-01-01,Aleppo,,,,SAA,,,,https://a.example,
2016-01-02,Aleppo,,,,Hezbolah fighters,,,,,
2016-01-02,Alepo,,,,SAA,,,,,
2016-01-02,Ain Issa,,,,SDF,,,,,
2016-02-30,Aleppo,,,,SAA,,,,,
2099-01-01,Aleppo,,,,SAA,,,,,
2016-03-01,Palmyra,,,,SAA,,,,,
2016-03-01,Palmyra,,,,ISIS,,,,,
,Aleppo,,,,SAA,,,,,
2016-01-03,,,,,SAA,,,,,
2016-01-03,Aleppo,,,,,,,,,
2016-01-03,Aleppo,,,,SAA,sieged,,,,
2016-01-03,Aleppo,,,,SAA,,swap,,,
2016-01-03,Aleppo,,,,SAA,,,rumour,,
2016-01-03,,95,36,,SAA,,,,,
2016-01-03,,,,geonames:999,SAA,,,,,
2016-01-04,Douma,,,,contested,held,,,,
2016-01-05,Douma,,,,SAA,,,,a, b,
"""
# (code, line, column, severity) that must each be reported
EXPECTED = [
    ("unknown-column", 1, "weather", "warning"),
    ("duplicate", 3, "", "warning"),
    ("unknown-controller", 4, "controller", "error"),
    ("unknown-place", 5, "place", "error"),
    ("ambiguous-place", 6, "place", "error"),
    ("bad-date", 7, "date", "error"),
    ("future-date", 8, "date", "error"),
    ("conflict", 10, "controller", "warning"),
    ("missing-date", 11, "date", "error"),
    ("missing-place", 12, "place", "error"),
    ("missing-controller", 13, "controller", "error"),
    ("bad-status", 14, "status", "error"),
    ("bad-kind", 15, "kind", "error"),
    ("bad-certainty", 16, "certainty", "error"),
    ("bad-coordinates", 17, "lat", "error"),
    ("unknown-place-id", 18, "place_id", "error"),
    ("status-mismatch", 19, "status", "warning"),
    ("extra-fields", 20, "#12", "warning"),
]


@pytest.fixture(autouse=True)
def fake_gazetteer(monkeypatch):
    monkeypatch.setattr(observations_module, "_default_gazetteer", FakeGazetteer)


@pytest.fixture
def seeded(tmp_path):
    path = tmp_path / "seeded.csv"
    path.write_text(SEEDED, encoding="utf-8")
    return path


def test_every_problem_kind_is_reported_with_its_line(seeded):
    result = runner.invoke(app, ["events", "check", str(seeded)])
    assert result.exit_code == 1, result.output
    out = result.output
    for code, line, column, severity in EXPECTED:
        where = f"{seeded}:{line}:{column}" if column else f"{seeded}:{line}:"
        assert any(where in ln and f"{severity}[{code}]" in ln for ln in out.splitlines()), \
            (code, line, out)
    lines = {ln.split(": ", 1)[0]: ln for ln in out.splitlines()}
    assert "did you mean" in lines[f"{seeded}:4:controller"]  # closest aliases
    assert "did you mean aleppo" in lines[f"{seeded}:5:place"]  # gazetteer suggestions
    assert "Ain Issa (Raqqa, SY; geonames:9" in lines[f"{seeded}:6:place"]  # the candidates
    assert "Ain Issa (Daraa, SY; geonames:10" in lines[f"{seeded}:6:place"]
    assert "line 9: government, line 10: isis" in lines[f"{seeded}:10:controller"]
    # 5 usable: lines 2, 9, 10 (kept, reported as a conflict), 19 and 20 (warnings keep rows)
    assert f"{seeded}: 19 rows read = 5 usable + 14 dropped; 13 errors, 5 warnings" in out


def test_json_report_accounts_for_every_row(seeded):
    result = runner.invoke(app, ["events", "check", str(seeded), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["rows_read"] == report["usable"] + report["dropped"] == 19
    assert report["usable"] == 5
    found = {(p["code"], p["line"], p["column"], p["severity"]) for p in report["problems"]}
    assert set(EXPECTED) <= found
    unknown = next(p for p in report["problems"] if p["code"] == "unknown-controller")
    assert unknown["value"] == "Hezbolah fighters" and unknown["fix"]
    assert report["ok"] is False


def test_clean_file_exits_0_and_strict_fails_on_warnings(tmp_path):
    clean = tmp_path / "clean.csv"
    clean.write_text("date,place,controller,source\n2016-01-01,Aleppo,SAA,s\n"
                     "2016-02-01,Palmyra,ISIS,s\n", encoding="utf-8")
    result = runner.invoke(app, ["events", "check", str(clean)])
    assert result.exit_code == 0, result.output
    assert "2 rows read = 2 usable + 0 dropped; 0 errors, 0 warnings" in result.output
    warn = tmp_path / "warn.csv"
    warn.write_text("date,place,controller\n2016-01-01,Aleppo,SAA\n2016-01-01,Aleppo,SAA\n",
                    encoding="utf-8")
    assert runner.invoke(app, ["events", "check", str(warn)]).exit_code == 0
    assert runner.invoke(app, ["events", "check", str(warn), "--strict"]).exit_code == 1


def test_other_factions_file_and_stdin(tmp_path):
    factions = tmp_path / "river.toml"
    factions.write_text('[[faction]]\nid = "north"\ncolour = "#00f"\naliases = ["NL"]\n',
                        encoding="utf-8")
    data = "\ufeffdate,lat,lon,controller\n2001-01-01,10,20,NL\n"
    result = runner.invoke(app, ["events", "check", "-", "--factions", str(factions)], input=data)
    assert result.exit_code == 0, result.output
    assert "<stdin>: 1 rows read = 1 usable" in result.output


def test_stdin_not_utf8_is_a_clean_error_naming_the_line():
    data = "date,lat,lon,controller\n2001-01-01,10,20,caf\u00e9\n".encode("cp1252")
    result = runner.invoke(app, ["events", "check", "-"], input=data)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "<stdin>: line 2: not UTF-8 (byte e9" in result.output
    assert "re-save the file as UTF-8" in result.output


def test_unreadable_file_is_a_clean_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a list"}', encoding="utf-8")
    result = runner.invoke(app, ["events", "check", str(bad)])
    assert result.exit_code == 1 and "array of objects" in result.output
    assert "Traceback" not in result.output
    missing = runner.invoke(app, ["events", "check", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 1 and "not found" in missing.output


def test_examples_seeds_pass(examples_dir, monkeypatch):
    """examples/seeds.csv must check clean against the real gazetteer once it is available."""
    import gazetteer

    if not hasattr(gazetteer, "load") or not (examples_dir / "seeds.csv").exists():
        pytest.skip("the gazetteer (helper A) or examples/seeds.csv is not available yet")
    monkeypatch.setattr(observations_module, "_default_gazetteer", gazetteer.load)
    result = runner.invoke(app, ["events", "check", str(examples_dir / "seeds.csv")])
    assert result.exit_code == 0, result.output


def test_stdin_json_lines_with_format_option():
    data = ('{"date": "2016-01-01", "place": "Aleppo", "controller": "SAA"}\n'
            '{"date": "2016-01-02", "place": "Aleppo", "controller": "Daesh", "certainty": "x"}\n')
    result = runner.invoke(app, ["events", "check", "-", "--format", "jsonl", "--json"],
                           input=data)
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["file"] == "<stdin>" and report["rows_read"] == 2
    [problem] = report["problems"]
    assert (problem["line"], problem["column"], problem["value"]) == (2, "certainty", "x")
    bad = runner.invoke(app, ["events", "check", "-", "--format", "xml"], input=data)
    assert bad.exit_code == 1 and "use one of csv" in bad.output
