"""Where a long build spends its time: the wall time of each named stage, and a progress bar on
stages with many steps.

``Stages`` is plain bookkeeping (no printing, no terminal): the bundle and the pipeline open a
stage around each part of their work; a caller that wants to see the times passes ``on_end``
(e.g. print a line) and, for a progress bar, ``bar`` (``rich_bar`` for a terminal)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

Advance = Callable[[int], None]


def _ignore(steps: int = 1) -> None:
    return None


class Stages:
    """Wall time per stage name, in the order the stages first ran (a stage run twice adds up).

    ``on_end(name, seconds)`` is called as each stage ends; ``bar(name, total)`` returns a
    context manager yielding an ``advance(steps)`` callable for stages given a ``total``."""

    def __init__(self, *, on_end: Callable[[str, float], object] | None = None,
                 bar: Callable[[str, int], AbstractContextManager[Advance]] | None = None):
        self.times: dict[str, float] = {}
        self._on_end = on_end
        self._bar = bar

    @contextmanager
    def stage(self, name: str, *, total: int | None = None) -> Iterator[Advance]:
        """Time the ``with`` block as stage ``name``; yields ``advance(steps=1)`` for the bar."""
        started = time.perf_counter()
        bar = self._bar(name, total) if self._bar is not None and total else nullcontext(_ignore)
        with bar as advance:
            yield advance
        seconds = time.perf_counter() - started
        self.times[name] = self.times.get(name, 0.0) + seconds
        if self._on_end is not None:
            self._on_end(name, seconds)

    def total(self) -> float:
        return sum(self.times.values())


def rich_bar(console) -> Callable[[str, int], AbstractContextManager[Advance]]:
    """Progress bars on ``console`` (a rich Console); none when it is not a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    @contextmanager
    def bar(name: str, total: int) -> Iterator[Advance]:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True,
                      disable=not console.is_terminal) as progress:
            task = progress.add_task(name, total=total)
            yield lambda steps=1: progress.advance(task, steps)

    return bar


__all__ = ["Stages", "rich_bar"]
