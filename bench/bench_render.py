"""Benchmark: the interactive map's size and slider speed, and the bundle build (DESIGN.md §6).

1. HTML size for P places × 10 years × 10 changes each (full: 5,000 places, 50,000 observations)
   — target ≤ 3 MB — against folium's own time plugins built from the same data in the same run:
   ``plugins.Timeline`` (+ ``TimelineSlider``; one feature per interval) and
   ``plugins.TimestampedGeoJson`` (one feature per place and interval, ``times`` = every slider
   date inside the interval: O(places × dates)). TimestampedGeoJson is built on a fraction of
   the places and extrapolated linearly in the number of places (each place adds the same kind
   of features); the fraction is printed.
2. Time per slider date change in headless Chromium (full: 6,000 places) — target < 50 ms —
   against the redraw strategy of TimestampedGeoJson (clear the layer, add a GeoJSON of every
   place's state for the date) on the same page, same dates, same renderer.
3. Bundle build time for the example (examples/syria/observations.csv, else examples/seeds.csv).

    .venv/bin/python bench/bench_render.py            # quick: 500 places, 600 in Chromium
    .venv/bin/python bench/bench_render.py --full     # 5,000 places; 6,000 in Chromium
    .venv/bin/python bench/bench_render.py --full --write bench/RESULTS-render.md

Synthetic data with a fixed seed; no gazetteer (places are given by id and coordinates).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from layers.cells import build_cells  # noqa: E402
from layers.factions import load_factions  # noqa: E402
from layers.timeline import build_timeline  # noqa: E402
from mapper.model import model_from_layers  # noqa: E402
from mapper.render import RenderOptions, find_leaflet_dir, render_html  # noqa: E402

FACTIONS = ["government", "opposition", "isis", "sdf"]
START = np.datetime64("2010-01-01", "D")
YEARS = 10


def synthetic(n_places: int, changes: int = 10, *, seed: int = 20140415):
    """Places on a jittered grid over a 5°×5° box; each place changes hands ``changes`` times
    in 10 years; sources are shared by ~10 places (one article names several towns)."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_places)))
    grid = np.stack(np.meshgrid(np.arange(side), np.arange(side)), -1).reshape(-1, 2)[:n_places]
    lon = 36.0 + grid[:, 0] * 5.0 / side + rng.uniform(0, 4.0 / side, n_places)
    lat = 32.5 + grid[:, 1] * 5.0 / side + rng.uniform(0, 4.0 / side, n_places)
    ids = np.array([f"bench:{i:05d}" for i in range(n_places)], dtype=object)
    names = np.array([f"Town {i}" for i in range(n_places)], dtype=object)
    n_obs = n_places * changes
    place = np.repeat(np.arange(n_places), changes)
    offsets = np.sort(rng.integers(0, 365 * YEARS, (n_places, changes)), axis=1).ravel()
    step = rng.integers(1, len(FACTIONS), n_obs)  # never the same controller twice in a row
    first = rng.integers(0, len(FACTIONS), n_places)
    codes = (np.repeat(first, changes) + np.cumsum(step.reshape(n_places, changes), axis=1)
             .ravel()) % len(FACTIONS)
    n_sources = max(n_obs // 10, 1)
    sources = np.array([f"https://news.example.org/{2010 + i % YEARS}/{i % 12 + 1:02d}/"
                        f"report-{i:06d}" for i in range(n_sources)], dtype=object)
    notes = np.array([f"Reported after fighting near the {k}th checkpoint" for k in range(500)],
                     dtype=object)
    frame = pd.DataFrame({
        "row": np.arange(2, n_obs + 2, dtype=np.int64),
        "date": (START + offsets.astype("timedelta64[D]")).astype("datetime64[ns]"),
        "date_precision": pd.array(np.full(n_obs, "day", dtype=object), dtype="string"),
        "place_id": pd.array(ids[place], dtype="string"),
        "place": pd.array(names[place], dtype="string"),
        "place_text": pd.array(names[place], dtype="string"),
        "lat": lat[place], "lon": lon[place],
        "controller": pd.array(np.array(FACTIONS, dtype=object)[codes], dtype="string"),
        "status": pd.array(np.array(["held", "contested"], dtype=object)[
            (rng.random(n_obs) < 0.1).astype(int)], dtype="string"),
        "kind": pd.array(np.full(n_obs, "change", dtype=object), dtype="string"),
        "certainty": pd.array(np.array(["confirmed", "claimed"], dtype=object)[
            (rng.random(n_obs) < 0.2).astype(int)], dtype="string"),
        "source": pd.array(sources[rng.integers(0, n_sources, n_obs)], dtype="string"),
        "note": pd.array(np.where(rng.random(n_obs) < 0.2,
                                  notes[rng.integers(0, len(notes), n_obs)], ""), dtype="string"),
    })
    places = gpd.GeoDataFrame({"place_id": ids, "name": names, "lat": lat, "lon": lon,
                               "country": "XX", "admin1": "", "kind": "town"},
                              geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    return SimpleNamespace(frame=frame, places=places, factions=load_factions())


def build_model(observations, *, cells: bool):
    timeline = build_timeline(observations)
    topology = build_cells(observations.places) if cells else None
    model = model_from_layers(observations, timeline, observations.factions,
                              topology=topology)
    return model, timeline


# ---------------------------------------------------------------- baselines (folium plugins)

def _popup(frame: pd.DataFrame) -> pd.Series:
    return ("<b>" + frame["place"].astype(str) + "</b><br>" + frame["controller"].astype(str)
            + " since " + frame["start"].astype(str) + "<br>" + frame["source"].astype(str)
            + "<br>" + frame["note"].astype(str))


def _interval_table(observations, timeline) -> pd.DataFrame:
    iv = timeline.intervals
    places = observations.places.set_index("place_id")
    colours = load_factions().colours
    end = iv["valid_to"].fillna(pd.Timestamp(START + np.timedelta64(365 * YEARS, "D")))
    table = pd.DataFrame({
        "place": places.loc[iv["place_id"].astype(str), "name"].to_numpy(),
        "lat": places.loc[iv["place_id"].astype(str), "lat"].to_numpy(),
        "lon": places.loc[iv["place_id"].astype(str), "lon"].to_numpy(),
        "controller": iv["controller"].astype(str).to_numpy(),
        "colour": iv["controller"].astype(str).map(colours).fillna("#999999").to_numpy(),
        "start": iv["valid_from"].dt.strftime("%Y-%m-%d").to_numpy(),
        "end": end.dt.strftime("%Y-%m-%d").to_numpy(),
        "source": iv["source"].astype(str).to_numpy(),
        "note": iv["note"].astype(str).to_numpy(),
    })
    table["popup"] = _popup(table)
    return table


def folium_timeline_html(table: pd.DataFrame) -> str:
    import folium
    from folium.plugins import Timeline, TimelineSlider

    features = [{"type": "Feature",
                 "geometry": {"type": "Point", "coordinates": [lon, lat]},
                 "properties": {"start": s, "end": e, "color": c, "popup": p}}
                for lon, lat, s, e, c, p in zip(table["lon"], table["lat"], table["start"],
                                                table["end"], table["colour"], table["popup"],
                                                strict=True)]
    m = folium.Map(location=[35, 38.5], zoom_start=7)
    timeline = Timeline({"type": "FeatureCollection", "features": features}).add_to(m)
    TimelineSlider(auto_play=False, enable_keyboard_controls=True).add_timelines(timeline).add_to(m)
    return m.get_root().render()


def folium_timestamped_html(table: pd.DataFrame, slider_dates: np.ndarray) -> str:
    import folium
    from folium.plugins import TimestampedGeoJson

    dates = np.asarray(slider_dates).astype(str)
    features = []
    for row in table.itertuples(index=False):
        lo, hi = np.searchsorted(dates, row.start), np.searchsorted(dates, row.end)
        if hi <= lo:
            continue
        features.append({"type": "Feature",
                         "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]},
                         "properties": {"times": dates[lo:hi].tolist(), "popup": row.popup,
                                        "icon": "circle",
                                        "iconstyle": {"fillColor": row.colour, "radius": 6}}})
    m = folium.Map(location=[35, 38.5], zoom_start=7)
    TimestampedGeoJson({"type": "FeatureCollection", "features": features}, period="P1D",
                       add_last_point=False).add_to(m)
    return m.get_root().render()


# ---------------------------------------------------------------- 1. size

def bench_size(n_places: int, fraction_places: int) -> dict:
    obs = synthetic(n_places)
    t0 = time.perf_counter()
    model, timeline = build_model(obs, cells=True)
    t_model = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours = render_html(model, RenderOptions(title="bench"))
    t_ours = time.perf_counter() - t0
    markers_only = model_from_layers(obs, timeline, obs.factions)
    ours_markers = render_html(markers_only, RenderOptions(title="bench"))
    table = _interval_table(obs, timeline)
    t0 = time.perf_counter()
    tl_html = folium_timeline_html(table)
    t_tl = time.perf_counter() - t0
    slider_dates = np.datetime_as_string(timeline.change_dates(), unit="D")
    part = obs.places["name"].iloc[:fraction_places]
    part_table = table[table["place"].isin(set(part))]
    t0 = time.perf_counter()
    ts_part = len(folium_timestamped_html(part_table, slider_dates).encode())
    t_ts = time.perf_counter() - t0
    ts_estimate = ts_part * n_places / fraction_places
    mb = 1e6
    return {
        "places": n_places, "observations": len(obs.frame), "intervals": len(timeline),
        "slider_dates": len(slider_dates), "cells": n_places,
        "edges": len(model.edges[0]) if model.edges else 0,
        "ours_mb": len(ours.encode()) / mb, "ours_markers_mb": len(ours_markers.encode()) / mb,
        "timeline_mb": len(tl_html.encode()) / mb,
        "timestamped_mb_est": ts_estimate / mb, "timestamped_fraction": fraction_places,
        "timestamped_part_mb": ts_part / mb,
        "t_model_s": t_model, "t_render_s": t_ours, "t_timeline_s": t_tl,
        "t_timestamped_part_s": t_ts,
    }


# ---------------------------------------------------------------- 2. slider in Chromium

SCRUB_JS = """async (dates) => {
  const times = [];
  const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  await frame();
  for (const d of dates) {
    const t0 = performance.now();
    frontline.setDate(d);
    const t1 = performance.now();
    await frame();
    times.push([t1 - t0, performance.now() - t0]);
  }
  return times;
}"""

BASELINE_JS = """async ([dates, states, palette]) => {
  const map = frontline.map, D = JSON.parse(document.getElementById('frontline-data').textContent);
  const lat = D.P.y.map(v => v / 1e5), lon = D.P.x.map(v => v / 1e5);
  map.eachLayer(l => { if (!(l instanceof L.TileLayer)) { if (l !== map) map.removeLayer(l); } });
  const layer = L.geoJSON(null, {pointToLayer: (f, ll) => L.circleMarker(ll, {radius: 6,
      fillColor: f.properties.c, color: '#222', weight: 1.5, fillOpacity: 0.9})}).addTo(map);
  const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const times = [];
  for (let k = 0; k < dates.length; k++) {
    const fc = {type: 'FeatureCollection', features: states[k].map((c, i) => ({type: 'Feature',
      geometry: {type: 'Point', coordinates: [lon[i], lat[i]]}, properties: {c: palette[c]}}))};
    const t0 = performance.now();
    layer.clearLayers();
    layer.addData(fc);
    const t1 = performance.now();
    await frame();
    times.push([t1 - t0, performance.now() - t0]);
  }
  return times;
}"""


def bench_slider(n_places: int, n_dates: int, chromium: str) -> dict:
    from playwright.sync_api import sync_playwright

    obs = synthetic(n_places, seed=6000)
    model, timeline = build_model(obs, cells=True)
    leaflet = find_leaflet_dir()
    html = render_html(model, RenderOptions(title="bench", offline=True, leaflet_dir=leaflet))
    change_dates = timeline.change_dates()
    picks = change_dates[np.linspace(0, len(change_dates) - 1, n_dates).astype(int)]
    dates = [str(d)[:10] for d in picks]
    middle = len(change_dates) // 2
    steps = [str(d)[:10] for d in change_dates[middle:middle + n_dates]]
    matrix = timeline.state_matrix(picks)
    states = np.where(matrix.controller >= 0, matrix.controller, len(matrix.categories)).tolist()
    colours = load_factions().colours
    palette = [colours.get(c, "#999999") for c in matrix.categories] + ["#f5f5f5"]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        page_path = Path(tmp) / "bench.html"
        page_path.write_text(html, encoding="utf-8")
        browser = pw.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                   else r.abort())
        t0 = time.perf_counter()
        page.goto(page_path.as_uri())
        page.wait_for_function("window.frontline && window.frontline.ready", timeout=120000)
        t_load = time.perf_counter() - t0
        page.evaluate("frontline.map.setZoom(7)")  # every place and cell on screen
        ours = page.evaluate(SCRUB_JS, dates)
        ours_steps = page.evaluate(SCRUB_JS, steps)
        base = page.evaluate(BASELINE_JS, [dates, states, palette])
        browser.close()

    def summary(times):
        sync = [t[0] for t in times[1:]]
        full = [t[1] for t in times[1:]]
        return {"median_ms": statistics.median(full), "p95_ms": float(np.percentile(full, 95)),
                "max_ms": max(full), "js_median_ms": statistics.median(sync)}

    return {"places": n_places, "cells": n_places, "dates": len(dates),
            "html_mb": len(html.encode()) / 1e6, "load_s": t_load,
            "ours": summary(ours), "ours_steps": summary(ours_steps), "baseline": summary(base)}


# ---------------------------------------------------------------- 3. bundle

def bench_bundle(leaflet_dir) -> dict:
    from mapper.bundle import BundleOptions, write_bundle
    from mapper.pipeline import prepare

    events = ROOT / "examples" / "syria" / "observations.csv"
    if not events.is_file():
        events = ROOT / "examples" / "seeds.csv"
    t0 = time.perf_counter()
    prepared = prepare(events)
    t_prepare = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        manifest = write_bundle(prepared, Path(tmp) / "site", BundleOptions(
            render=RenderOptions(offline=True, leaflet_dir=leaflet_dir)))
        t_bundle = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in (Path(tmp) / "site").rglob("*") if p.is_file())
    return {"events": str(events.relative_to(ROOT)), "rows": manifest["rows_read"],
            "places": manifest["places"], "slider_dates": len(manifest["dates"]["slider"]),
            "files": len(manifest["files"]), "t_prepare_s": t_prepare, "t_bundle_s": t_bundle,
            "size_mb": size / 1e6}


