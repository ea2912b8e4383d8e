"""The interactive map: one self-contained HTML page built on folium/branca.

The page embeds the compact payload (mapper/payload.py) once and the browser computes the state of
every place for the slider's date (templates/frontline.js). Output is byte-deterministic: folium's
random element ids are replaced by a counter while the map is built and rendered.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import branca.element
import folium
import jinja2
import numpy as np
import pandas as pd
from branca.element import Element, Figure, MacroElement

from . import escape, styles
from .model import MapModel, iso, to_day
from .payload import build_payload

_EVERY = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$", re.IGNORECASE)


class LeafletNotFound(FileNotFoundError):
    """Inlining Leaflet needs its dist files; the message says how to get them."""


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How to render. Dates are ``YYYY-MM-DD``; ``every`` is ``<n>D|W|M|Y``."""

    title: str = "Frontline"
    lang: str = "en"
    at: str | None = None
    start: str | None = None
    end: str | None = None
    every: str | None = None
    offline: bool = False
    leaflet_dir: Path | None = None
    cdn: bool = False


def asset_mode(options: RenderOptions) -> tuple[bool, bool]:
    """(inline Leaflet?, tile layer?) of ``options``.

    Default: Leaflet inlined from the ``xstatic-leaflet`` package and an optional tile layer the
    page adds only once a probe tile loads (offline it stays away quietly and the outlines are
    the base map). ``cdn``: Leaflet from the CDN (a smaller page that needs the network).
    ``offline``: Leaflet inlined and no tile layer at all, so the page makes no request."""
    if options.cdn and options.offline:
        raise ValueError("--cdn and --offline contradict each other: --cdn loads Leaflet from "
                         "the network, --offline makes no request; give one of them")
    return not options.cdn, not options.offline


# ---------------------------------------------------------------- slider dates

def parse_every(every: str) -> tuple[int, str]:
    """``"3M"`` → ``(3, "M")``; ValueError says the accepted form."""
    match = _EVERY.match(every or "")
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"--every {every!r}: use a positive count and a unit D, W, M or Y, "
                         "e.g. 7D, 2W, 1M, 1Y")
    return int(match.group(1)), match.group(2).upper()


def slider_days(model: MapModel, *, start: str | None = None, end: str | None = None,
                every: str | None = None, at: str | None = None) -> tuple[np.ndarray, int]:
    """Slider stops (days since 1970) and the initial day.

    Default stops are the days on which something changed, limited to [start, end] (the bounds
    themselves become stops). ``every`` replaces them with a regular calendar from start to end.
    ``at`` is added as a stop when missing; it defaults to the last stop.
    """
    changes = model.change_days()
    first = _option_day("--from", start) if start else (int(changes[0]) if len(changes) else None)
    last = _option_day("--to", end) if end else (int(changes[-1]) if len(changes) else None)
    if first is None or last is None:
        if at is None:
            raise ValueError("nothing to map: no usable observations (see the problems report)")
        first = last = _option_day("--at", at)
    if first > last:
        raise ValueError(f"--from {iso(first)} is after --to {iso(last)}")
    if every:
        count, unit = parse_every(every)
        offset = {"D": pd.DateOffset(days=count), "W": pd.DateOffset(weeks=count),
                  "M": pd.DateOffset(months=count), "Y": pd.DateOffset(years=count)}[unit]
        stamps = pd.date_range(pd.Timestamp(iso(first)), pd.Timestamp(iso(last)), freq=offset)
        days = ((stamps.to_numpy().astype("datetime64[D]") - np.datetime64("1970-01-01", "D"))
                .astype(np.int64))
    else:
        days = changes[(changes >= first) & (changes <= last)]
    days = np.union1d(days, [first, last])
    at_day = _option_day("--at", at) if at else int(days[-1])
    return np.union1d(days, [at_day]).astype(np.int64), at_day


def check_dates(*, at: str | None = None, start: str | None = None,
                end: str | None = None) -> None:
    """Fail on a bad --at, --from or --to as ``slider_days`` would, before any events are read."""
    for option, value in (("--at", at), ("--from", start), ("--to", end)):
        if value:
            _option_day(option, value)


def _option_day(option: str, value: str) -> int:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value).strip()):
        raise ValueError(f"{option} {value!r}: give a date as YYYY-MM-DD")
    try:
        return to_day(str(value).strip())
    except ValueError as exc:
        raise ValueError(f"{option} {value!r}: not a calendar date ({exc})") from None


# ---------------------------------------------------------------- deterministic ids

@contextlib.contextmanager
def deterministic_ids(prefix: str = "fl") -> Iterator[None]:
    """Give branca/folium elements counter-based ids (``fl0001``…) instead of random ones."""
    counter = itertools.count(1)
    original = branca.element.Element.__dict__["_generate_id"]
    branca.element.Element._generate_id = classmethod(lambda cls: f"{prefix}{next(counter):04d}")
    try:
        yield
    finally:
        branca.element.Element._generate_id = original


# ---------------------------------------------------------------- folium elements

_ENV = jinja2.Environment(autoescape=True, keep_trailing_newline=True,
                          loader=jinja2.PackageLoader("mapper", "templates"))


def _template_text(name: str) -> str:
    return resources.files("mapper").joinpath(f"templates/{name}").read_text("utf-8")


class FrontlineFigure(Figure):
    """A branca Figure whose <html> carries the page language and direction."""

    _template = branca.element.Template(
        "<!DOCTYPE html>\n"
        '<html lang="{{ this.lang }}" dir="{{ this.dir }}">\n'
        "<head>\n"
        "<title>{{ this.title }}</title>\n"
        "    {{ this.header.render(**kwargs) }}\n"
        "</head>\n"
        "<body>\n"
        "    {{ this.html.render(**kwargs) }}\n"
        "</body>\n"
        "<script>\n"
        "    {{ this.script.render(**kwargs) }}\n"
        "</script>\n"
        "</html>\n"
    )

    def __init__(self, *, title: str, lang: str, direction: str):
        super().__init__(title=escape.text(title))
        self.lang = escape.text(lang)
        self.dir = escape.text(direction)


