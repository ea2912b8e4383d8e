"""GeoJSON text of a bundle's per-date layers, the same bytes as ``layers.io.write_frame``
writes, without its cost per coordinate.

``write_frame`` goes through geopandas ``to_json``: every coordinate becomes a Python tuple via
shapely's ``__geo_interface__`` before ``json.dumps`` (issue 18: 80 % of a bundle's territory
and front-line time on the 5,000-place random log). Here the properties are still written by
``write_frame``'s own code (with null geometries), and each geometry's JSON is assembled from
one ``to_ragged_array`` of the column: coordinates formatted with ``repr`` (what ``json`` does)
once per distinct vertex — once per bundle for the cells' vertices (``VertexText``) — and rings
and parts joined by their offsets. Polygons, MultiPolygons,
LineStrings and MultiLineStrings take this path; any other geometry goes through ``json.dumps``
of its mapping, as before."""

from __future__ import annotations

import json

import numpy as np

_NULL = '"geometry": null'
_HEAD = '{"type": "FeatureCollection", "features": ['
_TAIL = "]}\n"
_POLYGONAL = {3: "Polygon", 6: "MultiPolygon"}
_LINEAR = {1: "LineString", 5: "MultiLineString"}


def _format(xy: np.ndarray) -> np.ndarray:
    """``[x, y]`` text of coordinate rows, as ``json.dumps`` writes floats (``repr``)."""
    return np.array(list(map("[{!r}, {!r}]".format, xy[:, 0].tolist(), xy[:, 1].tolist())),
                    dtype=object)


class VertexText:
    """The ``[x, y]`` text of a set of vertices, formatted once: a bundle's territories and front
    lines reuse the cells' vertices exactly (coverage unions and line merges add none), so each
    file only looks its coordinates up. A vertex with a zero coordinate is left out (-0.0 equals
    0.0 but prints differently): it is formatted where it is met, like any vertex not here."""

    def __init__(self, coords: np.ndarray):
        xy = np.ascontiguousarray(np.asarray(coords, dtype=np.float64)[:, :2])
        xy = xy[(xy != 0).all(axis=1)]
        self.keys = np.unique(xy.view(np.complex128).reshape(-1))
        self.text = _format(self.keys.view(np.float64).reshape(-1, 2))

    @classmethod
    def of(cls, geoms) -> VertexText:
        """The vertices of ``geoms`` (e.g. a topology's cells and shared edges)."""
        import shapely

        return cls(shapely.get_coordinates(np.asarray(geoms, dtype=object)))

    def pairs(self, coords: np.ndarray) -> list[str]:
        """``[x, y]`` text of every coordinate row."""
        xy = np.ascontiguousarray(np.asarray(coords, dtype=np.float64)[:, :2])
        keys = xy.view(np.complex128).reshape(-1)
        if not len(self.keys):
            return _format(xy).tolist()
        pos = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        hit = (self.keys[pos] == keys) & (xy != 0).all(axis=1)
        out = self.text[pos]
        if not hit.all():
            out[~hit] = _format(xy[~hit])
        return out.tolist()


def _pairs(coords: np.ndarray, vertices: VertexText | None) -> list[str]:
    """``[x, y]`` text of every coordinate row: looked up in ``vertices``, or (None) with each
    distinct vertex of ``coords`` formatted once."""
    return (vertices or VertexText(coords)).pairs(coords)


def _nest(items: list[str], offsets: np.ndarray) -> list[str]:
    """``[a, b, …]`` of ``items[offsets[i]:offsets[i + 1]]`` for every i."""
    bounds = np.asarray(offsets, dtype=np.int64).tolist()
    return ["[" + ", ".join(items[a:b]) + "]" for a, b in zip(bounds[:-1], bounds[1:],
                                                               strict=True)]


def _coordinates(geoms: np.ndarray, *, polygonal: bool, vertices: VertexText | None
                 ) -> list[str]:
    """The ``coordinates`` JSON of every geometry of one family (all polygonal, or all linear):
    one level shallower for a Polygon or LineString than for a MultiPolygon or MultiLineString."""
    import shapely

    _, coords, offsets = shapely.to_ragged_array(geoms)
    items = _pairs(coords, vertices)
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


