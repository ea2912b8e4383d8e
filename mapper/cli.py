"""The ``frontline`` command. Each command group lives in ``mapper/commands/<group>.py``.

Command modules are imported only when their command runs (or when help lists them), so
``frontline gazetteer resolve`` does not pay for importing geopandas and folium.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from . import __version__

# command name → (module, group name or None for a top-level command), in help order.
COMMANDS: dict[str, tuple[str, str | None]] = {
    "gazetteer": ("mapper.commands.gazetteer", "gazetteer"),
    "events": ("mapper.commands.events", "events"),
    "slice": ("mapper.commands.timeline", None),
    "diff": ("mapper.commands.timeline", None),
    "territory": ("mapper.commands.territory", None),
    "stats": ("mapper.commands.territory", None),
    "render": ("mapper.commands.render", None),
    "bundle": ("mapper.commands.render", None),
    "demo": ("mapper.commands.render", None),
    "extract": ("mapper.commands.extract", None),
    "extract-score": ("mapper.commands.extract", None),
    "review": ("mapper.commands.review", None),
}


def _load_command(name: str) -> Any:
    module_name, group = COMMANDS[name]
    sub_app = importlib.import_module(module_name).app
    # Wrapping in a throwaway app keeps a one-command group a group (typer would flatten it).
    wrapper = typer.Typer()
    if group:
        wrapper.add_typer(sub_app, name=group)
    else:
        wrapper.add_typer(sub_app)
    return typer.main.get_command(wrapper).commands[name]


class _LazyCommandMap(MutableMapping):
    """Every command name is known up front; a command's module is imported on first lookup."""

    def __init__(self) -> None:
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded:
            if name not in COMMANDS:
                raise KeyError(name)
            self._loaded[name] = _load_command(name)
        return self._loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*COMMANDS, *self._loaded]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*COMMANDS, *self._loaded]))


class LazyCommands(TyperGroup):
    """The root group: sub-commands are imported when used, not when ``frontline`` starts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommandMap()


app = typer.Typer(
    name="frontline",
    cls=LazyCommands,
    no_args_is_help=True,
    add_completion=False,
    help="Frontline: sourced control observations → territory, front lines and shareable maps.",
    rich_markup_mode="markdown",
)


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
