"""Benchmark: localities (issue 16 part 4) — every unobserved village drawn in its cell's state.

1. layers/localities.py: the point-in-cell lookup once (STRtree) + the state of every locality on
   every date as one index (``locality_states``), against a per-date geopandas ``sjoin`` of the
   localities with that date's cells (the lookup redone for each date), on the same data in the
   same run; the baseline is measured on a few dates and extrapolated linearly; the answers of
   those dates are compared.
2. Slider date change in headless Chromium with L localities (full: 15,000) — target < 50 ms
   median — against the same page without localities (what localities add) and against
   Leaflet's own canvas renderer (``L.circleMarker`` on ``L.canvas()``, restyled per date, our
   layer hidden) on the same page, same dates.

    .venv/bin/python bench/bench_localities.py            # quick: 3,000 localities
    .venv/bin/python bench/bench_localities.py --full     # 15,000 localities, 1,500 dates
    .venv/bin/python bench/bench_localities.py --full --write bench/RESULTS-localities.md

Synthetic, fixed seeds: places and localities uniformly inside the Natural Earth 10m outline of
Syria (from the PyPI package the default theatre uses); no gazetteer is read.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from layers.cells import build_cells  # noqa: E402
from layers.countries import country_outline  # noqa: E402
from layers.factions import load_factions  # noqa: E402
from layers.localities import find_localities, locality_states  # noqa: E402
from layers.observations import read_observations  # noqa: E402
from layers.timeline import build_timeline  # noqa: E402
from mapper.model import model_from_layers  # noqa: E402
from mapper.render import RenderOptions, find_leaflet_dir, render_html  # noqa: E402

FACTIONS = ["government", "opposition", "isis", "sdf", "hts"]


def inside(outline, n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    minx, miny, maxx, maxy = outline.bounds
    shapely.prepare(outline)
    lon, lat = np.empty(0), np.empty(0)
    while len(lon) < n:
        x, y = rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n)
        ok = shapely.contains_xy(outline, x, y)
        lon, lat = np.r_[lon, x[ok]], np.r_[lat, y[ok]]
    return lon[:n], lat[:n]


def scene(n_places: int, n_localities: int, n_dates: int, changes: int, tmp: Path):
    """Observed places changing hands ``changes`` times each among ``n_dates`` dates, and the
    localities, inside Syria's outline."""
    rng = np.random.default_rng(1604)
    outline = country_outline(["SY"])
    lon, lat = inside(outline, n_places, rng)
    dates = pd.date_range("2012-01-01", periods=n_dates, freq="D").strftime("%Y-%m-%d")
    place = np.repeat(np.arange(n_places), changes)
    day = rng.integers(0, n_dates, len(place))
    frame = pd.DataFrame({"date": np.asarray(dates)[day], "place": [f"P{i}" for i in place],
                          "lat": np.round(lat[place], 5), "lon": np.round(lon[place], 5),
                          "controller": rng.choice(FACTIONS, len(place)),
                          "source": [f"https://e.org/{i}" for i in place]})
    events = tmp / "events.csv"
    frame.sort_values(["date", "place"]).to_csv(events, index=False)
    factions = load_factions()
    observations = read_observations(events, factions=factions)
    timeline = build_timeline(observations)
    topology = build_cells(observations.places, theatre=outline)
    llon, llat = inside(outline, n_localities, rng)
    cands = pd.DataFrame({"place_id": [f"gen:{i}" for i in range(n_localities)],
                          "name": [f"Locality {i}" for i in range(n_localities)],
                          "lat": llat, "lon": llon, "kind": "village", "source": "generated"})
    return outline, observations, timeline, topology, cands, factions, list(dates)


# ---------------------------------------------------------------- 1. layers

