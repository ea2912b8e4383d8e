"""The timeline: observations replayed into per-place intervals ``[valid_from, valid_to)``.

Rules (DESIGN.md §2): the latest observation wins; on one date, confirmed beats claimed, and among
equals the last row of the file wins; two confirmed observations of one place on one date naming
different controllers make the place ``contested``. With a window of W days, "one date" is a
report group: the reports of a place within W days of the group's first one (the grouping, the
winner, the disagreement and each interval's ``confidence`` / ``sources`` summary are the rules
of ``layers/reconcile.py``). A contested observation without a holder
(controller ``contested``) keeps the place's last known holder as its controller.

Every interval carries its provenance: the input row, source, note, certainty and date precision
of the observation that caused it, and ``since``: the first day of the run of intervals with the
same controller.

``Timeline.state_matrix(dates)`` answers "who holds each place on each date" for many dates at
once in one vectorized pass (searchsorted + a running maximum): no loop over dates or places.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from .dates import days, to_datetime64
from .reconcile import (
    SourceWeights,
    agreement,
    factorize_sources,
    group_reports,
    load_sources,
)

STATUSES: tuple[str, ...] = ("held", "contested", "besieged")
CERTAINTIES: tuple[str, ...] = ("confirmed", "claimed")
_CONTESTED = STATUSES.index("contested")

INTERVAL_COLUMNS: tuple[str, ...] = (
    "place_id", "valid_from", "valid_to", "controller", "status", "certainty", "kind", "since",
    "obs_row", "source", "note", "date_text", "date_precision", "conflict", "run_start",
    "confidence", "n_sources", "sources", "span_days")


@dataclass(frozen=True)
class StateMatrix:
    """The state of ``place_ids`` (columns) on ``dates`` (rows). Codes index the ``*_categories``;
    -1 means unknown (no observation yet). ``interval`` indexes ``Timeline.intervals`` rows."""

    dates: np.ndarray               # datetime64[ns], shape (n_dates,)
    place_ids: np.ndarray           # object/str, shape (n_places,)
    controller: np.ndarray          # int16 (n_dates, n_places), -1 unknown
    status: np.ndarray              # int8, -1 unknown
    certainty: np.ndarray           # int8, -1 unknown
    obs_row: np.ndarray             # int64 input line of the causing observation, -1 unknown
    interval: np.ndarray            # int64 row of Timeline.intervals, -1 unknown
    categories: tuple[str, ...]     # controller ids, code i → categories[i]
    status_categories: tuple[str, ...] = STATUSES
    certainty_categories: tuple[str, ...] = CERTAINTIES

    @property
    def shape(self) -> tuple[int, int]:
        return self.controller.shape

    def controller_ids(self) -> np.ndarray:
        """Controller ids as an object array (None where unknown)."""
        lookup = np.array([*self.categories, None], dtype=object)
        return lookup[self.controller]  # -1 picks the trailing None


@dataclass(frozen=True)
class Timeline:
    """Per-place intervals. ``intervals`` (INTERVAL_COLUMNS) is sorted by (place order,
    valid_from); ``valid_to`` is NaT for the open last interval; place_id, controller (NaN when
    no holder is known), status, certainty, kind and date_precision are categoricals;
    ``run_start`` is the row of the interval that began the current controller's run."""

    intervals: pd.DataFrame
    place_ids: np.ndarray
    controllers: tuple[str, ...]
    places: gpd.GeoDataFrame | None = None
    _place: np.ndarray = field(repr=False, default=None)   # int64 place position per interval
    _start: np.ndarray = field(repr=False, default=None)   # int64 day per interval
    _ctrl: np.ndarray = field(repr=False, default=None)
    _status: np.ndarray = field(repr=False, default=None)
    _cert: np.ndarray = field(repr=False, default=None)
    _row: np.ndarray = field(repr=False, default=None)

    def __len__(self) -> int:
        return len(self.intervals)

    def change_dates(self) -> np.ndarray:
        """Sorted distinct dates on which some place's controller or status changes (including a
        place's first observation), as datetime64[ns]. Repeated reports of the same state are
        not changes; ``intervals["valid_from"]`` has every observation date."""
        if not len(self._start):
            return np.array([], dtype="datetime64[ns]")
        first = np.r_[True, self._place[1:] != self._place[:-1]]
        differs = np.r_[True, (self._ctrl[1:] != self._ctrl[:-1])
                        | (self._status[1:] != self._status[:-1])]
        return np.unique(_days_to_datetime64(self._start[first | differs]))

    def state_matrix(self, dates, *, place_ids=None) -> StateMatrix:
        """The state of every place (or of ``place_ids``, in that order) on every date.

        One vectorized pass, no loop over dates or places: each interval start is located among
        the sorted query dates (searchsorted), written into a (date, place) grid at the first
        date it covers, and a running maximum down the date axis carries it forward (interval
        numbers grow with time within a place, so the maximum is the latest interval begun).
        """
        when = to_datetime64(dates)
        order = np.argsort(when, kind="stable")
        qday = days(when[order])
        n_dates, n_all = len(when), len(self.place_ids)
        grid = np.full((n_dates, n_all), -1, dtype=np.int64)
        if len(self._start) and n_dates:
            first = np.searchsorted(qday, self._start, side="left")  # first date it covers
            # several intervals may begin between two query dates: only the last one shows
            last = np.r_[(self._place[1:] != self._place[:-1]) | (first[1:] != first[:-1]), True]
            sel = np.flatnonzero(last & (first < n_dates))
            grid[first[sel], self._place[sel]] = sel
            np.maximum.accumulate(grid, axis=0, out=grid)
        interval = np.empty_like(grid)
        interval[order] = grid  # back to the caller's date order
        if place_ids is None:
            ids = self.place_ids
        else:
            ids = np.asarray(place_ids, dtype=object)
            pos = pd.Index(self.place_ids).get_indexer(ids)
            interval = np.where(pos[None, :] >= 0, interval[:, np.clip(pos, 0, None)], -1) \
                if n_all else np.full((n_dates, len(ids)), -1, dtype=np.int64)
        known = interval >= 0
        safe = np.where(known, interval, 0)

        def pick(values, dtype):
            if not len(values):
                return np.full(interval.shape, -1, dtype=dtype)
            return np.where(known, values[safe], -1).astype(dtype)

        return StateMatrix(
            dates=when, place_ids=np.asarray(ids, dtype=object),
            controller=pick(self._ctrl, np.int16), status=pick(self._status, np.int8),
            certainty=pick(self._cert, np.int8), obs_row=pick(self._row, np.int64),
            interval=interval, categories=self.controllers)

    def at(self, date) -> pd.DataFrame:
        """The intervals in force on ``date`` (one row per known place)."""
        m = self.state_matrix([date])
        return self.intervals.iloc[m.interval[0][m.interval[0] >= 0]]


