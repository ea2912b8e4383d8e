"""The notebook façade: one events file → checked observations, time slices, territory,
front lines and a map object that displays inline (``_repr_html_``) and saves to HTML."""

from __future__ import annotations

import html as _html
from dataclasses import dataclass
from pathlib import Path

import numpy as np


def _days(dates) -> np.ndarray:
    """Dates (``YYYY-MM-DD`` strings, datetimes, numpy datetime64) → datetime64[ns]."""
    from layers.dates import to_datetime64

    if isinstance(dates, str) or not hasattr(dates, "__iter__"):
        dates = [dates]
    return np.asarray(to_datetime64(list(dates)), dtype="datetime64[ns]")


@dataclass(frozen=True, slots=True)
class Map:
    """An interactive map page: displays inline in Jupyter, ``.save(path)`` writes the HTML
    (atomically). ``html`` is the same self-contained page ``frontline render`` writes."""

    html: str
    height: int = 600

    def _repr_html_(self) -> str:
        # An iframe keeps the page's own <html>, styles and scripts apart from the notebook's.
        return (f'<iframe srcdoc="{_html.escape(self.html, quote=True)}" '
                f'style="width:100%;height:{int(self.height)}px;border:0" '
                'sandbox="allow-scripts allow-popups" loading="lazy"></iframe>')

    def save(self, path: str | Path) -> Path:
        from gazetteer._io import atomic_write_text

        path = Path(path)
        atomic_write_text(path, self.html)
        return path


@dataclass(frozen=True, slots=True)
class Events:
    """One events file read, checked and laid out (``mapper.pipeline.Prepared``)."""

    prepared: object
    lang: str = "en"

    # ---------------------------------------------------------------- observations
    @property
    def observations(self):
        """The layers.ObservationSet: ``frame`` (usable rows), ``places``, ``problems``."""
        return self.prepared.observations

    @property
    def report(self):
        """The check report (layers.CheckReport): rows read, usable, dropped, problems."""
        from layers import check_observations

        return check_observations(self.prepared.observations)

    @property
    def problems(self) -> list[str]:
        """Every problem as the CLI prints it: file, line, field, value and how to fix it."""
        return [str(p) for p in self.prepared.observations.problems]

    @property
    def places(self):
        """One row per place (GeoDataFrame, EPSG:4326)."""
        return self.prepared.observations.places

    def change_dates(self) -> list[str]:
        """The dates on which some place changed state (``YYYY-MM-DD``)."""
        changes = self.prepared.timeline.change_dates()
        return [str(d)[:10] for d in np.asarray(changes, dtype="datetime64[D]")]

    # ---------------------------------------------------------------- time slices
    def slice_at(self, dates, *, include_unknown: bool = True):
        """The state of every place on each of ``dates``: one row per place per date
        (GeoDataFrame, EPSG:4326). A place not yet observed on a date has an empty controller;
        ``include_unknown=False`` leaves such rows out (what ``frontline slice`` writes)."""
        from layers import slice_at

        return slice_at(self.prepared.timeline, self.prepared.observations.places,
                        _days(dates), include_unknown=include_unknown)

    def _matrix(self, dates):
        topology = self.prepared.topology
        if topology is None:
            raise ValueError(f"{self.prepared.observations.path}: territory needs at least two "
                             "places with usable observations")
        when = _days(dates)
        labels = np.array([str(d)[:10] for d in when.astype("datetime64[D]")], dtype=object)
        return topology, self.prepared.timeline.state_matrix(when), labels

    def territory(self, dates):
        """Territory per date and controller: [date, controller, places, area_km2, geometry]."""
        from layers.territory import territory_frame

        topology, matrix, labels = self._matrix(dates)
        return territory_frame(topology, matrix.controller, dates=labels,
                               labels=list(matrix.categories))

    def front_lines(self, dates):
        """Front lines per date: [date, side_a, side_b, edges, length_km, geometry]."""
        from layers.frontline import front_lines_frame

        topology, matrix, labels = self._matrix(dates)
        return front_lines_frame(topology, matrix.controller, dates=labels,
                                 labels=list(matrix.categories))

    # ---------------------------------------------------------------- the map
    def map(self, *, title: str = "Frontline", at: str | None = None, start: str | None = None,
            end: str | None = None, every: str | None = None, cdn: bool = False,
            offline: bool = False, height: int = 600) -> Map:
        """The interactive map (``frontline render``'s page): Leaflet inlined from the
        xstatic-leaflet package unless ``cdn``; ``offline`` also leaves out the tile layer."""
        from mapper.render import RenderOptions, render_html

        options = RenderOptions(title=title, lang=self.lang, at=at, start=start,
                                end=end, every=every, cdn=cdn, offline=offline)
        return Map(html=render_html(self.prepared.model, options), height=height)

    def _repr_html_(self) -> str:
        return self.map()._repr_html_()


def read_events(path: str | Path, *, factions: str | Path | None = None,
                theatre: str | Path | None = None, outlines: str | Path | None = None,
                lang: str = "en") -> Events:
    """Read and check an events file (CSV/GeoJSON, DESIGN §2) and lay out its layers, exactly
    as ``frontline render`` does. Problems do not raise: see ``.problems`` / ``.report``."""
    from mapper.pipeline import prepare

    return Events(prepare(path, factions=factions, theatre=theatre, outlines=outlines,
                          lang=lang), lang=lang)
