"""The static bundle: a folder anyone can host, open from disk, or put in an iframe.

``index.html`` (the map), ``changes.html`` (the dated changelog), ``data/`` (events, places,
per-date territory and front lines, stats), ``images/`` (PNGs, GIF, area chart) and
``manifest.json``. Built in a temporary folder next to the target and swapped in atomically: a
failure leaves the previous bundle as it was. No timestamps anywhere: same inputs, same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from gazetteer._io import atomic_replace_dir, atomic_write_text

from . import __version__, escape, styles
from .frames import FramePainter
from .images import gif_bytes, scene_of
from .model import iso
from .render import RenderOptions, render_html, slider_days
from .stages import Stages


@dataclass(frozen=True, slots=True)
class BundleOptions:
    """``images``: how many dates get a PNG; ``data_dates``: at most this many dates get
    territory/front-line GeoJSON (evenly spread over the slider, always the first and last);
    ``gif_frames``: at most this many frames in the animation; ``jobs``: processes drawing the
    frames (this one and ``jobs - 1`` small workers, mapper/frames.py; territory and front-line
    files are written here); 1 runs it all in this process, None takes every core when the
    bundle is big enough to gain from it. The files are the same bytes whatever ``jobs``."""

    render: RenderOptions = field(default_factory=RenderOptions)
    images: int = 6
    data_dates: int = 60
    gif: bool = True
    gif_frames: int = 120
    jobs: int | None = 1


def spread(days: np.ndarray, count: int) -> np.ndarray:
    """At most ``count`` of ``days``, evenly spread, keeping the first and the last."""
    if count <= 0 or len(days) == 0:
        return days[:0]
    if len(days) <= count:
        return days
    picks = np.unique(np.round(np.linspace(0, len(days) - 1, count)).astype(int))
    return days[picks]


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# ---------------------------------------------------------------- state per date

def _states(prepared, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Model faction codes and contested flags [n_days, n_places] from the timeline."""
    when = (np.asarray(days, dtype=np.int64).astype("datetime64[D]")).astype("datetime64[ns]")
    matrix = prepared.timeline.state_matrix(when)
    model_ids = [f.id for f in prepared.model.factions]
    lookup = np.array([model_ids.index(c) if c in model_ids else -1
                       for c in matrix.categories] + [-1], dtype=np.int64)
    codes = lookup[matrix.controller.astype(np.int64)]
    statuses = np.array(matrix.status_categories + ("",), dtype=object)
    status = statuses[matrix.status.astype(np.int64)]
    contested = (status == "contested") | (status == "besieged")
    return codes, contested


# ---------------------------------------------------------------- pages