def report(size: dict, slider: dict | None, bundle: dict | None, command: str) -> str:
    lines = [
        "# Render benchmark (bench/bench_render.py)", "",
        f"Command: `{command}`  ",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores shared with other jobs (load average "
        f"{os.getloadavg()[0]:.1f} at the end of the run: timings are noisy, sizes exact); "
        "Chromium without GPU (software raster).", "",
        f"## 1. HTML size: {size['places']:,} places × {YEARS} years × 10 changes "
        f"({size['observations']:,} observations, {size['intervals']:,} intervals, "
        f"{size['slider_dates']:,} change dates)", "",
        "| map | size | vs ours |", "|---|---:|---:|",
        f"| **Frontline** (markers + {size['cells']:,} cells + {size['edges']:,} shared edges) "
        f"| **{size['ours_mb']:.2f} MB** | 1× |",
        f"| Frontline, markers only (no territory) | {size['ours_markers_mb']:.2f} MB | "
        f"{size['ours_markers_mb'] / size['ours_mb']:.2f}× |",
        f"| folium `Timeline` + `TimelineSlider` (one feature per interval) | "
        f"{size['timeline_mb']:.2f} MB | {size['timeline_mb'] / size['ours_mb']:.1f}× |",
        f"| folium `TimestampedGeoJson` (estimated¹) | {size['timestamped_mb_est']:,.0f} MB | "
        f"{size['timestamped_mb_est'] / size['ours_mb']:,.0f}× |", "",
        f"¹ built for {size['timestamped_fraction']} of the {size['places']:,} places "
        f"({size['timestamped_part_mb']:.1f} MB in {size['t_timestamped_part_s']:.1f} s) and "
        "scaled linearly by the number of places (every place contributes features whose "
        "`times` list every slider date of its intervals, so the page is O(places × dates)). "
        "All three carry the same popup facts (place, controller, since, source, note).", "",
        f"Target ≤ 3 MB: **{'met' if size['ours_mb'] <= 3 else 'NOT met'}** "
        f"({size['ours_mb']:.2f} MB). Build: model {size['t_model_s']:.1f} s (timeline + "
        f"cells), render {size['t_render_s']:.1f} s; folium Timeline page "
        f"{size['t_timeline_s']:.1f} s.", ""]
    if slider:
        o, b, st = slider["ours"], slider["baseline"], slider["ours_steps"]
        lines += [
            f"## 2. Slider date change in headless Chromium: {slider['places']:,} places and "
            f"cells, {slider['dates']} dates across the period", "",
            "Time from `setDate` to the next painted frame: state by binary search per place, "
            "territory recoloured through a per-view id buffer, markers blitted from sprites, "
            "front line redrawn from the edge list — all on one canvas. Jumps between "
            "dates spread over the 10 years (most places change) and steps through consecutive "
            "change dates (what the ▶▶ button and arrow keys do).", "",
            "| strategy | median | p95 | max | JS only (median) |", "|---|---:|---:|---:|---:|",
            f"| **Frontline**, jumping across the period | "
            f"**{o['median_ms']:.1f} ms** | {o['p95_ms']:.1f} ms | {o['max_ms']:.1f} ms | "
            f"{o['js_median_ms']:.1f} ms |",
            f"| **Frontline**, stepping through {slider['dates']} consecutive change dates | "
            f"{st['median_ms']:.1f} ms | {st['p95_ms']:.1f} ms | {st['max_ms']:.1f} ms | "
            f"{st['js_median_ms']:.1f} ms |",
            f"| baseline: clear + re-add a GeoJSON of every place (TimestampedGeoJson's redraw; "
            f"markers only) | {b['median_ms']:.1f} ms | {b['p95_ms']:.1f} ms | "
            f"{b['max_ms']:.1f} ms | {b['js_median_ms']:.1f} ms |", "",
            f"Target < 50 ms: **{'met' if o['median_ms'] < 50 else 'NOT met'}**; "
            f"baseline / ours = {b['median_ms'] / o['median_ms']:.1f}× (the baseline draws no "
            f"territory). Page {slider['html_mb']:.2f} MB, loaded in {slider['load_s']:.1f} s. "
            "The synthetic controllers are spatially random, so most shared edges are fronts; "
            "above 3,000 front edges the page traces them in the id buffer instead of stroking "
            "them (real maps, with contiguous territories, stroke them as vectors).",
            ""]
    if bundle:
        lines += [
            f"## 3. Bundle of the example ({bundle['events']})", "",
            f"{bundle['rows']} rows, {bundle['places']} places, {bundle['slider_dates']} slider "
            f"dates → {bundle['files']} files, {bundle['size_mb']:.1f} MB (offline, with PNGs, "
            f"GIF, per-date GeoJSON). Read + resolve + timeline + cells: "
            f"{bundle['t_prepare_s']:.1f} s; bundle: {bundle['t_bundle_s']:.1f} s.", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="issue sizes (5k / 6k places)")
    parser.add_argument("--places", type=int, help="places for the size benchmark")
    parser.add_argument("--slider-places", type=int, help="places for the Chromium benchmark")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-bundle", action="store_true")
    parser.add_argument("--write", type=Path, help="write the Markdown report here")
    args = parser.parse_args(argv)
    n_size = args.places or (5000 if args.full else 500)
    n_slider = args.slider_places or (6000 if args.full else 600)
    command = ".venv/bin/python bench/bench_render.py " + " ".join(argv)
    size = bench_size(n_size, fraction_places=max(n_size // 100, 5))
    print(json.dumps(size, indent=1), flush=True)
    slider = None
    if not args.no_browser and Path(args.chromium).exists():
        slider = bench_slider(n_slider, 40, args.chromium)
        print(json.dumps(slider, indent=1), flush=True)
    bundle = None if args.no_bundle else bench_bundle(find_leaflet_dir())
    if bundle:
        print(json.dumps(bundle, indent=1), flush=True)
    text = report(size, slider, bundle, command.strip())
    print(text)
    if args.write:
        args.write.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
