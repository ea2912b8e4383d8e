"""Draw a bundle's frames (a PNG per chosen date, the GIF's frames), in this process or in a few
small worker processes.

Memory is the constraint (issue 18: the whole bundle, every process counted, under 1 GB for
20,000 places): a worker imports only this module and mapper/images.py (numpy, matplotlib,
Pillow — no pandas, geopandas or shapely) and receives the map once, as a ``Sketch`` of vertex
arrays; each task then carries a few dates' place codes. The workers come from a 'forkserver'
that preloads nothing, so they copy neither the parent's tables nor its threads. Tasks are cut
the same way whatever the number of workers and their results are taken in task order, so the
files are the same bytes for any ``jobs``.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import numpy as np

from .images import Frame, MapPainter, Sketch, png_bytes

_WORKER: dict = {}  # the painter's inputs in this process (sketch, title, folder, painter)


def _init(sketch: Sketch, title: str, folder: str) -> None:
    _close()
    _WORKER.update(sketch=sketch, title=title, folder=Path(folder))


def _close() -> None:
    painter = _WORKER.pop("painter", None)
    if painter is not None:
        painter.close()
    _WORKER.clear()


def draw(codes: np.ndarray, contested: np.ndarray, titles: Sequence[str],
         png_names: Sequence[str | None], gif: Sequence[bool]) -> list[np.ndarray | None]:
    """Draw one task's frames: the PNGs named in ``png_names`` are written to the folder's
    images/; the half-size pixels of the frames flagged in ``gif`` are returned (None for the
    others). The painter is built on a process's first task and reused."""
    painter = _WORKER.get("painter")
    if painter is None:
        painter = _WORKER["painter"] = MapPainter(_WORKER["sketch"], title=_WORKER["title"])
    images = _WORKER["folder"] / "images"
    out: list[np.ndarray | None] = []
    for i, title in enumerate(titles):
        pixels = painter.frame(Frame(codes[i], contested[i], title))
        if png_names[i] is not None:
            (images / png_names[i]).write_bytes(png_bytes(pixels))
        out.append(np.ascontiguousarray(pixels[::2, ::2]) if gif[i] else None)
    return out


Task = tuple  # (codes [n, P], contested [n, P], titles, png names, gif flags)


class FramePainter:
    """Runs frame tasks, in order: in ``jobs`` worker processes (``jobs`` > 1; the tasks start
    as soon as they are submitted, so this process can do other work meanwhile) or, with
    ``jobs`` = 1, here, when the results are asked for."""

    def __init__(self, sketch: Sketch, *, title: str, folder: Path, jobs: int):
        self._args = (sketch, title, str(folder))
        self._tasks: list[Task] = []
        self._futures: list[Future] = []
        self._pool = None
        if jobs > 1:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload([])  # nothing of this process is copied into a worker
            self._pool = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init,
                                             initargs=self._args)

    @property
    def tasks(self) -> int:
        """How many tasks were submitted."""
        return len(self._tasks)

    def submit(self, tasks: Sequence[Task]) -> None:
        self._tasks.extend(tasks)
        if self._pool is not None:
            self._futures.extend(self._pool.submit(draw, *task) for task in tasks)

    def results(self, advance: Callable[[int], object] = lambda steps: None) -> list:
        """Every submitted task's result, in submission order."""
        out = []
        if self._pool is not None:
            for future in self._futures:
                out.append(future.result())
                advance(1)
            return out
        saved = dict(_WORKER)
        _init(*self._args)
        try:
            for task in self._tasks:
                out.append(draw(*task))
                advance(1)
        finally:
            _close()
            _WORKER.update(saved)
        return out

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


__all__ = ["FramePainter", "draw"]
