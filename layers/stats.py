"""Area statistics: per date and controller (or polygon status), places held and area in km²,
measured in a Lambert azimuthal equal-area projection centred on the data."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from .theatre import WGS84, local_equal_area_crs, transform_geometries

STATS_COLUMNS: tuple[str, ...] = ("date", "controller", "places", "area_km2")


def equal_area_km2(geoms, *, crs=WGS84) -> np.ndarray:
    """Area in km² of each geometry, in an equal-area projection centred on all of them."""
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0:
        return np.empty(0, dtype=float)
    present = ~shapely.is_empty(geoms) & ~pd.isna(geoms)
    if not present.any():
        return np.zeros(len(geoms), dtype=float)
    if crs is not None and not pyproj.CRS.from_user_input(crs).equals(WGS84):
        geoms = transform_geometries(geoms, crs, WGS84)
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms[present])
    local = local_equal_area_crs(np.array([xmin, xmax]), np.array([ymin, ymax]))
    projected = transform_geometries(geoms[present], WGS84, local)
    out = np.zeros(len(geoms), dtype=float)
    out[present] = shapely.area(projected) / 1e6
    return out


UNKNOWN = "unknown"  # the theatre's land no faction holds (unknown or conflicting places, no cell)
CELL_STATS_COLUMNS: tuple[str, ...] = ("date", "controller", "places", "area_km2", "share",
                                       "front_km")


def cell_area_stats(topology, codes: np.ndarray, *, dates, labels, controllers=()
                    ) -> pd.DataFrame:
    """Per date and controller, from per-cell areas (no polygon is dissolved or reprojected):
    places held, area km², ``share`` of the theatre (0–1) and front length km. ``codes`` are
    place codes ``[n_dates, n_places]`` (−1 unknown), ``labels[code]`` the controllers' names.

    Every controller appears on every date, plus ``unknown``: the theatre's land whose place is
    unknown, whose co-located places disagree, or that lies beyond every capped cell, so each
    date's rows sum to the theatre's area (``topology.theatre_area_km2``)."""
    codes = np.atleast_2d(np.asarray(codes, dtype=np.int64))
    labels = [str(label) for label in labels]
    iso = [str(d)[:10] for d in dates]
    if codes.shape[0] != len(iso):
        raise ValueError(f"codes have {codes.shape[0]} dates but {len(iso)} dates were given")
    site_codes = topology.site_codes(codes)
    n = len(labels)
    # one pass per faction (a handful), each vectorized over dates × cells
    area = topology.held_area_km2(site_codes, n)  # [dates, n], sums of per-cell areas
    places = np.zeros((len(iso), n), dtype=np.int64)
    for f in range(n):
        places[:, f] = (codes == f).sum(axis=1)
    # front km per side: every shared edge whose two known sites differ counts for both sides
    left, right = site_codes[:, topology.edge_a], site_codes[:, topology.edge_b]
    front = (left != right) & (left >= 0) & (right >= 0)
    day, edge = np.nonzero(front)
    length = topology.edge_length_km[edge]
    front_km = np.zeros((len(iso), n + 1))
    for side in (left, right):
        np.add.at(front_km, (day, side[day, edge]), length)
    total = float(topology.theatre_area_km2)
    unknown_area = np.maximum(total - area.sum(axis=1), 0.0)
    unknown_places = (codes < 0).sum(axis=1)
    order = list(dict.fromkeys([str(c) for c in controllers if str(c) in labels] + sorted(labels)))
    if UNKNOWN in order:
        order.remove(UNKNOWN)
    column = [labels.index(c) for c in order]
    rows_area = np.column_stack([area[:, column], unknown_area])
    rows_places = np.column_stack([places[:, column], unknown_places])
    rows_front = np.column_stack([front_km[:, column], np.zeros(len(iso))])
    if UNKNOWN in labels:  # a faction literally named "unknown" joins the unknown row
        k = labels.index(UNKNOWN)
        rows_area[:, -1] = total - rows_area[:, :-1].sum(axis=1)
        rows_places[:, -1] += places[:, k]
    names = order + [UNKNOWN]
    out = pd.DataFrame({
        "date": np.repeat(iso, len(names)),
        "controller": np.tile(names, len(iso)),
        "places": rows_places.reshape(-1).astype(np.int64),
        "area_km2": rows_area.reshape(-1).round(3),
        "share": (rows_area.reshape(-1) / total if total > 0 else 0.0 * rows_area.reshape(-1)
                  ).round(5),
        "front_km": rows_front.reshape(-1).round(3),
    })
    return out[list(CELL_STATS_COLUMNS)]


def area_stats(
    territory: gpd.GeoDataFrame,
    *,
    by: str = "controller",
    dates=None,
    controllers=None,
) -> pd.DataFrame:
    """Per date and ``by`` value: places held (when the frame has a ``places`` column) and area
    km² (equal-area). Every date × controller pair appears, with 0 where nothing is held, so a
    chart never skips a date; ``dates``/``controllers`` add pairs absent from the frame."""
    for column in ("date", by):
        if column not in territory.columns:
            raise ValueError(f"territory frame has no '{column}' column: {list(territory.columns)}")
    frame = pd.DataFrame(
        {
            "date": territory["date"].astype(str).to_numpy(),
            "controller": territory[by].astype(str).to_numpy(),
            # cell-derived frames carry their area (the sum of their cells' equal-area km²):
            # use it rather than reprojecting every slice's polygons
            "area_km2": (territory["area_km2"].to_numpy(dtype=float)
                         if "area_km2" in territory.columns else
                         equal_area_km2(territory.geometry.values, crs=territory.crs or WGS84)),
        }
    )
    has_places = "places" in territory.columns
    if has_places:
        frame["places"] = territory["places"].to_numpy()
    summed = frame.groupby(["date", "controller"], sort=True).sum()
    all_dates = sorted(set(frame["date"]) | {str(d) for d in (dates if dates is not None else ())})
    known = list(dict.fromkeys(str(c) for c in (controllers or ())))
    all_controllers = known + sorted(set(frame["controller"]) - set(known))
    grid = pd.MultiIndex.from_product([all_dates, all_controllers], names=["date", "controller"])
    out = summed.reindex(grid, fill_value=0).reset_index()
    if has_places:
        out["places"] = out["places"].astype(np.int64)
        columns = list(STATS_COLUMNS)
    else:
        columns = ["date", "controller", "area_km2"]
    out["area_km2"] = out["area_km2"].astype(float).round(3)
    order = {c: i for i, c in enumerate(all_controllers)}
    out = out.sort_values(["date", "controller"], key=lambda s: s.map(order) if s.name ==
                          "controller" else s, kind="stable")
    return out[columns].reset_index(drop=True)


def with_front_lengths(stats: pd.DataFrame, front_lines: pd.DataFrame, *,
                       by: tuple[str, ...] = ("side_a", "side_b")) -> pd.DataFrame:
    """Add ``front_km`` to a stats table: per date and controller, the length of the front lines
    it is a side of (``by`` names the columns holding the side(s): ``side_a``/``side_b`` for
    point-derived fronts, ``status`` for polygon fronts)."""
    pieces = [
        pd.DataFrame({"date": front_lines["date"].astype(str).to_numpy(),
                      "controller": front_lines[column].astype(str).to_numpy(),
                      "front_km": front_lines["length_km"].to_numpy(dtype=float)})
        for column in by
    ]
    lengths = pd.concat(pieces, ignore_index=True).groupby(["date", "controller"]).sum()
    out = stats.merge(lengths.reset_index(), on=["date", "controller"], how="left")
    out["front_km"] = out["front_km"].fillna(0.0).astype(float).round(3)
    return out


__all__ = ["CELL_STATS_COLUMNS", "STATS_COLUMNS", "UNKNOWN", "area_stats", "cell_area_stats",
           "equal_area_km2", "with_front_lengths"]
