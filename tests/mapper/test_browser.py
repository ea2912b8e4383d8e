"""The map in real headless Chromium (Playwright): slider, permalinks, popups, search, offline,
and an injection corpus that must execute nothing. Skips with a message without Chromium. Leaflet
comes from the xstatic-leaflet package installed with Frontline: no test needs a CDN or npm."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mapper.bundle import BundleOptions, write_bundle
from mapper.pipeline import prepare
from mapper.render import RenderOptions, find_leaflet_dir

pytestmark = pytest.mark.browser



@pytest.fixture(scope="module")
def leaflet_dir() -> Path:
    return find_leaflet_dir()  # the xstatic-leaflet package: a dependency, never missing


class Watched:
    """A page that records console errors, page errors, dialogs and network attempts."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.network: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", self._dialog)
        page.route("**/*", self._route)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            self.network.append(url)
            route.abort()

    def open(self, path: Path, fragment: str = "") -> Watched:
        self.page.goto(path.resolve().as_uri() + fragment)
        self.page.wait_for_function("window.frontline && window.frontline.ready")
        return self

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.dialogs == [], self.dialogs
        assert self.network == [], self.network


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    yield Watched(page)
    context.close()


@pytest.fixture(scope="module")
def seeds_site(tmp_path_factory, examples_dir, leaflet_dir) -> Path:
    events = examples_dir / "seeds.csv"
    if not events.is_file():
        pytest.skip(f"{events} is missing")
    out = tmp_path_factory.mktemp("seeds") / "site"
    write_bundle(prepare(events), out, BundleOptions(
        render=RenderOptions(title="Seeds", offline=True, leaflet_dir=leaflet_dir),
        images=1, gif=False))
    return out


def test_slider_to_2014_04_15_colours_maaloula_government_and_douma_opposition(seeds_site,
                                                                               watched):
    w = watched.open(seeds_site / "index.html")
    dates = w.js("frontline.dates()")
    target = max(i for i, d in enumerate(dates) if d <= "2014-04-15")
    slider = w.page.locator("#fl-slider")
    slider.focus()
    w.page.keyboard.press("Home")
    for _ in range(target):
        w.page.keyboard.press("ArrowRight")
    assert w.page.locator("#fl-date").inner_text() == dates[target]
    assert w.js("frontline.date()") <= "2014-04-15"
    w.js("frontline.setDate('2014-04-15')")
    assert w.page.locator("#fl-date").inner_text() == "2014-04-15"
    w.page.wait_for_function("location.hash.includes('date=2014-04-15')")
    colours = w.js("""() => { const f = {}; for (const x of frontlineFactions()) f[x[0]] = x[2];
                              return f; }""".replace("frontlineFactions()",
                                                     "JSON.parse(document.getElementById("
                                                     "'frontline-data').textContent).F"))
    for place, side in (("Maaloula", "government"), ("Rankous", "government"),
                        ("Douma", "opposition"), ("Kafr Zita", "opposition")):
        state = w.js("n => frontline.stateOf(n)", place)
        assert state and state["controller"] == side, (place, state)
        assert w.js("n => frontline.colourOf(n)", place) == colours[side]
    w.assert_clean()


def test_permalink_date_is_read_on_load(seeds_site, watched):
    w = watched.open(seeds_site / "index.html", "#date=2013-06-06&z=9&ll=34.5,36.6")
    assert w.js("frontline.date()") == "2013-06-06"
    assert w.page.locator("#fl-date").inner_text() == "2013-06-06"
    assert w.js("frontline.stateOf('Qusair')")["controller"] == "government"
    assert w.js("frontline.map.getZoom()") == 9
    w.js("frontline.setDate('2013-05-15')")
    assert w.js("frontline.stateOf('Qusair')")["controller"] == "opposition"
    w.page.wait_for_function("/date=2013-05-15&z=9&ll=/.test(location.hash)")
    w.assert_clean()


