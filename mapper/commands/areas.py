"""`frontline areas …`: import admin-unit polygon layers (governorates, districts,
subdistricts) that observations may name, list them, remove them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from mapper.commands._common import fail, handles_errors, info

app = typer.Typer(
    help="Admin units (governorates, districts, subdistricts) observations may name as their "
         "place: import a polygon layer (Who's On First, geoBoundaries, any GeoJSON), list, "
         "remove. Stored in the user store ($FRONTLINE_HOME).",
    no_args_is_help=True,
)


@app.command(name="import")
@handles_errors
def import_cmd(
    path: Annotated[Path, typer.Argument(
        help="Admin polygons: WOF GeoJSON or GeoJSON lines (.gz is fine), geoBoundaries "
             "GeoJSON, any GeoJSON with --name-property and --level, or an OpenSyria "
             "geography folder (names and subdistricts for units imported before).")],
    format: Annotated[str | None, typer.Option(
        "--format", help="wof | geoboundaries | geojson | opensyria (default: from the "
                         "file).")] = None,
    name: Annotated[str | None, typer.Option(
        "--name", help="Name of the import in the store (default: from the file name).")] = None,
    name_property: Annotated[str | None, typer.Option(
        "--name-property", help="geojson: the feature property holding the unit's name.")] = None,
    level: Annotated[str | None, typer.Option(
        "--level", help="geojson: admin1 (governorate) | admin2 (district) | admin3.")] = None,
    country: Annotated[str, typer.Option(
        "--country", help="ISO2 country of the units when the file does not say it.")] = "",
) -> None:
    """Import an admin polygon layer; observations may then name its units."""
    from layers.admin_areas import import_admin_layer

    r = import_admin_layer(path, format=format, name=name, name_property=name_property,
                           level=level, country=country)
    reasons = Counter(p.rsplit("): ", 1)[-1] if "): " in p else p.split(": ", 2)[-1]
                      for p in r.skipped)
    for p in r.skipped[:5]:
        info(f"skipped: {p}")
    for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        info(f"skipped {n} feature(s): {reason}")
    for m in r.merged:
        info(f"merged: {m}")
    levels = ", ".join(f"{n} {lvl}" for lvl, n in r.counts().items() if n)
    info(f"imported {len(r.units)} admin units ({levels}) from {r.features} features of {path} "
         f"as {r.format} (import {r.name!r}; {len(r.merged)} feature(s) merged into a unit of "
         f"the same name, {len(r.skipped)} skipped)")


@app.command(name="list")
@handles_errors
def list_cmd() -> None:
    """The imported admin layers and their units."""
    from layers.admin_areas import manifest

    entries = manifest()
    if not entries:
        info("no admin layers imported; run `frontline areas import FILE`")
        return
    for e in entries:
        typer.echo(f"{e['name']}\t{e['format']}\t{e['units']} units\t{e['source']}")


@app.command(name="remove")
@handles_errors
def remove_cmd(name: Annotated[str, typer.Argument(help="The import's name (see list).")]) -> None:
    """Forget an imported admin layer (its polygons and names)."""
    from layers.admin_areas import remove_admin_layer

    if not remove_admin_layer(name):
        fail(f"no admin layer named {name!r}; see `frontline areas list`")
    info(f"removed admin layer {name!r}")
