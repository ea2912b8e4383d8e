"""PNG and GIF pictures of the map (mapper/images.py)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import shapely
from PIL import Image

from mapper.images import Frame, MapPainter, gif_bytes, png_bytes
from mapper.model import FactionStyle, MapModel


@pytest.fixture
def model() -> MapModel:
    places = pd.DataFrame({"place_id": ["a", "b"], "name": ["A", "B"], "lat": [10.0, 10.0],
                           "lon": [20.0, 21.0], "label": ["A", "B"], "names": [(), ()]})
    obs = pd.DataFrame({"place_pos": [0, 1], "day": [0, 0], "precision": ["day", "day"],
                        "controller": ["red", "blue"], "status": ["held", "held"],
                        "certainty": ["confirmed", "confirmed"], "kind": ["state", "state"],
                        "source": ["", ""], "note": ["", ""], "row": [2, 3]})
    intervals = obs[["place_pos", "day", "controller", "status", "certainty"]].assign(obs=[0, 1])
    cells = (shapely.box(19.5, 9.5, 20.5, 10.5), shapely.box(20.5, 9.5, 21.5, 10.5))
    edges = ([0], [1], [shapely.LineString([(20.5, 9.5), (20.5, 10.5)])])
    return MapModel(places, obs, intervals,
                    (FactionStyle("red", "Red", "#ff0000"),
                     FactionStyle("blue", "Blue", "#0000ff")),
                    cells=cells, edges=edges, outline=shapely.box(19.5, 9.5, 21.5, 10.5))


def _pixel(pixels: np.ndarray, painter: MapPainter, lon: float, lat: float) -> np.ndarray:
    x, y = painter.ax.transData.transform((lon, lat))
    height = pixels.shape[0]
    return pixels[int(round(height - y)), int(round(x))]


def test_frames_follow_the_codes(model):
    painter = MapPainter(model, size_px=(400, 300), title="t")
    try:
        first = painter.frame(Frame(np.array([0, 1]), np.array([False, False]), "day 1"))
        swapped = painter.frame(Frame(np.array([1, 0]), np.array([False, False]), "day 2"))
        inside_a = _pixel(first, painter, 19.8, 10.3)
        assert inside_a[0] > inside_a[2]          # red-ish cell
        inside_a = _pixel(swapped, painter, 19.8, 10.3)
        assert inside_a[2] > inside_a[0]          # blue-ish after the swap
        unknown = painter.frame(Frame(np.array([-1, -1]), np.array([True, False]), "d3"))
        assert tuple(_pixel(unknown, painter, 19.8, 10.3)) == (255, 255, 255)  # unheld: no fill
    finally:
        painter.close()


def test_png_and_gif_are_deterministic(model):
    def draw() -> tuple[bytes, bytes]:
        painter = MapPainter(model, size_px=(300, 200))
        try:
            frames = [painter.frame(Frame(np.array(c), np.array([False, False]), str(i)))
                      for i, c in enumerate(([0, 1], [1, 1], [1, 0]))]
        finally:
            painter.close()
        return png_bytes(frames[0]), gif_bytes(frames, duration_ms=300)

    png1, gif1 = draw()
    png2, gif2 = draw()
    assert png1 == png2 and gif1 == gif2
    image = Image.open(io.BytesIO(png1))
    assert image.size == (300, 200) and not image.info.get("Software")
    gif = Image.open(io.BytesIO(gif1))
    assert gif.n_frames == 3 and gif.info.get("loop") == 0


def test_gif_needs_frames():
    with pytest.raises(ValueError, match="at least one frame"):
        gif_bytes([])
