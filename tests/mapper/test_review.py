"""mapper.review (pure) and `frontline review` errors: columns present or absent, needs_place,
suggestions, mention spans, escaping, deterministic bytes."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from layers.factions import load_factions
from mapper.cli import app
from mapper.review import ProposalsFileError, extent, mention_span, review_html, review_rows

runner = CliRunner()
BASE = {"date": "2013-03-03", "place": "Saraqib", "place_id": "geonames:1", "lat": "35.86",
        "lon": "36.8", "controller": "opposition", "kind": "change", "certainty": "confirmed",
        "evidence": "Rebels captured the town of Saraqib.", "source_file": "r.txt"}


def test_rows_without_the_new_columns_are_resolved_and_without_suggestions():
    (row,) = review_rows([BASE])
    assert (row.needs_place, row.suggestions, row.place_id) == (False, (), "geonames:1")
    assert row.mention == "Saraqib" and row.mention_span == (28, 35)
    assert row.source == "r.txt" and row.source_url is None


def test_needs_place_rows_and_suggestions():
    rec = {**BASE, "place": "Tell X", "place_id": "", "lat": "", "lon": "", "mention": "tell x",
           "needs_place": "True", "suggestions": "Tall X; Tel X;Tall X",
           "evidence": "They took Tell X.", "source": "https://example.org/x"}
    (row,) = review_rows([rec])
    assert row.needs_place and row.lat is None and row.suggestions == ("Tall X", "Tel X")
    assert row.mention_span == (10, 16) and row.source_url == "https://example.org/x"
    # a row claiming needs_place drops any stale place_id
    (row,) = review_rows([{**rec, "place_id": "geonames:9"}])
    assert row.place_id == ""
    # JSON-lines proposals may carry suggestions as a list
    assert review_rows([{**rec, "suggestions": ["A", "", "B"]}])[0].suggestions == ("A", "B")


def test_mention_span_edge_cases():
    assert mention_span("", "x") is None and mention_span("abc", "") is None
    assert mention_span("Near STRASSE today", "strasse") == (5, 12)
    assert mention_span("abc", "zzz") is None


def test_bad_files_name_file_line_and_column():
    with pytest.raises(ProposalsFileError, match=r"p\.csv:3:lat: '95' .*decimal degrees"):
        review_rows([BASE, {**BASE, "lat": "95"}], path="p.csv")
    with pytest.raises(ProposalsFileError, match="missing column.*evidence"):
        review_rows([{"place": "x", "controller": "y"}], path="p.csv")


def test_page_is_deterministic_and_escapes():
    rows = review_rows([{**BASE, "evidence": "</script><script>alert(1)</script> Saraqib"}])
    kw = {"factions": load_factions(), "title": "<b>T</b>", "source_name": "p.csv"}
    a, b = review_html(rows, **kw), review_html(rows, **kw)
    assert a == b
    assert "<title>&lt;b&gt;T&lt;/b&gt;</title>" in a
    assert a.count("<script") == 2 and "alert(1)</script>" not in a
    blob = re.search(r'id="rv-data">(.*?)</script>', a, re.S).group(1)
    data = json.loads(blob)
    assert data["rows"][0]["evidence"].startswith("</script>")
    assert data["download"] == "p-accepted.csv"
    # the page allows only its own script (by hash)
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", a)


def test_extent_pads_and_defaults():
    assert extent([]) == [-180.0, -60.0, 180.0, 75.0]
    w, s, e, n = extent(review_rows([BASE]))
    assert w < 36.8 < e and s < 35.86 < n


def test_cli_errors_are_clean(tmp_path):
    bad = tmp_path / "p.csv"
    bad.write_text("place,controller,evidence,lat,lon\nX,opposition,ev,abc,1\n", encoding="utf-8")
    res = runner.invoke(app, ["review", str(bad), "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 1 and "p.csv:2:lat" in res.stderr and "Traceback" not in res.output
    res = runner.invoke(app, ["review", str(tmp_path / "missing.csv")])
    assert res.exit_code == 1 and "missing.csv" in res.stderr


def test_outlines_are_clipped_simplified_and_drawn(tmp_path):
    square = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "X"},
        "geometry": {"type": "Polygon", "coordinates": [[
            [36.0, 35.0], [36.0, 36.3], [37.0, 36.3], [37.0, 35.0], [36.0, 35.0]]]}}]}
    src = tmp_path / "borders.geojson"
    src.write_text(json.dumps(square), encoding="utf-8")
    props = tmp_path / "p.csv"
    props.write_text("place,controller,evidence,lat,lon\nSaraqib,opposition,ev,35.86,36.8\n"
                     "Aleppo,government,ev,36.2,37.16\n", encoding="utf-8")
    out = tmp_path / "r.html"
    res = runner.invoke(app, ["review", str(props), "-o", str(out), "--outlines", str(src)])
    assert res.exit_code == 0, res.output
    data = json.loads(re.search(r'id="rv-data">(.*?)</script>', out.read_text("utf-8"),
                                re.S).group(1))
    w, s, e, n = data["extent"]
    assert data["outlines"] and all(
        w - 1e-6 <= x <= e + 1e-6 and s - 1e-6 <= y <= n + 1e-6
        for line in data["outlines"] for x, y in zip(line[::2], line[1::2], strict=True))
