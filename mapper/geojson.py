"""GeoJSON text of a bundle's per-date layers, the same bytes as ``layers.io.write_frame``
writes, without its cost per coordinate.

``write_frame`` goes through geopandas ``to_json``: every coordinate becomes a Python tuple via
shapely's ``__geo_interface__`` before ``json.dumps`` (issue 18: 80 % of a bundle's territory
and front-line time on the 5,000-place random log). Here the properties are still written by
``write_frame``'s own code (with null geometries), and each geometry's JSON is assembled from
one ``to_ragged_array`` of the column: every coordinate formatted once with ``float.__repr__``
(what ``json`` does), rings and parts joined by their offsets. Polygons, MultiPolygons,
LineStrings and MultiLineStrings take this path; any other geometry goes through ``json.dumps``
of its mapping, as before."""

from __future__ import annotations

import json

import numpy as np

_NULL = '"geometry": null'
_POLYGONAL = {3: "Polygon", 6: "MultiPolygon"}
_LINEAR = {1: "LineString", 5: "MultiLineString"}


def _pairs(coords: np.ndarray) -> list[str]:
    """``[x, y]`` text of every coordinate row (``json.dumps``' float format). Territories and
    front lines reuse the cells' vertices over and over: each distinct vertex is formatted
    once."""
    xy = np.ascontiguousarray(coords[:, :2], dtype=np.float64)
    if (np.signbit(xy) & (xy == 0)).any():  # -0.0 prints "-0.0" but equals 0.0: no sharing
        unique, inverse = xy, np.arange(len(xy))
    else:
        unique, inverse = np.unique(xy.view(np.complex128).reshape(-1), return_inverse=True)
        unique = unique.view(np.float64).reshape(-1, 2)
    text = np.array(list(map(float.__repr__, unique.reshape(-1).tolist())),
                    dtype=object).reshape(-1, 2)
    return ("[" + text[:, 0] + ", " + text[:, 1] + "]")[inverse.reshape(-1)].tolist()


def _nest(items: list[str], offsets: np.ndarray) -> list[str]:
    """``[a, b, …]`` of ``items[offsets[i]:offsets[i + 1]]`` for every i."""
    bounds = np.asarray(offsets, dtype=np.int64).tolist()
    return ["[" + ", ".join(items[a:b]) + "]" for a, b in zip(bounds[:-1], bounds[1:],
                                                               strict=True)]


def _coordinates(geoms: np.ndarray, *, polygonal: bool) -> list[str]:
    """The ``coordinates`` JSON of every geometry of one family (all polygonal, or all linear):
    one level shallower for a Polygon or LineString than for a MultiPolygon or MultiLineString."""
    import shapely

    _, coords, offsets = shapely.to_ragged_array(geoms)
    items = _pairs(coords)
    for level in offsets[:-1]:
        items = _nest(items, level)
    last = np.asarray(offsets[-1], dtype=np.int64)
    grouped = _nest(items, last)
    if len(offsets) == (2 if polygonal else 1):  # only single types: nothing was promoted
        return grouped
    # multi types (singles promoted to one-part multis): ``items`` are the parts
    multi = (shapely.get_type_id(geoms) == (6 if polygonal else 5)).tolist()
    starts, counts = last[:-1].tolist(), np.diff(last).tolist()
    return [text if is_multi else (items[start] if count else "[]")
            for text, is_multi, start, count in zip(grouped, multi, starts, counts,
                                                    strict=True)]


def geometry_json(geoms: np.ndarray) -> list[str | None]:
    """``json.dumps(shapely.geometry.mapping(g))`` of every geometry; None (JSON null) for a
    missing or empty one, as geopandas writes them."""
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    out: list[str | None] = [None] * len(geoms)
    type_id = np.where(shapely.is_empty(geoms), -1, shapely.get_type_id(geoms))
    for family, names in ((True, _POLYGONAL), (False, _LINEAR)):
        pick = np.flatnonzero(np.isin(type_id, list(names)))
        if not len(pick):
            continue
        coordinates = _coordinates(geoms[pick], polygonal=family)
        for k, tid, text in zip(pick.tolist(), type_id[pick].tolist(), coordinates,
                                strict=True):
            out[k] = f'{{"type": "{names[tid]}", "coordinates": {text}}}'
    for k in np.flatnonzero(~np.isin(type_id, [-1, *_POLYGONAL, *_LINEAR])).tolist():
        out[k] = json.dumps(shapely.geometry.mapping(geoms[k]))
    return out


def geojson_text(frame) -> str:
    """The GeoJSON ``layers.io.write_frame`` writes for ``frame`` (a GeoDataFrame in EPSG:4326),
    byte for byte."""
    import geopandas as gpd

    from layers.io import _geojson

    if not isinstance(frame, gpd.GeoDataFrame) or (
            frame.crs is not None and not frame.crs.equals("EPSG:4326")):
        return _geojson(frame)
    geoms = geometry_json(frame.geometry.to_numpy())
    bare = frame.set_geometry(np.full(len(frame), None, dtype=object), crs=frame.crs)
    pieces = _geojson(bare).split(_NULL)
    if len(pieces) != len(geoms) + 1:  # a property's text holds the marker: the plain path
        return _geojson(frame)
    out = [pieces[0]]
    for geom, piece in zip(geoms, pieces[1:], strict=True):
        out.append(_NULL if geom is None else f'"geometry": {geom}')
        out.append(piece)
    return "".join(out)


__all__ = ["geojson_text", "geometry_json"]
