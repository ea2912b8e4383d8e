"""`frontline gazetteer …`: resolve, search, info, import, fetch."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Annotated

import typer

from mapper.commands._common import fail, handles_errors, info, print_json_line

app = typer.Typer(
    help="Resolve place names (spelling variants, Arabic script, typos) to places, and manage "
         "the gazetteer sources (embedded, supplement, imports).",
    no_args_is_help=True,
)

Country = Annotated[str | None, typer.Option(
    "--country", "-c", help="Prefer places in these ISO2 countries, e.g. SY or SY,LB.")]
Near = Annotated[str | None, typer.Option(
    "--near", help="Prefer places near this point, given as LAT,LON (e.g. 33.5,36.3).")]
Online = Annotated[bool, typer.Option(
    "--online", help="Ask Nominatim (rate-limited, cached) for names nothing local matches.")]
Json = Annotated[bool, typer.Option("--json", help="One JSON object per line.")]


def _near(value: str | None) -> tuple[float, float] | None:
    if not value:
        return None
    try:
        lat, lon = (float(v) for v in value.split(","))
    except ValueError:
        raise typer.BadParameter(f"{value!r}: give LAT,LON such as 33.51,36.29") from None
    return lat, lon


def _gazetteer(online: bool):
    import gazetteer

    gz = gazetteer.load()
    if online:
        from gazetteer.online import OnlineResolver

        gz = gz.with_online(OnlineResolver.nominatim())
    return gz


NAME_COLUMNS = ("name", "place", "query")


def read_name_table(text: str, *, source: str = "names") -> tuple[list[tuple[str, str | None]],
                                                                  list[str]]:
    """The names of a --file: a CSV whose header has a ``name``/``place``/``query`` column (and
    optionally ``country``), else plain text with one name per line. Returns (name, country)
    pairs in file order and one note per skipped line (blank, or a CSV row without a name)."""
    from gazetteer.batch import read_names

    lines = text.splitlines()
    header = next(csv.reader([lines[0]])) if lines else []
    fields = [h.strip().lower().lstrip("\ufeff") for h in header]
    column = next((c for c in NAME_COLUMNS if c in fields), None)
    if column is None:
        names, blank = read_names(lines)
        notes = [f"{blank} blank line(s) skipped"] if blank else []
        return [(n, None) for n in names], notes
    rows = list(csv.reader(io.StringIO(text)))[1:]
    at, country_at = fields.index(column), (fields.index("country") if "country" in fields
                                            else None)
    pairs, notes = [], []
    for line, row in enumerate(rows, start=2):
        name = row[at].strip() if len(row) > at else ""
        if not name:
            if any(cell.strip() for cell in row):
                notes.append(f"{source}, line {line}: no value in column {header[at]!r}; "
                             "the row is skipped (fill it in or delete the row)")
            else:
                notes.append(f"{source}, line {line}: blank row skipped")
            continue
        country = (row[country_at].strip() or None) if country_at is not None and \
            len(row) > country_at else None
        pairs.append((name, country))
    return pairs, notes


@app.command()
@handles_errors
def resolve(
    names: Annotated[list[str] | None, typer.Argument(help="Place names to resolve.")] = None,
    file: Annotated[str | None, typer.Option(
        "--file", "-f", help="Read names from a file ('-' for stdin): a CSV with a header "
        "that has a name, place or query column (and optionally country, which overrides "
        "--country for its row), or plain text with one name per line.")] = None,
    country: Country = None,
    near: Near = None,
    online: Online = False,
    as_json: Json = False,
    no_document_context: Annotated[bool, typer.Option(
        "--no-document-context",
        help="Do not use the names that resolve clearly as context for ambiguous ones.")
    ] = False,
) -> None:
    """Resolve NAMEs (and/or --file) to places; not-found and ambiguous names are reported.

    Exits 1 when any name is not found (ambiguous names are listed and exit 0)."""
    from gazetteer.batch import resolve_many

    pairs, notes = [(n, None) for n in names or []], []
    if file:
        if file == "-":
            text = sys.stdin.read()
        else:
            with open(file, encoding="utf-8-sig", errors="replace") as fh:
                text = fh.read()
        more, notes = read_name_table(text, source=file)
        pairs += more
    if not pairs:
        fail("no names given: pass NAME arguments or --file PATH (or - for stdin).")
    gz = _gazetteer(online)
    rows: list = [None] * len(pairs)
    # one batch per country (a CSV country column overrides --country), answers in input order
    for group in dict.fromkeys(c or country for _, c in pairs):
        where = [i for i, (_, c) in enumerate(pairs) if (c or country) == group]
        for i, row in zip(where, resolve_many(gz, [pairs[i][0] for i in where], country=group,
                                              near=_near(near),
                                              document_context=not no_document_context),
                          strict=True):
            rows[i] = row
    counts = {"resolved": 0, "ambiguous": 0, "not_found": 0}
    for r in rows:
        counts[r.error or "resolved"] += 1
        if as_json:
            print_json_line(r.to_dict())
        else:
            typer.echo(_human(r))
    for note in notes if len(notes) <= 20 else [*notes[:20], f"… {len(notes) - 20} more"]:
        info(note)
    extra = f", {len(notes)} line(s) skipped" if notes else ""
    info(f"{len(rows)} names: {counts['resolved']} resolved, {counts['ambiguous']} ambiguous, "
         f"{counts['not_found']} not found{extra}")
    if counts["not_found"]:
        raise typer.Exit(code=1)


def _label(c) -> str:
    p = c.place
    where = ", ".join(x for x in (p.admin1, p.country) if x)
    return f"{p.name} ({where}) {p.lat:.5f},{p.lon:.5f} {p.id}"


def _human(r) -> str:
    if r.error == "not_found":
        hint = f" Did you mean: {'; '.join(r.suggestions)}?" if r.suggestions else ""
        return f"{r.query!r}: not found.{hint}"
    if r.error == "ambiguous":
        opts = "\n".join(f"    {_label(c)} [{c.how} {c.score:.2f}]" for c in r.candidates[:5])
        return f"{r.query!r}: ambiguous, add --country/--near or context:\n{opts}"
    c = r.candidate
    return f"{r.query!r} → {_label(c)} [{c.how} {c.score:.2f}, matched {c.matched!r}]"


@app.command()
@handles_errors
def search(
    text: Annotated[str, typer.Argument(help="Name or part of a name.")],
    country: Country = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Most places to list.")] = 20,
    as_json: Json = False,
) -> None:
    """List places matching TEXT (all tiers, fuzzy included), best first."""
    gz = _gazetteer(False)
    found = gz.search(text, country=country, limit=limit)
    for c in found:
        if as_json:
            print_json_line(c.to_dict())
        else:
            typer.echo(f"{_label(c)} [{c.how} {c.score:.2f}, matched {c.matched!r}]")
    info(f"{len(found)} place(s) match {text!r}")


@app.command(name="info")
@handles_errors
def info_cmd(as_json: Json = False) -> None:
    """Show the gazetteer's sources, counts, user store and cache."""
    from gazetteer.summary import summary

    s = summary(_gazetteer(False))
    if as_json:
        print_json_line(s)
        return
    typer.echo(f"places: {s['places']}  names: {s['names']}")
    typer.echo(f"store:  {s['store']}")
    for src in s["sources"]:
        probs = f", {src['problems']} problem row(s)" if src["problems"] else ""
        typer.echo(f"  {src['kind']:<10} {src['name']:<40} {src['places']:>7} places{probs}"
                   f"  ({src['path']})")
    for c in s["cache"]:
        typer.echo(f"cache:  {c['path']} ({c['bytes']} bytes)")
    for p in s["problems"][:10]:
        info(f"problem: {p}")


