"""The interactive map (mapper/render.py, payload.py, model.py) and `frontline render`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from mapper.cli import app
from mapper.model import iso, to_day
from mapper.pipeline import prepare
from mapper.render import LeafletNotFound, RenderOptions, parse_every, render_html, slider_days

FACTIONS = """
[meta]
name = "Test war"

[[faction]]
id = "north"
label = "Northern League"
colour = "#1f77b4"
aliases = ["northerners"]

[[faction]]
id = "south"
label = "Southern Union"
colour = "#d62728"
aliases = ["southerners"]
"""

EVENTS = """date,place,lat,lon,controller,status,kind,certainty,source,note
2020-01-01,Alpha,10.0,20.0,north,held,state,confirmed,https://example.org/a1,first report
2020-01-01,Beta,10.2,20.3,south,held,state,confirmed,https://example.org/b1,
2020-01-01,Gamma,10.4,20.1,south,held,state,confirmed,Agency wire 2020-01-01,
2020-03,Beta,10.2,20.3,north,held,change,claimed,https://example.org/b2,claimed by the north
2020-06-15,Gamma,10.4,20.1,north,contested,change,confirmed,https://example.org/g2,street fighting
2021,Alpha,10.0,20.0,south,held,change,confirmed,https://example.org/a2,
2021-05-05,Delta,10.1,20.5,south,besieged,state,confirmed,https://example.org/d1,surrounded
"""


@pytest.fixture
def war(tmp_path) -> tuple[Path, Path]:
    events = tmp_path / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    factions = tmp_path / "factions.toml"
    factions.write_text(FACTIONS, encoding="utf-8")
    return events, factions


@pytest.fixture
def prepared(war):
    events, factions = war
    return prepare(events, factions=factions)


def payload_of(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="frontline-data">(.*?)</script>',
                      html, re.S)
    assert match, "the payload script is missing"
    return json.loads(match.group(1))


def codes(column) -> list[int]:
    """A code column as the browser decodes it (one character per value, "." = -1)."""
    from mapper.payload import CODE_ALPHABET

    if isinstance(column, list):
        return column
    return [-1 if ch == "." else CODE_ALPHABET.index(ch) for ch in column]


def decoded_states(payload: dict, day: int) -> list[tuple]:
    """What the browser computes for ``day``: per place (controller id, status, certainty)."""
    out = []
    ctrl, status, certainty = (codes(payload["I"][key]) for key in "csq")
    counts = payload["I"]["n"]
    start = 0
    for n in counts:
        days = np.cumsum(payload["I"]["d"][start:start + n])
        k = int(np.searchsorted(days, day, side="right")) - 1
        if k < 0:
            out.append((None, None, None))
        else:
            c = ctrl[start + k]
            out.append((payload["F"][c][0] if c >= 0 else None,
                        payload["ST"][status[start + k]],
                        payload["Q"][certainty[start + k]]))
        start += n
    return out


def test_browser_state_matches_the_timeline_on_every_slider_date(prepared):
    html = render_html(prepared.model, RenderOptions())
    payload = payload_of(html)
    days = np.array(payload["T"])
    matrix = prepared.timeline.state_matrix(days.astype("datetime64[D]").astype("datetime64[ns]"))
    ids = matrix.controller_ids()
    order = [list(matrix.place_ids).index(pid) for pid in payload["P"]["id"]]
    for row, day in enumerate(days):
        got = decoded_states(payload, int(day))
        want = [(ids[row, j], matrix.status_categories[matrix.status[row, j]]
                 if matrix.status[row, j] >= 0 else None,
                 matrix.certainty_categories[matrix.certainty[row, j]]
                 if matrix.certainty[row, j] >= 0 else None) for j in order]
        assert got == want, iso(int(day))


def test_popup_provenance_points_at_the_observation_that_set_the_state(prepared):
    payload = payload_of(render_html(prepared.model))
    beta = payload["P"]["n"].index("Beta")
    first_obs = sum(payload["O"]["n"][:beta])
    first_iv = sum(payload["I"]["n"][:beta])
    # Beta's second interval (north, claimed, March 2020) was set by its second observation.
    obs = first_obs + payload["I"]["o"][first_iv + 1]
    assert payload["S"][payload["O"]["u"][obs] - 1] == "https://example.org/b2"
    assert payload["S"][payload["O"]["m"][obs] - 1] == "claimed by the north"
    assert payload["PR"][codes(payload["O"]["p"])[obs]] == "month"


def test_output_is_byte_identical_and_ids_are_not_random(prepared):
    first = render_html(prepared.model, RenderOptions(title="War"))
    second = render_html(prepared.model, RenderOptions(title="War"))
    assert first == second
    assert not re.search(r"[0-9a-f]{32}", first), "a random folium id leaked into the page"
    assert first.count('id="frontline-data"') == 1


def test_slider_defaults_to_change_dates_and_every_replaces_them(prepared):
    model = prepared.model
    days, at = slider_days(model)
    assert [iso(d) for d in days] == ["2020-01-01", "2020-03-01", "2020-06-15", "2021-01-01",
                                      "2021-05-05"]
    assert at == days[-1]
    days, at = slider_days(model, every="6M", at="2020-02-10")
    assert [iso(d) for d in days] == ["2020-01-01", "2020-02-10", "2020-07-01", "2021-01-01",
                                      "2021-05-05"]
    assert iso(at) == "2020-02-10"
    days, _ = slider_days(model, start="2020-02-01", end="2020-12-31")
    assert [iso(d) for d in days] == ["2020-02-01", "2020-03-01", "2020-06-15", "2020-12-31"]
    with pytest.raises(ValueError, match="after"):
        slider_days(model, start="2021-01-01", end="2020-01-01")


@pytest.mark.parametrize("bad", ["", "M", "0D", "3 months", "-1Y", "2X"])
def test_every_rejects_bad_steps(bad):
    with pytest.raises(ValueError, match="7D, 2W, 1M, 1Y"):
        parse_every(bad)


def test_payload_carries_each_observation_once(prepared):
    payload = payload_of(render_html(prepared.model))
    assert sum(payload["O"]["n"]) == len(prepared.observations.frame) == 7
    assert len(payload["P"]["id"]) == 4
    assert payload["C"] is not None and payload["E"] is not None
    assert sorted(set(payload["C"]["p"])) == [0, 1, 2, 3]
    assert [f[0] for f in payload["F"]] == ["north", "south"]


def test_size_grows_with_observations_not_with_dates(tmp_path):
    """Doubling the slider dates (same observations) must not double the page."""
    rows = ["date,place,lat,lon,controller,status,kind,certainty,source,note"]
    for i in range(40):
        for year in range(2000, 2010):
            side = "north" if (i + year) % 2 else "south"
            rows.append(f"{year}-0{1 + i % 9}-1{i % 9},P{i},{10 + i * 0.05},{20 + (i % 7) * 0.07},"
                        f"{side},held,change,confirmed,https://e.org/{i % 5},")
    events = tmp_path / "big.csv"
    events.write_text("\n".join(rows) + "\n")
    factions = tmp_path / "f.toml"
    factions.write_text(FACTIONS)
    model = prepare(events, factions=factions).model
    few = len(render_html(model, RenderOptions(every="1Y")))
    many = len(render_html(model, RenderOptions(every="7D")))
    slider_growth = (many - few)
    assert slider_growth < 0.1 * few, (few, many)


def test_offline_page_references_no_network(prepared, tmp_path):
    html = render_html(prepared.model, RenderOptions(offline=True))
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?:', html)
    assert "tileLayer" not in html.split("frontlineApp")[0].split("</style>")[-1]
    assert "basemaps.cartocdn.com" not in html  # --offline: no tile layer at all
    assert "url(images/" not in html
    assert "data:image/png;base64," in html


def test_default_page_inlines_leaflet_from_the_pypi_package_and_tiles_are_optional(prepared):
    from xstatic.pkg import leaflet as xstatic_leaflet

    html = render_html(prepared.model)
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?:', html)
    assert f"Leaflet {xstatic_leaflet.VERSION}, a JS library for interactive maps" in html
    assert "basemaps.cartocdn.com" in html  # the tile layer the page probes before adding it
    assert render_html(prepared.model) == html  # same inputs, same bytes


def test_offline_without_leaflet_says_how_to_get_it(prepared, tmp_path):
    with pytest.raises(LeafletNotFound, match="xstatic-leaflet"):
        render_html(prepared.model, RenderOptions(offline=True, leaflet_dir=tmp_path))


def test_cdn_and_offline_together_are_refused(prepared):
    with pytest.raises(ValueError, match="--cdn and --offline"):
        render_html(prepared.model, RenderOptions(offline=True, cdn=True))


def test_cdn_page_uses_pinned_leaflet_and_tiles(prepared):
    from mapper.styles import LEAFLET_VERSION

    html = render_html(prepared.model, RenderOptions(cdn=True))
    assert f"leaflet@{LEAFLET_VERSION}/dist/leaflet.js" in html
    assert "basemaps.cartocdn.com" in html
    assert "jquery" not in html.lower() and "bootstrap" not in html.lower()
    assert len(html) < len(render_html(prepared.model)) - 100_000  # smaller than inlined


def test_user_strings_never_reach_the_page_unescaped(tmp_path):
    evil = '</script><script>window.__pwned=1</script><img src=x onerror=alert(1)>'
    events = tmp_path / "evil.csv"
    events.write_text(
        "date,place,lat,lon,controller,status,kind,certainty,source,note\n"
        f'2020-01-01,"{evil}",10,20,north,held,state,confirmed,"javascript:{evil}","{evil}"\n'
        f'2020-02-01,"Ok",10.2,20.2,south,held,state,confirmed,"https://e.org/?q=<b>","x"\n')
    factions = tmp_path / "f.toml"
    factions.write_text(FACTIONS)
    html = render_html(prepare(events, factions=factions).model,
                       RenderOptions(title=f"Title {evil}"))
    assert "window.__pwned" in html  # present, but only as inert escaped text
    assert "<script>window.__pwned" not in html
    assert "<img src=x" not in html
    assert html.count("</script>") == html.count("<script")
    assert "<title>Title &lt;/script&gt;" in html
    payload = payload_of(html)
    assert evil in payload["P"]["n"]


def test_arabic_labels_and_right_to_left(prepared, war):
    from mapper.model import model_from_layers

    places = prepared.observations.places
    by_name = dict(zip(places["name"], places["place_id"], strict=True))
    ids = [by_name["Alpha"], by_name["Beta"]]
    names = {ids[0]: ("Alpha-alt", "ألفا"), ids[1]: ("Beta-alt",)}
    model = model_from_layers(prepared.observations, prepared.timeline, prepared.factions,
                              names=names, lang="ar", topology=prepared.topology)
    html = render_html(model, RenderOptions(lang="ar", title="خريطة"))
    assert '<html lang="ar" dir="rtl">' in html
    payload = payload_of(html)
    labels = dict(zip(payload["P"]["id"], payload["P"]["n"], strict=True))
    assert labels[ids[0]] == "ألفا"
    assert "Alpha" in payload["P"]["a"][payload["P"]["id"].index(ids[0])].split("|")
    assert labels[ids[1]] == "Beta"  # no Arabic name known: the Latin one stays
    assert "ابحث عن مكان" in html


def test_unknown_language_is_refused(prepared):
    with pytest.raises(ValueError, match="unknown language 'xx'"):
        render_html(prepared.model, RenderOptions(lang="xx"))


def test_cli_render_writes_the_map_and_reports_rows(war, tmp_path):
    events, factions = war
    out = tmp_path / "map.html"
    result = CliRunner().invoke(app, ["render", str(events), "-o", str(out), "--factions",
                                      str(factions), "--at", "2020-04-01", "--json"])
    assert result.exit_code == 0, result.output
    assert "7 rows read: 7 mapped, 0 dropped" in result.output
    payload = payload_of(out.read_text(encoding="utf-8"))
    assert payload["at"] == to_day("2020-04-01")
    assert json.loads(result.stdout.strip().splitlines()[-1])["usable"] == 7


def test_cli_render_reports_bad_options_cleanly(war, tmp_path):
    events, factions = war
    result = CliRunner().invoke(app, ["render", str(events), "-o", str(tmp_path / "m.html"),
                                      "--factions", str(factions), "--every", "fortnight"])
    assert result.exit_code == 1
    assert "--every 'fortnight'" in result.output
    assert "Traceback" not in result.output


def test_code_columns_are_one_character_each_and_fall_back_to_lists():
    import pandas as pd

    from mapper.payload import _codes

    assert _codes(pd.Series(["b", "a", None, "zz"]), ["a", "b"]) == "10.."
    many = [f"f{i}" for i in range(70)]
    assert _codes(pd.Series(["f69", "f0", "x"]), many) == [69, 0, -1]


@pytest.mark.parametrize(("option", "value"), [("--at", "2014-13-01"), ("--from", "April 2014"),
                                               ("--to", "2014-02-30")])
def test_bad_dates_name_the_option(prepared, option, value):
    key = {"--at": "at", "--from": "start", "--to": "end"}[option]
    with pytest.raises(ValueError, match=f"{option} '{value}'"):
        slider_days(prepared.model, **{key: value})


def test_seeds_map_at_2014_04_15_reads_back_from_the_rendered_data(examples_dir, tmp_path):
    """Issue 2's thin slice, checked on the page's own data (no browser needed)."""
    events = examples_dir / "seeds.csv"
    if not events.is_file():
        pytest.skip(f"{events} is missing")
    out = tmp_path / "m.html"
    result = CliRunner().invoke(app, ["render", str(events), "-o", str(out), "--at",
                                      "2014-04-15"])
    assert result.exit_code == 0, result.output
    payload = payload_of(out.read_text(encoding="utf-8"))
    assert payload["at"] == to_day("2014-04-15")
    states = decoded_states(payload, payload["at"])

    def state(name: str):
        for i, (label, others) in enumerate(zip(payload["P"]["n"], payload["P"]["a"],
                                                strict=True)):
            if name == label or name in others.split("|"):
                return states[i][0]
        raise AssertionError(f"{name} is not on the map")

    assert state("Maaloula") == state("Rankous") == "government"
    assert state("Douma") == state("Kafr Zita") == "opposition"
    assert state("Qusair") == "government"
    assert state("Palmyra") is None  # first observed in 2015


@pytest.mark.parametrize("command,option,value,says", [
    ("render", "--at", "2016-13-01", "not a calendar date"),
    ("render", "--from", "2016-13", "give a date as YYYY-MM-DD"),
    ("bundle", "--to", "2016-02-30", "not a calendar date"),
])
def test_bad_date_fails_before_the_events_are_read(command, option, value, says, tmp_path):
    """A mistyped date is reported before a (possibly big) log is read and laid out: no row
    count, no theatre line, nothing written."""
    events = tmp_path / "ev.csv"
    events.write_text("date,place,controller\n2013-06-05,Qusair,government\n", encoding="utf-8")
    out = tmp_path / ("m.html" if command == "render" else "site")
    result = CliRunner().invoke(app, [command, str(events), "-o", str(out), option, value])
    assert result.exit_code == 1, result.output
    assert f"{option} {value!r}: {says}" in result.output
    assert "rows read" not in result.output and "theatre:" not in result.output
    assert not out.exists()
