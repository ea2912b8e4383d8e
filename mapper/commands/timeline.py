"""``frontline slice`` and ``frontline diff``: the state of every place on chosen dates."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from layers import build_timeline, diff_states
from layers.dates import check_date_range, date_grid, to_datetime64
from layers.io import output_format, write_slice
from layers.reconcile import load_sources, parse_window
from layers.timeline import slice_table

from ._common import date_list, handles_errors, info
from .events import EventsArg, FactionsOpt, FormatOpt, load_events, report_dropped

app = typer.Typer()


WindowOpt = Annotated[str | None, typer.Option(
    "--window", metavar="DAYS",
    help="Reports of one place within this window (3d, 1w) are one group: agreement raises its "
         "confidence, confirmed disagreement makes it contested (default: the sources file's "
         "[reconcile] window_days, 0).")]
SourcesOpt = Annotated[Path | None, typer.Option(
    "--sources", dir_okay=False, metavar="FILE",
    help="Source weights TOML (default: the bundled layers/data/sources.toml).")]


def _timeline(obs, window: str | None, sources: Path | None):
    """The timeline with the sources' weights and window; with a window, say how many report
    groups it made contested (the same-day ones are in the events report already)."""
    weights = load_sources(sources)
    days = parse_window(window)
    timeline = build_timeline(obs, window_days=days, sources=weights)
    days = weights.window_days if days is None else days
    if days > 0:
        info(f"{timeline.conflicts()} report groups contested: confirmed sources disagree "
             f"within the window of {days} days")
    return timeline


class Every(StrEnum):
    day = "day"
    week = "week"
    month = "month"


@app.command("slice")
@handles_errors
def slice_(
    events: EventsArg,
    output: Annotated[Path, typer.Option(
        "-o", "--output", dir_okay=False,
        help="Output file: .gpkg, .parquet (GeoParquet), .geojson or .csv.")],
    at: Annotated[list[str] | None, typer.Option(
        "--at", metavar="D[,D…]",
        help="Dates (YYYY-MM-DD, YYYY-MM or YYYY): comma-separated, or --at repeated.")] = None,
    every: Annotated[Every | None, typer.Option(
        "--every", case_sensitive=False, help="Regular dates: day, week or month.")] = None,
    start: Annotated[str | None, typer.Option(
        "--from", metavar="D", help="First date for --every (default: first observation).")] = None,
    end: Annotated[str | None, typer.Option(
        "--to", metavar="D", help="Last date for --every (default: last observation).")] = None,
    include_unknown: Annotated[bool, typer.Option(
        "--include-unknown",
        help="Also write places not yet observed (empty controller).")] = False,
    factions: FactionsOpt = None,
    fmt: FormatOpt = None,
    window: WindowOpt = None,
    sources: SourcesOpt = None,
) -> None:
    """Write the state of every place on each date as one long table (date, place_id, place,
    controller, status, certainty, since, source, confidence, sources, geometry in EPSG:4326),
    ready for QGIS or geopandas."""
    if (at is None) == (every is None):
        raise ValueError("give exactly one of --at D[,D…] or --every day|week|month")
    output_format(output)  # fail on a bad extension or date before reading anything
    dates = to_datetime64(date_list(at)) if at is not None else None
    check_date_range(start, end)
    obs = load_events(events, factions, fmt)
    report_dropped(obs)
    timeline = _timeline(obs, window, sources)
    if dates is None:
        changes = timeline.change_dates()
        if not len(changes) and (start is None or end is None):
            raise ValueError("no usable observations: give --from and --to to slice anyway")
        dates = date_grid(every.value, start if start is not None else changes[0],
                          end if end is not None else changes[-1])
    table = slice_table(timeline, obs.place_table, dates, include_unknown=include_unknown)
    write_slice(output, table, layer="control")
    info(f"wrote {len(table)} rows ({len(dates)} dates × {len(obs.place_table)} places) "
         f"to {output}")


@app.command("diff")
@handles_errors
def diff(
    events: EventsArg,
    start: Annotated[str, typer.Option("--from", metavar="D1", help="Earlier date.")],
    end: Annotated[str, typer.Option("--to", metavar="D2", help="Later date.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    factions: FactionsOpt = None,
    fmt: FormatOpt = None,
    window: WindowOpt = None,
    sources: SourcesOpt = None,
) -> None:
    """Places gained and lost by each faction between D1 and D2, each with the observation (line,
    date, source) that changed it."""
    check_date_range(start, end)  # fail on a bad date before reading anything
    obs = load_events(events, factions, fmt)
    report_dropped(obs)
    result = diff_states(_timeline(obs, window, sources), start=start, end=end)
    if as_json:
        typer.echo(json.dumps(result.to_dict(obs.factions), ensure_ascii=False, indent=1))
        return
    typer.echo(f"{str(result.start)[:10]} → {str(result.end)[:10]}: {len(result.hands)} places "
               f"changed hands, {len(result.status_only)} changed status only")
    for fid, g in result.by_faction(obs.factions).items():
        typer.echo(f"{fid}: +{len(g['gained'])} −{len(g['lost'])}")
        for sign, rows, other in (("+", g["gained"], "from_controller"),
                                  ("−", g["lost"], "to_controller")):
            for r in _records(rows):
                typer.echo(f"  {sign} {r['place']} ({'from' if sign == '+' else 'to'} "
                           f"{r[other] or 'unknown'}) {_cause(r)}")
    if len(result.status_only):
        typer.echo("status only:")
    for r in _records(result.status_only):
        typer.echo(f"  ~ {r['place']}: {r['from_status'] or 'unknown'} → {r['to_status']} "
                   f"({r['to_controller'] or 'holder unknown'}) {_cause(r)}")


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with None for missing values (pandas NA has no truth value)."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def _cause(r: dict) -> str:
    if r["obs_row"] is None:
        return ""
    source = f", {r['source']}" if r["source"] else ""
    return f"on {r['date_text']} [line {r['obs_row']}{source}]"

