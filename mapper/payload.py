"""The compact JSON the map embeds once: columnar, integer-coded, delta-encoded.

Pure: MapModel (+ slider days) in, plain dict out. Layout (``v`` 1):

- ``F`` factions ``[id, label, colour]``; ``ST``/``Q``/``K``/``PR`` the status, certainty, kind
  and date-precision vocabularies; codes index them, -1 means unknown.
- ``S`` a string table (sources and notes, each stored once).
- ``P`` places: ``id``, ``n`` (label), ``a`` (other names, ``|``-joined),
  ``y``/``x`` (lat/lon ×1e5).
- ``O`` observations grouped by place: ``n`` count per place, ``d`` day (delta within the place,
  the first one absolute), ``p``, ``c``, ``s``, ``q``, ``k`` codes, ``u`` source and ``m`` note
  (string-table index + 1, 0 = none).
- ``I`` state intervals grouped by place: ``n``, ``d`` (as ``O``), ``c``, ``s``, ``q``, ``o``
  (observation index within the place, -1 when no single observation set it); with
  reconciliation, ``g`` a code per interval into ``gv`` (distinct ``[confidence %, sources
  summary S index]`` pairs, -1 = unknown/none) and ``z`` the report group's span in days (null
  when all are 0).
- Small code columns (``p c s q k`` of ``O`` and ``c s q`` of ``I``) are strings, one character
  per value (``CODE_ALPHABET[v]``, ``.`` for -1) when the vocabulary fits, else int lists.
- ``C`` cells: per ring ``p`` place, ``e`` 1 when the ring starts a polygon (0 = hole), ``g``
  coordinates ×1e4 delta-encoded; ``E`` shared edges: ``l`` left places (delta-encoded),
  ``r`` right places, per line part ``i`` edge index (null when each edge is one line) and ``g``
  coordinates; ``B`` outline lines ``g``.
- ``T`` slider days, ``at`` the initial day.
- ``L`` (only with localities, see layers/localities.py): ``n`` labels, ``y``/``x`` (as ``P``),
  ``c`` the position of the place whose cell holds each locality (-1: none), ``s`` source codes
  into ``src`` (the gazetteer layers), ``g`` flat (place, first place of its site) pairs of
  co-located places. A locality's state on a date is its cell's, computed from that place's
  intervals ``I``: no per-date data at all. ``O`` then also has ``r``, the input line of each
  observation (the popup of an inferred locality cites it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from .model import MapModel

STATUSES = ("held", "contested", "besieged")
CERTAINTIES = ("confirmed", "claimed")
KINDS = ("change", "state")
PRECISIONS = ("day", "month", "year")
PLACE_SCALE = 1e5
CODE_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
GEOMETRY_SCALE = 1e4


def build_payload(model: MapModel, *, days: np.ndarray, at: int, meta: dict) -> dict:
    """The JSON-ready dict for ``model`` with slider stops ``days`` starting at ``at``."""
    faction_ids = [f.id for f in model.factions]
    statuses = _vocabulary(STATUSES, model.observations["status"], model.intervals["status"])
    strings = _StringTable()
    n_places = len(model.places)
    payload = {
        "v": 1,
        "meta": meta,
        "F": [[f.id, f.label, f.colour] for f in model.factions],
        "ST": list(statuses),
        "Q": list(CERTAINTIES),
        "K": list(KINDS),
        "PR": list(PRECISIONS),
        "P": _places(model.places),
        "O": _observations(model.observations, n_places, faction_ids, statuses, strings),
        "I": _intervals(model, n_places, faction_ids, statuses, strings),
        "S": strings.values,
        "C": _cells(model.cells),
        "E": _edges(model.edges),
        "B": _outline(model.outline),
        "T": [int(d) for d in days],
        "at": int(at),
    }
    if getattr(model, "localities", None) is not None:
        payload["L"] = _localities(model.localities)
        payload["O"]["r"] = model.observations["row"].to_numpy(dtype=np.int64).tolist()
    return payload


class _StringTable:
    def __init__(self) -> None:
        self.values: list[str] = []
        self._index: dict[str, int] = {}

    def codes(self, column: pd.Series) -> list[int]:
        text = column.fillna("").astype(str).str.strip()
        uniques = pd.unique(text)
        for value in uniques:
            if value and value not in self._index:
                self._index[value] = len(self.values)
                self.values.append(value)
        lookup = {**self._index, "": -1}
        return text.map(lookup).astype(int).tolist()


def _vocabulary(base: tuple[str, ...], *columns: pd.Series) -> tuple[str, ...]:
    """``base`` plus any extra values in first-seen order (the vocabulary is extendable)."""
    seen = list(base)
    for column in columns:
        for value in pd.unique(column.dropna().astype(str)):
            if value and value not in seen:
                seen.append(value)
    return tuple(seen)


def _codes(column: pd.Series, vocabulary) -> str | list[int]:
    """Codes of ``column`` in ``vocabulary`` (-1 unknown): one character each when they fit."""
    lookup = {value: i for i, value in enumerate(vocabulary)}
    codes = column.map(lookup).fillna(-1).astype(int).to_numpy()
    if len(vocabulary) > len(CODE_ALPHABET):
        return codes.tolist()
    alphabet = np.array([".", *CODE_ALPHABET])
    return "".join(alphabet[codes + 1].tolist())


def _counts(place_pos: pd.Series, n_places: int) -> list[int]:
    return np.bincount(place_pos.to_numpy(dtype=np.int64), minlength=n_places).tolist()


def _grouped_delta(days: np.ndarray, place_pos: np.ndarray) -> list[int]:
    """Days as deltas within each place's run; the first day of a place stays absolute."""
    if len(days) == 0:
        return []
    delta = np.diff(days, prepend=0)
    first = np.r_[True, place_pos[1:] != place_pos[:-1]]
    delta[first] = days[first]
    return delta.tolist()


