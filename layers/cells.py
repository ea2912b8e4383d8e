"""Cell topology of a place set: each place's Voronoi cell clipped to the theatre, and the shared
edge of every pair of neighbouring cells. Computed ONCE per place set; every slice then only
regroups these pieces (layers/territory.py, layers/frontline.py).

Places with the same coordinates (to the grid size) share one cell: the cell belongs to a *site*,
and ``site_of_place`` maps every place to its site.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from .theatre import WGS84, local_equal_area_crs, transform_geometries

DEFAULT_MAX_RADIUS_KM = 25.0
DEFAULT_GRID_SIZE_M = 1.0
_CAP_QUAD_SEGS = 16  # vertices per quarter circle of the radius cap (error < 0.2% of the radius)


@dataclass(frozen=True, eq=False)
class CellTopology:
    """Cells and shared edges of one place set, in metres of ``crs`` (local equal-area).

    ``cells[s]`` is the cell of site ``s`` (possibly empty when the site lies outside the
    theatre); ``edges[i]`` is the (multi)line shared by sites ``edge_a[i] < edge_b[i]``. The cells
    form a valid polygonal coverage (no overlaps, identical vertices on shared edges).
    """

    place_ids: np.ndarray  # [P] str, in input order
    site_of_place: np.ndarray  # [P] int
    site_xy: np.ndarray  # [S, 2] metres
    cells: np.ndarray  # [S] Polygon/MultiPolygon, metres
    edge_a: np.ndarray  # [E] int site index
    edge_b: np.ndarray  # [E] int site index, edge_a < edge_b
    edges: np.ndarray  # [E] LineString/MultiLineString, metres
    crs: pyproj.CRS
    theatre: shapely.Geometry  # union of all cells, metres
    grid_size: float  # metres; places closer than this share a cell
    max_radius_km: float | None
    theatre_area_km2: float = float("nan")  # equal-area km² of the theatre (stats' 100 %)

    @property
    def n_places(self) -> int:
        return len(self.place_ids)

    @property
    def n_sites(self) -> int:
        return len(self.cells)

    @property
    def places_outside(self) -> np.ndarray:
        """Place ids whose cell is empty: the place lies outside the theatre."""
        return self.place_ids[shapely.is_empty(self.cells)[self.site_of_place]]

    @property
    def first_place_of_site(self) -> np.ndarray:
        """Position (in place order) of the first place of every site."""
        first = np.full(self.n_sites, -1, dtype=np.int64)
        order = np.arange(self.n_places)[::-1]
        first[self.site_of_place[order]] = order  # later writes (smaller positions) win
        return first

    @cached_property
    def cells_wgs84(self) -> np.ndarray:
        """The cells in EPSG:4326, reprojected once. Every shared vertex maps to the same
        lon/lat, so they are still a coverage: slices dissolve them without reprojecting."""
        return self.to_wgs84(self.cells)

    @cached_property
    def edges_wgs84(self) -> np.ndarray:
        return self.to_wgs84(self.edges)

    @cached_property
    def cell_area_km2(self) -> np.ndarray:
        """Equal-area km² of every cell (the local CRS is equal-area)."""
        return shapely.area(self.cells) / 1e6

    @cached_property
    def edge_length_km(self) -> np.ndarray:
        return shapely.length(self.edges) / 1000.0

    def held_area_km2(self, site_codes: np.ndarray, n_codes: int) -> np.ndarray:
        """Equal-area km² held per code ``0 … n_codes-1`` on each row of ``site_codes [..., S]``:
        ``[..., n_codes]`` sums of the per-cell areas (nothing reprojected, codes < 0 hold
        nothing). One weighted ``bincount`` adds each row's cells in site order, so a row's
        value does not depend on the other rows passed with it (a matrix product's would: its
        blocking changes with the shape) — same bytes whatever the chunking or --jobs."""
        site_codes = np.asarray(site_codes, dtype=np.int64)
        flat = site_codes.reshape(-1, site_codes.shape[-1])
        rows = len(flat)
        out = np.zeros((rows, n_codes), dtype=float)
        for lo in range(0, rows, 512):  # bounded temporaries: 512 rows at a time
            block = flat[lo:lo + 512]
            keep = (block >= 0) & (block < n_codes)
            bins = (np.arange(len(block))[:, None] * n_codes + block)[keep]
            weights = np.broadcast_to(self.cell_area_km2, block.shape)[keep]
            out[lo:lo + 512] = np.bincount(bins, weights=weights,
                                           minlength=len(block) * n_codes).reshape(-1, n_codes)
        return out.reshape(site_codes.shape[:-1] + (n_codes,))

    def to_wgs84(self, geoms):
        """Reproject geometries from the local metres back to EPSG:4326."""
        return transform_geometries(geoms, self.crs, WGS84)

    def site_codes(self, codes: np.ndarray) -> np.ndarray:
        """Per-place codes [..., P] → per-site codes [..., S].

        A site whose known places disagree gets ``CONFLICT`` (-2); unknown (-1) only when all
        of its places are unknown.
        """
        codes = np.asarray(codes)
        if codes.shape[-1] != self.n_places:
            raise ValueError(
                f"codes have {codes.shape[-1]} places but the cell topology has {self.n_places}"
            )
        if self.n_sites == self.n_places and np.array_equal(
            self.site_of_place, np.arange(self.n_places)
        ):
            return codes
        # a site of one place takes that place's code (a gather); only the few sites shared by
        # co-located places are reduced
        out = codes[..., self.first_place_of_site]
        counts = np.bincount(self.site_of_place, minlength=self.n_sites)
        shared = counts[self.site_of_place] > 1
        if shared.any():
            members = np.flatnonzero(shared)
            members = members[np.argsort(self.site_of_place[members], kind="stable")]
            sites, starts = np.unique(self.site_of_place[members], return_index=True)
            grouped = codes[..., members]
            known = grouped >= 0
            big = np.iinfo(np.int64).max
            low = np.minimum.reduceat(np.where(known, grouped, big), starts, axis=-1)
            high = np.maximum.reduceat(np.where(known, grouped, -1), starts, axis=-1)
            out[..., sites] = np.where(low == big, -1, np.where(low == high, low, CONFLICT))
        return out.astype(codes.dtype, copy=False)

    def cells_frame(self) -> gpd.GeoDataFrame:
        """One row per place: place_id, site, area_km2, cell (EPSG:4326)."""
        return gpd.GeoDataFrame(
            {
                "place_id": self.place_ids,
                "site": self.site_of_place,
                "area_km2": self.cell_area_km2[self.site_of_place],
            },
            geometry=self.cells_wgs84[self.site_of_place],
            crs=WGS84,
        )

    def edges_frame(self) -> gpd.GeoDataFrame:
        """One row per pair of neighbouring sites: left/right (first place position of each
        site), left_site/right_site, length_km, shared edge (EPSG:4326)."""
        first = self.first_place_of_site
        return gpd.GeoDataFrame(
            {
                "left": first[self.edge_a],
                "right": first[self.edge_b],
                "left_site": self.edge_a,
                "right_site": self.edge_b,
                "length_km": self.edge_length_km,
            },
            geometry=self.edges_wgs84,
            crs=WGS84,
        )


CONFLICT = -2  # site code when co-located places have different known controllers


def build_cells(
    places: gpd.GeoDataFrame,
    *,
    theatre: shapely.Geometry | None = None,
    max_radius_km: float | None = None,
    grid_size_m: float = DEFAULT_GRID_SIZE_M,
) -> CellTopology:
    """Compute the cell topology of ``places`` (point GeoDataFrame, ``place_id`` column or index).

    ``theatre`` (EPSG:4326 polygons) clips the cells: plain Voronoi cells cover the whole
    theatre. Without it, each cell is capped at ``max_radius_km`` around its place (default
    25 km), so empty desert is not claimed. With a theatre, ``max_radius_km`` also caps the cells
    when given, and the theatre's land beyond every cap is ``unknown`` (``theatre_area_km2``
    still counts it). Places closer than
    ``grid_size_m`` are one site and share a cell.
    """
    place_ids, lon, lat = _place_coordinates(places)
    if theatre is None and max_radius_km is None:
        max_radius_km = DEFAULT_MAX_RADIUS_KM
    if max_radius_km is not None and not max_radius_km > 0:
        raise ValueError(f"max_radius_km must be > 0 (got {max_radius_km})")
    if not grid_size_m > 0:
        raise ValueError(f"grid_size_m must be > 0 (got {grid_size_m})")

    crs = local_equal_area_crs(lon, lat)
    to_local = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    x, y = to_local.transform(lon, lat)
    grid = float(grid_size_m)
    snapped = np.round(np.column_stack([x, y]) / grid)
    unique, site_of_place = np.unique(snapped, axis=0, return_inverse=True)
    site_xy = unique * grid
    site_of_place = site_of_place.reshape(-1).astype(np.int64)

    theatre_m = None
    if theatre is not None:
        # densify first: a straight edge in lon/lat is a curve in metres
        theatre_m = transform_geometries(shapely.segmentize(theatre, 0.01), WGS84, crs)
        if shapely.is_empty(theatre_m) or shapely.area(theatre_m) <= 0:
            raise ValueError("the theatre has no area: give a polygon file (country outline…)")
    radius_m = None if max_radius_km is None else float(max_radius_km) * 1000.0

    cells = _clipped_voronoi(site_xy, theatre_m=theatre_m, radius_m=radius_m)
    edge_a, edge_b, edges = _shared_edges(cells)
    nonempty = cells[~shapely.is_empty(cells)]
    union = shapely.coverage_union_all(nonempty) if len(nonempty) else shapely.Polygon()
    return CellTopology(
        place_ids=place_ids,
        site_of_place=site_of_place,
        site_xy=site_xy,
        cells=cells,
        edge_a=edge_a,
        edge_b=edge_b,
        edges=edges,
        crs=crs,
        theatre=union,
        grid_size=grid,
        max_radius_km=max_radius_km,
        theatre_area_km2=float(shapely.area(theatre_m if theatre_m is not None else union) / 1e6),
    )


def _place_coordinates(places: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not isinstance(places, gpd.GeoDataFrame):
        raise TypeError(f"'places' should be a GeoDataFrame, got {type(places).__name__}")
    if len(places) == 0:
        raise ValueError("the place set is empty: nothing to build cells for")
    if places.crs is not None and not places.crs.equals(WGS84):
        places = places.to_crs(WGS84)
    if "place_id" in places.columns:
        ids = places["place_id"].astype(str).to_numpy()
    else:
        ids = places.index.astype(str).to_numpy()
    geoms = places.geometry.values
    bad = (shapely.get_type_id(geoms) != 0) | shapely.is_empty(geoms)
    lon = np.where(bad, np.nan, shapely.get_x(np.where(bad, shapely.Point(0, 0), geoms)))
    lat = np.where(bad, np.nan, shapely.get_y(np.where(bad, shapely.Point(0, 0), geoms)))
    bad |= ~np.isfinite(lon) | ~np.isfinite(lat) | (np.abs(lat) > 90) | (np.abs(lon) > 180)
    if bad.any():
        shown = ", ".join(ids[bad][:5])
        raise ValueError(
            f"{int(bad.sum())} place(s) have no usable point geometry ({shown}); give every place "
            "a lon/lat point in EPSG:4326"
        )
    return ids, lon.astype(float), lat.astype(float)


def _clipped_voronoi(
    site_xy: np.ndarray, *, theatre_m, radius_m: float | None
) -> np.ndarray:
    """Voronoi cells of the sites (in site order), clipped to radius caps and/or the theatre and
    cleaned into a valid coverage."""
    lo = site_xy.min(axis=0)
    hi = site_xy.max(axis=0)
    margin = max(radius_m or 0.0, float((hi - lo).max()), 1000.0)
    extent = shapely.box(*(lo - 2 * margin), *(hi + 2 * margin))
    if theatre_m is not None:
        extent = shapely.box(*shapely.bounds(shapely.union(extent, shapely.envelope(theatre_m))))
    if len(site_xy) == 1:
        raw = np.array([extent], dtype=object)
    else:
        diagram = shapely.voronoi_polygons(
            shapely.multipoints(site_xy), extend_to=extent, ordered=True
        )
        raw = shapely.get_parts(diagram)
        if len(raw) != len(site_xy):  # GEOS dropped or merged sites: never silently misalign
            raise ValueError(
                f"Voronoi diagram returned {len(raw)} cells for {len(site_xy)} distinct places"
            )
    # The clip region is ONE geometry (the union of the radius caps, within the theatre), so two
    # neighbours are cut where the region's boundary crosses their shared edge at the very same
    # point. (A cell ∩ its own cap is the same set, but two neighbours' caps are different
    # polygons and cut the edge a fraction of a metre apart.) Cells inside the region stay as is.
    region = theatre_m
    if radius_m is not None:
        caps = shapely.buffer(shapely.points(site_xy), radius_m, quad_segs=_CAP_QUAD_SEGS)
        region = shapely.union_all(caps)
        if theatre_m is not None:
            region = shapely.intersection(region, theatre_m)
    cells = raw.copy()
    if region is not None:
        shapely.prepare(region)
        inside = shapely.contains_properly(region, raw)
        cells[~inside] = shapely.intersection(raw[~inside], region)
    # coverage_clean then nodes the cells so shared edges carry identical vertices.
    cells = _polygonal(cells)
    cleaned = np.asarray(shapely.coverage_clean(cells), dtype=object)
    return _polygonal(cleaned)


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Drop lines/points that clipping can leave in a collection; empties become POLYGON EMPTY."""
    types = shapely.get_type_id(geoms)
    out = np.asarray(geoms, dtype=object).copy()
    mixed = ~np.isin(types, [3, 6])
    if mixed.any():
        parts, index = shapely.get_parts(out[mixed], return_index=True)
        keep = shapely.get_type_id(parts) == 3
        rebuilt = np.full(int(mixed.sum()), None, dtype=object)
        if keep.any():
            present, dense = np.unique(index[keep], return_inverse=True)
            rebuilt[present] = shapely.multipolygons(parts[keep], indices=dense)
        rebuilt[pd.isna(rebuilt)] = shapely.Polygon()
        out[mixed] = rebuilt
    return out


