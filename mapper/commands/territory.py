"""``frontline territory`` and ``frontline stats``: territory polygons, front lines and area
statistics, from an events file (each place's Voronoi cell) or from dated control polygons."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer

from gazetteer._io import atomic_write_bytes
from layers import build_timeline, write_frame, write_layers
from layers.areas import DEFAULT_BORDER_TOLERANCE_KM, area_front_lines, read_areas
from layers.cells import DEFAULT_MAX_RADIUS_KM, build_cells
from layers.dates import check_date_range, date_grid, to_datetime64
from layers.io import output_format
from layers.stats import area_stats, cell_area_stats, equal_area_km2, with_front_lengths
from layers.territory import territory_layers
from layers.theatre import resolve_theatre, theatre_settings

from ._common import EVENTS_FORMATS, date_list, handles_errors, info
from .events import FactionsOpt, FormatOpt, load_events, report_dropped

app = typer.Typer()


class Every(StrEnum):
    week = "week"
    month = "month"
    day = "day"


EventsArg = Annotated[str | None, typer.Argument(
    metavar="EVENTS",
    help=f"Events file ({EVENTS_FORMATS}), or - for stdin. "
         "Leave out when using --areas.")]
AreasOpt = Annotated[Path | None, typer.Option(
    "--areas", exists=True, metavar="PATH",
    help="Dated control polygons instead of EVENTS: a directory of GeoJSON files with the date "
         "in the file name (YYYY-MM-DD or YYYYMMDD), or one file with a date property.")]
TheatreOpt = Annotated[Path | None, typer.Option(
    "--theatre", exists=True, dir_okay=False, metavar="FILE",
    help="Polygon file bounding the map (country outline, admin areas; dissolved). Default: "
         "the outline of the factions file's [theatre] countries (Syria for the bundled file); "
         "without one, cells capped at --max-radius-km (EVENTS) or the polygons' convex hull "
         "(--areas).")]
RadiusOpt = Annotated[float | None, typer.Option(
    "--max-radius-km", metavar="KM", min=0.001,
    help=f"Cap each place's cell at this radius: land beyond is 'unknown' (default: the "
         f"factions file's [theatre] unknown_beyond_km, else none with a theatre and "
         f"{DEFAULT_MAX_RADIUS_KM:g} km without one).")]
DatePropOpt = Annotated[str | None, typer.Option(
    "--date-property", metavar="NAME",
    help="--areas: feature property holding the date (default: date, snapshot_utc, …).")]
StatusPropOpt = Annotated[str | None, typer.Option(
    "--status-property", metavar="NAME",
    help="--areas: feature property holding the status (default: status, controller, name).")]
MergeOpt = Annotated[list[str] | None, typer.Option(
    "--merge-status", metavar="PREFIX=STATUS",
    help="--areas: statuses starting with PREFIX count as STATUS (repeatable), e.g. "
         "'occupied=occupied' folds 'occupied crimea' into 'occupied'.")]
BorderOpt = Annotated[float, typer.Option(
    "--border-tolerance-km", metavar="KM", min=0.0,
    help="--areas: polygon boundary within this distance of the theatre's edge (coast, border) "
         "is not front; raise it for a coarse outline.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one machine-readable JSON document.")]


@app.command("territory")
@handles_errors
def territory(
    events: EventsArg = None,
    at: Annotated[list[str], typer.Option(
        "--at", metavar="D[,D…]",
        help="Date(s): YYYY-MM-DD, YYYY-MM or YYYY; comma-separated, or --at repeated.")] = ...,
    output: Annotated[Path, typer.Option(
        "-o", "--output", dir_okay=False,
        help=".gpkg: one file with layers territory, front_lines, contested. .geojson/.parquet/"
             ".csv: one file per layer, OUT.<layer>.<ext>.")] = ...,
    areas: AreasOpt = None,
    theatre: TheatreOpt = None,
    max_radius_km: RadiusOpt = None,
    factions: FactionsOpt = None,
    fmt: FormatOpt = None,
    date_property: DatePropOpt = None,
    status_property: StatusPropOpt = None,
    merge_status: MergeOpt = None,
    border_tolerance_km: BorderOpt = DEFAULT_BORDER_TOLERANCE_KM,
    as_json: JsonOpt = False,
) -> None:
    """Territory polygons (cells dissolved by controller), front lines (shared edges between
    different controllers, with side_a/side_b and length_km) and contested cells on each date —
    or, with --areas, the dated polygons in force and their boundary inside the theatre."""
    output_format(output)  # a bad extension fails before any work
    dates = to_datetime64(date_list(at))
    if areas is not None:
        _no_events(events)
        shape = _theatre(theatre, None)
        snaps = _read_areas(areas, shape, theatre, date_property, status_property, merge_status)
        polys = snaps.at(dates)
        if len(polys) == 0:
            raise ValueError(f"{areas}: no snapshot on or before {','.join(date_list(at))} (first: "
                             f"{snaps.dates[0] if snaps.dates else 'none'})")
        polys["area_km2"] = equal_area_km2(polys.geometry.values).round(3)
        layers = {"territory": polys, "front_lines": area_front_lines(
            polys, snaps.theatre, border_tolerance_km=border_tolerance_km)}
    else:
        obs = _events(events, factions, fmt)
        topology = _cells(obs, theatre, max_radius_km)
        matrix = build_timeline(obs).state_matrix(dates, place_ids=topology.place_ids)
        sliced = territory_layers(topology, matrix)
        layers = {"territory": sliced.territory, "front_lines": sliced.front_lines,
                  "contested": sliced.contested}
    write_layers(output, layers)
    counts = {name: len(frame) for name, frame in layers.items()}
    summary = {"output": str(output), "dates": [str(d)[:10] for d in dates], **counts,
               "front_km": _by_date(layers["front_lines"], "length_km")}
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=1))
    info(f"wrote {', '.join(f'{n} {k}' for k, n in counts.items())} rows for {len(dates)} "
         f"date(s) to {output}")


@app.command("stats")
@handles_errors
def stats(
    events: EventsArg = None,
    every: Annotated[Every | None, typer.Option(
        "--every", case_sensitive=False,
        help="Regular dates: week or month (or day). Default with --areas: every snapshot.")]
        = None,
    start: Annotated[str | None, typer.Option(
        "--from", metavar="D", help="First date (default: first observation/snapshot).")] = None,
    end: Annotated[str | None, typer.Option(
        "--to", metavar="D", help="Last date (default: last observation/snapshot).")] = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", dir_okay=False, help="Write the table (.csv, .json, .parquet).")]
        = None,
    chart: Annotated[Path | None, typer.Option(
        "--chart", dir_okay=False, help="Write an area-over-time chart (PNG).")] = None,
    areas: AreasOpt = None,
    theatre: TheatreOpt = None,
    max_radius_km: RadiusOpt = None,
    factions: FactionsOpt = None,
    fmt: FormatOpt = None,
    date_property: DatePropOpt = None,
    status_property: StatusPropOpt = None,
    merge_status: MergeOpt = None,
    border_tolerance_km: BorderOpt = DEFAULT_BORDER_TOLERANCE_KM,
    as_json: JsonOpt = False,
) -> None:
    """Per date and faction (or polygon status): places held, area in km² (equal-area
    projection) and front length in km. Prints CSV unless -o or --json is given."""
    if output is not None and output.suffix.lower() != ".json":
        output_format(output)
    if chart is not None and chart.suffix.lower() != ".png":
        raise ValueError(f"--chart {chart}: charts are PNG; name the file *.png")
    check_date_range(start, end)  # a mistyped date fails before any reading
    colours: dict[str, str] = {}
    labels: dict[str, str] = {}
    if areas is not None:
        _no_events(events)
        shape = _theatre(theatre, None)
        snaps = _read_areas(areas, shape, theatre, date_property, status_property, merge_status)
        if every is None and start is None and end is None:
            dates = snaps.dates
        else:
            dates = _grid(every, start or snaps.dates[0], end or snaps.dates[-1])
        polys = snaps.at(dates)
        table = with_front_lengths(area_stats(polys, by="status", dates=dates),
                                   area_front_lines(polys, snaps.theatre,
                                                    border_tolerance_km=border_tolerance_km),
                                   by=("status",))
    else:
        obs = _events(events, factions, fmt)
        timeline = build_timeline(obs)
        changes = timeline.change_dates()
        if not len(changes) and (start is None or end is None):
            raise ValueError("no usable observations: give --from and --to")
        dates = _grid(every, start or changes[0], end or changes[-1])
        topology = _cells(obs, theatre, max_radius_km)
        info(f"{len(dates)} dates × {topology.n_places} places ({topology.n_sites} cells, "
             f"{len(topology.edges)} shared edges); theatre {topology.theatre_area_km2:,.0f} km²")
        matrix = timeline.state_matrix(dates, place_ids=topology.place_ids)
        table = cell_area_stats(topology, np.asarray(matrix.controller), dates=dates,
                                labels=list(matrix.categories),
                                controllers=list(timeline.controllers))
        colours = dict(obs.factions.colours) if obs.factions is not None else {}
        labels = {f.id: f.label for f in obs.factions} if obs.factions is not None else {}
    _emit(table, output=output, as_json=as_json)
    if chart is not None:
        atomic_write_bytes(chart, _chart(table, colours, labels))
        info(f"wrote chart {chart}")
    info(f"{len(table)} rows: {table['date'].nunique()} dates × "
         f"{table['controller'].nunique()} controllers")


def _chart(table: pd.DataFrame, colours: dict[str, str], labels: dict[str, str]) -> bytes:
    from mapper.charts import area_chart

    return area_chart(table, colours=colours, labels=labels)


def _emit(table: pd.DataFrame, *, output: Path | None, as_json: bool) -> None:
    records = table.to_dict(orient="records")
    if output is not None:
        if output.suffix.lower() == ".json":
            from gazetteer._io import atomic_write_text

            atomic_write_text(output, json.dumps(records, ensure_ascii=False, indent=1) + "\n")
        else:
            write_frame(output, table)
        info(f"wrote {len(table)} rows to {output}")
    if as_json:
        typer.echo(json.dumps(records, ensure_ascii=False, indent=1))
    elif output is None:
        typer.echo(table.to_csv(index=False, lineterminator="\n"), nl=False)


def _events(events: str | None, factions, fmt):
    if events is None:
        raise ValueError("give an EVENTS file or --areas PATH")
    obs = load_events(events, factions, fmt)
    report_dropped(obs)
    for problem in obs.errors[:10]:
        info(str(problem))
    if len(obs.errors) > 10:
        info(f"… and {len(obs.errors) - 10} more errors (frontline events check {events})")
    if len(obs.places) == 0:
        raise ValueError(f"{events}: no usable observations, so no places to draw")
    return obs


def _no_events(events: str | None) -> None:
    if events is not None:
        raise ValueError("give either EVENTS or --areas PATH, not both")


def _theatre(path: Path | None, factions_path):
    """--theatre FILE, else the factions file's [theatre] countries; warnings are reported."""
    found = resolve_theatre(path, factions_path=factions_path)
    if found is None:
        return None
    info(f"theatre: {found.source}")
    for warning in found.warnings:
        info(f"warning: {warning}")
    return found.geometry


