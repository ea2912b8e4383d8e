"""Static pictures of the map: a PNG per chosen date and an animated GIF of the whole period.

One matplotlib (Agg) figure is drawn once — cells, edges, places, outline — and every frame only
changes colours, so a hundred frames cost little more than one. Encoding goes through Pillow with
no metadata, so identical inputs give identical bytes.

The geometry is turned into plain vertex arrays first (``sketch_of``: the one step that needs
shapely); a painter built from a ``Sketch`` needs only numpy, matplotlib and Pillow, so a worker
process drawing frames imports no geometry or table library (mapper/bundle.py).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.path import Path  # noqa: E402
from PIL import Image  # noqa: E402

from . import styles  # noqa: E402

if TYPE_CHECKING:
    from .model import MapModel

CELL_ALPHA = 0.45


@dataclass(frozen=True, slots=True)
class Frame:
    """One picture: ``codes[p]`` indexes ``model.factions`` (-1 unknown), ``contested[p]`` flags
    contested or besieged places, ``title`` is drawn on top."""

    codes: np.ndarray
    contested: np.ndarray
    title: str


def _rings(geoms) -> tuple[list[np.ndarray], np.ndarray]:
    """Exterior rings of every polygon part, and the owner index of each ring."""
    import shapely

    parts, owner = shapely.get_parts(np.asarray(geoms, dtype=object), return_index=True)
    keep = ~shapely.is_empty(parts)
    parts, owner = parts[keep], owner[keep]
    rings = shapely.get_exterior_ring(parts)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    cuts = np.flatnonzero(np.diff(ring_of)) + 1
    return np.split(coords, cuts) if len(coords) else [], owner


def _lines(geoms) -> tuple[list[np.ndarray], np.ndarray]:
    import shapely

    lines, owner = shapely.get_parts(np.asarray(geoms, dtype=object), return_index=True)
    coords, line_of = shapely.get_coordinates(lines, return_index=True)
    cuts = np.flatnonzero(np.diff(line_of)) + 1
    return np.split(coords, cuts) if len(coords) else [], owner


def _path_parts(pieces: list[np.ndarray], *, closed: bool) -> tuple[np.ndarray, np.ndarray,
                                                                     np.ndarray]:
    """All ``pieces`` (vertex arrays) as one compound path: vertices [V, 2], path codes [V]
    (MOVETO at each piece's start; CLOSEPOLY at its end when ``closed``) and the piece of
    every vertex. A frame selects pieces by mask and draws one path per colour."""
    if not pieces:
        return np.empty((0, 2)), np.empty(0, dtype=np.uint8), np.empty(0, dtype=np.int64)
    lengths = np.array([len(x) for x in pieces], dtype=np.int64)
    verts = np.concatenate(pieces).astype(float)
    piece = np.repeat(np.arange(len(pieces)), lengths)
    codes = np.full(len(verts), Path.LINETO, dtype=np.uint8)
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    codes[starts] = Path.MOVETO
    if closed:
        codes[starts + lengths - 1] = Path.CLOSEPOLY
    return verts, codes, piece


@dataclass(frozen=True, eq=False)
class Scene:
    """What a painter draws, as plain arrays and geometries (picklable, small: a worker process
    gets this, not the model). Built by ``scene_of(model)``."""

    lon: np.ndarray  # [P] float
    lat: np.ndarray  # [P] float
    palette: np.ndarray  # [F + 1, 4] RGBA of the factions, then the unknown colour
    cells: np.ndarray | None  # [P] (Multi)Polygon aligned with the places, or None
    edges: tuple | None  # (left [E] int, right [E] int, lines [E]) or None
    outline: object | None  # polygonal or line geometry drawn as the outline, or None
    legend: tuple[tuple[str, str], ...]  # (colour, label) of every faction that holds a place


def scene_of(model: MapModel) -> Scene:
    """The painter's inputs from a map model."""
    palette = [to_rgba(f.colour) for f in model.factions]
    used = set(model.intervals["controller"].dropna())
    return Scene(
        lon=model.places["lon"].to_numpy(float), lat=model.places["lat"].to_numpy(float),
        palette=np.array([*palette, to_rgba(styles.UNKNOWN_COLOUR)], dtype=float),
        cells=None if model.cells is None else np.asarray(model.cells, dtype=object),
        edges=None if model.edges is None else (np.asarray(model.edges[0]),
                                                np.asarray(model.edges[1]),
                                                np.asarray(model.edges[2], dtype=object)),
        outline=model.outline,
        legend=tuple((f.colour, f.label) for f in model.factions if f.id in used))


@dataclass(frozen=True, eq=False)
class Sketch:
    """A scene as vertex arrays, ready to draw (``sketch_of``): no geometry objects, so it
    pickles small and a painter built from it needs no shapely. Cells and front edges are
    compound paths: ``*_verts [V, 2]``, path codes ``*_codes [V]`` and, per vertex, the place
    whose code colours it (``cell_place``) or the two places an edge separates."""

    xy: np.ndarray  # [P, 2] lon, lat
    palette: np.ndarray  # [F + 1, 4] RGBA of the factions, then the unknown colour
    cells: tuple[np.ndarray, np.ndarray, np.ndarray] | None  # (verts, codes, place)
    edges: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None  # verts, codes, l, r
    outline: list[np.ndarray] | None  # line pieces of the outline
    legend: tuple[tuple[str, str], ...]
    view: tuple[float, float, float, float] | None  # x0, y0, x1, y1 of places and cells


def sketch_of(scene: Scene) -> Sketch:
    """The vertex arrays a painter draws, from a ``Scene`` (the one step that needs shapely)."""
    import shapely

    xy = np.column_stack([scene.lon, scene.lat])
    outline = None
    if scene.outline is not None:
        outline, _ = _lines(shapely.boundary(scene.outline)
                            if shapely.get_type_id(scene.outline) in (3, 6) else scene.outline)
    cells = None
    if scene.cells is not None:
        rings, owner = _rings(scene.cells)
        verts, codes, ring = _path_parts(rings, closed=True)
        cells = (verts, codes, np.asarray(owner, dtype=np.int64)[ring])
    edges = None
    if scene.edges is not None:
        left, right, geoms = scene.edges
        segs, owner = _lines(geoms)
        verts, codes, seg = _path_parts(segs, closed=False)
        of = np.asarray(owner, dtype=np.int64)[seg]
        edges = (verts, codes, np.asarray(left)[of], np.asarray(right)[of])
    # the view shows every place and cell (the outline may be a whole country: places first)
    shapes = list(shapely.points(scene.lon, scene.lat)) if len(scene.lon) else []
    if scene.cells is not None:
        shapes.extend(scene.cells)
    view = (tuple(float(v) for v in shapely.total_bounds(np.asarray(shapes, dtype=object)))
            if shapes else None)
    return Sketch(xy=xy, palette=scene.palette, cells=cells, edges=edges, outline=outline,
                  legend=scene.legend, view=view)


class MapPainter:
    """Draws frames of one model (or ``Scene``, or ``Sketch``); build once, call ``frame()``
    per date."""

    def __init__(self, model: MapModel | Scene | Sketch, *,
                 size_px: tuple[int, int] = (900, 900), dpi: int = 100, title: str = ""):
        if isinstance(model, Sketch):
            sketch = model
        else:
            sketch = sketch_of(model if isinstance(model, Scene) else scene_of(model))
        self.sketch = sketch
        self._palette = sketch.palette
        self._xy = sketch.xy
        lon, lat = sketch.xy[:, 0], sketch.xy[:, 1]
        self.fig = plt.figure(figsize=(size_px[0] / dpi, size_px[1] / dpi), dpi=dpi)
        self.ax = self.fig.add_axes((0.02, 0.1, 0.96, 0.8))
        self.ax.set_axis_off()
        self.ax.set_aspect(1.0 / max(np.cos(np.radians(np.mean(lat) if len(lat) else 0)), 0.1))
        if sketch.outline is not None:
            self.ax.add_collection(LineCollection(sketch.outline, colors=styles.OUTLINE_COLOUR,
                                                  linewidths=0.8, zorder=1))
        # Cells and front lines are compound paths: a frame draws one filled path per faction
        # colour and one stroked path for the whole front, not a path per cell or edge.
        self._cells = None
        if sketch.cells is not None:
            self._cell_verts, self._cell_codes, self._cell_place = sketch.cells
            self._cells = PathCollection([], linewidths=0.0, zorder=2, antialiaseds=True)
            self.ax.add_collection(self._cells)
        self._front = None
        if sketch.edges is not None:
            self._edge_verts, self._edge_codes, self._edge_left, self._edge_right = sketch.edges
            self._front = PathCollection([], facecolors="none", edgecolors=styles.FRONT_COLOUR,
                                         linewidths=1.6, zorder=3)
            self.ax.add_collection(self._front)
        # one marker layer per colour: a single-colour layer is stamped (Agg draw_markers),
        # many times faster than a marker per point with its own colour
        self._points = [self.ax.scatter(lon[:0], lat[:0], s=18, linewidths=0.6,
                                        edgecolors="#222222", facecolors=[colour], zorder=4)
                        for colour in self._palette]
        # rings are drawn around the contested places only (set per frame)
        self._rings = self.ax.scatter(lon[:0], lat[:0], s=90, facecolors="none",
                                      edgecolors=styles.CONTESTED_COLOUR, linewidths=1.5, zorder=5)
        self._title = self.fig.text(0.5, 0.955, "", ha="center", va="center", fontsize=14,
                                    fontweight="bold")
        self.fig.text(0.5, 0.915, title, ha="center", va="center", fontsize=10, color="#444444")
        handles = [Line2D([], [], marker="s", linestyle="", markersize=9, color=colour,
                          label=label) for colour, label in sketch.legend]
        if handles:
            self.fig.legend(handles=handles, loc="lower center", ncol=min(3, len(handles)),
                            fontsize=9, frameon=False)
        if sketch.view is not None:
            x0, y0, x1, y1 = sketch.view
            pad_x, pad_y = max((x1 - x0) * 0.05, 0.05), max((y1 - y0) * 0.05, 0.05)
            self.ax.set_xlim(x0 - pad_x, x1 + pad_x)
            self.ax.set_ylim(y0 - pad_y, y1 + pad_y)
        self._animated = [a for a in (self._cells, self._front, *self._points, self._rings,
                                      self._title) if a is not None]
        self._background = None

    def frame(self, frame: Frame) -> np.ndarray:
        """The RGB pixels of ``frame``."""
        codes = np.asarray(frame.codes, dtype=np.int64)
        colour_of = np.where(codes >= 0, codes, len(self._palette) - 1)
        for k, layer in enumerate(self._points):
            layer.set_offsets(self._xy[colour_of == k])
        contested = np.asarray(frame.contested, dtype=bool)
        self._rings.set_offsets(self._xy[contested])
        if self._cells is not None:
            vertex_codes = codes[self._cell_place]
            drawn = np.unique(vertex_codes[vertex_codes >= 0])
            paths = [Path(self._cell_verts[vertex_codes == f], self._cell_codes[vertex_codes == f])
                     for f in drawn.tolist()]
            fill = self._palette[drawn].copy()
            fill[:, 3] = CELL_ALPHA
            self._cells.set_paths(paths)
            self._cells.set_facecolors(fill)
        if self._front is not None:
            a, b = codes[self._edge_left], codes[self._edge_right]
            on = (a >= 0) & (b >= 0) & (a != b)
            self._front.set_paths([Path(self._edge_verts[on], self._edge_codes[on])]
                                  if on.any() else [])
        self._title.set_text(frame.title)
        canvas = self.fig.canvas
        if self._background is None:
            # Draw the static parts (outline, legend, subtitle) once; frames blit on top.
            for artist in self._animated:
                artist.set_animated(True)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.fig.bbox)
        canvas.restore_region(self._background)
        for artist in self._animated:
            self.fig.draw_artist(artist)
        rgba = np.asarray(canvas.buffer_rgba())
        return np.array(rgba[..., :3])

    def close(self) -> None:
        plt.close(self.fig)


def png_bytes(pixels: np.ndarray) -> bytes:
    """PNG bytes of RGB pixels, without metadata (deterministic)."""
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()


def gif_bytes(frames: Sequence[np.ndarray] | Iterator[np.ndarray], *,
              duration_ms: int = 600) -> bytes:
    """Animated GIF (looping) of RGB frames, palette-quantized deterministically."""
    frames = list(frames)
    if not frames:
        raise ValueError("an animation needs at least one frame")
    # One palette for the whole animation, from a sample of frames across the period, so
    # colours neither flicker between frames nor miss a faction seen only early or late.
    sample = [frames[i] for i in np.unique(np.linspace(0, len(frames) - 1, 8).astype(int))]
    palette = Image.fromarray(np.concatenate(sample, axis=0)).quantize(
        colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    images = [Image.fromarray(f).quantize(palette=palette, dither=Image.Dither.NONE)
              for f in frames]
    out = io.BytesIO()
    images[0].save(out, format="GIF", save_all=True, append_images=images[1:],
                   duration=duration_ms, loop=0, optimize=False, disposal=1)
    return out.getvalue()
