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

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    import geopandas as gpd

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
    ``run_start`` is the row of the interval that began the current controller's run.

    ``intervals`` is built on first use: the state matrix, slices and change dates read the
    per-interval arrays below, so a slice never takes the text columns (note, date_text, …)."""

    place_ids: np.ndarray
    controllers: tuple[str, ...]
    places: pd.DataFrame | None = None  # place_id, name, lat, lon… (a GeoDataFrame or plain)
    _place: np.ndarray = field(repr=False, default=None)   # int64 place position per interval
    _start: np.ndarray = field(repr=False, default=None)   # int64 day per interval
    _ctrl: np.ndarray = field(repr=False, default=None)
    _status: np.ndarray = field(repr=False, default=None)
    _cert: np.ndarray = field(repr=False, default=None)
    _row: np.ndarray = field(repr=False, default=None)
    _source: np.ndarray = field(repr=False, default=None)   # int code per interval, into
    _source_values: np.ndarray = field(repr=False, default=None)  # these texts (no NA)
    _since: np.ndarray = field(repr=False, default=None)    # datetime64[ns] per interval
    _conflict: np.ndarray = field(repr=False, default=None)  # bool per interval
    _confidence: np.ndarray = field(repr=False, default=None)  # float64 per interval
    _sources: pd.Categorical = field(repr=False, default=None)  # the summary per interval
    _build: Callable[[], pd.DataFrame] = field(repr=False, default=None)  # → intervals

    @functools.cached_property
    def intervals(self) -> pd.DataFrame:
        return self._build()

    def __getstate__(self) -> dict:
        # pickled built: the function that builds the intervals is local to build_timeline
        return {**self.__dict__, "intervals": self.intervals, "_build": None}

    def __len__(self) -> int:
        return len(self._start)

    def conflicts(self) -> int:
        """How many report groups are contested because confirmed sources disagree."""
        return int(np.count_nonzero(self._conflict))

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
        when, interval = self._interval_grid(dates)
        n_dates, n_all = interval.shape
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

    def _interval_grid(self, dates) -> tuple[np.ndarray, np.ndarray]:
        """(dates as datetime64[ns], the interval row in force per date and place, -1 unknown):
        ``state_matrix``'s grid, in the caller's date order, for every place of the timeline."""
        when = to_datetime64(dates)
        order = np.argsort(when, kind="stable")
        qday = days(when[order])
        n_dates, n_all = len(when), len(self.place_ids)
        grid = np.full((n_dates, n_all), -1, dtype=np.int64)
        if len(self._start) and n_dates:
            first = _first_covering(qday, self._start)  # the first date each interval covers
            # several intervals may begin between two query dates: only the last one shows
            last = np.r_[(self._place[1:] != self._place[:-1]) | (first[1:] != first[:-1]), True]
            sel = np.flatnonzero(last & (first < n_dates))
            grid.ravel()[first[sel] * n_all + self._place[sel]] = sel
            if n_all >= 256:
                # row by row along memory: np.maximum.accumulate(axis=0) walks each column
                # down the dates a whole row apart, ~10x slower on wide grids
                for i in range(1, n_dates):
                    np.maximum(grid[i - 1], grid[i], out=grid[i])
            else:
                np.maximum.accumulate(grid, axis=0, out=grid)
        if (order[1:] > order[:-1]).all():  # dates given in order (the usual case): no copy
            return when, grid
        interval = np.empty_like(grid)
        interval[order] = grid  # back to the caller's date order
        return when, interval

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
    # the places as a plain table when the observations have one (no geometry is built)
    places = getattr(observations, "place_table", None)
    if places is None:
        places = getattr(observations, "places", None)
    frame = getattr(observations, "frame", observations)
    area_rows = getattr(observations, "area_rows", None)  # area observations, expanded
    if area_rows is not None and len(area_rows):
        frame = pd.concat([frame, area_rows], ignore_index=True)
    factions = getattr(observations, "factions", None)
    ctrl_codes = None  # factorized only to find the controllers present
    if controllers is None:
        ctrl_codes = pd.factorize(frame["controller"], use_na_sentinel=True)
        present = np.asarray(ctrl_codes[1], dtype=object).tolist()  # the distinct values
        controllers = list(factions.ids) if factions is not None else []
        controllers += sorted(str(c) for c in present if c not in controllers)
    controllers = tuple(str(c) for c in controllers)
    if place_ids is None:
        place_ids = places["place_id"].to_numpy(dtype=object) if places is not None \
            else np.sort(frame["place_id"].astype(str).unique()).astype(object)
    place_ids = np.asarray(place_ids, dtype=object)

    n = len(frame)
    place = _codes(frame["place_id"], place_ids, "place_id (not among the timeline's places)")
    ctrl = _codes(frame["controller"], controllers, "controller", allow_na=True,
                  factorized=ctrl_codes)
    status = _codes(frame.get("status"), STATUSES, "status", default="held", n=n)
    cert = _codes(frame.get("certainty"), CERTAINTIES, "certainty", default="confirmed", n=n)
    day = days(frame["date"].to_numpy(dtype="datetime64[ns]"))

    # Report groups (place, day or window), winner and disagreement: layers/reconcile.py.
    weights = sources if sources is not None else load_sources()
    window = weights.window_days if window_days is None else int(window_days)
    groups = group_reports(place, day, cert, ctrl, window_days=window)
    winner, conflict, best = groups.winner, groups.conflict, groups.best
    source_codes = factorize_sources(frame["source"]) if "source" in frame \
        else (np.full(n, -1, dtype=np.int64), np.array([], dtype=object))
    src_code, src_values = _coded_at(source_codes, winner, "")
    agreed = agreement(groups, controller=ctrl, certainty=cert, sources=source_codes,
                       controller_names=controllers, weights=weights)
    starts = groups.starts
    g_place, g_day = groups.place, groups.first_day
    g_ctrl = np.where(conflict, -1, ctrl[winner]).astype(np.int64)
    g_status = np.where(conflict, _CONTESTED, status[winner]).astype(np.int64)
    g_ctrl = _fill_holder(g_ctrl, g_place)
    count = len(starts)
    change = np.r_[True, (g_place[1:] != g_place[:-1]) | (g_ctrl[1:] != g_ctrl[:-1])] \
        if count else np.zeros(0, bool)
    run_start = np.maximum.accumulate(np.where(change, np.arange(count), 0)) if count \
        else np.zeros(0, np.int64)
    since = _days_to_datetime64(g_day[run_start])
    obs_row = frame["row"].to_numpy(np.int64)[winner] if "row" in frame \
        else winner.astype(np.int64)
    # the text columns are taken when ``intervals`` is first read (CoW: these Series stay as
    # they are now even if the frame changes later)
    text = {c: frame[c] for c in ("kind", "note", "date_text", "date_precision") if c in frame}

    def intervals() -> pd.DataFrame:
        as_date = _days_to_datetime64
        last_of_place = np.r_[g_place[1:] != g_place[:-1], True] if count \
            else np.zeros(0, bool)
        nxt = np.r_[g_day[1:], 0] if count else np.zeros(0, np.int64)
        valid_to = np.where(last_of_place, np.iinfo(np.int64).min, nxt)
        out = pd.DataFrame({
            "place_id": pd.Categorical.from_codes(g_place, categories=pd.Index(place_ids)),
            "valid_from": as_date(g_day),
            "valid_to": as_date(valid_to),  # int64 min is NaT: the last interval is open
            "controller": pd.Categorical.from_codes(g_ctrl, categories=list(controllers)),
            "status": pd.Categorical.from_codes(g_status, categories=list(STATUSES)),
            "certainty": pd.Categorical.from_codes(best, categories=list(CERTAINTIES)),
            "kind": _take(text, "kind", winner, "change", categorical=True),
            "since": since,
            "obs_row": obs_row,
            "source": (pd.array(src_values, dtype="string") if len(src_values)
                       else pd.array([], dtype="string")).take(src_code),
            "note": _take(text, "note", winner, ""),
            "date_text": _take(text, "date_text", winner, "") if "date_text" in text
            else _day_strings(g_day),
            "date_precision": _take(text, "date_precision", winner, "day", categorical=True),
            "conflict": conflict,
            "run_start": run_start.astype(np.int64),
        })
        # added as blocks of their own: a DataFrame built from one dict copies same-dtype
        # columns into one block, which costs more than the reconciliation itself
        out["confidence"] = agreed.confidence
        out["n_sources"] = agreed.n_sources.astype(np.int32)
        out["sources"] = agreed.summary
        out["span_days"] = (groups.last_day - groups.first_day).astype(np.int32)
        return out

    return Timeline(place_ids=place_ids, controllers=controllers, places=places,
                    _place=g_place.astype(np.int64), _start=g_day,
                    _ctrl=g_ctrl.astype(np.int16), _status=g_status.astype(np.int8),
                    _cert=best.astype(np.int8), _row=obs_row, _source=src_code,
                    _source_values=src_values, _since=since, _conflict=conflict,
                    _confidence=agreed.confidence, _sources=agreed.summary, _build=intervals)


def _first_covering(qday: np.ndarray, start: np.ndarray) -> np.ndarray:
    """``np.searchsorted(qday, start)``: through a table of every day in ``start``'s range when
    that range is short (a binary search per interval costs ~10x a lookup)."""
    lo, hi = int(start.min()), int(start.max())
    if hi - lo > 4 * len(start) + 4096:
        return np.searchsorted(qday, start, side="left")
    return np.searchsorted(qday, np.arange(lo, hi + 1), side="left")[start - lo]


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


def _codes(values: pd.Series | None, categories, what: str, *, allow_na: bool = False,
           default: str | None = None, n: int = 0, factorized=None) -> np.ndarray:
    """Category codes. Arrow strings are looked up in the categories in one hash pass
    (``index_in``); anything else is factorized (or ``factorized`` is its result) and the few
    distinct values mapped. Unknown values raise ValueError; NA is ``default`` when given (and
    every row when there is no column, ``values`` None: ``n`` rows), else -1 where allowed."""
    categories = list(categories)
    fill = categories.index(default) if default is not None else -1
    if values is None:
        return np.full(n, fill, dtype=np.int64)
    codes = _category_codes(values, categories, what, fill) if factorized is None else None
    if codes is None:
        local, uniques = factorized if factorized is not None else pd.factorize(
            values, use_na_sentinel=True)
        uniques = np.asarray(uniques, dtype=object)
        lookup = pd.Index(categories, dtype=object).get_indexer(uniques)
        if (lookup < 0).any():
            _unknown(what, uniques[lookup < 0][0], categories)
        codes = np.append(lookup, fill).astype(np.int64)[local]  # NA (-1) picks the fill
    if not allow_na and (codes < 0).any():
        raise ValueError(f"{what} is missing on some rows")
    return codes


def _category_codes(values: pd.Series, categories: list, what: str, fill: int
                 ) -> np.ndarray | None:
    """``_codes`` of Arrow-backed strings (None for other columns): no dictionary is built."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"):
        return None
    arr = pa.array(values.array)  # the Arrow data itself (chunked), no copy
    try:
        value_set = pa.array(categories, arr.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # categories that are not all text
        return None
    codes = pc.fill_null(pc.index_in(arr, value_set=value_set), -1).to_numpy().astype(np.int64)
    if codes.min(initial=0) < 0:  # NA, or not a category
        na = arr.is_null().to_numpy(zero_copy_only=False)
        unknown = np.flatnonzero((codes < 0) & ~na)
        if len(unknown):  # the first row's value: the first of factorize's distinct values
            _unknown(what, arr[int(unknown[0])].as_py(), categories)
        codes[na] = fill
    return codes


def _unknown(what: str, value, categories: list):
    raise ValueError(f"{what} {value!r} is not one of {', '.join(map(str, categories[:20]))}")


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


def _coded_at(coded: tuple[np.ndarray, np.ndarray], rows: np.ndarray, default: str
              ) -> tuple[np.ndarray, np.ndarray]:
    """A column already factorized (codes, distinct values) at ``rows``, missing values as
    ``default``: (codes, values), ``default`` appended to the values when it is not among them.
    The text is taken from the few distinct values, never from the long column."""
    codes, uniques = coded
    codes = codes[rows]
    missing = codes < 0
    if missing.any():
        at = np.flatnonzero(uniques == default)
        if not len(at):
            uniques = np.append(uniques, np.array([default], dtype=object))
        codes = np.where(missing, at[0] if len(at) else len(uniques) - 1, codes)
    return codes, uniques


def _day_strings(day: np.ndarray):
    uniques, inverse = np.unique(day, return_inverse=True)
    text = np.datetime_as_string(uniques.astype("datetime64[D]"), unit="D")
    return pd.array(text.astype(object), dtype="string").take(inverse)


SLICE_COLUMNS: tuple[str, ...] = ("date", "place_id", "place", "controller", "status", "certainty",
                                  "since", "source", "obs_row", "confidence", "sources",
                                  "geometry")


@dataclass(frozen=True)
class Slice:
    """``slice_at``'s table before its geometry is drawn: ``columns`` are SLICE_COLUMNS but
    ``geometry`` (enumerations as categoricals built from codes, ``source`` too), and row i
    shows the place at row ``place_rows[i]`` of ``places``. Writers that can encode each
    place's geometry once and take it per row, and store text as dictionaries (GeoParquet,
    ``layers/io.py::write_slice``), take the columns as they are and never build the frame."""

    columns: dict
    place_rows: np.ndarray
    places: pd.DataFrame  # a GeoDataFrame, or plain with lat and lon (points in EPSG:4326)

    def __len__(self) -> int:
        return len(self.place_rows)

    @functools.cached_property
    def frame(self) -> pd.DataFrame:
        """The columns as a DataFrame, ``source`` as plain strings (as ``slice_at`` gives it):
        only the writers that go through a GeoDataFrame pay for the million-string take."""
        source = self.columns["source"]
        text = pd.array(np.asarray(source.categories, dtype=object), dtype="string") \
            if len(source.categories) else pd.array([], dtype="string")
        return pd.DataFrame({**self.columns, "source": text.take(
            source.codes.astype(np.intp), allow_fill=True)})

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        import geopandas as gpd

        from .observations import is_geodataframe, places_geodataframe

        places = self.places if is_geodataframe(self.places) \
            else places_geodataframe(self.places)
        return gpd.GeoDataFrame(self.frame, geometry=places.geometry.array.take(self.place_rows),
                                crs=places.crs or "EPSG:4326")


def slice_at(timeline: Timeline, places: gpd.GeoDataFrame | None, dates, *,
             include_unknown: bool = False) -> gpd.GeoDataFrame:
    """The state of every place on each of ``dates`` as one long GeoDataFrame (EPSG:4326):
    ``date, place_id, place, controller, status, certainty, since, source, obs_row, confidence,
    sources, geometry`` (``confidence`` and the ``sources`` summary: layers/reconcile.py).

    ``places`` needs ``place_id``, ``name`` and a geometry, or ``lat`` and ``lon`` (default:
    the timeline's places).
    Places not yet observed on a date are left out unless ``include_unknown``. Enumerations
    (place_id, place, controller, status, certainty) are categoricals built from codes, so the
    table costs integer takes, not millions of Python strings.
    """
    return slice_table(timeline, places, dates, include_unknown=include_unknown
                       ).to_geodataframe()


def slice_table(timeline: Timeline, places: gpd.GeoDataFrame | None, dates, *,
                include_unknown: bool = False) -> Slice:
    """``slice_at`` without drawing the geometry: the same rows as a Slice.

    Every column is one take at the rows' intervals (``hit``) of a per-interval array (or at the
    rows' places of a per-place one) that is already in its final dtype; each per-interval array
    ends with the value of "no interval", which ``hit == -1`` (unknown place) picks."""
    places = timeline.places if places is None else places
    if places is None:
        raise ValueError("slice_at needs the places (place_id, name, geometry) to draw")
    when, grid = timeline._interval_grid(dates)
    n_dates, n_places = grid.shape
    flat = grid.ravel()
    # rows are date-major: the date and place of each row come from the grid's shape (a repeat
    # of the dates by their counts, the place numbers picked where known), no division of the
    # row numbers; place codes are made in their Categorical's integer type at once
    each_place = np.broadcast_to(_code_dtype(np.arange(n_places), n_places), grid.shape)
    if include_unknown:
        hit = flat
        counts = np.full(n_dates, n_places)
        place_codes = each_place.ravel()
    else:
        known = grid >= 0
        hit = flat[known.ravel()]
        counts = known.sum(axis=1)
        place_codes = each_place[known]
    place_pos = place_codes.astype(np.intp)  # the index of every take by place below
    ids = places["place_id"].to_numpy(dtype=object)
    if len(ids) == len(timeline.place_ids) and (ids == timeline.place_ids).all():
        where = np.arange(len(ids))  # the timeline's own places (the usual case)
    else:
        where = pd.Index(places["place_id"].astype(str)).get_indexer(
            timeline.place_ids.astype(str))
    if (where < 0).any():
        missing = timeline.place_ids[where < 0][0]
        raise ValueError(f"place {missing!r} of the timeline is missing from the places frame")
    rows = place_pos if (where == np.arange(len(where))).all() else where[place_pos]
    name_codes, names = pd.factorize(places["name"].astype(str))

    def cat(codes, categories, missing=-1):
        """A Categorical of ``categories`` at ``hit`` from per-interval ``codes``."""
        codes = _code_dtype(codes, len(categories))
        return pd.Categorical.from_codes(np.append(codes, codes.dtype.type(missing))[hit],
                                         categories=categories, validate=False)

    out = {
        "date": np.repeat(when, counts),
        "place_id": pd.Categorical.from_codes(
            place_codes, validate=False, categories=pd.Index(timeline.place_ids.astype(str))),
        "place": pd.Categorical.from_codes(
            _code_dtype(name_codes[where], len(names))[place_pos], categories=pd.Index(names),
            validate=False),
        "controller": cat(timeline._ctrl, list(timeline.controllers)),
        "status": cat(timeline._status, list(STATUSES)),
        "certainty": cat(timeline._cert, list(CERTAINTIES)),
        "since": np.append(timeline._since, np.datetime64("NaT", "ns"))[hit],
        "source": cat(timeline._source, pd.Index(timeline._source_values, dtype=object)),
        "obs_row": pd.arrays.IntegerArray(np.append(timeline._row, 0)[hit], hit < 0),
    }
    if len(timeline):
        out["confidence"] = np.append(timeline._confidence, np.nan)[hit]
        out["sources"] = cat(timeline._sources.codes, timeline._sources.categories)
    else:
        out["confidence"] = np.full(len(hit), np.nan)
        out["sources"] = pd.Categorical.from_codes(np.full(len(hit), -1), categories=[])
    return Slice(columns=out, place_rows=rows, places=places)


def _code_dtype(codes: np.ndarray, n_categories: int) -> np.ndarray:
    """``codes`` in the integer type a Categorical of ``n_categories`` keeps (the smallest), so
    ``from_codes`` does not cast a million codes again."""
    for dtype in (np.int8, np.int16, np.int32):
        if n_categories < np.iinfo(dtype).max:
            return codes.astype(dtype, copy=False)
    return codes.astype(np.int64, copy=False)
