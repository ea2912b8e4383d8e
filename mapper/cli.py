"""The ``frontline`` command. Each command group lives in ``mapper/commands/<group>.py``.

Command modules are imported only when their command runs (or when help lists them), so
``frontline gazetteer resolve`` does not pay for importing geopandas and folium; and the values
the commands take are coerced without typer's pydantic adapters (see ``_quicken``).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator, MutableMapping
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

import typer
from typer.core import TyperArgument, TyperGroup

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
    type labels by click-style metavars (none for flags; TEXT, PATH, DATE… for values), and
    giving each parameter the quick coercion its type allows (``_quicken``)."""
    if getattr(command, "_frontline_tidy", False):
        return command
    command._frontline_tidy = True
    ctx = typer.Context(command)
    params = [*command.params, command.get_help_option(ctx)]
    for param in params:
        if param is None:
            continue
        _quicken(param)
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


# Typer (0.2x) coerces every value, even a default None, through a pydantic TypeAdapter, and
# importing pydantic costs ~55 ms of CPU for each command. The kinds of value our commands take
# (str, list[str], bool, Path, Enum choices) are coerced here with typer's own helpers, in the
# same steps as its adapters; whatever these cannot accept as it is (a choice that is not one,
# a path that fails its checks, int/float) goes to typer's coercion, so every error message
# stays typer's. tests/mapper/test_cli_startup.py compares both on every parameter.
try:
    from typer._click.exceptions import BadParameter
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer._param_types import coerce_cli_choice, coerce_cli_path
except ImportError:  # another typer: it coerces as it will
    RuntimeParam = None

_TYPER_DECIDES = object()  # a quick coercion's "not mine: ask typer"


def _quick_str(value: Any, param: Any, ctx: Any) -> Any:
    return value if type(value) is str else _TYPER_DECIDES


def _quick_bool(value: Any, param: Any, ctx: Any) -> Any:  # e.g. --help: typer skips the rest
    return value if type(value) is bool else _TYPER_DECIDES


def _quick_str_list(value: Any, param: Any, ctx: Any) -> Any:
    if isinstance(value, list | tuple) and all(type(v) is str for v in value):
        return list(value)
    return _TYPER_DECIDES


def _quick_path(path_type: type, info: Any) -> Callable[[Any, Any, Any], Any]:
    def coerce(value: Any, param: Any, ctx: Any) -> Any:
        if type(value) is str:
            value = path_type(value)  # what pydantic's Path validator does with a str
        elif not isinstance(value, path_type):
            return _TYPER_DECIDES
        try:
            return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)
        except BadParameter:  # typer words it with the text the user typed, not the Path
            return _TYPER_DECIDES
    return coerce


def _quick_choice(choices: tuple, case_sensitive: bool) -> Callable[[Any, Any, Any], Any]:
    def coerce(value: Any, param: Any, ctx: Any) -> Any:
        try:
            return coerce_cli_choice(value, choices=choices, case_sensitive=case_sensitive,
                                     ctx=ctx)
        except ValueError:
            return _TYPER_DECIDES
    return coerce


def _quick_coercer(descriptor: Any) -> Callable[[Any, Any, Any], Any] | None:
    """The quick coercion for a parameter's annotation, or None to leave it to typer."""
    annotation, info = descriptor.annotation, descriptor.parameter_info
    if info.parser is not None or descriptor.file_annotation is not None:
        return None
    if annotation is str:
        return _quick_str
    if annotation is bool:
        return _quick_bool
    if get_origin(annotation) is list and get_args(annotation) == (str,):
        return _quick_str_list
    if isinstance(annotation, type) and issubclass(annotation, Path) and info.path_type is None:
        return _quick_path(annotation, info)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _quick_choice(tuple(annotation), info.case_sensitive)
    return None


if RuntimeParam is not None:
    class _QuickParam(RuntimeParam):
        """typer's RuntimeParam (its None and multi-value handling) with a quick coercion first."""

        def __init__(self, descriptor: Any, quick: Callable[[Any, Any, Any], Any]) -> None:
            super().__init__(parameter_info=descriptor.parameter_info,
                             annotation=descriptor.annotation)
            object.__setattr__(self, "descriptor", descriptor)  # a frozen dataclass
            object.__setattr__(self, "quick", quick)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            out = self.quick(value, param, ctx)
            if out is _TYPER_DECIDES:
                return build_runtime_param(self.descriptor)._coerce_value(value, param=param,
                                                                          ctx=ctx)
            return out


def _quicken(param: Any) -> None:
    """Give ``param`` the quick coercion its type allows (else typer builds its own on use)."""
    descriptor = getattr(param, "type_descriptor", None)
    if RuntimeParam is None or descriptor is None or getattr(param, "_runtime_param", 0):
        return  # not a parameter typer coerces, or one already given its coercion
    quick = _quick_coercer(descriptor)
    if quick is not None:
        param._runtime_param = _QuickParam(descriptor, quick)


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
        from . import __version__

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


def run() -> None:
    """The ``frontline`` console script. numpy's OpenBLAS starts a thread per core that spins
    while it waits for work; frontline does no linear algebra worth threads, and on a shared
    machine those threads cost about a tenth of a big command's CPU (bench/RESULTS-ingest.md).
    A user's own OPENBLAS_NUM_THREADS wins."""
    import os

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    app(prog_name="frontline")
