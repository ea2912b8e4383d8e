"""The notebook API (frontline/): the README's example runs as written and returns the slices,
territory, front lines and a map that displays inline and saves."""

from __future__ import annotations

import html
import re
from pathlib import Path

import geopandas as gpd
import pytest

import frontline

ROOT = Path(__file__).resolve().parents[2]


def _readme_python_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    assert blocks, "README.md has no ```python block (the notebook example)"
    return blocks[0]


def test_readme_notebook_example_runs_and_slices_one_row_per_place_per_date(tmp_path,
                                                                             monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    scope: dict = {}
    exec(compile(_readme_python_block(), "README.md", "exec"), scope)  # noqa: S102
    slices, events, dates = scope["slices"], scope["events"], scope["dates"]
    assert isinstance(slices, gpd.GeoDataFrame) and slices.crs.to_epsg() == 4326
    assert len(slices) == len(events.places) * len(dates) > 0
    per_date = slices.groupby("date").size()
    assert len(per_date) == len(dates) and (per_date == len(events.places)).all()
    assert not slices.duplicated(["date", "place_id"]).any()
    qusair = slices[(slices["place"].astype(str).str.contains("Qu", na=False))
                    & (slices["date"] == "2013-06-06")]
    assert len(qusair) and set(qusair["controller"].astype(str)) == {"government"}
    assert isinstance(scope["territory"], gpd.GeoDataFrame) and len(scope["territory"])
    assert isinstance(scope["fronts"], gpd.GeoDataFrame)
    saved = (tmp_path / "seeds-map.html").read_text(encoding="utf-8")
    assert saved == scope["m"].html and "frontlineApp(" in saved


def test_map_displays_inline_as_an_iframe_with_the_escaped_page(examples_dir):
    events = frontline.read_events(examples_dir / "seeds.csv")
    m = events.map(title='<b>"x"</b>')
    shown = m._repr_html_()
    assert shown.startswith("<iframe srcdoc=\"") and "<script" not in shown
    assert html.unescape(shown.split('srcdoc="', 1)[1].split('" style=')[0]) == m.html
    assert events._repr_html_().startswith("<iframe")


def test_bad_events_are_reported_not_raised(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,place,lat,lon,controller,source\n"
                   "2020-13-45,A,10,20,north,https://e.org\n"
                   "2020-01-01,B,10.1,20.1,north,https://e.org\n"
                   "2020-01-02,C,10.2,20.3,south,https://e.org\n", encoding="utf-8")
    factions = tmp_path / "f.toml"
    factions.write_text('[[faction]]\nid = "north"\nlabel = "North"\ncolour = "#ff0000"\n'
                        'aliases = []\n[[faction]]\nid = "south"\nlabel = "South"\n'
                        'colour = "#0000ff"\naliases = []\n', encoding="utf-8")
    events = frontline.read_events(bad, factions=factions)
    assert events.report.rows_read == 3 and events.report.dropped == 1
    problems = events.problems
    assert any("bad.csv:2:date" in p and "2020-13-45" in p for p in problems), problems
    assert len(events.slice_at("2020-02-01")) == 2
    with pytest.raises(ValueError):
        events.slice_at(["not a date"])
