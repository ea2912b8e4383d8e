"""The render model: what the map needs, in place order, independent of how it was computed.

``MapModel`` is the seam between layers/ (observations, timeline, cells) and the HTML: places
once, every observation once, every state interval once, cells and shared edges once. Its size is
O(places + observations + edges), never O(places × dates)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

PLACE_COLUMNS = ("place_id", "name", "lat", "lon", "label", "names")
OBSERVATION_COLUMNS = ("place_pos", "day", "precision", "controller", "status", "certainty",
                       "kind", "source", "note", "row")
INTERVAL_COLUMNS = ("place_pos", "day", "controller", "status", "certainty", "obs")
EPOCH = np.datetime64("1970-01-01", "D")


@dataclass(frozen=True, slots=True)
class FactionStyle:
    """One faction as the map shows it: legend label and fill colour."""

    id: str
    label: str
    colour: str


@dataclass(frozen=True)
class MapModel:
    """Everything one map shows.

    places: DataFrame[place_id, name, lat, lon, label, names] — ``label`` is the display name in the
        map's language, ``names`` a tuple of every searchable name and alias.
    observations: DataFrame[place_pos, day, precision, controller, status, certainty, kind, source,
        note, row] — ``day`` is days since 1970-01-01, ``precision`` is day|month|year, ``row`` the
        input line; sorted by (place_pos, day).
    intervals: DataFrame[place_pos, day, controller, status, certainty, obs] — the state that starts
        on ``day`` (until the next one of the same place); ``obs`` is the position in
        ``observations`` of the observation that set it, -1 when several did (a disagreement).
        Optional (layers/reconcile.py): ``confidence`` (0–1), ``sources`` (the summary: "3
        sources agree: …" / "sources disagree: A says X, B says Y") and ``span`` (days from the
        first to the last report of the group, whose observations the popup lists).
    cells: one (Multi)Polygon per place (aligned with ``places``) or None.
    edges: (left positions, right positions, LineStrings) of neighbouring cells, or None.
    outline: the theatre outline (any polygonal geometry) drawn without tiles, or None.
    localities: a layers.localities.Localities of the topology (every unobserved gazetteer place
        of the theatre, drawn hollow in its cell's state) with a ``label`` column, or None.
    """

    places: pd.DataFrame
    observations: pd.DataFrame
    intervals: pd.DataFrame
    factions: tuple[FactionStyle, ...]
    cells: tuple | None = None
    edges: tuple | None = None
    outline: object | None = None
    inputs: dict = field(default_factory=dict)
    localities: object | None = None

    def __post_init__(self) -> None:
        for name, frame, columns in (("places", self.places, PLACE_COLUMNS),
                                     ("observations", self.observations, OBSERVATION_COLUMNS),
                                     ("intervals", self.intervals, INTERVAL_COLUMNS)):
            missing = [c for c in columns if c not in frame.columns]
            if missing:
                raise ValueError(f"MapModel.{name} lacks columns {missing}")
        if self.cells is not None and len(self.cells) != len(self.places):
            raise ValueError(f"MapModel.cells has {len(self.cells)} cells for "
                             f"{len(self.places)} places; they must be aligned")

    def change_days(self) -> np.ndarray:
        """Sorted unique days on which some place's state starts."""
        return np.unique(self.intervals["day"].to_numpy(dtype=np.int64))


def to_day(value) -> int:
    """A date-like value (``YYYY-MM-DD`` string, datetime, numpy datetime) as days since 1970."""
    return int((np.datetime64(pd.Timestamp(value).date(), "D") - EPOCH).astype(np.int64))


def days_of(values) -> np.ndarray:
    """Vectorized ``to_day`` over a column of dates."""
    stamps = pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[D]")
    return (stamps - EPOCH).astype(np.int64)


def iso(day: int) -> str:
    return str(EPOCH + np.timedelta64(int(day), "D"))


def is_arabic(name: str) -> bool:
    """True when ``name`` is written mostly in Arabic script."""
    letters = [c for c in name if c.isalpha()]
    arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f")
    return bool(letters) and arabic * 2 >= len(letters)


def display_label(name: str, names, lang: str) -> str:
    """The label in ``lang``: for ``ar`` the first Arabic-script name when there is one."""
    if lang == "ar":
        for other in names:
            if is_arabic(other):
                return other
    return name


def model_from_layers(observations, timeline, factions, *, names=None, lang: str = "en",
                      topology=None, outline=None) -> MapModel:
    """A MapModel from layers/ objects.

    observations: ObservationSet (``frame`` + ``places``); timeline: its Timeline; factions: the
    Factions; names: ``{place_id: [every name]}`` (gazetteer alternate names, Arabic included);
    topology: a CellTopology of ``observations.places`` (or None: markers only); outline: polygons
    drawn when there are no tiles (default: the topology's theatre).
    """
    places_in = observations.places.reset_index(drop=True)
    place_ids = places_in["place_id"].astype(str).to_numpy(dtype=object)
    frame = observations.frame
    pos = pd.Index(place_ids).get_indexer(frame["place_id"].astype(str).to_numpy(dtype=object))
    if (pos < 0).any():
        raise ValueError("observations name a place_id missing from observations.places")

    written = pd.DataFrame({"place_id": frame["place_id"].astype(str),
                            "text": frame.get("place_text", frame["place"]).astype(str)})
    written = written.groupby("place_id", sort=False)["text"].agg(lambda s: list(dict.fromkeys(s)))
    names = names or {}
    all_names, labels = [], []
    for pid, name in zip(place_ids, places_in["name"].astype(str), strict=True):
        as_written = written.get(pid, [])
        pool = [*names.get(pid, ()), *as_written]
        # Readers search for the spelling of the reports, so it labels the place in English.
        label = display_label(as_written[0] if as_written else name, pool, lang)
        others = [n for n in dict.fromkeys([name, *pool]) if n and n != label]
        labels.append(label)
        all_names.append(tuple(others))
    area_rows = getattr(observations, "area_rows", None)  # area observations, per member place
    if area_rows is not None and len(area_rows):
        frame = pd.concat([frame, area_rows], ignore_index=True)
        pos = pd.Index(place_ids).get_indexer(frame["place_id"].astype(str).to_numpy(object))
    places = pd.DataFrame({"place_id": place_ids, "name": places_in["name"].astype(str),
                           "lat": places_in["lat"].astype(float),
                           "lon": places_in["lon"].astype(float), "label": labels,
                           "names": all_names})

    obs = pd.DataFrame({
        "place_pos": pos,
        "day": days_of(frame["date"]),
        "precision": frame["date_precision"].astype(object),
        "controller": frame["controller"].astype(object),
        "status": frame["status"].astype(object),
        "certainty": frame["certainty"].astype(object),
        "kind": frame["kind"].astype(object),
        "source": frame["source"].astype(object),
        "note": frame["note"].astype(object),
        "row": frame["row"].astype(np.int64),
    }).sort_values(["place_pos", "day", "row"], kind="stable").reset_index(drop=True)

    iv = timeline.intervals
    iv_pos = pd.Index(place_ids).get_indexer(iv["place_id"].astype(str).to_numpy(object))
    # An area row is one input line for many places: look observations up by (place, line).
    obs_at_row = pd.Series(np.arange(len(obs)), index=obs["place_pos"].to_numpy(np.int64)
                           * (1 << 32) + obs["row"].to_numpy(np.int64))
    obs_at_row = obs_at_row[~obs_at_row.index.duplicated()]
    obs_index = obs_at_row.reindex(iv_pos.astype(np.int64) * (1 << 32)
                                   + iv["obs_row"].to_numpy(np.int64)).fillna(-1).astype(np.int64)
    conflict = iv["conflict"].to_numpy(dtype=bool) if "conflict" in iv else np.zeros(len(iv), bool)
    intervals = pd.DataFrame({
        "place_pos": iv_pos,
        "day": days_of(iv["valid_from"]),
        "controller": iv["controller"].astype(object),
        "status": iv["status"].astype(object),
        "certainty": iv["certainty"].astype(object),
        "obs": np.where(conflict, -1, obs_index.to_numpy()),
        **_reconciled(iv),
    }).sort_values(["place_pos", "day"], kind="stable").reset_index(drop=True)

    cells = edges = None
    if topology is not None:
        cells, edges = _cells_and_edges(topology, place_ids)
        if outline is None:
            outline = topology.to_wgs84(topology.theatre)
    styles = tuple(FactionStyle(f.id, f.label, f.colour) for f in factions)
    return MapModel(places=places, observations=obs, intervals=intervals, factions=styles,
                    cells=cells, edges=edges, outline=outline)


def _reconciled(iv: pd.DataFrame) -> dict:
    """The reconciliation columns of the timeline's intervals, when it has them."""
    if "confidence" not in iv:
        return {}
    return {"confidence": iv["confidence"].to_numpy(np.float64),
            "sources": iv["sources"].astype(object).to_numpy(),
            "span": iv["span_days"].to_numpy(np.int64)}


def _cells_and_edges(topology, place_ids) -> tuple[tuple, tuple]:
    """Cells aligned with ``place_ids`` (co-located places: the first one carries the shared
    cell) and the shared edges between neighbouring places."""
    import shapely

    if list(map(str, topology.place_ids)) != list(map(str, place_ids)):
        raise ValueError("the cell topology was built for another place list or order")
    cells_frame = topology.cells_frame()
    first = topology.first_place_of_site[topology.site_of_place]
    geoms = cells_frame.geometry.to_numpy()
    geoms = np.where(first == np.arange(len(first)), geoms, shapely.Polygon())
    edges_frame = topology.edges_frame()
    edges = (edges_frame["left"].to_numpy(np.int64), edges_frame["right"].to_numpy(np.int64),
             edges_frame.geometry.to_numpy())
    return tuple(geoms), edges