def _per_value(values, render: Callable[[object], str]) -> np.ndarray:
    """``render`` applied once per distinct value of ``values`` (missing values included), as an
    object array aligned with ``values``: the changelog escapes each distinct text once."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    done = np.array([render(v) for v in uniques], dtype=object)
    return done[codes]


def changes_html(prepared, *, title: str, lang: str) -> str:
    """The dated changelog: every state change with its source and a permalink to the map.

    One row per interval, newest date first, places alphabetically within a date. Built as
    columns: every distinct place, controller pair, status, source and note is escaped once and
    the rows are joined by vectorized string concatenation (no Python loop over rows)."""
    ui = styles.ui_strings(lang)
    model = prepared.model
    iv = model.intervals
    obs = model.observations
    labels = {f.id: f.label for f in model.factions}
    place = model.places["label"].to_numpy(dtype=object)[iv["place_pos"].to_numpy()]
    order = np.lexsort((place.astype(str), -iv["day"].to_numpy()))
    ctrl = iv["controller"].astype(object).to_numpy()[order]
    before = iv.groupby("place_pos")["controller"].shift(1).astype(object).to_numpy()[order]

    def controller_label(was, now) -> str:
        text = labels.get(now, now if isinstance(now, str) else ui["unknown"])
        if isinstance(was, str) and was != now:
            text = f"{labels.get(was, was)} → {text}"
        return escape.text(text)

    # one label per distinct (before, now) pair of controllers
    was_code, was_values = pd.factorize(pd.Series(before, dtype=object), use_na_sentinel=False)
    now_code, now_values = pd.factorize(pd.Series(ctrl, dtype=object), use_na_sentinel=False)
    width = max(len(now_values), 1)
    pair, pair_of = np.unique(was_code.astype(np.int64) * width + now_code, return_inverse=True)
    ctrl_html = np.array([controller_label(was_values[k // width], now_values[k % width])
                          for k in pair.tolist()], dtype=object)[pair_of.reshape(-1)]
    o = iv["obs"].to_numpy(dtype=np.int64)[order]
    has_obs = o >= 0
    safe_o = np.where(has_obs, o, 0)
    source_html = _per_value(
        obs["source"].to_numpy(dtype=object),
        lambda src: escape.link(src, src) if isinstance(src, str) and src else "")
    note_html = _per_value(obs["note"].to_numpy(dtype=object),
                           lambda note: escape.text(note) if isinstance(note, str) else "")
    empty = np.array([""], dtype=object)
    source_cell = np.where(has_obs, source_html[safe_o] if len(obs) else empty,
                           escape.text(ui["disagreement"]))
    note_cell = np.where(has_obs, note_html[safe_o] if len(obs) else empty, "")
    status_cell = _per_value(iv["status"].astype(object).to_numpy()[order],
                             lambda v: escape.text(ui["statuses"].get(v, v)))
    certainty_cell = _per_value(iv["certainty"].astype(object).to_numpy()[order],
                                lambda v: escape.text(ui["certainties"].get(v, v)))
    place_cell = _per_value(place[order], escape.text)
    rows = ("<tr><td>" + place_cell + "</td><td>" + ctrl_html + "</td><td>" + status_cell
            + "</td><td>" + certainty_cell + "</td><td>" + source_cell + "</td><td>"
            + note_cell + "</td></tr>")
    day = iv["day"].to_numpy(dtype=np.int64)[order]
    closing = "</tbody></table></section>"
    if len(day):
        first = np.r_[True, day[1:] != day[:-1]]
        head = ("<th>" + escape.text(ui["place"]) + "</th><th>" + escape.text(ui["controller"])
                + "</th><th>" + escape.text(ui["status"]) + "</th><th>"
                + escape.text(ui["certainty"]) + "</th><th>" + escape.text(ui["source"])
                + "</th><th>" + escape.text(ui["note"]) + "</th>")
        open_map = escape.text(ui["open_map"])
        dates = np.datetime_as_string(day[first].astype("datetime64[D]"), unit="D").astype(object)
        headers = ('<section id="d' + dates + '"><h2><a href="index.html#date=' + dates + '">'
                   + dates + '</a> <small>— <a href="index.html#date=' + dates + '">'
                   + open_map + "</a></small></h2><table><thead><tr>" + head
                   + "</tr></thead><tbody>\n")
        headers[1:] = closing + "\n" + headers[1:]
        prefix = np.full(len(rows), "", dtype=object)
        prefix[first] = headers
        body = "\n".join((prefix + rows).tolist()) + "\n" + closing
    else:
        body = ""
    return (
        f'<!DOCTYPE html>\n<html lang="{escape.text(lang)}" dir="{escape.text(ui["dir"])}">\n'
        '<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape.text(title)} — {escape.text(ui['changes_title'])}</title>\n"
        "<style>body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;"
        "padding:12px;color:#222}table{border-collapse:collapse;width:100%;margin-bottom:18px}"
        "th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:start;vertical-align:top;"
        "overflow-wrap:anywhere}th{background:#f4f4f4}h2{font-size:17px;margin:18px 0 6px}"
        "@media(max-width:640px){td,th{font-size:13px}}</style>\n</head>\n<body>\n"
        f"<h1>{escape.text(title)} — {escape.text(ui['changes_title'])}</h1>\n"
        f"<p>{escape.text(ui['changes_intro'])} <a href=\"index.html\">index.html</a></p>\n"
        f"{body}\n</body>\n</html>\n")


# ---------------------------------------------------------------- the per-date work

# Per-date work is cut into tasks of a fixed number of dates, whatever the number of workers, so
# the same tasks run with --jobs 1 (in process) and --jobs N: the bytes cannot depend on it.
DATA_DATES_PER_TASK = 4
FRAMES_PER_TASK = 8
STATS_DATES_PER_CHUNK = 64  # state matrices of at most this many dates at a time (memory)
# With jobs left to the default, a bundle smaller than this (places × per-date tasks' dates)
# is built in process: starting worker processes would cost more than it saves.
POOL_MIN_WORK = 200_000
# With jobs left to the default, at most this many processes draw frames: each worker is about
# 110 MB (matplotlib and the map's vertex arrays) and every process counts towards the bundle's
# memory (issue 18: < 1 GB for 20,000 places, parent about 650 MB); beyond three the frames are
# no longer the longest part (this process writes the territory and front-line files alone).
DEFAULT_MAX_JOBS = 3


def available_cores() -> int:
    """Cores this process may run on."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return max(os.cpu_count() or 1, 1)