def bench_layers(outline, timeline, topology, cands, dates, n_baseline: int) -> dict:
    when = np.array(dates, dtype="datetime64[ns]")
    t0 = time.perf_counter()
    found = find_localities(cands, topology, theatre=outline)
    t_lookup = time.perf_counter() - t0
    t0 = time.perf_counter()
    matrix = timeline.state_matrix(when, place_ids=topology.place_ids)
    t_matrix = time.perf_counter() - t0
    t0 = time.perf_counter()
    states = locality_states(found, topology, matrix.controller)
    t_states = time.perf_counter() - t0

    # baseline: per date, a spatial join of the localities with that date's cells
    cells = topology.cells_frame()
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(found.frame["lon"], found.frame["lat"]),
                              crs=4326)
    picks = np.linspace(0, len(dates) - 1, n_baseline).astype(int)
    site_codes = topology.site_codes(matrix.controller)
    agree = True
    t0 = time.perf_counter()
    for k in picks:
        by_cell = cells.assign(code=site_codes[k][cells["site"].to_numpy()])
        by_cell = by_cell[~by_cell.geometry.is_empty]
        joined = gpd.sjoin(points, by_cell[["code", "site", "geometry"]], how="left",
                           predicate="intersects")
        joined = joined.sort_values("site").groupby(level=0).first()
        base = joined["code"].fillna(-1).astype(int).to_numpy()
        agree &= bool(np.array_equal(base, states[k]))
    t_base = (time.perf_counter() - t0) / len(picks) * len(dates)
    ours = t_lookup + t_states
    return {"localities": len(found), "places": topology.n_places, "dates": len(dates),
            "lookup_s": t_lookup, "state_matrix_s": t_matrix, "states_s": t_states,
            "ours_s": ours, "baseline_s": t_base, "baseline_dates_measured": len(picks),
            "ratio": t_base / ours, "answers_identical": agree,
            "states_mb": states.nbytes / 1e6}


# ---------------------------------------------------------------- 2. Chromium

# the slider step timed exactly as bench_render times it (same script)
from bench_render import SCRUB_JS as STEP_JS  # noqa: E402

LEAFLET_JS = """async ([dates, palette]) => {
  const map = frontline.map, D = JSON.parse(document.getElementById('frontline-data').textContent);
  map.eachLayer(l => { if (l._name === 'localities') map.removeLayer(l); });
  const renderer = L.canvas({padding: 0.05});
  const markers = D.L.n.map((_, j) => L.circleMarker([D.L.y[j] / 1e5, D.L.x[j] / 1e5],
      {renderer: renderer, radius: 3.5, weight: 1.3, color: '#888', fillOpacity: 0.3,
       interactive: false}).addTo(map));
  const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  await frame();
  const times = [];
  for (const d of dates) {
    const t0 = performance.now();
    frontline.setDate(d);
    const st = frontline.localityStates();
    for (let j = 0; j < markers.length; j++) {
      const c = palette[st[j]] || '#888888';
      markers[j].setStyle({color: c, fillColor: c});
    }
    const t1 = performance.now();
    await frame();
    times.push([t1 - t0, performance.now() - t0]);
  }
  return times;
}"""


def bench_browser(observations, timeline, topology, cands, factions, outline, dates,
                  chromium: str, n_steps: int) -> dict:
    from playwright.sync_api import sync_playwright

    model = model_from_layers(observations, timeline, factions, topology=topology)
    found = find_localities(cands, topology, theatre=outline)
    with_loc = dataclasses.replace(model, localities=found)
    options = RenderOptions(title="bench", offline=True, leaflet_dir=find_leaflet_dir())
    pages = {"with": render_html(with_loc, options), "without": render_html(model, options)}
    change = np.datetime_as_string(timeline.change_dates(), unit="D")
    middle = len(change) // 2
    steps = [str(d) for d in change[middle:middle + n_steps + 1]]
    palette = {f.id: f.colour for f in factions}
    out = {"localities": len(found), "places": topology.n_places, "steps": n_steps,
           "mb_with": len(pages["with"].encode()) / 1e6,
           "mb_without": len(pages["without"].encode()) / 1e6}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for name, html in pages.items():
            path = Path(tmp) / f"{name}.html"
            path.write_text(html, encoding="utf-8")
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                       else r.abort())
            t0 = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_function("window.frontline && window.frontline.ready", timeout=120000)
            out[f"load_s_{name}"] = time.perf_counter() - t0
            out[name] = summary(page.evaluate(STEP_JS, steps))
            if name == "with":
                out["leaflet_canvas"] = summary(page.evaluate(LEAFLET_JS, [steps, palette]))
            page.close()
        browser.close()
    return out


def summary(times) -> dict:
    sync = [t[0] for t in times[1:]]
    full = [t[1] for t in times[1:]]
    return {"median_ms": statistics.median(full), "p95_ms": float(np.percentile(full, 95)),
            "max_ms": max(full), "js_median_ms": statistics.median(sync)}