def _shared_edges(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The line shared by every pair of neighbouring cells, found by matching boundary segments:
    in a valid coverage a shared edge is the same segments (same vertices) in both cells, so one
    sort of all segments pairs them up. Cells that only touch at a point are not neighbours."""
    empty = (np.empty(0, dtype=np.int64),) * 2 + (np.empty(0, dtype=object),)
    lines, cell = shapely.get_parts(shapely.boundary(cells), return_index=True)
    coords, line = shapely.get_coordinates(lines, return_index=True)
    same = line[1:] == line[:-1]
    start, end = coords[:-1][same], coords[1:][same]
    owner = cell[line[:-1][same]]
    flip = (start[:, 0] > end[:, 0]) | ((start[:, 0] == end[:, 0]) & (start[:, 1] > end[:, 1]))
    lo = np.where(flip[:, None], end, start)
    hi = np.where(flip[:, None], start, end)
    segments = np.column_stack([lo, hi])
    segments = segments[(lo != hi).any(axis=1)]
    owner = owner[(lo != hi).any(axis=1)]
    if len(segments) < 2:
        return empty
    order = np.lexsort(segments.T[::-1])
    segments, owner = segments[order], owner[order]
    twin = (segments[1:] == segments[:-1]).all(axis=1) & (owner[1:] != owner[:-1])
    first = np.flatnonzero(twin)
    if len(first) == 0:
        return empty
    a = np.minimum(owner[first], owner[first + 1]).astype(np.int64)
    b = np.maximum(owner[first], owner[first + 1]).astype(np.int64)
    pairs, group = np.unique(np.column_stack([a, b]), axis=0, return_inverse=True)
    group = group.reshape(-1)
    by_group = np.argsort(group, kind="stable")
    pieces = shapely.linestrings(segments[first][by_group].reshape(-1, 2, 2))
    merged = shapely.line_merge(shapely.multilinestrings(pieces, indices=group[by_group]))
    simple = shapely.get_num_geometries(merged) == 1  # one part: a plain LineString
    merged[simple] = shapely.get_geometry(merged[simple], 0)
    return pairs[:, 0].copy(), pairs[:, 1].copy(), np.asarray(merged, dtype=object)