def test_clicking_a_place_shows_why_it_has_its_colour(seeds_site, watched):
    w = watched.open(seeds_site / "index.html", "#date=2014-04-15")
    point = w.js("frontline.focus('Maaloula')")
    w.page.mouse.click(point["x"], point["y"])
    popup = w.page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Syrian government" in text
    assert "2014-04-14" in text                      # since when
    assert "confirmed" in text
    assert "AP report in a Syrian Coalition digest" in text  # the source
    assert "History" in text
    w.assert_clean()


def test_search_finds_places_by_alias_and_opens_the_popup(seeds_site, watched):
    w = watched.open(seeds_site / "index.html")
    w.page.fill("#fl-search", "douma")
    button = w.page.locator("#fl-results button").first
    assert "Douma" in button.inner_text()
    button.click()
    assert "Douma" in w.page.locator(".leaflet-popup-content").inner_text()
    w.assert_clean()


def test_keyboard_steps_and_play(seeds_site, watched):
    w = watched.open(seeds_site / "index.html")
    dates = w.js("frontline.dates()")
    w.page.locator("#fl-play").focus()
    w.page.keyboard.press("Home")
    assert w.js("frontline.date()") == dates[0]
    w.page.locator("body").press("ArrowRight")
    assert w.js("frontline.date()") == dates[1]
    w.page.click("#fl-play")
    w.page.wait_for_function(f"frontline.date() > {dates[1]!r}", timeout=5000)
    w.page.click("#fl-play")  # pause
    w.assert_clean()


def test_offline_bundle_renders_with_every_network_request_blocked(seeds_site, watched):
    w = watched.open(seeds_site / "index.html")
    assert w.js("typeof L") == "object"
    drawn = w.js("document.querySelectorAll('.leaflet-overlay-pane path, "
                 ".leaflet-overlay-pane canvas').length")
    assert drawn > 0
    assert w.js("frontline.frontSegments()") >= 0
    watched.page.goto((seeds_site / "changes.html").resolve().as_uri())
    assert "index.html#date=" in watched.page.content()
    w.assert_clean()


INJECTIONS = [
    '<script>window.__pwned=1</script>',
    '</script><script>window.__pwned=2</script>',
    '<img src=x onerror="window.__pwned=3">',
    '"><svg onload="window.__pwned=4">',
    "javascript:window.__pwned=5",
    "<a href=\"javascript:window.__pwned=6\">x</a>",
    "<!--",
    "\u2028\u2029</SCRIPT >",
    "<iframe srcdoc='<script>parent.__pwned=7</script>'>",
]


@pytest.fixture(scope="module")
def evil_site(tmp_path_factory, leaflet_dir) -> Path:
    folder = tmp_path_factory.mktemp("evil")
    lines = ["date,place,lat,lon,controller,status,kind,certainty,source,note"]
    for i, bad in enumerate(INJECTIONS):
        quoted = '"' + bad.replace('"', '""') + '"'
        lines.append(f"2020-01-{i + 1:02d},{quoted},{10 + i * 0.1},{20 + (i % 3) * 0.1},"
                     f"{'north' if i % 2 else 'south'},held,change,confirmed,{quoted},{quoted}")
    (folder / "events.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "factions.toml").write_text(
        '[[faction]]\nid = "north"\nlabel = "<b onmouseover=\'window.__pwned=8\'>North</b>"\n'
        'colour = "#1f77b4"\n\n[[faction]]\nid = "south"\nlabel = "South</script>"\n'
        'colour = "#d62728"\n', encoding="utf-8")
    prepared = prepare(folder / "events.csv", factions=folder / "factions.toml")
    assert len(prepared.observations.frame) == len(INJECTIONS)
    out = folder / "site"
    write_bundle(prepared, out, BundleOptions(
        render=RenderOptions(title=INJECTIONS[1], offline=True, leaflet_dir=leaflet_dir),
        images=0, gif=False))
    return out


