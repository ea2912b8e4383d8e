"""Localities: every gazetteer place of the theatre that is not an observed place, in the state
of the territory cell it lies in.

Pure logic. The lookup is done ONCE for a locality set and a cell topology (an STRtree
point-in-cell query against the cells as drawn, EPSG:4326); the state on any number of dates
is then one array index: ``site_codes[:, site_of_locality]`` — no loop over dates or localities.

A locality's state is *inferred*: nobody reported it, it takes the controller of the observed
place whose cell holds it (the cell's place, ``cell_place``), so the map draws it hollow and its
popup names that place's observation.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import pyproj
import shapely

from .cells import CONFLICT, CellTopology
from .theatre import WGS84

CANDIDATE_COLUMNS = ("place_id", "name", "lat", "lon", "kind", "source")
SUPPLEMENT = "supplement (curated)"  # source label of rows whose source is a URL


@cache
def skip_kinds() -> frozenset[str]:
    """Gazetteer kinds that stand for an area, not a point (layers/data/localities.toml)."""
    text = resources.files("layers").joinpath("data/localities.toml").read_text("utf-8")
    return frozenset(str(k).casefold() for k in tomllib.loads(text).get("skip_kinds", ()))


@dataclass(frozen=True, eq=False)
class Localities:
    """The localities drawn on a map, aligned with one CellTopology.

    frame: DataFrame[place_id, name, lat, lon, kind, source, names, site, cell_place] — ``site``
        is the topology site whose cell holds the locality (-1: in the theatre but in no cell,
        e.g. beyond a distance cap: always unknown); ``cell_place`` the position (in the
        topology's place order) of the first place of that site, -1 without one.
    colocated: int array [K, 2] of (place position, first place position of its site) for the
        places that share a cell with an earlier place (their disagreement makes it unknown).
    counts: how every candidate was accounted for: ``candidates``, ``drawn``, ``observed`` (the
        place is observed), ``at_observed`` (same point as an observed place), ``area_kinds``
        (a region/district, not a point), ``no_coordinates``, ``outside`` (outside the theatre).
    by_source: (source label, localities drawn) pairs, most first.
    """

    frame: pd.DataFrame
    colocated: np.ndarray
    counts: dict[str, int]
    by_source: tuple[tuple[str, int], ...] = field(default=())

    def __len__(self) -> int:
        return len(self.frame)

    def summary(self) -> str:
        """One line for the command's output: how many were drawn, from which source."""
        c = self.counts
        sources = ", ".join(f"{name} {n:,}" for name, n in self.by_source) or "no source"
        left = [f"{c['observed'] + c['at_observed']:,} are observed places",
                f"{c['outside']:,} lie outside the theatre"]
        if c["area_kinds"]:
            left.append(f"{c['area_kinds']:,} are areas (region/district), not points")
        if c["no_coordinates"]:
            left.append(f"{c['no_coordinates']:,} have no coordinates")
        return (f"localities: {c['drawn']:,} drawn as inferred from their territory cell, from "
                f"{c['candidates']:,} gazetteer places ({sources}); not drawn: "
                + "; ".join(left))


def source_label(source: str) -> str:
    """The gazetteer layer a place came from: its ``source`` unless that is a per-row URL
    (curated supplement rows cite a web page each)."""
    text = str(source or "").strip()
    if not text:
        return "unknown source"
    return SUPPLEMENT if text.startswith(("http://", "https://")) else text


def candidates_from_rows(rows: Sequence[tuple], names: Sequence[tuple] | None = None
                         ) -> pd.DataFrame:
    """Candidate localities from gazetteer index rows ``(id, name, lat, lon, country, admin1,
    admin2, kind, population, source)`` (``Gazetteer.index.rows``); ``names`` optionally
    aligned tuples of every name of each place."""
    frame = pd.DataFrame.from_records(
        list(rows), columns=["place_id", "name", "lat", "lon", "country", "admin1", "admin2",
                             "kind", "population", "source"])
    frame["names"] = list(names) if names is not None else [()] * len(frame)
    return frame


def find_localities(candidates: pd.DataFrame, topology: CellTopology, *,
                    observed_ids: Iterable[str] = (), theatre: shapely.Geometry | None = None,
                    skip: Iterable[str] | None = None) -> Localities:
    """The localities among ``candidates`` (DataFrame[place_id, name, lat, lon, kind, source],
    optional ``names``) and the cell each one lies in.

    Drawn: every candidate inside the theatre (``theatre``, EPSG:4326 polygons; default: the
    union of the cells) that is not an observed place (``observed_ids``, or the same point as
    an observed place to the topology's grid) and whose kind is a point (not in ``skip``,
    default layers/data/localities.toml). Every candidate is counted in ``counts``.
    """
    missing = [c for c in CANDIDATE_COLUMNS if c not in candidates.columns]
    if missing:
        raise ValueError(f"locality candidates lack columns {missing}")
    frame = candidates.reset_index(drop=True)
    if "names" not in frame:
        frame = frame.assign(names=[()] * len(frame))
    n = len(frame)
    lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float)
    ids = frame["place_id"].astype(str).to_numpy(dtype=object)
    kinds = frame["kind"].fillna("").astype(str).str.casefold().to_numpy(dtype=object)

    has_xy = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    observed = np.isin(ids, np.asarray(list(map(str, observed_ids)), dtype=object))
    area_kind = np.isin(kinds, np.asarray(sorted(skip_kinds() if skip is None else
                                                 {str(k).casefold() for k in skip}), object))

    # Same point as an observed place: compared on the topology's grid, in its metres.
    to_local = pyproj.Transformer.from_crs(WGS84, topology.crs, always_xy=True)
    x, y = to_local.transform(np.where(has_xy, lon, 0.0), np.where(has_xy, lat, 0.0))
    snapped = np.round(np.column_stack([x, y]) / topology.grid_size)
    site_keys = np.round(topology.site_xy / topology.grid_size)
    at_observed = has_xy & _rows_in(snapped, site_keys)

    site = np.full(n, -1, dtype=np.int64)
    if n and topology.n_sites:
        # In lon/lat, against the cells as the map draws them (EPSG:4326): a locality near an
        # edge takes the colour of the cell it is drawn in.
        tree = shapely.STRtree(topology.cells_wgs84)
        points = shapely.points(np.where(has_xy, lon, 0.0), np.where(has_xy, lat, 0.0))
        hit_point, hit_cell = tree.query(points, predicate="intersects")
        # A point on a shared edge touches two cells: the lower site wins (deterministic).
        best = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(best, hit_point, hit_cell)
        site = np.where(best < np.iinfo(np.int64).max, best, -1)
    in_cell = has_xy & (site >= 0)
    if theatre is not None:
        shapely.prepare(theatre)
        inside = in_cell | (has_xy & shapely.contains_xy(theatre, lon, lat))
    else:
        inside = in_cell

    # Every candidate lands in exactly one bucket, checked in this order.
    counts: dict[str, int] = {"candidates": int(n)}
    left = np.ones(n, dtype=bool)
    for name, mask in (("observed", observed), ("no_coordinates", ~has_xy),
                       ("at_observed", at_observed), ("area_kinds", area_kind),
                       ("outside", ~inside)):
        counts[name] = int((left & mask).sum())
        left &= ~mask
    keep = left
    counts["drawn"] = int(keep.sum())

    first = topology.first_place_of_site
    drawn = frame.loc[keep, ["place_id", "name", "lat", "lon", "kind", "source", "names"]].copy()
    drawn["place_id"] = drawn["place_id"].astype(str)
    drawn["lat"] = lat[keep]
    drawn["lon"] = lon[keep]
    drawn["source"] = drawn["source"].map(source_label)
    drawn["site"] = site[keep]
    drawn["cell_place"] = np.where(site[keep] >= 0, first[np.clip(site[keep], 0, None)], -1) \
        if len(first) else np.full(int(keep.sum()), -1, dtype=np.int64)
    drawn = drawn.reset_index(drop=True)

    positions = np.arange(topology.n_places)
    their_first = first[topology.site_of_place] if topology.n_places else positions
    shared = positions != their_first
    colocated = np.column_stack([positions[shared], their_first[shared]]).astype(np.int64)

    by_source = drawn["source"].value_counts(sort=False)
    order = sorted(by_source.items(), key=lambda kv: (-kv[1], kv[0]))
    return Localities(frame=drawn, colocated=colocated.reshape(-1, 2), counts=counts,
                      by_source=tuple((str(k), int(v)) for k, v in order))