# ---------------------------------------------------------------- report

def report(layers: dict, browser: dict | None, command: str) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "# Localities benchmark (issue 16 part 4)", "",
        f"`{command}` — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{platform.machine()}, {os.cpu_count()} cores shared with other jobs, load {load:.1f}.",
        "",
        f"## 1. States of {layers['localities']:,} localities in the cells of "
        f"{layers['places']:,} places on {layers['dates']:,} dates (NE 10m Syria outline)", "",
        "| step | time |", "|---|---|",
        f"| point-in-cell lookup, once (STRtree) | {layers['lookup_s']:.3f} s |",
        f"| every locality on every date (one index) | {layers['states_s']:.3f} s "
        f"({layers['states_mb']:.0f} MB of codes) |",
        f"| **ours: lookup + states** | **{layers['ours_s']:.3f} s** |",
        f"| (the places' state matrix, shared with the map; not counted) | "
        f"{layers['state_matrix_s']:.3f} s |",
        f"| baseline: geopandas `sjoin` with each date's cells ({layers['baseline_dates_measured']}"
        f" dates measured, × {layers['dates'] / layers['baseline_dates_measured']:.0f}) | "
        f"{layers['baseline_s']:.1f} s |",
        f"| **ratio** | **{layers['ratio']:.0f}×**; answers identical on the measured dates: "
        f"{layers['answers_identical']} |", ""]
    if browser:
        w, wo, lf = browser["with"], browser["without"], browser["leaflet_canvas"]
        lines += [
            f"## 2. Slider date change in headless Chromium: {browser['localities']:,} "
            f"localities + {browser['places']:,} places and cells, {browser['steps']} "
            "consecutive change dates", "",
            "Time from `frontline.setDate` (what the slider's input handler calls) to the next "
            "frame, `performance.now()` in the page; the first step is dropped.", "",
            "| page | median | p95 | max | JS only (median) |", "|---|---|---|---|---|",
            f"| **with localities (ours)** | **{w['median_ms']:.1f} ms** | {w['p95_ms']:.1f} | "
            f"{w['max_ms']:.1f} | {w['js_median_ms']:.1f} |",
            f"| same page without localities | {wo['median_ms']:.1f} ms | {wo['p95_ms']:.1f} | "
            f"{wo['max_ms']:.1f} | {wo['js_median_ms']:.1f} |",
            f"| Leaflet `L.circleMarker` × {browser['localities']:,} on `L.canvas()`, restyled "
            f"per date | {lf['median_ms']:.1f} ms | {lf['p95_ms']:.1f} | {lf['max_ms']:.1f} | "
            f"{lf['js_median_ms']:.1f} |", "",
            f"Ratio: Leaflet canvas / ours = **{lf['median_ms'] / w['median_ms']:.1f}×**. Page "
            f"{browser['mb_with']:.2f} MB with localities, {browser['mb_without']:.2f} MB without "
            f"(+{(browser['mb_with'] - browser['mb_without']) * 1e6 / browser['localities']:.0f}"
            " bytes per locality, no per-date data); load "
            f"{browser['load_s_with']:.1f} s / {browser['load_s_without']:.1f} s.", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="15,000 localities, 1,500 dates")
    parser.add_argument("--localities", type=int)
    parser.add_argument("--places", type=int, default=300)
    parser.add_argument("--dates", type=int)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--write", type=Path, help="write the Markdown report here")
    args = parser.parse_args(argv)
    n_loc = args.localities or (15000 if args.full else 3000)
    n_dates = args.dates or (1500 if args.full else 300)
    command = ".venv/bin/python bench/bench_localities.py " + " ".join(argv)
    with tempfile.TemporaryDirectory() as tmp:
        outline, obs, timeline, topology, cands, factions, dates = scene(
            args.places, n_loc, n_dates, changes=12, tmp=Path(tmp))
    layers = bench_layers(outline, timeline, topology, cands, dates, n_baseline=10)
    print(json.dumps(layers, indent=1), flush=True)
    browser = None
    if not args.no_browser and Path(args.chromium).exists():
        browser = bench_browser(obs, timeline, topology, cands, factions, outline, dates,
                                args.chromium, n_steps=20)
        print(json.dumps(browser, indent=1), flush=True)
    text = report(layers, browser, command.strip())
    print(text)
    if args.write:
        args.write.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