def _chunks(count: int, size: int) -> list[slice]:
    return [slice(i, min(i + size, count)) for i in range(0, count, size)]


def _run_in_order(fn: Callable, tasks: list, *, advance: Callable[[int], object]) -> list:
    """``fn(*task)`` for every task, in this process (territory and front lines share the cell
    topology; their GeoJSON text is GIL-bound Python, so threads gain nothing, and worker
    processes would each hold a copy of the topology and geopandas: issue 18's memory)."""
    results = []
    for task in tasks:
        results.append(fn(*task))
        advance(1)
    return results


def _territory_task(topology, labels, folder: Path, vertices, codes: np.ndarray,
                    dates: np.ndarray) -> int:
    """Territory GeoJSON of each of ``dates``: files written, bytes returned."""
    from layers.territory import territory_frame

    frame = territory_frame(topology, codes, dates=dates, labels=labels)
    return _write_per_date(frame, dates, folder / "data" / "territory", vertices)


def _fronts_task(topology, labels, folder: Path, vertices, codes: np.ndarray,
                 dates: np.ndarray) -> int:
    """Front-line GeoJSON of each of ``dates``."""
    from layers.frontline import front_lines_frame

    frame = front_lines_frame(topology, codes, dates=dates, labels=labels)
    return _write_per_date(frame, dates, folder / "data" / "frontlines", vertices)


def _write_per_date(frame, dates, folder: Path, vertices) -> int:
    """A GeoJSON file per date: the bytes ``layers.io.write_frame`` writes (mapper/geojson.py
    builds the geometry text from coordinate arrays; ``vertices``: the cells' vertices as text),
    written atomically."""
    from .geojson import geojson_by

    written = 0
    for date, text in zip(dates, geojson_by(frame, "date", dates, vertices=vertices),
                          strict=True):  # a task's few dates
        atomic_write_text(folder / f"{date}.geojson", text)
        written += len(text.encode("utf-8"))
    return written


# ---------------------------------------------------------------- data files

def _day_text(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(days, dtype=np.int64).astype("datetime64[D]"),
                                 unit="D").astype(object)


def _controller_codes(prepared, days: np.ndarray):
    when = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[ns]")
    return prepared.timeline.state_matrix(when)


def _territory_table(topology, codes, *, dates, labels) -> pd.DataFrame:
    """[date, controller, places, area_km2] of every date without dissolving a polygon (sums
    of per-cell equal-area km², ``layers.territory.territory_table``)."""
    from layers.territory import territory_table

    return territory_table(topology, codes, dates=dates, labels=labels)


def _write_tables(prepared, folder: Path, days: np.ndarray, *, title: str,
                  stages: Stages) -> dict:
    """Events, places, area stats over every slider date (``days``, from per-cell areas) and
    the area chart. Returns notes for the manifest."""
    from layers.io import write_frame

    data = folder / "data"
    with stages.stage("data files"):
        obs = prepared.observations
        frame = obs.frame.drop(columns=[c for c in ("place_text",) if c in obs.frame]
                               ).sort_values(["row"], kind="stable")
        write_frame(data / "events.csv", frame)
        places = prepared.observations.places.copy()
        places["names"] = prepared.model.places["names"].map("|".join).to_numpy()
        write_frame(data / "places.geojson", places)
    topology = prepared.topology
    if topology is None or not len(days):
        return {"territory": "fewer than two places: no cells"}
    from layers.stats import area_stats

    chunks = _chunks(len(days), STATS_DATES_PER_CHUNK)
    with stages.stage("stats", total=len(chunks)) as advance:
        dates = _day_text(days)
        parts = []
        for part in chunks:
            matrix = _controller_codes(prepared, days[part])
            parts.append(_territory_table(topology, matrix.controller, dates=dates[part],
                                          labels=list(matrix.categories)))
            advance(1)
        table = area_stats(pd.concat(parts, ignore_index=True), dates=dates,
                           controllers=[f.id for f in prepared.factions])
        write_frame(data / "stats.csv", table)
        return _write_chart(prepared, folder, table, title=title)