@app.command(name="import")
@handles_errors
def import_cmd(
    path: Annotated[Path, typer.Argument(help="GeoNames txt/zip, WOF GeoJSON(-lines)/CSV, or "
                                              "CSV with name,lat,lon[,alt_names]; .gz is fine.")],
    format: Annotated[str | None, typer.Option(
        "--format", help="geonames | wof | csv (default: guessed from the file).")] = None,
    name: Annotated[str | None, typer.Option(
        "--name", help="Name of the import in the store (default: from the file name).")] = None,
) -> None:
    """Import a gazetteer file into the user store; load() includes it from then on."""
    from gazetteer.imports import import_file

    r = import_file(path, format=format, name=name)
    for p in r.problems[:10]:
        info(f"skipped: {p}")
    info(f"imported {r.places} places from {r.rows} rows of {path} as {r.format} "
         f"(import {r.name!r}, {len(r.problems)} row(s) skipped)")


@app.command()
@handles_errors
def fetch(
    countries: Annotated[list[str], typer.Argument(help="ISO2 country codes, e.g. SY LB.")],
    base_url: Annotated[str | None, typer.Option(
        "--base-url",
        help="Where XX.zip dumps live (default GeoNames; env FRONTLINE_GEONAMES_URL).")
    ] = None,
) -> None:
    """Download GeoNames country dumps (XX.zip) and import them."""
    from rich.progress import Progress

    from gazetteer.fetch import fetch as fetch_dumps

    with Progress(transient=True, console=None) as bar:
        tasks: dict[str, int] = {}

        def progress(cc: str, done: int, total: int) -> None:
            if cc not in tasks:
                tasks[cc] = bar.add_task(f"{cc}.zip", total=total or None)
            bar.update(tasks[cc], completed=done)

        results = fetch_dumps(countries, url=base_url, progress=progress)
    for r in results:
        info(f"{r.name}: {r.places} places from {r.rows} rows")
