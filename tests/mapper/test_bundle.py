"""The static bundle (mapper/bundle.py) and `frontline bundle` / `frontline demo`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mapper import bundle as bundle_mod
from mapper.bundle import BundleOptions, changes_html, spread, write_bundle
from mapper.cli import app
from mapper.pipeline import prepare
from mapper.render import RenderOptions

FACTIONS = """
[[faction]]
id = "north"
label = "Northern League"
colour = "#1f77b4"

[[faction]]
id = "south"
label = "Southern Union"
colour = "#d62728"
"""

EVENTS = """date,place,lat,lon,controller,status,kind,certainty,source,note
2020-01-01,Alpha,10.0,20.0,north,held,state,confirmed,https://example.org/a1,first report
2020-01-01,Beta,10.2,20.3,south,held,state,confirmed,https://example.org/b1,
2020-01-01,Gamma,10.4,20.1,south,held,state,confirmed,Agency wire <b>2020</b>,
2020-03-02,Beta,10.2,20.3,north,held,change,claimed,javascript:alert(1),claimed <i>by</i> north
2020-06-15,Gamma,10.4,20.1,north,contested,change,confirmed,https://example.org/g2,fighting
2021-02-01,Alpha,10.0,20.0,south,held,change,confirmed,https://example.org/a2,
"""


@pytest.fixture
def prepared(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    factions = tmp_path / "factions.toml"
    factions.write_text(FACTIONS, encoding="utf-8")
    return prepare(events, factions=factions)


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_bundle_has_every_part_and_a_manifest_of_hashes(prepared, tmp_path):
    out = tmp_path / "site"
    manifest = write_bundle(prepared, out, BundleOptions(images=2))
    files = tree(out)
    for name in ("index.html", "changes.html", "manifest.json", "data/events.csv",
                 "data/places.geojson", "data/stats.csv", "images/timeline.gif",
                 "images/area.png", "data/territory/2020-06-15.geojson",
                 "data/frontlines/2020-06-15.geojson", "images/map-2021-02-01.png",
                 "images/map-2020-01-01.png"):
        assert name in files, name
    assert len([f for f in files if f.startswith("images/map-")]) == 2
    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk == manifest
    assert manifest["files"] == {k: v for k, v in files.items() if k != "manifest.json"}
    events_hash = hashlib.sha256(prepared.inputs["events"].read_bytes()).hexdigest()
    assert manifest["inputs"]["events"]["sha256"] == events_hash
    assert manifest["dates"]["slider"] == ["2020-01-01", "2020-03-02", "2020-06-15",
                                           "2021-02-01"]
    assert manifest["rows_read"] == manifest["rows_mapped"] == 6
    text = json.dumps(manifest)
    assert "time" not in text.replace("timeline", "")  # no timestamps


def test_per_date_layers_hold_the_state_of_that_date(prepared, tmp_path):
    out = tmp_path / "site"
    write_bundle(prepared, out, BundleOptions(images=0, gif=False))
    territory = json.loads((out / "data/territory/2020-03-02.geojson").read_text())
    held = {f["properties"]["controller"]: f["properties"]["places"]
            for f in territory["features"]}
    assert held == {"north": 2, "south": 1}
    fronts = json.loads((out / "data/frontlines/2020-03-02.geojson").read_text())
    assert fronts["features"], "north and south are neighbours: a front line is expected"


def test_bundle_is_byte_identical_for_identical_inputs(prepared, tmp_path):
    write_bundle(prepared, tmp_path / "a", BundleOptions(images=2))
    write_bundle(prepared, tmp_path / "b", BundleOptions(images=2))
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_failed_build_leaves_the_previous_bundle_intact(prepared, tmp_path, monkeypatch):
    out = tmp_path / "site"
    write_bundle(prepared, out, BundleOptions(images=1, gif=False))
    before = tree(out)

    def broken(*args, **kwargs):
        raise OSError("disk full while drawing")

    monkeypatch.setattr(bundle_mod, "_write_images", broken)
    with pytest.raises(OSError, match="disk full"):
        write_bundle(prepared, out, BundleOptions(images=1))
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv", "factions.toml", "site"]


def test_changelog_links_dates_escapes_text_and_links_only_http(prepared):
    html = changes_html(prepared, title="War <b>", lang="en")
    assert '<a href="index.html#date=2020-03-02">2020-03-02</a>' in html
    assert '<a href="https://example.org/g2"' in html
    assert "javascript:" in html and 'href="javascript:' not in html
    assert "<i>by</i>" not in html and "claimed &lt;i&gt;by&lt;/i&gt; north" in html
    assert "Agency wire &lt;b&gt;2020&lt;/b&gt;" in html
    assert "<title>War &lt;b&gt;" in html
    assert "Southern Union → Northern League" in html
    # newest first
    assert html.index("2021-02-01") < html.index("2020-01-01")


def test_changelog_in_arabic_is_right_to_left(prepared):
    html = changes_html(prepared, title="خريطة", lang="ar")
    assert '<html lang="ar" dir="rtl">' in html and "التغييرات" in html


def test_spread_keeps_first_and_last():
    import numpy as np

    days = np.arange(100)
    picked = spread(days, 5)
    assert picked[0] == 0 and picked[-1] == 99 and len(picked) == 5
    assert list(spread(days[:3], 5)) == [0, 1, 2]
    assert len(spread(days, 0)) == 0


def test_cli_bundle_and_demo(tmp_path, monkeypatch):
    examples = tmp_path / "examples"
    (examples / "syria").mkdir(parents=True)
    (examples / "seeds.csv").write_text(EVENTS.replace("north", "government")
                                        .replace("south", "opposition"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["demo", "-o", "site"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site/index.html").is_file()
    assert (tmp_path / "site/seeds/index.html").is_file()
    assert (tmp_path / "site/seeds/manifest.json").is_file()
    assert "open site/index.html" in result.output
    assert "theatre: SY (Natural Earth 10m" in result.output  # the demo names its theatre

    result = CliRunner().invoke(app, ["demo", "-o", "site2", "--examples", "nowhere"])
    assert result.exit_code == 1
    assert "--examples" in result.output


def test_cli_bundle_offline_missing_leaflet_is_a_clean_error(prepared, tmp_path):
    events = prepared.inputs["events"]
    result = CliRunner().invoke(app, ["bundle", str(events), "-o", str(tmp_path / "s"),
                                      "--factions", str(prepared.inputs["factions"]),
                                      "--offline", "--leaflet-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "xstatic-leaflet" in result.output and "--cdn" in result.output
    assert not (tmp_path / "s").exists()


def test_render_options_reach_the_bundle(prepared, tmp_path):
    out = tmp_path / "site"
    manifest = write_bundle(prepared, out, BundleOptions(
        render=RenderOptions(title="T", every="6M", at="2020-05-01"), images=0, gif=False))
    assert manifest["dates"]["at"] == "2020-05-01"
    assert "2020-07-01" in manifest["dates"]["slider"]


def test_cli_cdn_with_offline_is_a_clean_error_before_reading(prepared, tmp_path):
    events = prepared.inputs["events"]
    result = CliRunner().invoke(app, ["render", str(events), "-o", str(tmp_path / "m.html"),
                                      "--cdn", "--offline"])
    assert result.exit_code == 1
    assert "--cdn and --offline" in result.output and "rows read" not in result.output
    assert not (tmp_path / "m.html").exists()