def test_injection_corpus_executes_nothing(evil_site, watched):
    w = watched.open(evil_site / "index.html")
    for bad in INJECTIONS:
        assert w.js("n => frontline.openPopup(n)", bad.strip()), bad
        content = w.page.locator(".leaflet-popup-content").last.inner_text()
        assert bad.strip()[:6] in content or bad.startswith("\u2028")
    w.page.fill("#fl-search", "script")
    assert w.page.locator("#fl-results button").count() > 0
    w.page.locator("#fl-results button").first.hover()
    w.page.locator(".fl-legend-row").first.hover()
    hrefs = w.js("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    assert all(h.startswith(("http://", "https://", "#")) for h in hrefs), hrefs
    injected = w.js("document.querySelectorAll('[onerror],[onload],[onmouseover],iframe,"
                    "body script:not([type]) ~ img').length")
    assert injected == 0
    assert w.js("window.__pwned") is None
    assert w.js("document.title").startswith("</script>")
    watched.page.goto((evil_site / "changes.html").resolve().as_uri())
    assert watched.page.evaluate("window.__pwned") is None
    hrefs = watched.page.evaluate(
        "[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    assert all(h.startswith(("http://", "https://", "index.html")) for h in hrefs), hrefs
    w.assert_clean()


def test_arabic_map_is_right_to_left_with_arabic_names(tmp_path, examples_dir, leaflet_dir,
                                                       watched):
    from mapper.render import render_html

    prepared = prepare(examples_dir / "seeds.csv", lang="ar")
    page = tmp_path / "ar.html"
    page.write_text(render_html(prepared.model, RenderOptions(lang="ar", offline=True,
                                                              leaflet_dir=leaflet_dir)),
                    encoding="utf-8")
    w = watched.open(page, "#date=2014-04-15")
    assert w.js("document.documentElement.dir") == "rtl"
    state = w.js("frontline.stateOf('Maaloula')")
    assert state["controller"] == "government"
    assert re.search(r"[\u0600-\u06ff]", state["place"]), state
    w.page.fill("#fl-search", "دوما")
    assert w.page.locator("#fl-results button").count() >= 1
    w.assert_clean()


def test_large_map_traces_fronts_and_matches_the_timeline(tmp_path, leaflet_dir, watched):
    """3,200 places with spatially random controllers: thousands of front edges (traced in the
    id buffer), every place's state in the page equal to the timeline's."""
    import numpy as np

    rng = np.random.default_rng(7)
    n = 3200
    side = int(np.ceil(np.sqrt(n)))
    rows = ["date,place,lat,lon,controller,status,kind,certainty,source,note"]
    for i in range(n):
        lat = 33 + (i // side) * 0.05 + rng.uniform(0, 0.03)
        lon = 36 + (i % side) * 0.05 + rng.uniform(0, 0.03)
        for year in (2015, 2016):
            side_id = "north" if rng.random() < 0.5 else "south"
            rows.append(f"{year}-01-01,Place {i},{lat:.5f},{lon:.5f},{side_id},held,change,"
                        f"confirmed,https://e.org/{i},")
    (tmp_path / "big.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "f.toml").write_text('[[faction]]\nid = "north"\nlabel = "North"\n'
                                     'colour = "#1f77b4"\n\n[[faction]]\nid = "south"\n'
                                     'label = "South"\ncolour = "#d62728"\n', encoding="utf-8")
    from mapper.render import render_html

    prepared = prepare(tmp_path / "big.csv", factions=tmp_path / "f.toml")
    page = tmp_path / "big.html"
    page.write_text(render_html(prepared.model, RenderOptions(offline=True,
                                                              leaflet_dir=leaflet_dir)))
    w = watched.open(page, "#date=2015-06-01")
    assert w.js("frontline.frontSegments()") > 3000
    names = prepared.observations.places["name"].tolist()
    got = w.js("names => names.map(n => frontline.stateOf(n).controller)", names)
    matrix = prepared.timeline.state_matrix(np.array(["2015-06-01"], dtype="datetime64[ns]"))
    assert got == list(matrix.controller_ids()[0])
    w.js("frontline.setDate('2016-02-01')")
    got = w.js("names => names.map(n => frontline.stateOf(n).controller)", names)
    matrix = prepared.timeline.state_matrix(np.array(["2016-02-01"], dtype="datetime64[ns]"))
    assert got == list(matrix.controller_ids()[0])
    # the painted image: hiding the front-lines layer removes thousands of dark pixels
    count_dark = """() => { const c = document.querySelector('canvas.fl-canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] < 40 && d[i + 1] < 40 && d[i + 3] > 200) n++;
        return n; }"""
    with_front = w.js(count_dark)
    w.js("""() => { frontline.map.eachLayer(l => { if (l._name === 'front')
                                                    frontline.map.removeLayer(l); }); }""")
    without_front = w.js(count_dark)
    assert with_front - without_front > 1000, (with_front, without_front)
    w.assert_clean()


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory, examples_dir) -> Path:
    """What `make demo` builds, with the default options (Leaflet inlined, optional tiles)."""
    from typer.testing import CliRunner

    from mapper.cli import app

    if not (examples_dir / "seeds.csv").is_file():
        pytest.skip(f"{examples_dir / 'seeds.csv'} is missing")
    out = tmp_path_factory.mktemp("demo") / "site"
    result = CliRunner().invoke(app, ["demo", "-o", str(out), "--examples", str(examples_dir)])
    assert result.exit_code == 0, result.output
    return out


def test_demo_site_starts_and_colours_places_with_every_network_request_blocked(demo_site,
                                                                                 watched):
    """A reader on a train: every non-file: request fails. The app starts, colours its places,
    the tile probe gives up quietly (no tile layer, no broken image) and outlines are drawn."""
    for page in (demo_site / "index.html", demo_site / "seeds" / "index.html"):
        w = watched.open(page)
        assert w.js("typeof L") == "object"
        w.page.wait_for_function("frontline.tiles() !== 'probing'")
        assert w.js("frontline.tiles()") == "failed"
        assert w.js("document.querySelectorAll('.leaflet-tile').length") == 0
        assert w.js("document.querySelectorAll('.leaflet-overlay-pane path').length") > 0
        data = w.js("JSON.parse(document.getElementById('frontline-data').textContent)")
        colours = {f[2] for f in data["F"]}
        painted = [w.js("n => frontline.colourOf(n)", name) for name in data["P"]["n"]]
        assert painted and sum(c in colours for c in painted) >= len(painted) // 2, painted
        # the only requests are the one tile probe; nothing but its failed load is logged
        assert w.network and all("basemaps.cartocdn.com" in u for u in w.network), w.network
        assert len(w.network) == 1, w.network
        assert all("Failed to load resource" in e for e in w.errors), w.errors
        assert w.dialogs == []
        w.errors.clear()
        w.network.clear()


def test_notebook_map_starts_inside_its_iframe(tmp_path, examples_dir, watched):
    """What Jupyter shows for `events.map()`: the page in a sandboxed srcdoc iframe, offline."""
    import frontline

    events = frontline.read_events(examples_dir / "seeds.csv")
    cell = tmp_path / "cell.html"
    cell.write_text("<!DOCTYPE html><html><body>" + events.map(offline=True)._repr_html_()
                    + "</body></html>", encoding="utf-8")
    watched.page.goto(cell.resolve().as_uri())
    frame = next(f for f in watched.page.frames if f != watched.page.main_frame)
    frame.wait_for_function("window.frontline && window.frontline.ready")
    assert frame.evaluate("frontline.stateOf('Douma')")["controller"] == "opposition"
    watched.assert_clean()