def build_timeline(observations, *, controllers=None, place_ids=None,
                   window_days: int | None = None, sources: SourceWeights | None = None
                   ) -> Timeline:
    """Replay observations (an ObservationSet, or a DataFrame with at least ``place_id``, ``date``
    and ``controller``) into a Timeline; see the module docstring for the rules.

    ``sources`` weighs the sources (default: the bundled ``layers/data/sources.toml``);
    ``window_days`` groups the reports of one place within that many days (default: the sources
    file's ``[reconcile] window_days``, 0 = same day)."""
    places = getattr(observations, "places", None)
    frame = getattr(observations, "frame", observations)
    area_rows = getattr(observations, "area_rows", None)  # area observations, expanded
    if area_rows is not None and len(area_rows):
        frame = pd.concat([frame, area_rows], ignore_index=True)
    factions = getattr(observations, "factions", None)
    if controllers is None:
        present = frame["controller"].dropna().unique().tolist()
        controllers = list(factions.ids) if factions is not None else []
        controllers += sorted(str(c) for c in present if c not in controllers)
    controllers = tuple(str(c) for c in controllers)
    if place_ids is None:
        place_ids = places["place_id"].to_numpy(dtype=object) if places is not None \
            else np.sort(frame["place_id"].astype(str).unique()).astype(object)
    place_ids = np.asarray(place_ids, dtype=object)

    n = len(frame)
    place = _codes(frame["place_id"], place_ids, "place_id (not among the timeline's places)")
    ctrl = _codes(frame["controller"], controllers, "controller", allow_na=True)
    status = _codes(_column(frame, "status", "held"), STATUSES, "status")
    cert = _codes(_column(frame, "certainty", "confirmed"), CERTAINTIES, "certainty")
    day = days(frame["date"].to_numpy(dtype="datetime64[ns]"))

    # Report groups (place, day or window), winner and disagreement: layers/reconcile.py.
    weights = sources if sources is not None else load_sources()
    window = weights.window_days if window_days is None else int(window_days)
    groups = group_reports(place, day, cert, ctrl, window_days=window)
    winner, conflict, best = groups.winner, groups.conflict, groups.best
    source_codes = factorize_sources(frame["source"]) if "source" in frame \
        else (np.full(n, -1, dtype=np.int64), np.array([], dtype=object))
    agreed = agreement(groups, controller=ctrl, certainty=cert, sources=source_codes,
                       controller_names=controllers, weights=weights)
    starts = groups.starts
    g_place, g_day = groups.place, groups.first_day
    g_ctrl = np.where(conflict, -1, ctrl[winner]).astype(np.int64)
    g_status = np.where(conflict, _CONTESTED, status[winner]).astype(np.int64)
    g_ctrl = _fill_holder(g_ctrl, g_place)
    count = len(starts)
    last_of_place = np.r_[g_place[1:] != g_place[:-1], True] if count else np.zeros(0, bool)
    nxt = np.r_[g_day[1:], 0] if count else np.zeros(0, np.int64)
    valid_to = np.where(last_of_place, np.iinfo(np.int64).min, nxt)
    change = np.r_[True, (g_place[1:] != g_place[:-1]) | (g_ctrl[1:] != g_ctrl[:-1])] \
        if count else np.zeros(0, bool)
    run_start = np.maximum.accumulate(np.where(change, np.arange(count), 0)) if count \
        else np.zeros(0, np.int64)

    as_date = _days_to_datetime64
    intervals = pd.DataFrame({
        "place_id": pd.Categorical.from_codes(g_place, categories=pd.Index(place_ids)),
        "valid_from": as_date(g_day),
        "valid_to": as_date(valid_to),  # int64 min is NaT: the last interval is open
        "controller": pd.Categorical.from_codes(g_ctrl, categories=list(controllers)),
        "status": pd.Categorical.from_codes(g_status, categories=list(STATUSES)),
        "certainty": pd.Categorical.from_codes(best, categories=list(CERTAINTIES)),
        "kind": _take(frame, "kind", winner, "change", categorical=True),
        "since": as_date(g_day[run_start]),
        "obs_row": frame["row"].to_numpy(np.int64)[winner] if "row" in frame
        else winner.astype(np.int64),
        "source": _take_coded(source_codes, winner, ""),
        "note": _take(frame, "note", winner, ""),
        "date_text": _take(frame, "date_text", winner, "") if "date_text" in frame
        else _day_strings(g_day),
        "date_precision": _take(frame, "date_precision", winner, "day", categorical=True),
        "conflict": conflict,
        "run_start": run_start.astype(np.int64),
    })
    # added as blocks of their own: a DataFrame built from one dict copies same-dtype columns
    # into one block, which costs more than the reconciliation itself
    intervals["confidence"] = agreed.confidence
    intervals["n_sources"] = agreed.n_sources.astype(np.int32)
    intervals["sources"] = agreed.summary
    intervals["span_days"] = (groups.last_day - groups.first_day).astype(np.int32)
    return Timeline(intervals=intervals, place_ids=place_ids, controllers=controllers,
                    places=places, _place=g_place.astype(np.int64), _start=g_day,
                    _ctrl=g_ctrl.astype(np.int16), _status=g_status.astype(np.int8),
                    _cert=best.astype(np.int8), _row=intervals["obs_row"].to_numpy(np.int64))


