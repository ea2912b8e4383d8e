"""Front lines: the shared cell edges whose two places have different known controllers,
line-merged per slice and pair of factions. One boolean mask over [slices × edges] selects every
front edge of every slice at once; one vectorized ``line_merge`` builds all the lines."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from .cells import CellTopology
from .theatre import WGS84


@dataclass(frozen=True, eq=False)
class FrontLines:
    """Row k: the front between factions ``side_a[k] < side_b[k]`` on slice ``slice_index[k]``
    (metres of the topology's CRS), ``edges[k]`` shared edges long."""

    slice_index: np.ndarray  # [K] int
    side_a: np.ndarray  # [K] int code
    side_b: np.ndarray  # [K] int code
    geometry: np.ndarray  # [K] LineString/MultiLineString
    edges: np.ndarray  # [K] int number of shared edges merged
    length_km: np.ndarray  # [K] float (sum of the shared edges' lengths, local metres)


def front_line_codes(topology: CellTopology, codes: np.ndarray, *, wgs84: bool = False
                     ) -> FrontLines:
    """Front lines per slice from place codes ``[n_slices, n_places]`` (or ``[n_places]``), in
    the topology's metres or, with ``wgs84=True``, merged from the reprojected edges."""
    codes = np.atleast_2d(np.asarray(codes, dtype=np.int64))
    site_codes = topology.site_codes(codes)
    left = site_codes[:, topology.edge_a]
    right = site_codes[:, topology.edge_b]
    front = (left != right) & (left >= 0) & (right >= 0)
    slice_index, edge = np.nonzero(front)
    if len(edge) == 0:
        none = np.empty(0, dtype=np.int64)
        return FrontLines(none, none, none, np.empty(0, dtype=object), none,
                          np.empty(0, dtype=float))
    side_a = np.minimum(left, right)[slice_index, edge]
    side_b = np.maximum(left, right)[slice_index, edge]
    width = int(site_codes.max()) + 1  # one int64 key per (slice, side_a, side_b)
    keys, dense, counts = np.unique((slice_index * width + side_a) * width + side_b,
                                    return_inverse=True, return_counts=True)
    groups = np.column_stack([keys // (width * width), keys // width % width, keys % width])
    dense = dense.reshape(-1)
    order = np.argsort(dense, kind="stable")
    edges = topology.edges_wgs84 if wgs84 else topology.edges
    # A shared edge cut by the theatre's outline (a bay, a border notch) is a MultiLineString:
    # hand its parts, each keeping its group, to the one vectorized multilinestrings call.
    parts, part_of = shapely.get_parts(edges[edge[order]], return_index=True)
    lines = shapely.multilinestrings(parts, indices=dense[order][part_of])
    merged = shapely.line_merge(lines)
    return FrontLines(
        slice_index=groups[:, 0],
        side_a=groups[:, 1],
        side_b=groups[:, 2],
        geometry=np.asarray(merged, dtype=object),
        edges=counts.astype(np.int64),
        length_km=np.bincount(dense, weights=topology.edge_length_km[edge],
                              minlength=len(groups)),
    )


def front_lines_frame(
    topology: CellTopology,
    codes: np.ndarray,
    *,
    dates,
    labels,
) -> gpd.GeoDataFrame:
    """Front lines as an EPSG:4326 GeoDataFrame [date, side_a, side_b, edges, length_km,
    geometry]; ``side_a`` < ``side_b`` are the two controllers' labels, alphabetically."""
    result = front_line_codes(topology, codes, wgs84=True)
    dates = np.asarray(list(dates) if not isinstance(dates, np.ndarray) else dates)
    labels = np.asarray([str(label) for label in labels], dtype=object)
    first = labels[result.side_a] if len(result.side_a) else labels[:0]
    second = labels[result.side_b] if len(result.side_b) else labels[:0]
    swap = first > second  # the pair is reported in alphabetical order
    return gpd.GeoDataFrame(
        {
            "date": dates[result.slice_index] if len(result.slice_index) else dates[:0],
            "side_a": np.where(swap, second, first),
            "side_b": np.where(swap, first, second),
            "edges": result.edges,
            "length_km": result.length_km,
        },
        geometry=result.geometry,
        crs=WGS84,
    )


__all__ = ["FrontLines", "front_line_codes", "front_lines_frame"]