def geometry_json(geoms: np.ndarray, *, vertices: VertexText | None = None
                  ) -> list[str | None]:
    """``json.dumps(shapely.geometry.mapping(g))`` of every geometry; None (JSON null) for a
    missing or empty one, as geopandas writes them. ``vertices``: known vertices' text."""
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    out: list[str | None] = [None] * len(geoms)
    type_id = np.where(shapely.is_empty(geoms), -1, shapely.get_type_id(geoms))
    for family, names in ((True, _POLYGONAL), (False, _LINEAR)):
        pick = np.flatnonzero(np.isin(type_id, list(names)))
        if not len(pick):
            continue
        coordinates = _coordinates(geoms[pick], polygonal=family, vertices=vertices)
        for k, tid, text in zip(pick.tolist(), type_id[pick].tolist(), coordinates,
                                strict=True):
            out[k] = f'{{"type": "{names[tid]}", "coordinates": {text}}}'
    for k in np.flatnonzero(~np.isin(type_id, [-1, *_POLYGONAL, *_LINEAR])).tolist():
        out[k] = json.dumps(shapely.geometry.mapping(geoms[k]))
    return out


def geojson_text(frame, *, vertices: VertexText | None = None) -> str:
    """The GeoJSON ``layers.io.write_frame`` writes for ``frame`` (a GeoDataFrame in EPSG:4326),
    byte for byte. ``vertices``: the text of vertices the geometries reuse (``VertexText``)."""
    import geopandas as gpd

    from layers.io import _geojson

    if not isinstance(frame, gpd.GeoDataFrame) or (
            frame.crs is not None and not frame.crs.equals("EPSG:4326")):
        return _geojson(frame)
    geoms = geometry_json(frame.geometry.to_numpy(), vertices=vertices)
    bare = frame.set_geometry(np.full(len(frame), None, dtype=object), crs=frame.crs)
    pieces = _geojson(bare).split(_NULL)
    if len(pieces) != len(geoms) + 1:  # a property's text holds the marker: the plain path
        return _geojson(frame)
    out = [pieces[0]]
    for geom, piece in zip(geoms, pieces[1:], strict=True):
        out.append(_NULL if geom is None else f'"geometry": {geom}')
        out.append(piece)
    return "".join(out)


def geojson_by(frame, column: str, values, *, vertices: VertexText | None = None) -> list[str]:
    """``geojson_text`` of the rows of ``frame`` whose ``column`` equals each of ``values``
    (a bundle's one file per date), byte for byte, with the properties written once for the
    whole frame instead of once per file."""
    import geopandas as gpd
    import pandas as pd

    from layers.io import _geojson

    key = frame[column].to_numpy() if column in frame else None
    # datetime columns are written per file (their format depends on the file's rows)
    plain = (isinstance(frame, gpd.GeoDataFrame) and key is not None
             and (frame.crs is None or frame.crs.equals("EPSG:4326"))
             and not any(pd.api.types.is_datetime64_any_dtype(t) for t in frame.dtypes))
    if plain:
        geoms = geometry_json(frame.geometry.to_numpy(), vertices=vertices)
        bare = frame.set_geometry(np.full(len(frame), None, dtype=object), crs=frame.crs)
        pieces = _geojson(bare).split(_NULL)
        # '{FeatureCollection… [' + feature head, then '}, ' + feature head …, then '}]}\n'
        plain = (len(pieces) == len(frame) + 1 and pieces[0].startswith(_HEAD)
                 and pieces[-1] == "}" + _TAIL
                 and all(piece.startswith("}, ") for piece in pieces[1:-1]))
    if not plain:
        return [geojson_text(frame[frame[column].to_numpy() == v].reset_index(drop=True),
                             vertices=vertices) for v in values]
    heads = [pieces[0][len(_HEAD):], *(piece[3:] for piece in pieces[1:-1])]
    features = np.array([f'{head}"geometry": {"null" if geom is None else geom}}}'
                         for head, geom in zip(heads, geoms, strict=True)], dtype=object)
    return [_HEAD + ", ".join(features[key == v].tolist()) + _TAIL for v in values]


__all__ = ["VertexText", "geojson_by", "geojson_text", "geometry_json"]
