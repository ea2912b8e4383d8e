"""Territory: the cells of a cell topology dissolved by controller, for many slices at once.

The topology never changes between slices, so the dissolve is organised as a fixed tree over
the cells (sites in Hilbert order, 16 children per node). A node's piece for one slice is the
coverage union of its children's pieces that belong to the faction; pieces are keyed by which
children they contain, so a piece is computed once and reused by every slice and faction with
the same membership below that node. When a front moves, only the nodes on the path from the
changed cells to the root are recomputed, and each level is one vectorized
``coverage_union_all(axis=1)`` call over all slices. Coverage unions keep the cells' shared
vertices, so neighbouring territories have exactly the same edges and no slivers.

Pieces above the leaves are kept as lists of polygon parts: a part that does not touch the
boundary of its node's region (precomputed once per node) can touch nothing outside the node,
so it is passed upward as it is and never unioned again; a node only unions the parts along
its children's boundaries. Slices are dissolved in chunks (bounded memory); a chunk in which
nearly every leaf block is new (places flipping at random between distant dates) takes one flat
coverage union per faction and slice instead. Every polygon is ``shapely.normalize``d, so a
slice's bytes never depend on the strategy, the chunking or the other slices (process pools).

For the slices that are only counted (areas, places), :func:`territory_table` sums per-cell
areas without building any polygon.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .cells import CellTopology
from .theatre import WGS84

_LEAF = 16  # cells per leaf node; leaf membership packs into the low _LEAF bits of a key
_FANOUT = 16  # children per upper node
_ROOT_FANOUT = 64  # at most this many nodes left: one last union
DEFAULT_CHUNK = 256  # slices dissolved together (bounds memory; reuse is between neighbours)
_FLAT_ABOVE = 0.3  # distinct leaf blocks / all: above this, a flat union per slice is cheaper
_STRATEGIES = ("auto", "tree", "flat")


@dataclass(frozen=True, eq=False)
class Territories:
    """Territory polygons of many slices: row k is faction ``code[k]`` on slice ``slice_index[k]``
    (metres of the topology's CRS). ``places`` counts the places held (co-located places count
    once each)."""

    slice_index: np.ndarray  # [K] int
    code: np.ndarray  # [K] int
    geometry: np.ndarray  # [K] Polygon/MultiPolygon
    places: np.ndarray  # [K] int
    area_km2: np.ndarray  # [K] float, equal-area (sum of the cells' areas)


def dissolve_codes(topology: CellTopology, codes: np.ndarray, *, wgs84: bool = False,
                   strategy: str = "auto", chunk: int = DEFAULT_CHUNK) -> Territories:
    """Territory per slice and controller from place codes ``[n_slices, n_places]`` (or one
    slice ``[n_places]``); codes < 0 (unknown, conflicting co-located places) hold nothing.
    Geometries are in the topology's metres, or in EPSG:4326 with ``wgs84=True`` (dissolved
    from the reprojected cells, so nothing is reprojected per slice).

    Slices are dissolved ``chunk`` at a time (memory stays bounded whatever their number). Per
    chunk, ``strategy="auto"`` uses the reuse tree when most leaf blocks repeat between slices
    (moving fronts) and one flat coverage union per faction and slice otherwise (places flipping
    at random, where nothing can be reused and the tree would redo every boundary at every
    level); ``"tree"``/``"flat"`` force one. Every polygon is ``shapely.normalize``d, so the
    result of a slice is the same bytes whatever the strategy, the chunking or the other slices.
    """
    if strategy not in _STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(_STRATEGIES)} (got {strategy!r})")
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1 (got {chunk})")
    codes = np.atleast_2d(np.asarray(codes, dtype=np.int64))
    site_codes = topology.site_codes(codes)
    n_slices = codes.shape[0]
    factions = _codes_present(site_codes)
    empty = Territories(*(np.empty(0, dtype=np.int64),) * 2, np.empty(0, dtype=object),
                        np.empty(0, dtype=np.int64), np.empty(0, dtype=float))
    if len(factions) == 0 or n_slices == 0:
        return empty
    tree = _tree(topology, wgs84)
    top = np.full((len(factions), n_slices), None, dtype=object)  # [F, D]
    for lo in range(0, n_slices, chunk):  # chunks of slices, each vectorized over its slices
        top[:, lo:lo + chunk] = _dissolve_chunk(tree, site_codes[lo:lo + chunk], factions,
                                                n_sites=topology.n_sites, strategy=strategy)

    present = ~pd.isna(top)
    faction_index, slice_index = np.nonzero(present)
    geoms = top[faction_index, slice_index]
    geoms = np.where(shapely.is_empty(geoms), shapely.MultiPolygon(), shapely.normalize(geoms))
    held = np.stack([(codes == f).sum(axis=-1) for f in factions])  # [F, D] place-level counts
    area = topology.held_area_km2(site_codes, int(factions.max()) + 1)[:, factions].T  # [F, D]
    order = np.lexsort((faction_index, slice_index))
    return Territories(
        slice_index=slice_index[order].astype(np.int64),
        code=factions[faction_index[order]].astype(np.int64),
        geometry=np.asarray(geoms[order], dtype=object),
        places=held[faction_index[order], slice_index[order]].astype(np.int64),
        area_km2=area[faction_index[order], slice_index[order]],
    )


def _dissolve_chunk(tree: _Tree, site_codes: np.ndarray, factions: np.ndarray, *,
                    n_sites: int, strategy: str) -> np.ndarray:
    """Territory of every faction on each slice of ``site_codes [d, S]``: ``[F, d]`` polygons
    (None where the faction holds no cell)."""
    n_slices = site_codes.shape[0]
    padded = np.full((n_slices, tree.leaf_cells.size), -1, dtype=np.int64)
    padded[:, :n_sites] = site_codes[:, tree.order]
    # Level 0: membership bits of each leaf node, per faction and slice.
    bits = np.left_shift(np.int64(1), np.arange(_LEAF, dtype=np.int64))
    member = padded[None, :, :] == factions[:, None, None]  # [F, d, S_pad]
    held = member.any(axis=-1)  # [F, d]
    member = member.reshape(len(factions), n_slices, -1, _LEAF)
    masks = (member * bits).sum(axis=-1)  # [F, d, N0]
    node = np.arange(masks.shape[-1], dtype=np.int64)
    keys = np.where(masks > 0, (node << _LEAF) | masks, -1)
    if strategy == "flat" or (strategy == "auto" and _little_reuse(keys)):
        out = np.full(held.shape, None, dtype=object)
        out[held] = _flat_unions(tree.leaf_cells.reshape(-1), member.reshape(
            len(factions), n_slices, -1)[held])
        return out
    ids, pieces = _union_level(
        keys,
        lambda k: np.where(
            ((k[:, None] & ((1 << _LEAF) - 1)) >> np.arange(_LEAF)) & 1 == 1,
            tree.leaf_cells[k >> _LEAF],
            None,
        ),
    )
    # Upper levels: a node's key is the tuple of its children's piece ids.
    parts = _Pieces.of(pieces)
    for level, (fanout, boundary) in enumerate(tree.levels):
        n_nodes = len(boundary)
        grown = np.full(ids.shape[:-1] + (n_nodes * fanout,), -1, dtype=np.int64)
        grown[..., : ids.shape[-1]] = ids
        ids, parts = _union_rows_passing(grown.reshape(ids.shape[:-1] + (n_nodes, fanout)),
                                         parts, boundary,
                                         last=level == len(tree.levels) - 1)
    top = ids[..., 0]  # [F, d]
    out = np.full(top.shape, None, dtype=object)
    out[top >= 0] = parts.geometries(top[top >= 0])
    return out


def _codes_present(site_codes: np.ndarray) -> np.ndarray:
    """The distinct codes >= 0 in ``site_codes``, ascending (a bincount: codes are small)."""
    known = site_codes[site_codes >= 0]
    return np.flatnonzero(np.bincount(known)) if len(known) else np.empty(0, dtype=np.int64)


def _little_reuse(keys: np.ndarray) -> bool:
    """True when most (faction, slice, leaf) blocks are distinct: the tree cannot reuse pieces."""
    present = keys[keys >= 0]
    return len(present) > 0 and len(np.unique(present)) > _FLAT_ABOVE * len(present)


def _flat_unions(cells: np.ndarray, member: np.ndarray) -> np.ndarray:
    """One coverage union per row of ``member [R, S_pad]`` (bool) over ``cells`` (None =
    padding or empty cell), as a compact [R, most cells in a row] table."""
    row, cell = np.nonzero(member)
    counts = np.bincount(row, minlength=len(member))
    slot = np.arange(len(row)) - np.repeat(np.cumsum(counts) - counts, counts)
    table = np.full((len(member), max(int(counts.max(initial=0)), 1)), None, dtype=object)
    table[row, slot] = cells[cell]
    return _polygon_empty(np.asarray(shapely.coverage_union_all(table, axis=1), dtype=object)
                          .reshape(-1))


def territory_frame(
    topology: CellTopology,
    codes: np.ndarray,
    *,
    dates,
    labels,
) -> gpd.GeoDataFrame:
    """Territory per slice as an EPSG:4326 GeoDataFrame [date, controller, places, area_km2,
    geometry]; ``labels[code]`` names the controller, ``dates[i]`` the slice."""
    result = dissolve_codes(topology, codes, wgs84=True)
    dates = np.asarray(list(dates) if not isinstance(dates, np.ndarray) else dates)
    labels = np.asarray(list(labels), dtype=object)
    return gpd.GeoDataFrame(
        {
            "date": dates[result.slice_index] if len(result.slice_index) else dates[:0],
            "controller": labels[result.code] if len(result.code) else labels[:0],
            "places": result.places,
            "area_km2": result.area_km2,
        },
        geometry=result.geometry,
        crs=WGS84,
    )


def territory_table(
    topology: CellTopology,
    codes: np.ndarray,
    *,
    dates,
    labels,
) -> pd.DataFrame:
    """The non-geometry columns of :func:`territory_frame` — [date, controller, places,
    area_km2], same rows in the same order, same values — without dissolving any polygon:
    areas are sums of the cells' equal-area km² (computed once). Cheap for every slider date
    (vectorized over dates × cells); dissolve polygons only for the dates that are drawn."""
    codes = np.atleast_2d(np.asarray(codes, dtype=np.int64))
    site_codes = topology.site_codes(codes)
    factions = _codes_present(site_codes)
    dates = np.asarray(list(dates) if not isinstance(dates, np.ndarray) else dates)
    labels = np.asarray(list(labels), dtype=object)
    if len(factions) == 0:
        return pd.DataFrame({"date": dates[:0], "controller": labels[:0],
                             "places": np.empty(0, dtype=np.int64),
                             "area_km2": np.empty(0, dtype=float)})
    held = np.stack([(site_codes == f).any(axis=-1) for f in factions])  # [F, D]
    places = np.stack([(codes == f).sum(axis=-1) for f in factions])
    area = topology.held_area_km2(site_codes, int(factions.max()) + 1)[:, factions].T
    faction_index, slice_index = np.nonzero(held)
    order = np.lexsort((faction_index, slice_index))
    faction_index, slice_index = faction_index[order], slice_index[order]
    return pd.DataFrame({
        "date": dates[slice_index],
        "controller": labels[factions[faction_index]],
        "places": places[faction_index, slice_index].astype(np.int64),
        "area_km2": area[faction_index, slice_index],
    })


def day_layers(
    topology: CellTopology,
    codes: np.ndarray,
    *,
    dates,
    labels,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """(territory_frame, front_lines_frame) of the given days: the per-date work of a bundle,
    pure (a CellTopology, int codes ``[n_days, n_places]``, str dates and labels in; frames
    out), so a process pool can map it over chunks of days. A day's rows do not depend on the
    other days of the chunk."""
    from .frontline import front_lines_frame  # sibling verb; imported here to keep modules flat

    return (territory_frame(topology, codes, dates=dates, labels=labels),
            front_lines_frame(topology, codes, dates=dates, labels=labels))


def contested_frame(
    topology: CellTopology,
    contested: np.ndarray,
    codes: np.ndarray,
    *,
    dates,
    labels,
) -> gpd.GeoDataFrame:
    """Cells of the places flagged in ``contested [n_slices, n_places]`` (bool), one row per
    slice and place [date, place_id, controller, geometry] in EPSG:4326 (drawn hatched)."""
    contested = np.atleast_2d(np.asarray(contested, dtype=bool))
    codes = np.atleast_2d(np.asarray(codes, dtype=np.int64))
    slice_index, place = np.nonzero(contested)
    dates = np.asarray(list(dates) if not isinstance(dates, np.ndarray) else dates)
    labels = np.asarray(list(labels) + [None], dtype=object)  # code -1 → None
    code = codes[slice_index, place]
    return gpd.GeoDataFrame(
        {
            "date": dates[slice_index] if len(slice_index) else dates[:0],
            "place_id": topology.place_ids[place],
            "controller": labels[np.where(code >= 0, code, -1)],
        },
        geometry=topology.cells_wgs84[topology.site_of_place[place]],
        crs=WGS84,
    )


@dataclass(frozen=True, eq=False)
class _Tree:
    order: np.ndarray  # sites in Hilbert order
    leaf_cells: np.ndarray  # [N0, FANOUT] cells (None = padding or empty cell)
    # per upper level: (fanout, boundary of every node's region): a piece's part that does not
    # touch its node's boundary can touch nothing outside the node, so it passes upward as is
    levels: tuple[tuple[int, np.ndarray], ...]


def _fanout(n_nodes: int) -> int:
    # A few nodes left: union them straight into the root (another level would only redo the
    # same boundaries once more).
    return n_nodes if n_nodes <= _ROOT_FANOUT else _FANOUT


@functools.lru_cache(maxsize=8)
def _tree(topology: CellTopology, wgs84: bool) -> _Tree:
    order = np.argsort(_hilbert_index(topology.site_xy), kind="stable")
    n_pad = -(-topology.n_sites // _LEAF) * _LEAF
    leaf = np.full(n_pad, None, dtype=object)
    cells = (topology.cells_wgs84 if wgs84 else topology.cells)[order]
    leaf[: topology.n_sites] = np.where(shapely.is_empty(cells), None, cells)
    leaf_cells = leaf.reshape(-1, _LEAF)
    regions = _polygon_empty(np.asarray(shapely.coverage_union_all(leaf_cells, axis=1),
                                        dtype=object).reshape(-1))
    levels = []
    while len(regions) > 1:
        fanout = _fanout(len(regions))
        n_nodes = -(-len(regions) // fanout)
        grown = np.full(n_nodes * fanout, None, dtype=object)
        grown[: len(regions)] = np.where(shapely.is_empty(regions), None, regions)
        regions = _polygon_empty(np.asarray(shapely.coverage_union_all(
            grown.reshape(n_nodes, fanout), axis=1), dtype=object).reshape(-1))
        boundary = np.asarray(shapely.boundary(regions), dtype=object)
        shapely.prepare(boundary)
        levels.append((fanout, boundary))
    return _Tree(order=order, leaf_cells=leaf_cells, levels=tuple(levels))


@dataclass(frozen=True, eq=False)
class _Pieces:
    """Pieces of one tree level as lists of polygon parts: piece ``i`` is
    ``parts[start[i]:start[i] + count[i]]``; ``interior`` marks parts that touch nothing outside
    their node (they are never unioned again)."""

    parts: np.ndarray  # [N] Polygon
    start: np.ndarray  # [pieces] int
    count: np.ndarray  # [pieces] int
    interior: np.ndarray  # [N] bool

    @classmethod
    def of(cls, geoms: np.ndarray) -> _Pieces:
        parts, index = shapely.get_parts(geoms, return_index=True)
        keep = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
        parts, index = parts[keep], index[keep]
        count = np.bincount(index, minlength=len(geoms)).astype(np.int64)
        return cls(np.asarray(parts, dtype=object), np.cumsum(count) - count, count,
                   np.zeros(len(parts), dtype=bool))

    def geometries(self, ids: np.ndarray) -> np.ndarray:
        """One (Multi)Polygon per piece id: a single part stays a Polygon."""
        count = self.count[ids]
        row, ref = _expand(self.start[ids], count)
        out = np.full(len(ids), None, dtype=object)
        single = count == 1
        out[single] = self.parts[self.start[ids[single]]]
        multi = count > 1
        if multi.any():
            take = multi[row]
            dense = np.cumsum(multi) - 1
            out[multi] = shapely.multipolygons(self.parts[ref[take]], indices=dense[row[take]])
        out[count == 0] = shapely.Polygon()
        return out


def _expand(start: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges ``[start[i], start[i] + count[i])``: (range index, position) of every item."""
    row = np.repeat(np.arange(len(count)), count)
    offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    return row, np.repeat(start, count) + offset


