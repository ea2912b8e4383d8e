"""Draw a bundle's frames (a PNG per chosen date, the GIF's frames), in this process or in a few
small worker processes.

Memory is the constraint (issue 18: the whole bundle, every process counted, under 1 GB for
20,000 places): a worker imports only this module and mapper/images.py (numpy, matplotlib,
Pillow — no pandas, geopandas or shapely; about 110 MB resident with its figure, against 260 MB
for a worker holding the cell topology and geopandas) and receives the map once, as a ``Sketch``
of vertex arrays; each task then carries a few dates' place codes. The workers are spawned (fresh
interpreters, which also import the main module: scripts need the ``__main__`` guard), so they
copy neither the parent's tables nor its threads. Tasks are cut the same
way whatever the number of workers and their results are taken in task order, so the files are
the same bytes for any ``jobs``.
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
    """Runs frame tasks, results in task order. With ``jobs`` > 1, ``jobs - 1`` worker processes
    start drawing as soon as the tasks are submitted, from the first task on, while this process
    does its own work (the territory and front-line files); then this process draws too, taking
    the tasks no worker has started from the last one back, so every core stays busy and only
    ``jobs - 1`` small processes exist. With ``jobs`` = 1 every task is drawn here, when the
    results are asked for. Either way a task's frames are the same bytes."""

    def __init__(self, sketch: Sketch, *, title: str, folder: Path, jobs: int):
        self._args = (sketch, title, str(folder))
        self._tasks: list[Task] = []
        self._futures: list[Future] = []
        self._pool = None
        if jobs > 1:
            # 'spawn': a fresh interpreter that imports only what the frames need (not a copy
            # of this process, its tables or its threads)
            self._pool = ProcessPoolExecutor(jobs - 1, mp_context=multiprocessing.get_context(
                "spawn"), initializer=_init, initargs=self._args)

    @property
    def tasks(self) -> int:
        """How many tasks were submitted."""
        return len(self._tasks)

    def submit(self, tasks: Sequence[Task]) -> None:
        self._tasks.extend(tasks)
        if self._pool is not None:
            self._futures.extend(self._pool.submit(draw, *task) for task in tasks)

    def results(self, advance: Callable[[int], object] = lambda steps: None) -> list:
        """Every submitted task's result, in submission order; the workers are stopped once
        they have delivered."""
        mine: dict[int, list] = {}
        saved = dict(_WORKER)
        _init(*self._args)
        try:
            for k in range(len(self._tasks) - 1, -1, -1):  # steal from the end
                if self._futures and not self._futures[k].cancel():
                    break  # a worker has it: every earlier task is taken too
                mine[k] = draw(*self._tasks[k])
                advance(1)
        finally:
            _close()
            _WORKER.update(saved)
        out = []
        for k in range(len(self._tasks)):
            if k in mine:
                out.append(mine.pop(k))
            else:
                out.append(self._futures[k].result())
                advance(1)
        self.close()
        return out

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


__all__ = ["FramePainter", "draw"]
