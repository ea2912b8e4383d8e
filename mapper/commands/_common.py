"""What every command shares: the stderr console, one way to fail, and domain-error handling."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import typer

F = TypeVar("F", bound=Callable)

# What every command that reads an events file says it reads (layers/readers.py FORMATS).
EVENTS_FORMATS = "CSV, TSV, JSON, JSON Lines, YAML, GeoJSON or (Geo)Parquet"


def __getattr__(name: str) -> Any:
    # ``err_console``, the stderr console, is made on first use: importing rich costs ~10 ms
    # that a command printing nothing to stderr (a clean ``events check``) need not pay
    if name == "err_console":
        from rich.console import Console

        console = Console(stderr=True, highlight=False, soft_wrap=True)
        globals()["err_console"] = console
        return console
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _err() -> Any:
    console = globals().get("err_console")
    return console if console is not None else __getattr__("err_console")


def fail(message: str, *, code: int = 1) -> NoReturn:
    """Print ``message`` to stderr and exit with ``code`` (1 by default)."""
    _err().print(f"[bold red]error:[/] {message}", markup=True, highlight=False)
    raise typer.Exit(code=code)


def info(message: str) -> None:
    if sys.stderr is not None and not _may_be_terminal() and _plain_line(message):
        # the bytes rich prints for it off a terminal (soft wrap: no wrapping, no style), without
        # importing rich (~10 ms) for a command's closing lines
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
        return
    _err().print(message, markup=False, highlight=False)


_EMOJI_CODE = re.compile(r":\S*?:")  # what rich may replace (":warning:"), and more


def _plain_line(text: str) -> bool:
    """True when rich would print ``text`` as it is: one line with no control characters (rich
    strips some and expands tabs) and nothing like an emoji code."""
    return text.isprintable() and _EMOJI_CODE.search(text) is None


def spinner(text: str) -> contextlib.AbstractContextManager:
    """A transient spinner saying ``text`` on stderr when it is a terminal. Elsewhere rich draws
    nothing, but would still import rich.live and run a refresh thread: then, nothing at all."""
    if _may_be_terminal() and _err().is_terminal:
        return _err().status(text)
    return contextlib.nullcontext()


def _may_be_terminal() -> bool:
    """False when rich's ``Console.is_terminal`` would say so too (it reads these variables, then
    asks the file), without importing rich."""
    if "TTY_COMPATIBLE" in os.environ or "FORCE_COLOR" in os.environ:
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # no stderr, or a closed one
        return False


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
