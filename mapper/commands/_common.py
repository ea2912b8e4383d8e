"""What every command shares: the stderr console, one way to fail, and domain-error handling."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import NoReturn, TypeVar

import typer
from rich.console import Console

err_console = Console(stderr=True, highlight=False, soft_wrap=True)

F = TypeVar("F", bound=Callable)


def fail(message: str, *, code: int = 1) -> NoReturn:
    """Print ``message`` to stderr and exit with ``code`` (1 by default)."""
    err_console.print(f"[bold red]error:[/] {message}", markup=True, highlight=False)
    raise typer.Exit(code=code)


def info(message: str) -> None:
    err_console.print(message, markup=False, highlight=False)


def print_json_line(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, sort_keys=False) + "\n")


def handles_errors(func: F) -> F:
    """Turn the errors users cause (bad files, bad values, unknown places) into a clean exit 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except (OSError, ValueError, LookupError, KeyError) as exc:  # domain errors subclass these
            fail(_plain(exc))
        except Exception as exc:
            # GEOS errors (shapely.errors.GEOSException) subclass none of the builtins above; an
            # input geometry caused them, so they get a message, not a traceback.
            if type(exc).__module__.split(".")[0] != "shapely":
                raise
            fail(f"geometry error: {_plain(exc)}. Check the theatre/areas file for invalid "
                 "or mixed geometries (try a simpler outline).")

    return wrapper  # type: ignore[return-value]


def _plain(exc: BaseException) -> str:
    text = str(exc) or exc.__class__.__name__
    if isinstance(exc, FileNotFoundError) and exc.filename:
        return f"file not found: {exc.filename}. Check the path."
    return text.replace("[", r"\[")


def date_list(values: list[str]) -> list[str]:
    """The dates of ``--at`` given as "D1,D2" and/or repeated (``--at D1 --at D2``), in order."""
    return [d.strip() for value in values for d in value.split(",") if d.strip()]
