"""The static bundle: a folder anyone can host, open from disk, or put in an iframe.

``index.html`` (the map), ``changes.html`` (the dated changelog), ``data/`` (events, places,
per-date territory and front lines, stats), ``images/`` (PNGs, GIF, area chart) and
``manifest.json``. Built in a temporary folder next to the target and swapped in atomically: a
failure leaves the previous bundle as it was. No timestamps anywhere: same inputs, same bytes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gazetteer._io import atomic_replace_dir

from . import __version__, escape, styles
from .images import Frame, MapPainter, gif_bytes, png_bytes
from .model import iso
from .render import RenderOptions, render_html, slider_days


@dataclass(frozen=True, slots=True)
class BundleOptions:
    """``images``: how many dates get a PNG; ``data_dates``: at most this many dates get
    territory/front-line GeoJSON (evenly spread over the slider, always the first and last);
    ``gif_frames``: at most this many frames in the animation."""

    render: RenderOptions = field(default_factory=RenderOptions)
    images: int = 6
    data_dates: int = 60
    gif: bool = True
    gif_frames: int = 120


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

def changes_html(prepared, *, title: str, lang: str) -> str:
    """The dated changelog: every state change with its source and a permalink to the map."""
    ui = styles.ui_strings(lang)
    model = prepared.model
    iv = model.intervals
    obs = model.observations
    labels = {f.id: f.label for f in model.factions}
    place = model.places["label"].to_numpy(dtype=object)[iv["place_pos"].to_numpy()]
    prev_ctrl = iv.groupby("place_pos")["controller"].shift(1)
    order = np.lexsort((place.astype(str), -iv["day"].to_numpy()))
    rows: list[str] = []
    current_day = None
    for k in order:
        day = int(iv["day"].iat[k])
        if day != current_day:
            if current_day is not None:
                rows.append("</tbody></table></section>")
            current_day = day
            date = iso(day)
            rows.append(
                f'<section id="d{date}"><h2><a href="index.html#date={date}">{date}</a> '
                f'<small>— <a href="index.html#date={date}">{escape.text(ui["open_map"])}</a>'
                f"</small></h2><table><thead><tr><th>{escape.text(ui['place'])}</th>"
                f"<th>{escape.text(ui['controller'])}</th><th>{escape.text(ui['status'])}</th>"
                f"<th>{escape.text(ui['certainty'])}</th><th>{escape.text(ui['source'])}</th>"
                f"<th>{escape.text(ui['note'])}</th></tr></thead><tbody>")
        ctrl = iv["controller"].iat[k]
        before = prev_ctrl.iat[k]
        ctrl_label = labels.get(ctrl, ctrl if isinstance(ctrl, str) else ui["unknown"])
        if isinstance(before, str) and before != ctrl:
            ctrl_label = f"{labels.get(before, before)} → {ctrl_label}"
        o = int(iv["obs"].iat[k])
        source = note = ""
        if o >= 0:
            src = obs["source"].iat[o]
            source = escape.link(src, src) if isinstance(src, str) and src else ""
            note = escape.text(obs["note"].iat[o]) if isinstance(obs["note"].iat[o], str) else ""
        else:
            source = escape.text(ui["disagreement"])
        status = iv["status"].iat[k]
        certainty = iv["certainty"].iat[k]
        rows.append(
            f"<tr><td>{escape.text(place[k])}</td><td>{escape.text(ctrl_label)}</td>"
            f"<td>{escape.text(ui['statuses'].get(status, status))}</td>"
            f"<td>{escape.text(ui['certainties'].get(certainty, certainty))}</td>"
            f"<td>{source}</td><td>{note}</td></tr>")
    if current_day is not None:
        rows.append("</tbody></table></section>")
    body = "\n".join(rows)
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


# ---------------------------------------------------------------- data files

def _write_data(prepared, folder: Path, days: np.ndarray, data_days: np.ndarray, *,
                title: str) -> dict:
    """Events, places, per-date territory/front lines (``data_days``) and area stats over every
    slider date (``days``) with their chart. Returns notes for the manifest."""
    from layers.io import write_frame

    data = folder / "data"
    obs = prepared.observations
    frame = obs.frame.drop(columns=[c for c in ("place_text",) if c in obs.frame]).sort_values(
        ["row"], kind="stable")
    write_frame(data / "events.csv", frame)
    places = prepared.observations.places.copy()
    places["names"] = prepared.model.places["names"].map("|".join).to_numpy()
    write_frame(data / "places.geojson", places)
    topology = prepared.topology
    if topology is None or not len(days):
        return {"territory": "fewer than two places: no cells"}
    from layers.frontline import front_lines_frame
    from layers.stats import area_stats
    from layers.territory import territory_frame

    when = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[ns]")
    matrix = prepared.timeline.state_matrix(when)
    labels = list(matrix.categories)
    dates = np.array([iso(int(d)) for d in days], dtype=object)
    territory = territory_frame(topology, matrix.controller, dates=dates, labels=labels)
    keep = np.isin(days, data_days)
    fronts = front_lines_frame(topology, matrix.controller[keep], dates=dates[keep],
                               labels=labels)
    for date in dates[keep]:
        write_frame(data / "territory" / f"{date}.geojson",
                    territory[territory["date"] == date].reset_index(drop=True))
        write_frame(data / "frontlines" / f"{date}.geojson",
                    fronts[fronts["date"] == date].reset_index(drop=True))
    table = area_stats(territory, dates=dates, controllers=[f.id for f in prepared.factions])
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


# ---------------------------------------------------------------- images

def _write_images(prepared, folder: Path, days: np.ndarray, options: BundleOptions) -> None:
    images = folder / "images"
    images.mkdir(parents=True, exist_ok=True)
    png_days = spread(days, options.images)
    gif_days = spread(days, options.gif_frames) if options.gif else days[:0]
    wanted = np.union1d(png_days, gif_days)
    if not len(wanted):
        return
    codes, contested = _states(prepared, wanted)
    painter = MapPainter(prepared.model, title=options.render.title)
    try:
        gif_frames = []
        for i, day in enumerate(wanted):
            pixels = painter.frame(Frame(codes[i], contested[i], iso(int(day))))
            if day in png_days:
                (images / f"map-{iso(int(day))}.png").write_bytes(png_bytes(pixels))
            if day in gif_days:
                gif_frames.append(pixels[::2, ::2])
        if gif_frames:
            (images / "timeline.gif").write_bytes(gif_bytes(gif_frames))
    finally:
        painter.close()


# ---------------------------------------------------------------- the bundle

def build_bundle(prepared, folder: Path, options: BundleOptions = BundleOptions()) -> dict:
    """Write every bundle file into ``folder`` (which must be empty or absent); returns the
    manifest."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    render = options.render
    days, at_day = slider_days(prepared.model, start=render.start, end=render.end,
                               every=render.every, at=render.at)
    (folder / "index.html").write_text(render_html(prepared.model, render), encoding="utf-8")
    (folder / "changes.html").write_text(changes_html(prepared, title=render.title,
                                                      lang=render.lang), encoding="utf-8")
    data_days = spread(days, options.data_dates)
    notes = _write_data(prepared, folder, days, data_days, title=render.title)
    _write_images(prepared, folder, days, options)
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
        "dates": {"first": iso(int(days[0])), "last": iso(int(days[-1])), "at": iso(at_day),
                  "slider": [iso(int(d)) for d in days],
                  "data": [iso(int(d)) for d in data_days]},
        "notes": notes,
        "files": {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
                  for name in files},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False)
                                          + "\n", encoding="utf-8")
    return manifest


def _staged(target: Path, build: Callable[[Path], dict]) -> dict:
    """Run ``build`` in a temporary folder next to ``target``, then swap it in atomically."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        manifest = build(staging)
        staging.chmod(0o755)
        atomic_replace_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def write_bundle(prepared, target: str | Path, options: BundleOptions = BundleOptions()) -> dict:
    """Build the bundle of ``prepared`` into ``target`` atomically; returns the manifest."""
    return _staged(Path(target), lambda folder: build_bundle(prepared, folder, options))


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