def _places(places: pd.DataFrame) -> dict:
    others = places["names"].map(lambda names: "|".join(names) if names else "")
    return {
        "id": places["place_id"].astype(str).tolist(),
        "n": places["label"].astype(str).tolist(),
        "a": others.tolist(),
        "y": np.round(places["lat"].to_numpy(dtype=float) * PLACE_SCALE).astype(np.int64).tolist(),
        "x": np.round(places["lon"].to_numpy(dtype=float) * PLACE_SCALE).astype(np.int64).tolist(),
    }


def _observations(obs: pd.DataFrame, n_places: int, faction_ids, statuses, strings) -> dict:
    pos = obs["place_pos"].to_numpy(dtype=np.int64)
    return {
        "n": _counts(obs["place_pos"], n_places),
        "d": _grouped_delta(obs["day"].to_numpy(dtype=np.int64), pos),
        "p": _codes(obs["precision"], PRECISIONS),
        "c": _codes(obs["controller"], faction_ids),
        "s": _codes(obs["status"], statuses),
        "q": _codes(obs["certainty"], CERTAINTIES),
        "k": _codes(obs["kind"], KINDS),
        "u": [c + 1 for c in strings.codes(obs["source"])],
        "m": [c + 1 for c in strings.codes(obs["note"])],
    }


def _intervals(model: MapModel, n_places: int, faction_ids, statuses, strings) -> dict:
    intervals = model.intervals
    pos = intervals["place_pos"].to_numpy(dtype=np.int64)
    # Observation index relative to the place's first observation keeps the numbers small.
    first_obs = np.r_[0, np.cumsum(_counts(model.observations["place_pos"], n_places))][:-1]
    obs = intervals["obs"].to_numpy(dtype=np.int64)
    local = np.where(obs >= 0, obs - first_obs[pos], -1) if len(pos) else obs
    return {
        "n": _counts(intervals["place_pos"], n_places),
        "d": _grouped_delta(intervals["day"].to_numpy(dtype=np.int64), pos),
        "c": _codes(intervals["controller"], faction_ids),
        "s": _codes(intervals["status"], statuses),
        "q": _codes(intervals["certainty"], CERTAINTIES),
        "o": local.tolist(),
        **_reconciled(intervals, strings),
    }