def _cells(obs, theatre_path: Path | None, max_radius_km: float | None):
    """The cell topology of the events' places in the theatre (reported: places outside it)."""
    factions_path = getattr(obs.factions, "path", None)
    shape = _theatre(theatre_path, factions_path)
    if max_radius_km is None:
        max_radius_km = theatre_settings(factions_path).unknown_beyond_km
    topology = build_cells(obs.places, theatre=shape, max_radius_km=max_radius_km)
    outside = topology.places_outside
    if len(outside):
        info(f"warning: {len(outside)} place(s) lie outside the theatre and hold no land "
             f"({', '.join(outside[:5])}{' …' if len(outside) > 5 else ''})")
    return topology


def _read_areas(path, shape, theatre_path, date_property, status_property, merge_status):
    merge = {}
    for rule in merge_status or []:
        prefix, sep, status = rule.partition("=")
        if not sep or not prefix.strip() or not status.strip():
            raise ValueError(f"--merge-status {rule!r}: write PREFIX=STATUS, "
                             "e.g. occupied=occupied")
        merge[prefix.strip()] = status.strip().lower()
    snaps = read_areas(path, date_property=date_property, status_property=status_property,
                       status_merge=merge, theatre=shape,
                       theatre_source=str(theatre_path) if theatre_path else "")
    kept = int(snaps.frame["features"].sum()) if len(snaps.frame) else 0
    info(f"{path}: {snaps.features_read} features read = {kept} used + "
         f"{snaps.features_read - kept} left out ({len(snaps.problems)} problems); "
         f"{len(snaps.dates)} dates; theatre: {snaps.theatre_source}")
    for problem in snaps.problems[:10]:
        info(str(problem))
    return snaps


def _grid(every: Every | None, start, end) -> np.ndarray:
    return date_grid((every or Every.week).value, start, end)


def _by_date(frame: pd.DataFrame, column: str) -> dict[str, float]:
    if len(frame) == 0:
        return {}
    sums = frame.groupby(frame["date"].astype(str))[column].sum()
    return {str(k): round(float(v), 3) for k, v in sums.items()}
