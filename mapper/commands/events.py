"""``frontline events …``: check events files (dated control observations)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from layers import check_observations, load_factions, read_observations
from layers.readers import FORMATS

from . import _common
from ._common import EVENTS_FORMATS, handles_errors, info, spinner

app = typer.Typer(no_args_is_help=True,
                  help="Check events files: dated, sourced control observations.")

EventsArg = Annotated[str, typer.Argument(
    metavar="EVENTS",
    help=f"Events file ({EVENTS_FORMATS}), or - for stdin.")]
FactionsOpt = Annotated[str | None, typer.Option(
    "--factions", metavar="NAME|FILE",
    help="Factions: a bundled name (syria, ukraine, sudan) or a TOML/YAML file. Default: syria.")]
FormatOpt = Annotated[str | None, typer.Option(
    "--format", metavar="FMT",
    help=f"Input format ({', '.join(FORMATS)}); default: from the extension, sniffed for stdin.")]


def load_events(events: str, factions: str | Path | None, fmt: str | None, *,
                columns: tuple[str, ...] | None = None):
    """Read and validate an events file (shared by every command that takes EVENTS);
    ``columns``: the observation columns the command uses (default: all)."""
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    with spinner(f"reading and resolving {events}…"):
        from mapper.pipeline import region_gazetteer

        sides = load_factions(factions)
        return read_observations(events, factions=sides, fmt=fmt,
                                 gazetteer=region_gazetteer(sides), columns=columns)


def report_dropped(observations) -> None:
    """One stderr line accounting for every row, for commands other than ``check``."""
    s = observations.summary()
    info(f"{s['file']}: {s['rows_read']} rows read = {s['usable']} used + {s['dropped']} dropped"
         f" ({s['errors']} errors, {s['warnings']} warnings"
         + ("; run `frontline events check` for details)" if s["errors"] or s["warnings"]
            else ")"))


@app.command("check")
@handles_errors
def check(
    events: EventsArg,
    factions: FactionsOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON report.")] = False,
    fmt: FormatOpt = None,
    window: Annotated[str | None, typer.Option(
        "--window", help="Report confirmed disagreements within this window (3d, 1w), as "
                         "`slice --window` groups them (default: same day).")] = None,
) -> None:
    """Validate EVENTS: every problem with file:line:column, the value and a fix, then a summary
    that accounts for every row (read = usable + dropped). Exit 1 on errors (and warnings with
    --strict), 0 otherwise."""
    from layers.reconcile import parse_window

    days = parse_window(window) or 0  # parse before reading: a bad window fails fast
    # the report counts rows and lists problems: no observation text is needed, unless the
    # window's disagreements are looked for again over the rows
    obs = load_events(events, factions, fmt, columns=None if days > 0 else ())
    report = check_observations(obs, window_days=days)
    if as_json:
        typer.echo(json.dumps({**report.to_dict(), "ok": report.exit_code(strict=strict) == 0},
                              ensure_ascii=False, indent=1))
    else:
        for p in report.problems:
            typer.echo(str(p))
        typer.echo(report.summary_line())
    raise typer.Exit(report.exit_code(strict=strict))


IMPORT_FORMATS: tuple[str, ...] = ("acled",)


@app.command("import")
@handles_errors
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, metavar="FILE",
                                         help="The export to import (ACLED: its CSV export).")],
    output: Annotated[Path, typer.Option("-o", "--output", dir_okay=False,
                                         help="Observations file to write (.csv).")],
    fmt: Annotated[str, typer.Option("--format", metavar="FMT",
                                     help="Format of FILE: acled.")] = "acled",
    factions: FactionsOpt = None,
) -> None:
    """Import FILE (an ACLED export) as control observations: territory events become `change`
    rows; other events are skipped and counted; unknown actors and bad rows are reported with
    file:line:column, the value and a fix, and nothing is written for them. Ends with `N rows
    read = mapped + skipped + reported`. Exit 1 when rows were reported (the others are still
    written, as `events add` does), 0 otherwise."""
    from layers.acled import import_acled, read_acled, write_observations

    if fmt not in IMPORT_FORMATS:
        raise ValueError(f"--format {fmt!r}: use one of {', '.join(IMPORT_FORMATS)}")
    result = import_acled(read_acled(file), factions=load_factions(factions), path=str(file))
    write_observations(output, result.frame)
    for p in result.report.problems:
        info(str(p))
    info(result.report.summary_line())
    info(f"wrote {len(result.frame)} observations to {output}")
    raise typer.Exit(1 if result.report.problems else 0)


@app.command("add")
@handles_errors
def add(
    accepted: Annotated[str, typer.Argument(
        metavar="ACCEPTED",
        help="Rows to add (e.g. the review page's download), in any events format.")],
    into: Annotated[Path, typer.Option(
        "--into", metavar="LOG", dir_okay=False,
        help="The events log (CSV or TSV) to append to; created when absent.")],
    factions: FactionsOpt = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Check and count, but do not write the log.")] = False,
) -> None:
    """Check ACCEPTED, drop rows already in LOG (same date, place, controller, kind and source)
    and append the rest to LOG atomically. Prints the accounting (read = added + duplicates +
    rejected, with the reason for each). Exit 1 when rows were rejected (the others are added)."""
    from gazetteer._io import atomic_write_text
    from layers.append import plan_append
    from layers.readers import read_records

    if accepted == "-":
        raise ValueError("events add reads ACCEPTED from a file, not stdin: save it first")
    fac = load_factions(factions)
    new = read_observations(accepted, factions=fac)
    log_text = into.read_text(encoding="utf-8") if into.exists() else ""
    log = read_observations(into, factions=fac) if log_text.strip() else None
    plan = plan_append(new, read_records(accepted), log, log_text, into=str(into),
                       log_format=log.format if log is not None else "csv")
    for line, why in plan.rejected:
        _common.err_console.print(f"{accepted}:{line}: rejected: {why}", markup=False,
                                  highlight=False)
    for line, why in plan.duplicates:
        info(f"{accepted}:{line}: duplicate: {why}")
    if plan.added and not dry_run:
        atomic_write_text(into, plan.text)
    if plan.new_columns:
        info(f"{into}: added column(s) {', '.join(plan.new_columns)} to the header")
    where = "dry run, nothing written" if dry_run else (
        f"appended to {into}" if plan.added else f"{into} unchanged")
    typer.echo(f"{plan.summary_line()}; {where}")
    raise typer.Exit(1 if plan.rejected else 0)


@app.command("from-snapshots")
@handles_errors
def from_snapshots(
    snapshots: Annotated[list[str], typer.Argument(
        metavar="SNAPSHOTS",
        help="Snapshot files (any events format), or directories of them (read in name order).")],
    output: Annotated[Path, typer.Option("-o", "--output", dir_okay=False,
                                         help="Observations file to write (.csv).")],
    factions: FactionsOpt = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Exit 1 on warnings too (vanished places, duplicates).")] = False,
) -> None:
    """Turn dated full-state snapshots (who holds each place on a date) into the minimal events
    log: one `state` row per place for its first snapshot, then a `change` row only when its
    controller changes (a `state` row when only status or certainty does), each citing its
    snapshot (the row's source column, else the file path). Each file is a table with place,
    place_id or lat/lon, and controller (optional status, certainty, source, note). The date of
    a row is its date column, else the date in the file name (2016-05-01.csv, aleppo_2016-05.csv);
    files with the same date are one snapshot. A place missing from a later snapshot is reported
    (where it was last seen) and keeps its last state. Ends with the accounting line. Exit 1 when
    rows were dropped for errors (with --strict, on warnings too)."""
    from layers.io import output_format, write_frame
    from layers.snapshots import changes_from_snapshots, read_snapshots

    output_format(output)  # fail on a bad extension before reading anything
    result = changes_from_snapshots(read_snapshots(snapshots, factions=load_factions(factions)))
    write_frame(output, result.frame)
    for p in result.report.problems:
        info(str(p))
    info(result.report.summary_line())
    info(f"wrote {len(result.frame)} observations to {output}")
    raise typer.Exit(result.report.exit_code(strict=strict))