def _reconciled(intervals: pd.DataFrame, strings: _StringTable) -> dict:
    """``g`` one code per interval into ``gv``, the distinct ``[confidence %, summary]`` pairs
    (confidence -1 unknown; summary a string-table index, -1 none), and ``z`` the group's span
    in days (null when every group is one day). Pairs repeat a lot (one source's weight and
    name), so most maps spend one character per interval on them."""
    if "confidence" not in intervals:
        return {}
    conf = intervals["confidence"].to_numpy(np.float64)
    percent = np.where(np.isnan(conf), -1, np.round(np.nan_to_num(conf) * 100)).astype(np.int64)
    summary = np.asarray(strings.codes(intervals["sources"]), dtype=np.int64)
    pair, first = np.unique(percent * (1 << 32) + (summary + 1), return_index=True)
    order = np.argsort(first, kind="stable")  # vocabulary in order of first use
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    code = rank[np.searchsorted(pair, percent * (1 << 32) + (summary + 1))]
    vocabulary = [[int(percent[first[i]]), int(summary[first[i]])] for i in order]
    span = intervals["span"].to_numpy(np.int64)
    return {
        "g": _small_codes(code, len(vocabulary)),
        "gv": vocabulary,
        "z": span.tolist() if span.any() else None,
    }


def _small_codes(codes: np.ndarray, n_values: int) -> str | list[int]:
    """Codes 0…n-1 as one character each when they fit ``CODE_ALPHABET``, else an int list."""
    if n_values > len(CODE_ALPHABET):
        return codes.tolist()
    return "".join(np.array(list(CODE_ALPHABET))[codes].tolist()) if len(codes) else ""


def _localities(localities) -> dict:
    frame = localities.frame
    sources = [name for name, _ in localities.by_source]
    labels = frame["label"] if "label" in frame else frame["name"]
    return {
        "n": labels.astype(str).tolist(),
        "y": np.round(frame["lat"].to_numpy(dtype=float) * PLACE_SCALE).astype(np.int64).tolist(),
        "x": np.round(frame["lon"].to_numpy(dtype=float) * PLACE_SCALE).astype(np.int64).tolist(),
        "c": frame["cell_place"].to_numpy(dtype=np.int64).tolist(),
        "s": _codes(frame["source"], sources),
        "src": sources,
        "g": np.asarray(localities.colocated, dtype=np.int64).ravel().tolist(),
    }


def _encode_lines(coords: np.ndarray, line_index: np.ndarray) -> list[list[int]]:
    """Coordinates of many lines/rings → per line a flat ``[x0, y0, dx1, dy1, …]`` int list."""
    if len(coords) == 0:
        return []
    scaled = np.round(coords * GEOMETRY_SCALE).astype(np.int64)
    delta = np.diff(scaled, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    starts = np.r_[True, line_index[1:] != line_index[:-1]]
    delta[starts] = scaled[starts]
    cuts = np.flatnonzero(starts)[1:]
    return [part.ravel().tolist() for part in np.split(delta, cuts)]


def _cells(cells) -> dict | None:
    if cells is None:
        return None
    geoms = np.asarray(cells, dtype=object)
    parts, part_place = shapely.get_parts(geoms, return_index=True)
    parts = shapely.remove_repeated_points(parts)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_of_coord = shapely.get_coordinates(rings, return_index=True)
    # Closed rings repeat their first vertex; Leaflet closes polygons itself.
    last = np.r_[ring_of_coord[1:] != ring_of_coord[:-1], True]
    keep = ~last
    starts_polygon = np.r_[True, ring_part[1:] != ring_part[:-1]]
    return {
        "p": part_place[ring_part].tolist(),
        "e": starts_polygon.astype(int).tolist(),
        "g": _encode_lines(coords[keep], ring_of_coord[keep]),
    }


def _edges(edges) -> dict | None:
    if edges is None:
        return None
    left, right, geoms = edges
    lines, edge_index = shapely.get_parts(np.asarray(geoms, dtype=object), return_index=True)
    coords, line_of_coord = shapely.get_coordinates(lines, return_index=True)
    one_line_each = np.array_equal(edge_index, np.arange(len(geoms)))
    return {
        "l": np.diff(np.asarray(left, dtype=np.int64), prepend=0).tolist(),
        "r": np.asarray(right, dtype=np.int64).tolist(),
        "i": None if one_line_each else edge_index.tolist(),
        "g": _encode_lines(coords, line_of_coord),
    }


def _outline(outline) -> dict | None:
    if outline is None or shapely.is_empty(outline):
        return None
    boundary = outline if shapely.get_type_id(outline) in (1, 5) else shapely.boundary(outline)
    lines = shapely.get_parts(boundary)
    coords, line_of_coord = shapely.get_coordinates(lines, return_index=True)
    return {"g": _encode_lines(coords, line_of_coord)}