def _fill_holder(ctrl: np.ndarray, place: np.ndarray) -> np.ndarray:
    """-1 (contested, holder unknown) → the place's previous controller, if any (an ffill)."""
    if not len(ctrl):
        return ctrl
    has = ctrl >= 0
    last = np.maximum.accumulate(np.where(has, np.arange(len(ctrl)), -1))
    safe = np.clip(last, 0, None)
    same_place = (last >= 0) & (place[safe] == place)
    return np.where(has, ctrl, np.where(same_place, ctrl[safe], -1))


def _days_to_datetime64(d: np.ndarray) -> np.ndarray:
    return np.asarray(d, dtype=np.int64).astype("datetime64[D]").astype("datetime64[ns]")


def _column(frame: pd.DataFrame, name: str, default: str) -> pd.Series:
    if name in frame:
        return frame[name].fillna(default)
    return pd.Series(np.full(len(frame), default, dtype=object), index=frame.index)


def _codes(values: pd.Series, categories, what: str, *, allow_na: bool = False) -> np.ndarray:
    """Category codes: factorize (fast on Arrow strings), then map the few distinct values.
    Unknown values raise ValueError; NA is -1 where allowed."""
    local, uniques = pd.factorize(values, use_na_sentinel=True)
    lookup = pd.Index(list(categories), dtype=object).get_indexer(
        np.asarray(uniques, dtype=object))
    if (lookup < 0).any():
        value = np.asarray(uniques, dtype=object)[lookup < 0][0]
        raise ValueError(f"{what} {value!r} is not one of "
                         f"{', '.join(map(str, list(categories)[:20]))}")
    codes = np.where(local >= 0, lookup[np.clip(local, 0, None)] if len(lookup) else -1, -1)
    if not allow_na and (codes < 0).any():
        raise ValueError(f"{what} is missing on some rows")
    return codes.astype(np.int64)


