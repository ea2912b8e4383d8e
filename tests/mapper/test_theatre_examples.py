"""The Ukraine and Sudan examples: check, slice, render and bundle through the CLI with the
bundled factions files selected by name (their gazetteer region and country theatre)."""

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mapper.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

# (war, date, place as resolved, controller) — read from the example's own sourced rows
EXPECTED = {
    "ukraine": [("2022-10-01", "Kherson", "russia"), ("2022-12-01", "Kherson", "ukraine"),
                ("2022-06-01", "Izyum", "russia"), ("2022-09-15", "Izyum", "ukraine"),
                ("2024-03-01", "Avdiyivka", "russia"), ("2023-01-01", "Odesa", "ukraine")],
    "sudan": [("2024-06-01", "Wad Medani", "rsf"), ("2025-02-01", "Wad Medani", "saf"),
              ("2025-06-01", "El Fasher", "saf"), ("2025-11-01", "El Fasher", "rsf"),
              ("2023-05-01", "Port Sudan", "saf"), ("2025-04-01", "Khartoum", "saf")],
}


def _events(war: str) -> str:
    return str(ROOT / "examples" / war / "observations.csv")


@pytest.mark.parametrize("war", sorted(EXPECTED))
def test_events_check_uses_every_row(war):
    result = runner.invoke(app, ["events", "check", _events(war), "--factions", war])
    assert result.exit_code == 0, result.output
    with open(_events(war), newline="", encoding="utf-8") as fh:
        rows = sum(1 for _ in csv.DictReader(fh))
    assert f"{rows} rows read = {rows} usable + 0 dropped" in result.output


@pytest.mark.parametrize("war", sorted(EXPECTED))
def test_slice_gives_the_sourced_controller(war, tmp_path):
    dates = sorted({d for d, _, _ in EXPECTED[war]})
    out = tmp_path / "slice.csv"
    args = ["slice", _events(war), "--factions", war, "-o", str(out), "--at", ",".join(dates)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    with open(out, newline="", encoding="utf-8") as fh:
        got = {(r["date"], r["place"]): r["controller"] for r in csv.DictReader(fh)}
    for date, place, controller in EXPECTED[war]:
        assert got[(date, place)] == controller, (date, place)


@pytest.mark.parametrize("war,country", [("ukraine", "UA"), ("sudan", "SD")])
def test_bundle_clips_to_the_country(war, country, tmp_path):
    site = tmp_path / "site"
    result = runner.invoke(app, ["bundle", _events(war), "--factions", war, "-o", str(site)])
    assert result.exit_code == 0, result.output
    assert f"theatre: {country}" in result.output
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows_mapped"] == manifest["rows_read"]
    assert (site / "index.html").stat().st_size > 0
    assert list((site / "images").glob("map-*.png"))


def test_repeated_at_is_the_same_as_comma_separated(tmp_path):
    comma, repeated = tmp_path / "comma.csv", tmp_path / "repeated.csv"
    base = ["slice", _events("sudan"), "--factions", "sudan"]
    one = runner.invoke(app, [*base, "-o", str(comma), "--at", "2024-06-01,2025-02-01"])
    two = runner.invoke(app, [*base, "-o", str(repeated), "--at", "2024-06-01",
                              "--at", "2025-02-01"])
    assert one.exit_code == 0 and two.exit_code == 0, (one.output, two.output)
    assert "2 dates" in two.output
    assert comma.read_bytes() == repeated.read_bytes()