class FrontlineMap(folium.Map):
    """folium.Map with only Leaflet as a dependency (no jQuery/Bootstrap/icon fonts)."""

    default_js = [("leaflet", f"{styles.LEAFLET_CDN}/leaflet.js")]
    default_css = [("leaflet_css", f"{styles.LEAFLET_CDN}/leaflet.css")]


class FrontlineApp(MacroElement):
    """The data payload, the panel and the browser code of the time slider."""

    _template = branca.element.Template("""
{% macro header(this, kwargs) %}
<style>{{ this.css }}</style>
{% endmacro %}
{% macro html(this, kwargs) %}
{{ this.panel }}
<script type="application/json" id="frontline-data">{{ this.data }}</script>
{% endmacro %}
{% macro script(this, kwargs) %}
{{ this.js }}
frontlineApp({{ this._parent.get_name() }},
  JSON.parse(document.getElementById("frontline-data").textContent), {{ this.ui }});
{% endmacro %}
""")

    def __init__(self, *, payload: dict, title: str, lang: str, tiles: bool = False):
        super().__init__()
        self._name = "FrontlineApp"
        ui = styles.js_style(lang)
        ui["tiles"] = styles.tiles_config() if tiles else None
        self.data = escape.script_json(payload)
        self.ui = escape.script_json(ui)
        self.js = _template_text("frontline.js")
        self.css = _ENV.get_template("frontline.css").render(
            contested_colour=styles.CONTESTED_COLOUR)
        self.panel = _ENV.get_template("panel.html").render(title=title, ui=ui)


class InlineAssets(Element):
    """Leaflet's CSS and JS inlined in the page (offline: no CDN request)."""

    def __init__(self, *, css: str, js: str):
        super().__init__()
        self._name = "InlineAssets"
        self.css, self.js = css, js
        self._template = branca.element.Template(
            "<style>{{ this.css }}</style>\n<script>{{ this.js }}</script>\n")


# ---------------------------------------------------------------- Leaflet files

def find_leaflet_dir(leaflet_dir: Path | None = None) -> Path:
    """The directory holding leaflet.js and leaflet.css: ``leaflet_dir`` when given, else the
    files of the ``xstatic-leaflet`` package installed with Frontline."""
    if leaflet_dir is not None:
        candidates = [Path(leaflet_dir)]
    else:
        try:
            from xstatic.pkg import leaflet as xstatic_leaflet
        except ImportError:
            candidates = []
        else:
            candidates = [Path(xstatic_leaflet.BASE_DIR)]
    for folder in candidates:
        if (folder / "leaflet.js").is_file() and (folder / "leaflet.css").is_file():
            return folder
    where = " or ".join(str(c) for c in candidates) or "the xstatic-leaflet package"
    raise LeafletNotFound(
        f"Leaflet's leaflet.js and leaflet.css were not found in {where}. Reinstall Frontline "
        "(`pip install -e .` or `make install` installs the PyPI package xstatic-leaflet), "
        "pass --leaflet-dir PATH to a folder that holds them, or use --cdn to load Leaflet "
        "from the network.")


def leaflet_assets(leaflet_dir: Path | None = None) -> tuple[str, str]:
    """(css, js) of Leaflet with the CSS images inlined as data: URIs."""
    folder = find_leaflet_dir(leaflet_dir)
    css = (folder / "leaflet.css").read_text("utf-8")

    def inline(match: re.Match) -> str:
        image = folder / "images" / match.group(1)
        if not image.is_file():
            return "url()"
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    css = re.sub(r"url\(images/([\w.-]+\.png)\)", inline, css)
    js = (folder / "leaflet.js").read_text("utf-8")
    js = js.replace("//# sourceMappingURL=leaflet.js.map", "")
    return css, js


# ---------------------------------------------------------------- the map

def build_map(model: MapModel, options: RenderOptions = RenderOptions()) -> folium.Map:
    """The folium map of ``model``. Build and render it inside ``deterministic_ids()``."""
    ui = styles.ui_strings(options.lang)  # validates the language
    days, at_day = slider_days(model, start=options.start, end=options.end,
                               every=options.every, at=options.at)
    inline, tiles = asset_mode(options)
    meta = {"title": options.title, "lang": options.lang,
            "offline": options.offline}
    payload = build_payload(model, days=days, at=at_day, meta=meta)
    lat = model.places["lat"].to_numpy(dtype=float)
    lon = model.places["lon"].to_numpy(dtype=float)
    center = [float(np.mean(lat)), float(np.mean(lon))] if len(lat) else [0.0, 0.0]
    figure = FrontlineFigure(title=options.title, lang=options.lang, direction=ui["dir"])
    fmap = FrontlineMap(location=[round(c, 4) for c in center], zoom_start=8, tiles=None,
                        control_scale=True, zoom_snap=0.5)
    figure.add_child(fmap)
    if inline:
        css, js = leaflet_assets(options.leaflet_dir)
        fmap.default_js, fmap.default_css = [], []
        figure.header.add_child(InlineAssets(css=css, js=js), name="leaflet_inline")
    fmap.add_child(FrontlineApp(payload=payload, title=options.title, lang=options.lang,
                                tiles=tiles))
    return fmap


def render_html(model: MapModel, options: RenderOptions = RenderOptions()) -> str:
    """The complete HTML page; identical inputs give identical bytes."""
    with deterministic_ids():
        fmap = build_map(model, options)
        return fmap.get_root().render()