def _take(frame: pd.DataFrame, column: str, rows: np.ndarray, default: str, *,
          categorical: bool = False):
    """``frame[column]`` at ``rows`` without leaving Arrow/pandas storage (no object round-trip)."""
    if column not in frame:
        if categorical:
            return pd.Categorical.from_codes(np.zeros(len(rows), np.int8), categories=[default])
        return pd.array(np.full(len(rows), default, dtype=object), dtype="string")
    col = frame[column]
    if categorical:
        codes, uniques = pd.factorize(col.fillna(default))
        return pd.Categorical.from_codes(codes[rows], categories=pd.Index(uniques))
    if not isinstance(col.dtype, pd.StringDtype):
        col = col.astype("string")
    return col.array.take(rows).fillna(default)


def _take_coded(coded: tuple[np.ndarray, np.ndarray], rows: np.ndarray, default: str):
    """Like ``_take`` for a column already factorized (codes, distinct values): the take runs on
    the few distinct values, not on the long column."""
    codes, uniques = coded
    values = pd.array(uniques, dtype="string") if len(uniques) \
        else pd.array([], dtype="string")
    return values.take(codes[rows], allow_fill=True).fillna(default)


def _day_strings(day: np.ndarray):
    uniques, inverse = np.unique(day, return_inverse=True)
    text = np.datetime_as_string(uniques.astype("datetime64[D]"), unit="D")
    return pd.array(text.astype(object), dtype="string").take(inverse)


SLICE_COLUMNS: tuple[str, ...] = ("date", "place_id", "place", "controller", "status", "certainty",
                                  "since", "source", "obs_row", "confidence", "sources",
                                  "geometry")


@dataclass(frozen=True)
class Slice:
    """``slice_at``'s table before its geometry is drawn: ``frame`` has SLICE_COLUMNS but
    ``geometry`` (enumerations as categoricals), and row i shows the place at row
    ``place_rows[i]`` of ``places``. Writers that can encode each place's geometry once and
    take it per row (GeoParquet, ``layers/io.py::write_slice``) never build the GeoDataFrame."""

    frame: pd.DataFrame
    place_rows: np.ndarray
    places: gpd.GeoDataFrame

    def __len__(self) -> int:
        return len(self.frame)

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        geometry = self.places.geometry.array.take(self.place_rows)
        return gpd.GeoDataFrame(self.frame, geometry=geometry,
                                crs=self.places.crs or "EPSG:4326")