def _write_chart(prepared, folder: Path, table, *, title: str) -> dict:
    """The area-over-time chart (mapper/charts.py), controllers in the factions' colours."""
    from .charts import area_chart

    png = area_chart(table, colours={f.id: f.colour for f in prepared.factions},
                     labels={f.id: f.label for f in prepared.factions},
                     title=f"{title}: area held (km²)")
    (folder / "images").mkdir(parents=True, exist_ok=True)
    (folder / "images" / "area.png").write_bytes(png)
    return {}


def _write_layers(prepared, folder: Path, data_days: np.ndarray, *, stages: Stages) -> None:
    """Territory and front-line GeoJSON of every data date, a task per few dates."""
    topology = prepared.topology
    if topology is None or not len(data_days):
        return
    topology.cells_wgs84  # noqa: B018 - cached properties, computed once
    topology.edges_wgs84  # noqa: B018
    topology.cell_area_km2  # noqa: B018
    topology.edge_length_km  # noqa: B018
    matrix = _controller_codes(prepared, data_days)
    codes = np.asarray(matrix.controller, dtype=np.int64)
    labels = list(prepared.timeline.controllers)
    del matrix
    dates = _day_text(data_days)
    for name in ("territory", "frontlines"):
        (folder / "data" / name).mkdir(parents=True, exist_ok=True)
    from .geojson import VertexText

    # territories and front lines are made of the cells' own vertices: their text, once
    vertices = VertexText.of(np.concatenate([topology.cells_wgs84, topology.edges_wgs84]))
    tasks = [(topology, labels, folder, vertices, codes[part], dates[part])
             for part in _chunks(len(dates), DATA_DATES_PER_TASK)]
    for name, task in (("territory", _territory_task), ("fronts", _fronts_task)):
        with stages.stage(name, total=len(tasks)) as advance:
            _run_in_order(task, tasks, advance=advance)


# ---------------------------------------------------------------- images

def _frame_days(days: np.ndarray, options: BundleOptions):
    png_days = spread(days, options.images)
    gif_days = spread(days, options.gif_frames) if options.gif else days[:0]
    return png_days, gif_days, np.union1d(png_days, gif_days)


def _start_images(prepared, folder: Path, days: np.ndarray, options: BundleOptions, *,
                  jobs: int) -> FramePainter:
    """The frames of every chosen date, a task per few dates, submitted to a ``FramePainter``
    (mapper/frames.py): with ``jobs`` > 1 its small worker processes start drawing at once,
    while this process writes the territory and front-line files."""
    from .images import sketch_of

    (folder / "images").mkdir(parents=True, exist_ok=True)
    png_days, gif_days, wanted = _frame_days(days, options)
    # one task's frames or none: no process to start
    workers = jobs if len(wanted) > FRAMES_PER_TASK else 1
    painter = FramePainter(sketch_of(scene_of(prepared.model)), title=options.render.title,
                           folder=folder, jobs=workers)
    if not len(wanted):
        return painter
    codes, contested = _states(prepared, wanted)
    small = np.int16 if len(prepared.model.factions) < np.iinfo(np.int16).max else np.int64
    codes = codes.astype(small)
    titles = [str(t) for t in _day_text(wanted)]
    names = [f"map-{t}.png" if d in png_days else None
             for t, d in zip(titles, wanted.tolist(), strict=True)]
    in_gif = np.isin(wanted, gif_days).tolist()
    painter.submit([(codes[p], contested[p], titles[p], names[p], in_gif[p])
                    for p in _chunks(len(wanted), FRAMES_PER_TASK)])
    return painter


def _write_images(painter: FramePainter, folder: Path, *, stages: Stages) -> None:
    """The PNGs (written by the frame tasks) and the animated GIF of their half-size frames."""
    if not painter.tasks:
        return
    with stages.stage("frames", total=painter.tasks) as advance:
        results = painter.results(advance)
    gif_frames = [pixels for chunk in results for pixels in chunk if pixels is not None]
    del results
    if gif_frames:
        with stages.stage("gif"):
            (folder / "images" / "timeline.gif").write_bytes(gif_bytes(gif_frames))


# ---------------------------------------------------------------- the bundle

def pool_jobs(prepared, days: np.ndarray, options: BundleOptions) -> int:
    """Workers for the per-date work: ``options.jobs``, or with None all cores when the bundle
    is big enough to gain from them (else 1, in process), at most ``DEFAULT_MAX_JOBS``. Frames
    are drawn by this process and ``jobs - 1`` small workers; territory and front-line files
    are written here."""
    if options.jobs is not None:
        return max(int(options.jobs), 1)
    _, _, frames = _frame_days(days, options)
    work = len(prepared.model.places) * (len(spread(days, options.data_dates)) + len(frames))
    return min(available_cores(), DEFAULT_MAX_JOBS) if work >= POOL_MIN_WORK else 1


