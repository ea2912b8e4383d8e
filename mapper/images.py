"""Static pictures of the map: a PNG per chosen date and an animated GIF of the whole period.

One matplotlib (Agg) figure is drawn once — cells, edges, places, outline — and every frame only
changes colours, so a hundred frames cost little more than one. Encoding goes through Pillow with
no metadata, so identical inputs give identical bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from PIL import Image  # noqa: E402

from . import styles  # noqa: E402
from .model import MapModel  # noqa: E402

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
    parts, owner = shapely.get_parts(np.asarray(geoms, dtype=object), return_index=True)
    keep = ~shapely.is_empty(parts)
    parts, owner = parts[keep], owner[keep]
    rings = shapely.get_exterior_ring(parts)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    cuts = np.flatnonzero(np.diff(ring_of)) + 1
    return np.split(coords, cuts) if len(coords) else [], owner


def _lines(geoms) -> tuple[list[np.ndarray], np.ndarray]:
    lines, owner = shapely.get_parts(np.asarray(geoms, dtype=object), return_index=True)
    coords, line_of = shapely.get_coordinates(lines, return_index=True)
    cuts = np.flatnonzero(np.diff(line_of)) + 1
    return np.split(coords, cuts) if len(coords) else [], owner


class MapPainter:
    """Draws frames of one model; build once, call ``frame()`` per date."""

    def __init__(self, model: MapModel, *, size_px: tuple[int, int] = (900, 900), dpi: int = 100,
                 title: str = ""):
        self.model = model
        palette = [to_rgba(f.colour) for f in model.factions]
        self._palette = np.array([*palette, to_rgba(styles.UNKNOWN_COLOUR)], dtype=float)
        lon = model.places["lon"].to_numpy(float)
        lat = model.places["lat"].to_numpy(float)
        self.fig = plt.figure(figsize=(size_px[0] / dpi, size_px[1] / dpi), dpi=dpi)
        self.ax = self.fig.add_axes((0.02, 0.1, 0.96, 0.8))
        self.ax.set_axis_off()
        self.ax.set_aspect(1.0 / max(np.cos(np.radians(np.mean(lat) if len(lat) else 0)), 0.1))
        if model.outline is not None:
            segs, _ = _lines(shapely.boundary(model.outline)
                             if shapely.get_type_id(model.outline) in (3, 6) else model.outline)
            self.ax.add_collection(LineCollection(segs, colors=styles.OUTLINE_COLOUR,
                                                  linewidths=0.8, zorder=1))
        self._cells = None
        if model.cells is not None:
            rings, self._cell_owner = _rings(model.cells)
            self._cells = PolyCollection(rings, linewidths=0.0, zorder=2, antialiaseds=True)
            self.ax.add_collection(self._cells)
        self._front = None
        if model.edges is not None:
            left, right, geoms = model.edges
            segs, owner = _lines(geoms)
            self._edge_left = np.asarray(left)[owner]
            self._edge_right = np.asarray(right)[owner]
            self._edge_segs = segs
            self._front = LineCollection([], colors=styles.FRONT_COLOUR, linewidths=1.6, zorder=3)
            self.ax.add_collection(self._front)
        self._points = self.ax.scatter(lon, lat, s=18, linewidths=0.6, edgecolors="#222222",
                                       zorder=4)
        self._rings = self.ax.scatter(lon, lat, s=90, facecolors="none",
                                      edgecolors=styles.CONTESTED_COLOUR, linewidths=1.5, zorder=5)
        self._title = self.fig.text(0.5, 0.955, "", ha="center", va="center", fontsize=14,
                                    fontweight="bold")
        self.fig.text(0.5, 0.915, title, ha="center", va="center", fontsize=10, color="#444444")
        used = set(model.intervals["controller"].dropna())
        handles = [Line2D([], [], marker="s", linestyle="", markersize=9, color=f.colour,
                          label=f.label) for f in model.factions if f.id in used]
        if handles:
            self.fig.legend(handles=handles, loc="lower center", ncol=min(3, len(handles)),
                            fontsize=9, frameon=False)
        self._frame_view(lon, lat)
        self._animated = [a for a in (self._cells, self._front, self._points, self._rings,
                                      self._title) if a is not None]
        self._background = None

    def _frame_view(self, lon: np.ndarray, lat: np.ndarray) -> None:
        """Show every place and cell (the outline may be a whole country: places come first)."""
        shapes = list(shapely.points(lon, lat)) if len(lon) else []
        if self.model.cells is not None:
            shapes.extend(self.model.cells)
        if not shapes:
            return
        x0, y0, x1, y1 = shapely.total_bounds(np.asarray(shapes, dtype=object))
        pad_x, pad_y = max((x1 - x0) * 0.05, 0.05), max((y1 - y0) * 0.05, 0.05)
        self.ax.set_xlim(x0 - pad_x, x1 + pad_x)
        self.ax.set_ylim(y0 - pad_y, y1 + pad_y)

    def frame(self, frame: Frame) -> np.ndarray:
        """The RGB pixels of ``frame``."""
        codes = np.asarray(frame.codes, dtype=np.int64)
        colours = self._palette[np.where(codes >= 0, codes, len(self._palette) - 1)]
        self._points.set_facecolors(colours)
        contested = np.asarray(frame.contested, dtype=bool)
        self._rings.set_alpha(None)
        self._rings.set_edgecolors(np.where(contested[:, None], to_rgba(styles.CONTESTED_COLOUR),
                                            (0, 0, 0, 0)))
        if self._cells is not None:
            owner_codes = codes[self._cell_owner]
            fill = self._palette[np.where(owner_codes >= 0, owner_codes, len(self._palette) - 1)]
            fill = fill.copy()
            fill[:, 3] = np.where(owner_codes >= 0, CELL_ALPHA, 0.0)
            self._cells.set_facecolors(fill)
        if self._front is not None:
            a, b = codes[self._edge_left], codes[self._edge_right]
            on = np.flatnonzero((a >= 0) & (b >= 0) & (a != b))
            self._front.set_segments([self._edge_segs[i] for i in on])
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
