"""``frontline events …``: check events files (dated control observations)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from layers import check_observations, load_factions, read_observations
from layers.readers import FORMATS

from ._common import err_console, handles_errors, info

app = typer.Typer(no_args_is_help=True,
                  help="Check events files: dated, sourced control observations.")

EventsArg = Annotated[str, typer.Argument(
    metavar="EVENTS",
    help="Events file (CSV, TSV, JSON, JSON Lines, YAML, GeoJSON), or - for stdin.")]
FactionsOpt = Annotated[str | None, typer.Option(
    "--factions", metavar="NAME|FILE",
    help="Factions: a bundled name (syria, ukraine, sudan) or a TOML/YAML file. Default: syria.")]
FormatOpt = Annotated[str | None, typer.Option(
    "--format", metavar="FMT",
    help=f"Input format ({', '.join(FORMATS)}); default: from the extension, sniffed for stdin.")]


def load_events(events: str, factions: str | Path | None, fmt: str | None):
    """Read and validate an events file (shared by every command that takes EVENTS)."""
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    with err_console.status(f"reading and resolving {events}…"):  # a spinner on a terminal
        return read_observations(events, factions=load_factions(factions), fmt=fmt)


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
) -> None:
    """Validate EVENTS: every problem with file:line:column, the value and a fix, then a summary
    that accounts for every row (read = usable + dropped). Exit 1 on errors (and warnings with
    --strict), 0 otherwise."""
    report = check_observations(load_events(events, factions, fmt))
    if as_json:
        typer.echo(json.dumps({**report.to_dict(), "ok": report.exit_code(strict=strict) == 0},
                              ensure_ascii=False, indent=1))
    else:
        for p in report.problems:
            typer.echo(str(p))
        typer.echo(report.summary_line())
    raise typer.Exit(report.exit_code(strict=strict))
