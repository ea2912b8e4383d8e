"""Benchmark: territory + front lines for many slices over a fixed cell topology, against a
per-slice geopandas ``dissolve`` of the same cells (measured in the same run).

    .venv/bin/python bench/bench_territory.py            # quick: 2,000 places × 100 slices
    .venv/bin/python bench/bench_territory.py --full     # target: 10,000 places × 500 slices
    .venv/bin/python bench/bench_territory.py --theatre-10m  # 20,000 places × 1,500 dates in
                                                 # the Natural Earth 10m Syria outline, peak memory
    .venv/bin/python bench/bench_territory.py --case random  # bench/gen_events.py logs in the
    .venv/bin/python bench/bench_territory.py --case fronts  # Syria outline: before/after

``--case random|fronts`` replays the seeded logs of bench/gen_events.py (``random``: 5,000 places,
50,000 random flips — the worst case, nothing reusable between days; ``fronts``: 20,000 places,
1,500 weekly moving-front steps) into place codes for every change day, in the NE 10m Syria
outline, and times each variant in its own process (so each one's peak memory is its own):
``before`` = layers/territory.py of the commit given by ``--before`` (default: the merge base
with main, loaded from git), ``after`` = this tree's ``dissolve_codes``, ``table`` = stats
columns for every day without polygons (``territory_table``), ``data-days`` = polygons only for
60 days spread over the slider (what the bundle writes).

Synthetic but realistic state: places scattered over a Syria-sized box, five factions whose
zones are the nearest of five drifting centres (fronts move a little every slice), 3% of places
unknown. The baseline dissolves a subset of slices (``--baseline-slices``) and is extrapolated
linearly to every slice; the script says so in its output. ``--write`` updates
bench/RESULTS-territory.md.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from layers.cells import build_cells  # noqa: E402
from layers.frontline import front_line_codes, front_lines_frame  # noqa: E402
from layers.stats import cell_area_stats  # noqa: E402
from layers.territory import dissolve_codes, territory_frame  # noqa: E402


def _peak_mb() -> float:
    """Peak resident memory of this process so far (Linux reports ru_maxrss in KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(n_places: int, n_slices: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    lon = rng.uniform(35.7, 42.0, n_places)
    lat = rng.uniform(32.4, 37.2, n_places)
    places = gpd.GeoDataFrame({"place_id": [f"p{i:05d}" for i in range(n_places)]},
                              geometry=gpd.points_from_xy(lon, lat), crs=4326)
    start = rng.uniform([35.7, 32.4], [42.0, 37.2], (5, 2))
    drift = rng.normal(0, 0.004, (5, 2))  # degrees per slice
    t = np.arange(n_slices)[:, None, None]
    centres = start[None] + drift[None] * t  # [D, 5, 2]
    xy = np.column_stack([lon, lat])
    codes = np.empty((n_slices, n_places), dtype=np.int64)
    for lo in range(0, n_slices, 50):  # chunked to bound memory; setup, not measured
        d2 = ((xy[None, :, None, :] - centres[lo:lo + 50, None]) ** 2).sum(-1)
        codes[lo:lo + 50] = d2.argmin(-1)
    codes[:, rng.random(n_places) < 0.03] = -1
    return places, codes


class Clock:
    """Wall and process-CPU seconds of a block (the machine is shared: CPU shows our own work)."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:.2f} s ({self.cpu:.2f} s CPU)"


def run(n_places: int, n_slices: int, baseline_slices: int, radius_km: float | None,
        theatre=None) -> dict:
    places, codes = synthetic(n_places, n_slices)
    changed = float((codes[1:] != codes[:-1]).mean()) if n_slices > 1 else 0.0

    with Clock() as t_cells:
        topology = build_cells(places, theatre=theatre, max_radius_km=radius_km)
    with Clock() as t_terr:
        terr = dissolve_codes(topology, codes)
    with Clock() as t_front:
        fronts = front_line_codes(topology, codes)
    with Clock() as t_stats:  # areas per date and faction from per-cell areas, unknown included
        cell_area_stats(topology, codes, dates=[f"s{i:04d}" for i in range(n_slices)],
                        labels=[f"f{i}" for i in range(5)])

    dates = np.array([f"s{i:04d}" for i in range(n_slices)], dtype=object)
    labels = [f"f{i}" for i in range(5)]
    with Clock() as t_frames:  # both steps again, from the EPSG:4326 cells, as GeoDataFrames
        territory_frame(topology, codes, dates=dates, labels=labels)
        front_lines_frame(topology, codes, dates=dates, labels=labels)

    # Baseline: geopandas dissolve of the same (place-level) cells, one slice at a time.
    cells = gpd.GeoDataFrame(geometry=topology.cells[topology.site_of_place], crs=topology.crs)
    picks = np.linspace(0, n_slices - 1, min(baseline_slices, n_slices)).astype(int)
    with Clock() as t_base_run:
        for d in picks:
            frame = cells.assign(controller=codes[d])
            dissolved = frame[frame["controller"] >= 0].dissolve(by="controller")
    t_base_each = t_base_run.wall / len(picks)
    t_base = t_base_each * n_slices
    t_base_cpu = t_base_run.cpu / len(picks) * n_slices
    t_slices = t_terr.wall + t_front.wall
    t_slices_cpu = t_terr.cpu + t_front.cpu

    # Same answer: the last baseline slice against ours, per faction.
    last = picks[-1]
    ours = {int(c): g for c, g in zip(terr.code[terr.slice_index == last],
                                       terr.geometry[terr.slice_index == last], strict=True)}
    worst = max(abs(shapely.area(ours[int(c)]) - shapely.area(g)) / shapely.area(g)
                for c, g in zip(dissolved.index, dissolved.geometry.values, strict=True))
    return {
        "places": n_places, "slices": n_slices, "cells": topology.n_sites,
        "edges": len(topology.edges), "changed_per_slice": changed,
        "territory_rows": len(terr.code), "front_rows": len(fronts.side_a),
        "t_cells": t_cells, "t_territory": t_terr, "t_front": t_front, "t_stats": t_stats,
        "theatre_km2": topology.theatre_area_km2, "peak_mb": _peak_mb(),
        "t_slices": t_slices, "t_slices_cpu": t_slices_cpu, "t_frames": t_frames,
        "t_base_each": t_base_each, "t_base": t_base, "t_base_cpu": t_base_cpu,
        "baseline_slices": len(picks),
        "speedup_territory": t_base / t_terr.wall, "speedup_all": t_base / t_slices,
        "speedup_cpu": t_base_cpu / t_terr.cpu,
        "area_rel_diff": worst,
    }


SHARED = ROOT.parent / "shared" / "data" / "deepstatemap_ukraine"
WEEKLY = SHARED / "cyterat_occupied_weekly_2024-07-08_2026-08-22.geojson.gz"


def deepstate() -> dict | None:
    """Dated polygons: our area series against the polygons' own EPSG:6933 area, front lengths
    (default theatre: convex hull). Skipped when ../shared is absent."""
    if not WEEKLY.exists():
        return None
    from layers.areas import area_front_lines, read_areas
    from layers.stats import area_stats

    with Clock() as t_read:
        snaps = read_areas(WEEKLY)
    with Clock() as t_stats:
        stats = area_stats(snaps.frame, by="status")
        fronts = area_front_lines(snaps.frame, snaps.theatre)
    outlined = None
    outline = _natural_earth_ukraine()
    if outline is not None:  # the same fronts inside a (coarse) country outline
        lengths = area_front_lines(snaps.frame, outline, border_tolerance_km=5.0)["length_km"]
        outlined = (float(lengths.min()), float(lengths.max()))
    raw = gpd.read_file(f"/vsigzip/{WEEKLY}")
    own = raw.to_crs("EPSG:6933").area.to_numpy() / 1e6
    ours = stats.set_index("date").loc[raw["date"].astype(str), "area_km2"].to_numpy()
    return {"dates": len(snaps.dates), "t_read": t_read, "t_stats": t_stats,
            "max_dev": float(np.max(np.abs(ours / own - 1))),
            "area": (float(ours[0]), float(ours[-1])), "first": snaps.dates[0],
            "last": snaps.dates[-1], "front": (float(fronts["length_km"].min()),
                                               float(fronts["length_km"].max())),
            "outlined": outlined}


def _natural_earth_ukraine():
    """Ukraine from the Natural Earth 1:110m countries that pyogrio ships as a test fixture
    (used here only to show the effect of a theatre; None when absent)."""
    import pyogrio

    fixtures = Path(pyogrio.__file__).parent / "tests" / "fixtures"
    path = fixtures / "naturalearth_lowres" / "naturalearth_lowres.shp"
    if not path.exists():
        return None
    countries = gpd.read_file(path)
    return countries.loc[countries["name"] == "Ukraine"].union_all()


def report_deepstate(d: dict | None) -> str:
    if d is None:
        return "DeepStateMap check skipped: ../shared/data/deepstatemap_ukraine is absent.\n"
    return "\n".join([
        "## Dated polygons: DeepStateMap weekly occupied area (110 dates)",
        "",
        f"Read + dissolve {d['t_read']}; area stats + front lines for every date {d['t_stats']}.",
        f"Area {d['area'][0]:,.0f} km² ({d['first']}) → {d['area'][1]:,.0f} km² ({d['last']}); "
        f"largest deviation from the polygons' own EPSG:6933 area over all dates: "
        f"{d['max_dev']:.1e} (target < 0.5%).",
        f"Front line length per date (default theatre = convex hull of all polygons): "
        f"{d['front'][0]:,.0f}–{d['front'][1]:,.0f} km. Without a country outline this counts "
        "the Azov/Black Sea coast and the border with Russia that lie inside the hull.",
        *([f"With a Ukraine outline as theatre (Natural Earth 1:110m from pyogrio's test "
           f"fixtures, border tolerance 5 km): {d['outlined'][0]:,.0f}–{d['outlined'][1]:,.0f} km "
           "per date."] if d["outlined"] else []),
        "",
    ])


def report(r: dict, command: str) -> str:
    return "\n".join([
        "# Territory and front lines benchmark",
        "",
        f"Command: `{command}`",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, shapely "
        f"{shapely.__version__} (GEOS {'.'.join(map(str, shapely.geos_version))}); shared with "
        "other jobs, so times are noisy.",
        "",
        f"Input: {r['places']:,} places ({r['cells']:,} cells, {r['edges']:,} shared edges) × "
        f"{r['slices']} slices{r.get('theatre_text', '')}, 5 factions with drifting fronts "
        f"({r['changed_per_slice']:.2%} of places change hands per slice), 3% unknown.",
        "",
        "| step | time |",
        "|---|---|",
        f"| cell topology, once (`build_cells`) | {r['t_cells']} |",
        f"| territory, every slice (`dissolve_codes`) | {r['t_territory']} "
        f"— {r['territory_rows']:,} polygons |",
        f"| front lines, every slice (`front_line_codes`) | {r['t_front']} "
        f"— {r['front_rows']:,} lines |",
        f"| **territory + front lines, every slice** | **{r['t_slices']:.2f} s** "
        f"({r['t_slices_cpu']:.2f} s CPU) |",
        f"| area stats, every slice (`cell_area_stats`, per-cell areas) | {r['t_stats']} |",
        f"| same, as EPSG:4326 GeoDataFrames (`territory_frame` + `front_lines_frame`) | "
        f"{r['t_frames']} |",
        f"| baseline: geopandas `dissolve(by='controller')` per slice | {r['t_base_each']:.3f} s "
        f"per slice, measured on {r['baseline_slices']} slices → {r['t_base']:.1f} s "
        f"({r['t_base_cpu']:.1f} s CPU) extrapolated to {r['slices']} |",
        "",
        f"Speed-up over the baseline: **{r['speedup_territory']:.0f}×** for territory alone "
        f"({r['speedup_cpu']:.0f}× in CPU time), **{r['speedup_all']:.0f}×** for territory + "
        "front lines (the baseline makes no front lines).",
        f"Same answer: largest relative area difference per faction on a baseline slice "
        f"{r['area_rel_diff']:.1e}.",
        f"Peak resident memory of the whole run (setup and baseline included): "
        f"{r['peak_mb']:,.0f} MB.",
        "",
    ])


def generated_codes(kind: str) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Places and codes [change days, places] of a bench/gen_events.py log (default sizes)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import gen_events

    frame = {"random": gen_events.random_changes, "fronts": gen_events.moving_fronts}[kind](
        50_000 if kind == "random" else 1_500)
    key = frame["lon"] + " " + frame["lat"]
    uniq, place = np.unique(key.to_numpy(dtype=str), return_inverse=True)
    lonlat = np.array([u.split() for u in uniq], dtype=float)
    places = gpd.GeoDataFrame({"place_id": [f"p{i:05d}" for i in range(len(uniq))]},
                              geometry=gpd.points_from_xy(lonlat[:, 0], lonlat[:, 1]), crs=4326)
    days, day = np.unique(frame["date"].to_numpy(dtype=str), return_inverse=True)
    ctrl = pd.Categorical(frame["controller"], categories=gen_events.FACTIONS).codes
    codes = np.full((len(days), len(uniq)), -1, dtype=np.int64)
    codes[day, place] = ctrl  # rows are in date order: a later row of the same day wins
    last = np.where(codes >= 0, np.arange(len(days))[:, None], 0)
    np.maximum.accumulate(last, axis=0, out=last)
    codes = codes[last, np.arange(len(uniq))[None, :]]  # carry each place's state forward
    return places, codes


def _load_before(commit: str):
    """layers/territory.py as of ``commit`` (git show), imported as a sibling of layers.cells."""
    import importlib.util
    import subprocess
    import tempfile

    text = subprocess.run(["git", "show", f"{commit}:layers/territory.py"], cwd=ROOT,
                          check=True, capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "territory_before.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("layers._territory_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def variant(kind: str, name: str, before: str, days: int | None = None) -> dict:
    """One timed variant of one generated case (run in its own process by ``case``)."""
    import pickle

    from layers.countries import country_outline
    from layers.territory import territory_table

    places, codes = generated_codes(kind)
    codes = codes[:days]
    topology = build_cells(places, theatre=country_outline(["SY"]))
    dates = np.array([f"s{i:05d}" for i in range(len(codes))], dtype=object)
    labels = [f"f{i}" for i in range(int(codes.max()) + 1)]
    base_mb = _peak_mb()
    with Clock() as clock:
        if name == "before":
            result = _load_before(before).dissolve_codes(topology, codes)
        elif name == "after":
            result = dissolve_codes(topology, codes)
        elif name == "table":
            result = territory_table(topology, codes, dates=dates, labels=labels)
        elif name == "data-days":
            picks = np.unique(np.round(np.linspace(0, len(codes) - 1, 60)).astype(int))
            result = dissolve_codes(topology, codes[picks])
        else:
            raise SystemExit(f"unknown variant {name}")
    out = {"wall": clock.wall, "cpu": clock.cpu, "peak_mb": _peak_mb(), "setup_mb": base_mb,
           "places": topology.n_places, "days": len(codes),
           "changed": float((codes[1:] != codes[:-1]).mean())}
    if name in ("before", "after"):  # for the equality check: WKB of every 97th slice
        keep = result.slice_index % 97 == 0
        out["check"] = pickle.dumps((result.slice_index[keep], result.code[keep],
                                     shapely.to_wkb(result.geometry[keep]))).hex()
    return out


def case(kind: str, before: str, days: int | None = None) -> str:
    """Every variant of ``kind`` in a child process each; a Markdown report."""
    import json
    import pickle
    import subprocess

    runs = {}
    for name in ("before", "after", "table", "data-days"):
        proc = subprocess.run([sys.executable, __file__, "--case", kind, "--variant", name,
                               "--before", before, *(["--days", str(days)] if days else [])],
                              check=True, capture_output=True, text=True)
        runs[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    b_idx, b_code, b_wkb = pickle.loads(bytes.fromhex(runs["before"]["check"]))
    a_idx, a_code, a_wkb = pickle.loads(bytes.fromhex(runs["after"]["check"]))
    same_rows = b_idx.tolist() == a_idx.tolist() and b_code.tolist() == a_code.tolist()
    before_g, after_g = shapely.from_wkb(b_wkb), shapely.from_wkb(a_wkb)
    sym = shapely.area(shapely.symmetric_difference(before_g, after_g))
    rel = float((sym / np.maximum(shapely.area(before_g), 1.0)).max()) if len(sym) else 0.0
    exact = bool(shapely.equals(before_g, after_g).all())
    r = runs["before"]
    lines = [
        f"## Generated log `{kind}` (bench/gen_events.py defaults) in the NE 10m Syria outline",
        "",
        f"Command: `.venv/bin/python bench/bench_territory.py --case {kind}"
        f"{f' --days {days}' if days else ''}`",
        f"{r['places']:,} places × {r['days']:,} change days "
        f"({r['changed']:.2%} of places change hands per day). Each variant runs in its own "
        "process; peak = that process's max RSS (setup included: log, cells).",
        "",
        "| variant | wall | CPU | peak RSS | setup RSS |",
        "|---|---|---|---|---|",
    ]
    names = {"before": f"before: `dissolve_codes` at {before}, every day",
             "after": "after: `dissolve_codes`, every day",
             "table": "after: `territory_table` (areas/places, no polygons), every day",
             "data-days": "after: `dissolve_codes` on 60 days (what the bundle draws)"}
    for name, label in names.items():
        v = runs[name]
        lines.append(f"| {label} | {v['wall']:.2f} s | {v['cpu']:.2f} s | "
                     f"{v['peak_mb']:,.0f} MB | {v['setup_mb']:,.0f} MB |")
    lines += [
        "",
        f"after / before: **{runs['before']['wall'] / runs['after']['wall']:.1f}×** faster "
        f"(CPU {runs['before']['cpu'] / runs['after']['cpu']:.1f}×) for every day's polygons.",
        f"Same answer (every 97th day, all factions): same rows {same_rows}, geometries "
        f"topologically equal {exact}, largest symmetric-difference area / area {rel:.1e}.",
        "",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="10,000 places × 500 slices")
    parser.add_argument("--places", type=int)
    parser.add_argument("--slices", type=int)
    parser.add_argument("--baseline-slices", type=int, default=None)
    parser.add_argument("--max-radius-km", type=float, default=15.0)
    parser.add_argument("--theatre-10m", action="store_true",
                        help="20,000 places × 1,500 dates clipped to the Natural Earth 10m Syria "
                             "outline (no radius cap), with peak memory")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS-territory.md "
                        "(with --theatre-10m: bench/RESULTS-territory-theatre.md)")
    parser.add_argument("--case", choices=["random", "fronts"],
                        help="a bench/gen_events.py log in the Syria outline, before/after")
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    parser.add_argument("--days", type=int, help="with --case: only the first N change days")
    parser.add_argument("--before", default="434ff43",
                        help="git commit whose layers/territory.py is the 'before'")
    args = parser.parse_args(argv)
    if args.case and args.variant:
        import json

        print(json.dumps(variant(args.case, args.variant, args.before, args.days)))
        return 0
    if args.case:
        text = case(args.case, args.before, args.days)
        print(text)
        if args.write:
            (ROOT / "bench" / f"RESULTS-territory-{args.case}.md").write_text(text)
        return 0
    n_places = args.places or (20_000 if args.theatre_10m else 10_000 if args.full else 2_000)
    n_slices = args.slices or (1_500 if args.theatre_10m else 500 if args.full else 100)
    baseline = args.baseline_slices or (10 if args.full or args.theatre_10m else 5)
    theatre, radius = None, args.max_radius_km
    if args.theatre_10m:
        from layers.countries import NE_SOURCE, country_outline

        theatre, radius = country_outline(["SY"]), None
    r = run(n_places, n_slices, baseline, radius, theatre=theatre)
    if theatre is not None:
        r["theatre_text"] = (f" in the Syria outline ({NE_SOURCE}, {r['theatre_km2']:,.0f} km², "
                             "no radius cap)")
    command = ".venv/bin/python bench/bench_territory.py " + " ".join(argv or sys.argv[1:])
    text = report(r, command.strip())
    if theatre is None:
        text += "\n" + report_deepstate(deepstate())
    print(text)
    if args.write:
        name = "RESULTS-territory-theatre.md" if theatre is not None else "RESULTS-territory.md"
        (ROOT / "bench" / name).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
