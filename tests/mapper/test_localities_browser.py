"""Localities in real headless Chromium: 15,000 inferred localities inside the real Natural Earth
outline of Syria step through dates in < 50 ms (median of 20 slider steps, timed in the page
around the function the slider calls), their colours equal layers/localities.py's states, their
popups name the observation they are inferred from and execute nothing; and the real WOF
village gazetteer on the Syria example (skipped without ../shared)."""

from __future__ import annotations

import dataclasses
import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from layers.localities import find_localities, locality_states
from layers.theatre import resolve_theatre
from mapper.pipeline import prepare
from mapper.render import RenderOptions, find_leaflet_dir, render_html
from tests.mapper.test_browser import watched  # noqa: F401 (fixture: a page that records errors)

pytestmark = pytest.mark.browser

N_LOCALITIES = 15_000
FACTIONS = ('[[faction]]\nid = "north"\nlabel = "North"\ncolour = "#1f77b4"\n\n'
            '[[faction]]\nid = "south"\nlabel = "South"\ncolour = "#d62728"\n\n'
            '[[faction]]\nid = "east"\nlabel = "East"\ncolour = "#2ca02c"\n\n'
            '[theatre]\ncountries = ["SY"]\n')

# What the slider's input handler calls (setDay, via frontline.setDate), timed with
# performance.now() in the page; the frame after it is waited for so the paint is counted.
STEP_JS = """async (dates) => {
  const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  await frame();
  const sync = [], full = [];
  for (const d of dates) {
    const t0 = performance.now();
    frontline.setDate(d);
    const t1 = performance.now();
    await frame();
    sync.push(t1 - t0); full.push(performance.now() - t0);
  }
  return {sync, full};
}"""


