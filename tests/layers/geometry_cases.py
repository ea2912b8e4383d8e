"""Shared geometry test inputs: a places frame from coordinates, and random point scenes with
per-slice controller codes (Hypothesis)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from hypothesis import strategies as st


def places(coords, ids=None) -> gpd.GeoDataFrame:
    lon, lat = zip(*coords, strict=True)
    ids = ids if ids is not None else [f"p{i}" for i in range(len(coords))]
    return gpd.GeoDataFrame({"place_id": ids}, geometry=gpd.points_from_xy(lon, lat), crs=4326)


@st.composite
def scenes(draw, *, max_slices: int = 4):
    """(coords on a 0.03° grid near 36°E 35°N, codes [slices, places] with -1 for unknown,
    radius in km)."""
    pts = draw(st.lists(st.tuples(st.integers(0, 25), st.integers(0, 25)), min_size=1,
                        max_size=45))
    coords = [(36.0 + x * 0.03, 35.0 + y * 0.03) for x, y in pts]
    n_slices = draw(st.integers(1, max_slices))
    codes = draw(st.lists(st.lists(st.integers(-1, 3), min_size=len(coords),
                                   max_size=len(coords)), min_size=n_slices, max_size=n_slices))
    return coords, np.array(codes, dtype=np.int64), draw(st.floats(3.0, 40.0))
