"""Draw examples/syria/area_shares.png: this dataset's share of Syria per faction, month by month,
with the published figures of ../shared/eval/area_shares_dev.csv as points.

    .venv/bin/python examples/syria/area_chart.py [--shared ../shared] [-o FILE.png]

Space model: plain Voronoi cells of the observed places over the Natural Earth 10m outline of Syria
(../shared/data/natural_earth_admin0_levant), `unknown` where a place has no observation yet;
`opposition_all` = opposition + hts + turkey_backed, drawn as one line (the figures lump them).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

from gazetteer._io import atomic_write_bytes
from layers.cells import build_cells
from layers.factions import load_factions
from layers.observations import read_observations
from layers.stats import area_stats
from layers.territory import territory_frame
from layers.theatre import read_theatre
from layers.timeline import build_timeline

HERE = Path(__file__).resolve().parent
OUTLINES = "data/natural_earth_admin0_levant/ne_10m_admin0_levant.geojson"
LINES = {"government": ("government",), "opposition_all": ("opposition", "hts", "turkey_backed"),
         "isis": ("isis",), "sdf": ("sdf",)}


def monthly_shares(events: Path, outline: Path, days: list[str]) -> dict[str, np.ndarray]:
    """{line: share % on each of ``days``} (see the module docstring)."""
    obs = read_observations(events)
    timeline = build_timeline(obs)
    topology = build_cells(obs.places, theatre=read_theatre(outline))
    matrix = timeline.state_matrix(np.array(days, dtype="datetime64[ns]"),
                                   place_ids=topology.place_ids)
    labels = list(matrix.categories)
    territory = territory_frame(topology, np.asarray(matrix.controller, np.int64), dates=days,
                                labels=labels)
    stats = area_stats(territory, dates=days, controllers=labels)
    table = stats.pivot(index="date", columns="controller", values="area_km2").reindex(days)
    total = float(topology.theatre.area) / 1e6
    return {line: 100.0 * table.reindex(columns=list(members), fill_value=0.0).sum(axis=1)
            .to_numpy() / total for line, members in LINES.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=HERE.parents[1] / ".." / "shared")
    parser.add_argument("-o", "--output", type=Path, default=HERE / "area_shares.png")
    args = parser.parse_args(argv)
    source, figures_csv = args.shared / OUTLINES, args.shared / "eval" / "area_shares_dev.csv"
    for needed in (source, figures_csv):
        if not needed.exists():
            print(f"error: {needed} not found; pass --shared DIR (the folder holding data/ "
                  "and eval/)", file=sys.stderr)
            return 2
    features = [f for f in json.loads(source.read_text(encoding="utf-8"))["features"]
                if f["properties"].get("name") == "Syria"]
    with open(figures_csv, encoding="utf-8", newline="") as f:
        figures = list(csv.DictReader(f))
    days = [f"{y}-{m:02d}-15" for y in range(2011, 2025) for m in range(1, 13)] + ["2024-12-18"]
    with tempfile.TemporaryDirectory() as tmp:
        outline = Path(tmp) / "syria10m.geojson"
        outline.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                           encoding="utf-8")
        shares = monthly_shares(HERE / "observations.csv", outline, days)

    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    colours = {f.id: f.colour for f in load_factions()}
    colours["opposition_all"] = colours.get("opposition", "#2b8a3e")
    x = np.array(days, dtype="datetime64[D]")
    fig = Figure(figsize=(12, 6), dpi=100)
    ax = fig.add_subplot()
    for line, y in shares.items():
        ax.plot(x, y, color=colours.get(line, "#555555"), linewidth=1.8,
                label=f"{line} (this dataset)")
        pts = [r for r in figures if r["faction"] == line]  # parts of the lump are not drawn
        when = np.array([_day(r["date"]) for r in pts], dtype="datetime64[D]")
        ax.scatter(when, [float(r["share_pct"]) for r in pts], color=colours.get(line, "#555555"),
                   edgecolors="black", linewidths=0.6, s=28, zorder=3)
    ax.scatter([], [], color="white", edgecolors="black", s=28, label="published figure")
    ax.set_ylabel("share of Syria's area (%)")
    ax.set_ylim(0, 100)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize=9)
    ax.set_title("Share of Syria held per faction: examples/syria/observations.csv (lines) and "
                 "published estimates (points)", fontsize=11)
    fig.tight_layout()
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    atomic_write_bytes(args.output, buf.getvalue())
    print(f"wrote {args.output} ({len(days)} dates, {len(figures)} published figures)")
    return 0


def _day(date: str) -> str:
    return {10: date, 7: f"{date}-15", 4: f"{date}-07-01"}[len(date)]


if __name__ == "__main__":
    sys.exit(main())