def slice_at(timeline: Timeline, places: gpd.GeoDataFrame | None, dates, *,
             include_unknown: bool = False) -> gpd.GeoDataFrame:
    """The state of every place on each of ``dates`` as one long GeoDataFrame (EPSG:4326):
    ``date, place_id, place, controller, status, certainty, since, source, obs_row, confidence,
    sources, geometry`` (``confidence`` and the ``sources`` summary: layers/reconcile.py).

    ``places`` needs ``place_id``, ``name`` and a geometry (default: the timeline's places).
    Places not yet observed on a date are left out unless ``include_unknown``. Enumerations
    (place_id, place, controller, status, certainty) are categoricals built from codes, so the
    table costs integer takes, not millions of Python strings.
    """
    return slice_table(timeline, places, dates, include_unknown=include_unknown
                       ).to_geodataframe()


def slice_table(timeline: Timeline, places: gpd.GeoDataFrame | None, dates, *,
                include_unknown: bool = False) -> Slice:
    """``slice_at`` without drawing the geometry: the same rows as a Slice."""
    places = timeline.places if places is None else places
    if places is None:
        raise ValueError("slice_at needs the places (place_id, name, geometry) to draw")
    m = timeline.state_matrix(dates)
    n_dates, n_places = m.shape
    flat = m.interval.ravel()
    keep = np.flatnonzero(np.ones(flat.shape, bool) if include_unknown else flat >= 0)
    date_pos, place_pos = np.divmod(keep, max(n_places, 1))
    hit = flat[keep]  # -1 where unknown (only with include_unknown)
    where = pd.Index(places["place_id"].astype(str)).get_indexer(
        timeline.place_ids.astype(str))
    if (where < 0).any():
        missing = timeline.place_ids[where < 0][0]
        raise ValueError(f"place {missing!r} of the timeline is missing from the places frame")
    rows = where[place_pos]
    name_codes, names = pd.factorize(places["name"].astype(str))
    iv = timeline.intervals
    codes = {"controller": m.controller, "status": m.status, "certainty": m.certainty}
    cats = {"controller": m.categories, "status": m.status_categories,
            "certainty": m.certainty_categories}
    safe = np.clip(hit, 0, None)
    since = np.where(hit >= 0, iv["since"].to_numpy("datetime64[ns]")[safe]
                     if len(iv) else np.datetime64("NaT", "ns"), np.datetime64("NaT", "ns"))
    obs_row = pd.arrays.IntegerArray(
        iv["obs_row"].to_numpy(np.int64)[safe] if len(iv) else np.zeros(len(hit), np.int64),
        hit < 0)
    out = pd.DataFrame({
        "date": m.dates[date_pos],
        "place_id": pd.Categorical.from_codes(place_pos, categories=pd.Index(
            timeline.place_ids.astype(str))),
        "place": pd.Categorical.from_codes(name_codes[rows], categories=pd.Index(names)),
        **{k: pd.Categorical.from_codes(codes[k].ravel()[keep].astype(np.int64),
                                        categories=list(cats[k])) for k in codes},
        "since": since,
        "source": iv["source"].array.take(hit, allow_fill=True) if len(iv)
        else pd.array([None] * len(hit), dtype="string"),
        "obs_row": obs_row,
        **_reconciled(iv, hit),
    })
    return Slice(frame=out, place_rows=rows, places=places)


def _reconciled(iv: pd.DataFrame, hit: np.ndarray) -> dict:
    """``confidence`` and ``sources`` of the intervals at ``hit`` (-1: none, NaN/NA)."""
    if "confidence" not in iv or not len(iv):
        return {"confidence": np.full(len(hit), np.nan),
                "sources": pd.Categorical.from_codes(np.full(len(hit), -1), categories=[])}
    conf = iv["confidence"].to_numpy(np.float64)
    cats = iv["sources"].cat
    codes = cats.codes.to_numpy()
    if len(hit) and hit.min() >= 0:  # the usual case: every row has an interval
        return {"confidence": conf[hit], "sources": pd.Categorical.from_codes(
            codes[hit], categories=cats.categories, validate=False)}
    safe = np.clip(hit, 0, None)
    return {"confidence": np.where(hit >= 0, conf[safe], np.nan),
            "sources": pd.Categorical.from_codes(
                np.where(hit >= 0, codes[safe], -1),
                categories=cats.categories)}
