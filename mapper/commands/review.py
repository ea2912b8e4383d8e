"""``frontline review``: proposals → one self-contained review page (accept / edit / reject)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import handles_errors, info

app = typer.Typer()


@app.command("review")
@handles_errors
def review(
    proposals: Annotated[str, typer.Argument(
        metavar="PROPOSALS", help="Output of `frontline extract` (CSV or JSON lines).")],
    out: Annotated[str, typer.Option("--output", "-o", help="The page to write (atomically).")
                   ] = "review.html",
    factions: Annotated[str | None, typer.Option(
        "--factions", help="Factions file or bundled name; default: the bundled Syria file.")
                        ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Page title.")] = None,
    outlines: Annotated[Path | None, typer.Option(
        "--outlines", exists=True, dir_okay=False, metavar="FILE",
        help="Borders for the small maps (GeoJSON, GeoPackage, Shapefile or TopoJSON, e.g. "
             "the npm world-atlas countries file `make leaflet` fetches).")] = None,
) -> None:
    """Write a review page for PROPOSALS: each row with its evidence sentence (the mention
    highlighted) and a small map; accept, edit (date, controller, kind, certainty, place, lat/lon)
    or reject it, then "Download accepted rows" saves an events CSV to append to your log
    (`frontline events add accepted.csv --into observations.csv`). Works offline from file://."""
    from extract import read_rows
    from gazetteer._io import atomic_write_text
    from layers.factions import load_factions
    from mapper.review import extent, outline_lines, review_html, review_rows

    path = Path(proposals)
    rows = review_rows(read_rows(path.read_text(encoding="utf-8-sig")), path=proposals)
    lines = None
    if outlines is not None:
        import warnings

        from mapper.pipeline import read_outlines

        box = extent(rows)
        with warnings.catch_warnings():  # TopoJSON with several layers: the first is countries
            warnings.filterwarnings("ignore", message="More than one layer")
            lines = outline_lines(read_outlines(outlines), box)
    page = review_html(rows, factions=load_factions(factions),
                       title=title or f"Review: {path.name}", source_name=path.name,
                       outlines=lines)
    atomic_write_text(out, page)
    need = sum(r.needs_place for r in rows)
    info(f"{proposals}: {len(rows)} proposals read = {len(rows)} on the page ({need} need a "
         f"place); written to {out}")