def build_bundle(prepared, folder: Path, options: BundleOptions = BundleOptions(), *,
                 stages: Stages | None = None) -> dict:
    """Write every bundle file into ``folder`` (which must be empty or absent); returns the
    manifest. ``stages`` receives each stage's wall time (``frontline bundle --verbose``).

    Memory (issue 18): the pages and the stats over every slider date come first, in this
    process alone; then the frame workers start (``jobs - 1`` small processes holding only the
    map's vertex arrays) and draw while this process writes the territory and front-line files;
    then this process draws the frames no worker has started. With workers, the "frames" stage
    is that drawing and the wait for the workers' last tasks."""
    stages = stages or Stages()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "images").mkdir(parents=True, exist_ok=True)
    render = options.render
    days, at_day = slider_days(prepared.model, start=render.start, end=render.end,
                               every=render.every, at=render.at)
    data_days = spread(days, options.data_dates)
    jobs = pool_jobs(prepared, days, options)
    with stages.stage("index.html"):
        (folder / "index.html").write_text(render_html(prepared.model, render),
                                           encoding="utf-8")
    with stages.stage("changes.html"):
        (folder / "changes.html").write_text(changes_html(prepared, title=render.title,
                                                          lang=render.lang),
                                             encoding="utf-8")
    notes = _write_tables(prepared, folder, days, title=render.title, stages=stages)
    painter = _start_images(prepared, folder, days, options, jobs=jobs)
    try:
        _write_layers(prepared, folder, data_days, stages=stages)
        _write_images(painter, folder, stages=stages)
    finally:
        painter.close()
    with stages.stage("manifest"):
        files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                       if p.is_file() and p.name != "manifest.json")
        manifest = {
            "tool": "frontline",
            "version": __version__,
            "title": render.title,
            "lang": render.lang,
            "offline": render.offline,
            "inputs": {key: {"name": Path(path).name, "sha256": sha256(path)}
                       for key, path in sorted(prepared.inputs.items())},
            "rows_read": prepared.observations.rows_read,
            "rows_mapped": int(len(prepared.observations.frame)),
            "problems": len(prepared.observations.problems),
            "places": int(len(prepared.model.places)),
            "dates": {"first": iso(int(days[0])), "last": iso(int(days[-1])),
                      "at": iso(at_day), "slider": [iso(int(d)) for d in days],
                      "data": [iso(int(d)) for d in data_days]},
            "notes": notes,
            "files": {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
                      for name in files},
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=1,
                                                         ensure_ascii=False) + "\n",
                                              encoding="utf-8")
    return manifest


def _staged(target: Path, build: Callable[[Path], dict], *,
            stages: Stages | None = None) -> dict:
    """Run ``build`` in a temporary folder next to ``target``, then swap it in atomically."""
    stages = stages or Stages()
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        manifest = build(staging)
        with stages.stage("write"):
            staging.chmod(0o755)
            atomic_replace_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def write_bundle(prepared, target: str | Path, options: BundleOptions = BundleOptions(), *,
                 stages: Stages | None = None) -> dict:
    """Build the bundle of ``prepared`` into ``target`` atomically; returns the manifest.
    ``stages`` receives each stage's wall time."""
    return _staged(Path(target), lambda folder: build_bundle(prepared, folder, options,
                                                             stages=stages), stages=stages)


def write_demo(jobs: Sequence[tuple[Path, str]], target: str | Path, *,
               options: BundleOptions = BundleOptions(),
               report: Callable[[object], object] | None = None,
               outlines: str | Path | None = None) -> dict:
    """The example site: the first events file at the top of ``target``, the others (seeds) in
    ``target/<file stem>/``, swapped in as one. ``outlines`` (e.g. Natural Earth countries) is
    drawn on every map. ``report`` gets each file's prepared inputs (observations, theatre)."""
    from dataclasses import replace

    from .pipeline import prepare

    def build(folder: Path) -> dict:
        manifest: dict = {}
        for i, (events, title) in enumerate(jobs):
            prepared = prepare(events, outlines=outlines)
            if report is not None:
                report(prepared)
            sub = folder if i == 0 else folder / Path(events).stem
            result = build_bundle(prepared, sub, replace(
                options, render=replace(options.render, title=title)))
            if i == 0:
                manifest = result
        return manifest

    return _staged(Path(target), build)
