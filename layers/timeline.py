"""The timeline: observations replayed into per-place intervals ``[valid_from, valid_to)``.

Rules (DESIGN.md §2): the latest observation wins; on one date, confirmed beats claimed, and among
equals the last row of the file wins; two confirmed observations of one place on one date naming
different controllers make the place ``contested``. A contested observation without a holder
(controller ``contested``) keeps the place's last known holder as its controller.

Every interval carries its provenance: the input row, source, note, certainty and date precision
of the observation that caused it, and ``since``: the first day of the run of intervals with the
same controller.

``Timeline.state_matrix(dates)`` answers "who holds each place on each date" for many dates at
once with ONE searchsorted over a composite (place, day) key: no loop over dates or places.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from .dates import days, to_datetime64

STATUSES: tuple[str, ...] = ("held", "contested", "besieged")
CERTAINTIES: tuple[str, ...] = ("confirmed", "claimed")
_CONTESTED = STATUSES.index("contested")

INTERVAL_COLUMNS: tuple[str, ...] = (
    "place_id", "valid_from", "valid_to", "controller", "status", "certainty", "kind", "since",
    "obs_row", "source", "note", "date_text", "date_precision", "conflict")


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
    """Per-place intervals. ``intervals`` is sorted by (place order, valid_from)."""

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
    _day0: int = 0
    _stride: int = 1
    _keys: np.ndarray = field(repr=False, default=None)

    def __len__(self) -> int:
        return len(self.intervals)

    def change_dates(self) -> np.ndarray:
        """Sorted distinct dates on which some place's state changes (datetime64[ns])."""
        return np.unique(self.intervals["valid_from"].to_numpy(dtype="datetime64[ns]"))

    def state_matrix(self, dates, *, place_ids=None) -> StateMatrix:
        """The state of every place (or of ``place_ids``, in that order) on every date in one
        vectorized searchsorted over the composite key ``place * stride + day``."""
        when = to_datetime64(dates)
        if place_ids is None:
            pos = np.arange(len(self.place_ids), dtype=np.int64)
            ids = self.place_ids
        else:
            ids = np.asarray(place_ids, dtype=object)
            pos = pd.Index(self.place_ids).get_indexer(ids).astype(np.int64)
        qday = np.clip(days(when) - self._day0 + 1, 0, self._stride - 1)
        qkey = pos[None, :] * self._stride + qday[:, None]
        qkey[:, pos < 0] = -1
        hit = np.searchsorted(self._keys, qkey.ravel(), side="right") - 1
        safe = np.clip(hit, 0, None)
        ok = (hit >= 0) & (self._place[safe] == np.broadcast_to(pos, qkey.shape).ravel()) \
            if len(self._keys) else np.zeros(hit.shape, dtype=bool)
        if not len(self._keys):
            safe = np.zeros_like(hit)
        shape = qkey.shape

        def pick(values, dtype):
            src = values[safe] if len(values) else np.zeros(hit.shape, dtype=dtype)
            return np.where(ok, src, -1).astype(dtype).reshape(shape)

        return StateMatrix(
            dates=when, place_ids=np.asarray(ids, dtype=object),
            controller=pick(self._ctrl, np.int16), status=pick(self._status, np.int8),
            certainty=pick(self._cert, np.int8), obs_row=pick(self._row, np.int64),
            interval=np.where(ok, hit, -1).reshape(shape), categories=self.controllers)

    def at(self, date) -> pd.DataFrame:
        """The intervals in force on ``date`` (one row per known place)."""
        m = self.state_matrix([date])
        return self.intervals.iloc[m.interval[0][m.interval[0] >= 0]]


