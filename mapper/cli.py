"""The ``frontline`` command. Each command group lives in ``mapper/commands/<group>.py``.

Command modules are imported only when their command runs (or when help lists them), so
``frontline gazetteer resolve`` does not pay for importing geopandas and folium.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, MutableMapping
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperGroup

from . import __version__

# command name → (module, group name or None for a top-level command), in help order.
COMMANDS: dict[str, tuple[str, str | None]] = {
    "gazetteer": ("mapper.commands.gazetteer", "gazetteer"),
    "events": ("mapper.commands.events", "events"),
    "areas": ("mapper.commands.areas", "areas"),
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


# typer's type labels → the metavars users know from click: flags show none, values a name.
_METAVARS = {"str": "TEXT", "int": "INTEGER", "float": "FLOAT", "file": "FILE", "dir": "DIR",
             "path": "PATH", "datetime": "DATE", "Path": "PATH"}
_DATE_HELP = re.compile(r"YYYY-MM-DD|ISO date")


def _metavar(param: Any, ctx: Any) -> str:
    """``""`` for a flag, else TEXT/INTEGER/FLOAT/PATH/FILE/DIR/DATE or ``[a|b]`` for choices."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return ""
    label = param.display_type(ctx).strip("<>")
    is_list = label.startswith("list[")
    label = label.removeprefix("list[").removesuffix("]")
    if "|" in label:
        return f"[{label}]"
    name = _METAVARS.get(label, label.upper())
    if name == "TEXT" and _DATE_HELP.search(getattr(param, "help", None) or ""):
        name = "DATE"
    return f"{name}..." if is_list else name


def tidy_help(command: Any) -> Any:
    """Walk ``command`` and its sub-commands once, replacing typer's ``<bool>``/``<str>``
    type labels by click-style metavars (none for flags; TEXT, PATH, DATE… for values)."""
    if getattr(command, "_frontline_tidy", False):
        return command
    command._frontline_tidy = True
    ctx = typer.Context(command)
    params = [*command.params, command.get_help_option(ctx)]
    for param in params:
        if param is None:
            continue
        metavar = _metavar(param, ctx)
        if isinstance(param, TyperArgument):  # its metavar is its name: set only the type column
            param.display_type_rich = lambda ctx, _m=metavar: _m
        else:
            param.metavar = metavar
    for sub in getattr(command, "commands", {}).values() if not isinstance(
            getattr(command, "commands", None), _LazyCommandMap) else ():
        tidy_help(sub)
    return command


def _load_command(name: str) -> Any:
    module_name, group = COMMANDS[name]
    sub_app = importlib.import_module(module_name).app
    # Wrapping in a throwaway app keeps a one-command group a group (typer would flatten it).
    wrapper = typer.Typer()
    if group:
        wrapper.add_typer(sub_app, name=group)
    else:
        wrapper.add_typer(sub_app)
    return tidy_help(typer.main.get_command(wrapper).commands[name])


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

    def get_help_option(self, ctx: Any) -> Any:
        tidy_help(self)  # the root's own options (--version, --help); commands tidy on load
        return super().get_help_option(ctx)


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