def locality_states(localities: Localities, topology: CellTopology,
                    place_codes: np.ndarray) -> np.ndarray:
    """Per-place controller codes ``[..., P]`` (e.g. ``StateMatrix.controller``, -1 unknown) →
    per-locality codes ``[..., L]``: the code of the cell each locality lies in. -1 where the
    cell's places are all unknown or the locality is in no cell; ``CONFLICT`` (-2) where
    co-located places of its cell disagree. One index operation over every date."""
    site_codes = topology.site_codes(np.asarray(place_codes))
    site = localities.frame["site"].to_numpy(dtype=np.int64)
    if not len(site):
        return np.empty(site_codes.shape[:-1] + (0,), dtype=site_codes.dtype)
    if site_codes.shape[-1] == 0:
        return np.full(site_codes.shape[:-1] + (len(site),), -1, dtype=site_codes.dtype)
    picked = np.take(site_codes, np.clip(site, 0, None), axis=-1)
    return np.where(site >= 0, picked, -1).astype(site_codes.dtype, copy=False)


def _rows_in(rows: np.ndarray, table: np.ndarray) -> np.ndarray:
    """For each row of ``rows`` ([N, 2] ints as floats), whether it appears in ``table``."""
    if not len(rows) or not len(table):
        return np.zeros(len(rows), dtype=bool)
    both = np.concatenate([table, rows]).astype(np.int64)
    _, inverse = np.unique(both, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    return np.isin(inverse[len(table):], inverse[:len(table)])


__all__ = ["CONFLICT", "Localities", "candidates_from_rows", "find_localities",
           "locality_states", "skip_kinds", "source_label"]