def build_timeline(observations, *, controllers=None, place_ids=None) -> Timeline:
    """Replay observations (an ObservationSet, or a DataFrame with at least ``place_id``, ``date``
    and ``controller``) into a Timeline; see the module docstring for the rules."""
    places = getattr(observations, "places", None)
    frame = getattr(observations, "frame", observations)
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
    place = pd.Index(place_ids).get_indexer(frame["place_id"].to_numpy(dtype=object))
    if (place < 0).any():
        missing = frame["place_id"].to_numpy(dtype=object)[place < 0][0]
        raise ValueError(f"observation place_id {missing!r} is not among the timeline's places")
    ctrl = _codes(frame["controller"], controllers, "controller", allow_na=True)
    status = _codes(_column(frame, "status", "held"), STATUSES, "status")
    cert = _codes(_column(frame, "certainty", "confirmed"), CERTAINTIES, "certainty")
    day = days(frame["date"].to_numpy(dtype="datetime64[ns]"))

    # Sort by place, day, certainty (confirmed first), then file order.
    order = np.lexsort((np.arange(n), cert, day, place))
    p, d, c = place[order], day[order], cert[order]
    new_group = np.r_[True, (p[1:] != p[:-1]) | (d[1:] != d[:-1])] if n else np.zeros(0, bool)
    starts = np.flatnonzero(new_group)
    gid = np.cumsum(new_group) - 1
    best = c[starts] if n else np.zeros(0, np.int64)
    keep = c == best[gid]
    n_keep = np.add.reduceat(keep.astype(np.int64), starts) if n else np.zeros(0, np.int64)
    winner = order[starts + n_keep - 1]  # the last row, in file order, of the best certainty
    cs = ctrl[order]
    big = np.iinfo(np.int32).max
    cmin = np.minimum.reduceat(np.where(keep, cs, big), starts) if n else np.zeros(0, np.int64)
    cmax = np.maximum.reduceat(np.where(keep, cs, -big), starts) if n else np.zeros(0, np.int64)
    conflict = (best == 0) & (cmin != cmax)

    g_place, g_day = p[starts], d[starts]
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

    src = frame.iloc[winner]
    as_date = _days_to_datetime64
    intervals = pd.DataFrame({
        "place_id": pd.array(place_ids[g_place], dtype="string"),
        "valid_from": as_date(g_day),
        "valid_to": as_date(valid_to),  # int64 min is NaT: the last interval is open
        "controller": pd.array(np.array([*controllers, None], dtype=object)[g_ctrl],
                               dtype="string"),
        "status": pd.array(np.array(STATUSES, dtype=object)[g_status], dtype="string"),
        "certainty": pd.array(np.array(CERTAINTIES, dtype=object)[best], dtype="string"),
        "kind": _text(src, "kind", "change"),
        "since": as_date(g_day[run_start]),
        "obs_row": src["row"].to_numpy(np.int64) if "row" in src else winner.astype(np.int64),
        "source": _text(src, "source", ""),
        "note": _text(src, "note", ""),
        "date_text": _text(src, "date_text", "") if "date_text" in src
        else pd.array(np.datetime_as_string(as_date(g_day), unit="D"), dtype="string"),
        "date_precision": _text(src, "date_precision", "day"),
        "conflict": conflict,
        "run_start": run_start.astype(np.int64),
    })
    day0 = int(g_day.min()) if count else 0
    stride = int(g_day.max() - day0 + 3) if count else 3
    keys = g_place.astype(np.int64) * stride + (g_day - day0 + 1)
    return Timeline(intervals=intervals, place_ids=place_ids, controllers=controllers,
                    places=places, _place=g_place.astype(np.int64), _start=g_day,
                    _ctrl=g_ctrl.astype(np.int16), _status=g_status.astype(np.int8),
                    _cert=best.astype(np.int8), _row=intervals["obs_row"].to_numpy(np.int64),
                    _day0=day0, _stride=stride, _keys=keys)


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
    """Category codes (hash lookup); unknown values raise, NA is -1 where allowed."""
    raw = values.to_numpy(dtype=object, na_value=None)
    codes = pd.Index(list(categories), dtype=object).get_indexer(raw).astype(np.int64)
    bad = (codes < 0) & values.notna().to_numpy()
    if bad.any() or (not allow_na and (codes < 0).any()):
        value = raw[bad | (codes < 0)][0]
        raise ValueError(f"{what} {value!r} is not one of {', '.join(map(str, categories))}")
    return codes


def _text(src: pd.DataFrame, column: str, default: str):
    if column not in src:
        return pd.array(np.full(len(src), default, dtype=object), dtype="string")
    return pd.array(src[column].astype("string").fillna(default).to_numpy(dtype=object),
                    dtype="string")


SLICE_COLUMNS: tuple[str, ...] = ("date", "place_id", "place", "controller", "status", "certainty",
                                  "since", "source", "obs_row", "geometry")


def slice_at(timeline: Timeline, places: gpd.GeoDataFrame | None, dates, *,
             include_unknown: bool = False) -> gpd.GeoDataFrame:
    """The state of every place on each of ``dates`` as one long GeoDataFrame (EPSG:4326):
    ``date, place_id, place, controller, status, certainty, since, source, obs_row, geometry``.

    ``places`` needs ``place_id``, ``name`` and a geometry (default: the timeline's places).
    Places not yet observed on a date are left out unless ``include_unknown``.
    """
    places = timeline.places if places is None else places
    if places is None:
        raise ValueError("slice_at needs the places (place_id, name, geometry) to draw")
    m = timeline.state_matrix(dates)
    n_dates, n_places = m.shape
    flat = m.interval.ravel()
    mask = np.ones(flat.shape, bool) if include_unknown else flat >= 0
    date_pos = np.repeat(np.arange(n_dates), n_places)[mask]
    place_pos = np.tile(np.arange(n_places), n_dates)[mask]
    hit = flat[mask]
    known = hit >= 0
    safe = np.where(known, hit, 0)
    iv = timeline.intervals

    def col(name: str):
        values = iv[name].to_numpy(dtype=object)[safe] if len(iv) else np.full(len(hit), None)
        return pd.array(np.where(known, values, None), dtype="string")

    where = pd.Index(places["place_id"].astype(str)).get_indexer(
        timeline.place_ids.astype(str))
    if (where < 0).any():
        missing = timeline.place_ids[where < 0][0]
        raise ValueError(f"place {missing!r} of the timeline is missing from the places frame")
    rows = where[place_pos]
    since = iv["since"].to_numpy(dtype="datetime64[ns]")[safe] if len(iv) else \
        np.full(len(hit), np.datetime64("NaT", "ns"))
    obs_row = iv["obs_row"].to_numpy(np.int64)[safe] if len(iv) else np.zeros(len(hit), np.int64)
    out = pd.DataFrame({
        "date": m.dates[date_pos],
        "place_id": pd.array(timeline.place_ids[place_pos].astype(object), dtype="string"),
        "place": pd.array(places["name"].to_numpy(dtype=object)[rows], dtype="string"),
        "controller": col("controller"),
        "status": col("status"),
        "certainty": col("certainty"),
        "since": np.where(known, since, np.datetime64("NaT", "ns")),
        "source": col("source"),
        "obs_row": pd.array(np.where(known, obs_row, -1), dtype="Int64").astype("Int64"),
    })
    out.loc[~known, "obs_row"] = pd.NA
    geometry = places.geometry.to_numpy()[rows]
    return gpd.GeoDataFrame(out, geometry=geometry, crs=places.crs or "EPSG:4326")
