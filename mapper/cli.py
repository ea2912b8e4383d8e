"""The ``frontline`` command. Each command group lives in ``mapper/commands/<group>.py``."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from . import __version__

app = typer.Typer(
    name="frontline",
    no_args_is_help=True,
    add_completion=False,
    help="Frontline: sourced control observations → territory, front lines and shareable maps.",
    rich_markup_mode="rich",
)

# (module, sub-command name or None for top-level commands). A module missing during
# development is skipped so the rest of the CLI keeps working.
_GROUPS: list[tuple[str, str | None]] = [
    ("mapper.commands.gazetteer", "gazetteer"),
    ("mapper.commands.events", "events"),
    ("mapper.commands.timeline", None),
    ("mapper.commands.territory", None),
    ("mapper.commands.render", None),
    ("mapper.commands.extract", None),
]


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"frontline {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", callback=_version_callback,
                     is_eager=True),
    ] = False,
) -> None:
    """Frontline: sourced control observations → territory, front lines and shareable maps."""


for _module, _name in _GROUPS:
    try:
        _mod = importlib.import_module(_module)
    except ModuleNotFoundError as _exc:
        if _exc.name != _module:
            raise
        continue
    if _name:
        app.add_typer(_mod.app, name=_name)
    else:
        app.add_typer(_mod.app)
