"""`frontline extract` (text → proposed observations) and `frontline extract-score`."""

from __future__ import annotations

import contextlib
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mapper.commands._common import fail, handles_errors, info

app = typer.Typer()


class Format(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(2, "No such file", path)
    return p.read_text(encoding="utf-8-sig", errors="replace")


@app.command()
@handles_errors
def extract(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Text or Markdown files of reports, directories (searched recursively for "
            ".txt/.md) or globs ('-' for stdin)."
        ),
    ],
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="Date (YYYY-MM-DD, YYYY-MM or YYYY) of pieces the text leaves undated; relative "
            "dates ('on Sunday') resolve against it.",
        ),
    ] = None,
    fmt: Annotated[
        Format, typer.Option("--format", case_sensitive=False, help="Output format.")
    ] = Format.csv,
    out: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Write here (atomically) instead of stdout."),
    ] = None,
    factions: Annotated[
        str | None,
        typer.Option(
            "--factions",
            help="Factions: a bundled name (syria, ukraine, sudan) or a TOML/YAML file; "
            "default: syria."
        ),
    ] = None,
    unresolved: Annotated[
        bool,
        typer.Option(
            "--show-unresolved",
            help="List place names in control statements the gazetteer could not place.",
        ),
    ] = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs", "-j", min=0, help="Local worker processes (0: one per core available)."
        ),
    ] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="tcp://HOST:PORT",
            help="Run the files on this Dask (dask.distributed) cluster instead of locally.",
        ),
    ] = None,
) -> None:
    """Propose dated control observations (place, controller, change/state, confirmed/claimed) from
    report text, each with its evidence sentence, for a human to review. Nothing is written into an
    events file: review the output, then add the rows you accept.

    Compilations are split into dated pieces ("(Source / 14.04.2014)" trailers, "November 26, 2018"
    lines, Markdown headings with a year, YAML front matter). Output is in input-path order and
    byte-identical whatever --jobs or --scheduler; a file that cannot be read or extracted is
    reported and counted, and the others go on.
    """
    from extract import FORMATS, from_iso
    from extract.corpus import default_jobs, extract_corpus, find_files

    if date:
        from_iso(date)
    if factions:
        from layers.factions import load_factions

        load_factions(factions)  # a bad factions file fails once, here, not in every worker
    docs, skipped = find_files(paths)
    with _progress(len(docs)) as step:
        result = extract_corpus(
            docs, factions=factions, default_date=date, jobs=jobs or default_jobs(),
            scheduler=scheduler, progress=step, skipped=skipped,
        )
    text = FORMATS[fmt.value](result.proposals)
    if out:
        from gazetteer._io import atomic_write_text

        atomic_write_text(out, text)
    else:
        sys.stdout.write(text)
    report = result.report
    c = report.to_dict()
    if result.files > 1 or result.errors:
        info(
            f"{result.files} files = {result.succeeded} extracted + {len(result.errors)} failed"
            + (f"; {len(result.skipped)} non-text files in directories skipped"
               if result.skipped else "")
        )
    info(
        f"{c['documents']} documents, {c['pieces']} dated pieces ({c['undated']} undated), "
        f"{c['sentences']} sentences, {c['statements']} control statements → {c['proposals']} "
        f"proposals; "
        f"{c['unresolved_place_mentions']} unresolved place mentions, {c['conflicts']} conflicting "
        f"statements left out" + (f"; written to {out}" if out else "")
    )
    for e in result.errors:
        info(f"  failed: {e}")
    if c["undated"] and not date:
        info("some pieces carry no date: give --date YYYY-MM-DD so relative dates resolve")
    for source, place, sides in report.conflicts:
        info(f"  conflict: {source}: {place}: {sides} in one piece (left out; check by hand)")
    if unresolved:
        for source, name, _ in report.unresolved:
            info(f"  unresolved: {source}: {name}")
    if result.files and not result.succeeded:
        raise typer.Exit(1)


@contextlib.contextmanager
def _progress(total: int):
    """A rich progress bar on a terminal (stderr) for more than one file; silent otherwise."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from mapper.commands._common import err_console

    if total < 2 or not err_console.is_terminal:
        yield None
        return
    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=err_console, transient=True,
    ) as bar:
        task = bar.add_task("extracting", total=total)
        yield lambda done, _total, source: bar.update(task, completed=done, description=source)


@app.command("extract-score")
@handles_errors
def extract_score(
    predicted: Annotated[str, typer.Argument(help="Output of `frontline extract` (CSV or JSONL).")],
    truth: Annotated[
        str,
        typer.Argument(
            help="Annotated rows, e.g. eval/seed_events.csv "
            "(seed,date,place,lat,lon,controller,kind,certainty,evidence)."
        ),
    ],
    max_km: Annotated[
        float, typer.Option("--max-km", help="Match radius in km (great-circle).")
    ] = 5.0,
    tolerance_days: Annotated[
        int, typer.Option("--tolerance-days", help="Widen annotated dates by N days.")
    ] = 0,
    min_confidence: Annotated[
        float, typer.Option("--min-confidence", help="Ignore proposals below this.")
    ] = 0.0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the scores (and mismatches) as JSON.")
    ] = False,
) -> None:
    """Compare an extraction with an annotated file: precision, recall and certainty accuracy.

    A proposal matches a row with the same source file, a point within --max-km, the same controller
    and overlapping dates (each at its own precision).
    """
    from extract import read_rows, score

    s = score(
        read_rows(_read(predicted)),
        read_rows(_read(truth)),
        max_km=max_km,
        tolerance_days=tolerance_days,
        min_confidence=min_confidence,
    )
    if as_json:
        sys.stdout.write(json.dumps(s.to_dict(), ensure_ascii=False) + "\n")
        return
    if s.annotated == 0:
        fail(f"{truth}: no annotated rows")
    typer.echo(
        f"precision {s.precision:.3f} ({s.true_positives}/{s.predicted} proposals match a row)"
    )
    typer.echo(f"recall    {s.recall:.3f} ({s.matched_rows}/{s.annotated} rows found)")
    typer.echo(
        f"certainty {s.certainty_accuracy:.3f} ({s.certainty_right}/{s.matched_rows} matched rows "
        f"right)"
    )
    for p in s.false_positives:
        typer.echo(
            f"  unmatched proposal: {p.get('source_file')}: {p.get('date')} {p.get('place')} "
            f"{p.get('controller')} — {str(p.get('evidence', ''))[:90]}"
        )
    for t in s.missed:
        typer.echo(
            f"  missed row: {t.get('seed') or t.get('source_file')}: {t.get('date')} "
            f"{t.get('place')} "
            f"{t.get('controller')}"
        )