def _inside(outline, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` uniform random points inside ``outline`` (vectorized rejection sampling)."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = outline.bounds
    shapely.prepare(outline)
    lon, lat = np.empty(0), np.empty(0)
    while len(lon) < n:
        x, y = rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n)
        ok = shapely.contains_xy(outline, x, y)
        lon, lat = np.r_[lon, x[ok]], np.r_[lat, y[ok]]
    return lon[:n], lat[:n]


def _page(prepared, localities, path: Path, **options) -> Path:
    model = dataclasses.replace(prepared.model, localities=localities)
    path.write_text(render_html(model, RenderOptions(offline=True, leaflet_dir=find_leaflet_dir(),
                                                     **options)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """300 observed places changing hands over 60 dates, 15,000 localities, in Syria's outline."""
    folder = tmp_path_factory.mktemp("localities")
    (folder / "f.toml").write_text(FACTIONS, encoding="utf-8")
    outline = resolve_theatre(None, factions_path=folder / "f.toml").geometry
    rng = np.random.default_rng(16)
    lon, lat = _inside(outline, 300, seed=1)
    dates = pd.date_range("2015-01-01", periods=60, freq="7D").strftime("%Y-%m-%d")
    rows = ["date,place,lat,lon,controller,status,kind,certainty,source,note"]
    sides = np.array(["north", "south", "east"])
    for i in range(300):
        for d in sorted(set(rng.choice(dates, size=8, replace=False))):
            rows.append(f"{d},Place {i},{lat[i]:.5f},{lon[i]:.5f},{rng.choice(sides)},held,"
                        f"change,confirmed,https://e.org/{i},")
    (folder / "events.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    prepared = prepare(folder / "events.csv", factions=folder / "f.toml")
    llon, llat = _inside(outline, N_LOCALITIES, seed=2)
    cands = pd.DataFrame({"place_id": [f"gen:{i}" for i in range(N_LOCALITIES)],
                          "name": [f"Locality {i}" for i in range(N_LOCALITIES)],
                          "lat": llat, "lon": llon, "kind": "village",
                          "source": "generated inside the NE 10m outline"})
    found = find_localities(cands, prepared.topology, theatre=outline)
    assert len(found) == N_LOCALITIES
    page = _page(prepared, found, folder / "big.html")
    return prepared, found, page, list(dates)


def test_15000_localities_step_under_50_ms_and_match_the_layers_states(big, watched):  # noqa: F811
    prepared, found, page, dates = big
    w = watched.open(page, "#date=" + dates[0])
    assert w.js("frontline.localityCount()") == N_LOCALITIES
    steps = w.js(STEP_JS, dates[20:41])  # 21 consecutive change dates: 20 steps timed
    full, sync = steps["full"][1:], steps["sync"][1:]
    median = statistics.median(full)
    print(f"\n15,000 localities + 300 places: slider step median {median:.1f} ms "
          f"(setDay alone {statistics.median(sync):.1f} ms; max {max(full):.1f} ms; "
          f"page {page.stat().st_size / 1e6:.2f} MB)")
    assert median < 50, full
    topo = prepared.topology
    for day in (dates[5], dates[40], dates[59]):
        w.js("d => frontline.setDate(d)", day)
        matrix = prepared.timeline.state_matrix(np.array([day], dtype="datetime64[ns]"),
                                                place_ids=topo.place_ids)
        codes = locality_states(found, topo, matrix.controller)[0]
        want = [matrix.categories[c] if c >= 0 else None for c in codes]
        assert w.js("frontline.localityStates()") == want
    w.assert_clean()


def test_hollow_localities_are_painted_and_their_layer_can_be_hidden(big, watched):  # noqa: F811
    _, _, page, dates = big
    w = watched.open(page, "#date=" + dates[30])
    count = """() => { const c = document.querySelector('canvas.fl-canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200) n++;
        return n; }"""
    with_localities = w.js(count)
    w.js("""() => { frontline.map.eachLayer(l => { if (l._name === 'localities')
                                                    frontline.map.removeLayer(l); }); }""")
    assert with_localities - w.js(count) > 20_000  # thousands of rings gone
    legend = w.page.locator("#fl-legend").inner_text()
    assert "inferred locality" in legend and "15000" in legend
    w.assert_clean()


def test_search_finds_a_locality_and_opens_its_popup(big, watched):  # noqa: F811
    _, found, page, dates = big
    w = watched.open(page, "#date=" + dates[30])
    w.page.fill("#fl-search", "Locality 12345")
    button = w.page.locator("#fl-results button").first
    assert button.inner_text() == "Locality 12345 (inferred)"
    button.click()
    text = w.page.locator(".leaflet-popup-content").last.inner_text()
    assert text.startswith("Locality 12345") and "inferred from Place " in text, text
    assert w.js("frontline.stateOf('Locality 12345')") is None  # the hooks name places only
    w.assert_clean()


INJECTIONS = ['<img src=x onerror="window.__pwned=1">', '</script><script>window.__pwned=2'
              '</script>', '"><svg onload="window.__pwned=3">', "javascript:window.__pwned=4"]


def test_locality_popup_cites_the_observation_and_escapes_everything(tmp_path, watched):  # noqa: F811,E501
    """Names, sources and notes of the cell's observation, and the locality's own name and
    gazetteer source, are shown as text; only http(s) sources become links."""
    lines = ["date,place,lat,lon,controller,status,kind,certainty,source,note"]
    for i, bad in enumerate(INJECTIONS):
        q = '"' + bad.replace('"', '""') + '"'
        lines.append(f"2020-01-0{i + 1},{q},{35.0 + i * 0.4},{37.0 + (i % 2) * 0.5},"
                     f"{'north' if i % 2 else 'south'},held,change,confirmed,{q},{q}")
    lines.append("2020-02-06,Saraqib,35.8624,36.8006,north,held,change,confirmed,"
                 "https://example.org/saraqib?a=1&b=<x>,taken")
    (tmp_path / "events.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "f.toml").write_text(FACTIONS, encoding="utf-8")
    prepared = prepare(tmp_path / "events.csv", factions=tmp_path / "f.toml")
    places = prepared.observations.places
    near = [(float(r.lat) + 0.01, float(r.lon) + 0.01) for r in places.itertuples()]
    cands = pd.DataFrame({"place_id": [f"gen:{i}" for i in range(len(near))],
                          "name": [INJECTIONS[i % len(INJECTIONS)] for i in range(len(near))],
                          "lat": [p[0] for p in near], "lon": [p[1] for p in near],
                          "kind": "village", "source": INJECTIONS[0]})
    found = find_localities(cands, prepared.topology)
    assert len(found) == len(near)
    page = _page(prepared, found, tmp_path / "evil.html", title=INJECTIONS[1])
    w = watched.open(page, "#date=2020-03-01")
    saraqib = int(np.flatnonzero(places["name"].astype(str).to_numpy() == "Saraqib")[0])
    for j in range(len(found)):
        assert w.js("j => frontline.openLocalityPopup(j)", j)
        text = w.page.locator(".leaflet-popup-content").last.inner_text()
        assert found.frame["name"][j][:8] in text and "inferred" in text
        if found.frame["cell_place"][j] == saraqib:
            assert "inferred from Saraqib — line 6, 2020-02-06, source " in text, text
            assert "https://example.org/saraqib?a=1&b=<x>" in text
        else:
            assert "inferred from" in text and "line " in text
    hrefs = w.js("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    assert all(h.startswith(("http://", "https://", "#")) for h in hrefs), hrefs
    assert w.js("document.querySelectorAll('[onerror],[onload],iframe').length") == 0
    assert w.js("window.__pwned") is None
    # clicking the hollow ring opens the same popup (hit test)
    w.js("ll => frontline.map.setView(ll, 12, {animate: false})",
         [float(found.frame["lat"][0]), float(found.frame["lon"][0])])
    point = w.js("frontline.localityPoint(0)")
    w.page.mouse.click(point["x"], point["y"])
    assert "inferred" in w.page.locator(".leaflet-popup-content").last.inner_text()
    w.assert_clean()


def test_wof_villages_on_the_syria_example(shared_data, examples_dir, tmp_path, monkeypatch,
                                           watched):  # noqa: F811
    """Real data: the WOF SY import drawn over the example dataset; the page's states equal the
    layers' on three dates, and a village's popup names its cell's observation."""
    import gazetteer
    from gazetteer import import_file
    from mapper.pipeline import map_localities

    monkeypatch.setenv("FRONTLINE_HOME", str(tmp_path / "home"))
    import_file(shared_data / "wof_gazetteer_sy_lb" / "wof_sy_places.csv.gz")
    gz = gazetteer.load()
    prepared = prepare(examples_dir / "syria" / "observations.csv", gazetteer=gz,
                       localities=True)
    found = prepared.model.localities
    assert found is not None and len(found) > 9000
    assert found.frame.equals(map_localities(gz, prepared.topology,
                                             list(prepared.topology.place_ids),
                                             theatre=prepared.theatre.geometry).frame)
    page = tmp_path / "syria.html"
    page.write_text(render_html(prepared.model, RenderOptions(offline=True,
                                                              leaflet_dir=find_leaflet_dir())),
                    encoding="utf-8")
    w = watched.open(page, "#date=2016-01-01")
    topo = prepared.topology
    for day in ("2013-06-01", "2016-01-01", "2020-06-01"):
        w.js("d => frontline.setDate(d)", day)
        matrix = prepared.timeline.state_matrix(np.array([day], dtype="datetime64[ns]"),
                                                place_ids=topo.place_ids)
        codes = locality_states(found, topo, matrix.controller)[0]
        want = [matrix.categories[c] if c >= 0 else None for c in codes]
        assert w.js("frontline.localityStates()") == want
    known = int(np.flatnonzero(codes >= 0)[0])
    w.js("j => frontline.openLocalityPopup(j)", known)
    text = w.page.locator(".leaflet-popup-content").last.inner_text()
    cell_place = int(found.frame["cell_place"][known])
    label = prepared.model.places["label"][cell_place]
    assert f"inferred from {label} — line " in text, text
    w.assert_clean()