def _union_rows_passing(children: np.ndarray, pieces: _Pieces, boundary: np.ndarray, *,
                        last: bool) -> tuple[np.ndarray, _Pieces]:
    """Like :func:`_union_rows`, on part lists: per distinct row of child piece ids (last axis,
    one node per row along the axis before it), the interior parts of the children pass
    through untouched and only the parts touching their child's boundary are coverage-unioned
    (when they come from more than one child), so a node costs its boundary, not its area."""
    n_nodes = children.shape[-2]
    rows = children.reshape(-1, children.shape[-1])
    node = np.tile(np.arange(n_nodes), len(rows) // n_nodes)
    present = (rows >= 0).any(axis=1)
    ids = np.full(len(rows), -1, dtype=np.int64)
    if not present.any():
        return ids.reshape(children.shape[:-1]), _Pieces.of(np.empty(0, dtype=object))
    unique, first, inverse = np.unique(rows[present], axis=0, return_index=True,
                                       return_inverse=True)
    ids[present] = inverse.reshape(-1)
    unique_node = node[np.flatnonzero(present)[first]]
    # every (row, child) pair, then every part of that child
    pair_row, pair_slot = np.nonzero(unique >= 0)
    child = unique[pair_row, pair_slot]
    pair_of_ref, ref = _expand(pieces.start[child], pieces.count[child])
    ref_row = pair_row[pair_of_ref]
    inner = pieces.interior[ref]
    # rows whose border parts come from two children or more: union those parts
    border_children = np.zeros(len(unique), dtype=np.int64)
    has_border = np.zeros(len(pair_row), dtype=bool)
    np.logical_or.at(has_border, pair_of_ref[~inner], True)
    np.add.at(border_children, pair_row[has_border], 1)
    merge = border_children[ref_row] >= 2
    kept = ~merge | inner  # interior parts, and border parts with nothing to merge with
    merged_rows = np.flatnonzero(border_children >= 2)
    new_parts = [pieces.parts[ref[kept]]]
    new_row = [ref_row[kept]]
    new_inner = [inner[kept]]
    if len(merged_rows):
        take = merge & ~inner
        group = np.searchsorted(merged_rows, ref_row[take])
        counts = np.bincount(group, minlength=len(merged_rows))
        slot = np.arange(len(group)) - np.repeat(np.cumsum(counts) - counts, counts)
        order = np.argsort(group, kind="stable")
        table = np.full((len(merged_rows), int(counts.max())), None, dtype=object)
        table[group[order], slot] = pieces.parts[ref[take][order]]
        unions = np.asarray(shapely.coverage_union_all(table, axis=1), dtype=object).reshape(-1)
        parts, index = shapely.get_parts(unions, return_index=True)
        ok = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
        new_parts.append(np.asarray(parts[ok], dtype=object))
        new_row.append(merged_rows[index[ok]])
        new_inner.append(np.zeros(int(ok.sum()), dtype=bool))
    parts = np.concatenate(new_parts)
    row = np.concatenate(new_row)
    inner = np.concatenate(new_inner)
    # border parts that no longer touch this node's boundary become interior (not at the root:
    # nothing is above it)
    if len(boundary) > 1 or not last:
        test = ~inner
        inner[test] = ~shapely.intersects(boundary[unique_node[row[test]]], parts[test])
    order = np.argsort(row, kind="stable")
    count = np.bincount(row, minlength=len(unique)).astype(np.int64)
    return ids.reshape(children.shape[:-1]), _Pieces(
        parts[order], np.cumsum(count) - count, count, inner[order])


def _union_level(keys: np.ndarray, members_of) -> tuple[np.ndarray, np.ndarray]:
    """Deduplicate int64 ``keys`` (-1 = nothing) and union each distinct key's members."""
    flat = keys.reshape(-1)
    present = flat >= 0
    unique, inverse = np.unique(flat[present], return_inverse=True)
    ids = np.full(flat.shape, -1, dtype=np.int64)
    ids[present] = inverse.reshape(-1)
    pieces = shapely.coverage_union_all(members_of(unique), axis=1) if len(unique) else (
        np.empty(0, dtype=object))
    return ids.reshape(keys.shape), _polygon_empty(np.asarray(pieces, dtype=object).reshape(-1))


def _polygon_empty(pieces: np.ndarray) -> np.ndarray:
    """A node whose cells are all empty (sites outside the theatre) unions to GEOMETRYCOLLECTION
    EMPTY, which GEOS refuses to union with polygons ("mixed-dimension"): make it POLYGON EMPTY."""
    pieces[shapely.is_empty(pieces)] = shapely.Polygon()
    return pieces


def _hilbert_index(xy: np.ndarray, bits: int = 16) -> np.ndarray:
    """Hilbert curve index of points quantised to a 2^bits grid (keeps tree nodes compact)."""
    xy = np.asarray(xy, dtype=float)
    if len(xy) == 0:
        return np.empty(0, dtype=np.int64)
    lo = xy.min(axis=0)
    span = np.maximum(xy.max(axis=0) - lo, 1e-9)
    n = 1 << bits
    q = np.minimum(((xy - lo) / span * (n - 1)).astype(np.int64), n - 1)
    x, y = q[:, 0].copy(), q[:, 1].copy()
    d = np.zeros(len(xy), dtype=np.int64)
    s = n >> 1
    while s > 0:
        rx = ((x & s) > 0).astype(np.int64)
        ry = ((y & s) > 0).astype(np.int64)
        d += s * s * ((3 * rx) ^ ry)
        # rotate the quadrant so the curve stays continuous
        flip = ry == 0
        swap_x = flip & (rx == 1)
        x = np.where(swap_x, n - 1 - x, x)
        y = np.where(swap_x, n - 1 - y, y)
        x, y = np.where(flip, y, x), np.where(flip, x, y)
        s >>= 1
    return d




@dataclass(frozen=True, eq=False)
class SliceLayers:
    """The map layers of many slices (EPSG:4326, ``date`` as ISO text): territory polygons,
    front lines and contested cells."""

    territory: gpd.GeoDataFrame
    front_lines: gpd.GeoDataFrame
    contested: gpd.GeoDataFrame


def territory_layers(topology: CellTopology, matrix, *, contested_status: str = "contested"
                     ) -> SliceLayers:
    """Territory, front lines and contested cells for every date of a timeline ``StateMatrix``
    (its columns must be the topology's places, e.g. ``timeline.state_matrix(dates,
    place_ids=topology.place_ids)``)."""
    from .frontline import front_lines_frame  # sibling verb; imported here to keep modules flat

    if list(matrix.place_ids) != list(topology.place_ids):
        raise ValueError(
            "the state matrix columns are not the topology's places; build it with "
            "timeline.state_matrix(dates, place_ids=topology.place_ids)"
        )
    dates = np.datetime_as_string(np.asarray(matrix.dates, dtype="datetime64[D]"), unit="D")
    codes = np.asarray(matrix.controller, dtype=np.int64)
    labels = list(matrix.categories)
    statuses = list(matrix.status_categories)
    contested = (
        np.asarray(matrix.status) == statuses.index(contested_status)
        if contested_status in statuses else np.zeros(codes.shape, dtype=bool)
    )
    return SliceLayers(
        territory=territory_frame(topology, codes, dates=dates, labels=labels),
        front_lines=front_lines_frame(topology, codes, dates=dates, labels=labels),
        contested=contested_frame(topology, contested, codes, dates=dates, labels=labels),
    )

__all__ = ["DEFAULT_CHUNK", "SliceLayers", "Territories", "contested_frame", "day_layers",
           "dissolve_codes", "territory_frame", "territory_layers", "territory_table"]
