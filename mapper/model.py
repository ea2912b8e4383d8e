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
    cells: one (Multi)Polygon per place (aligned with ``places``) or None.
    edges: (left positions, right positions, LineStrings) of neighbouring cells, or None.
    outline: the theatre outline (any polygonal geometry) drawn without tiles, or None.
    """

    places: pd.DataFrame
    observations: pd.DataFrame
    intervals: pd.DataFrame
    factions: tuple[FactionStyle, ...]
    cells: tuple | None = None
    edges: tuple | None = None
    outline: object | None = None
    inputs: dict = field(default_factory=dict)

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
