"""Map styling as data: sizes, neutral colours and tiles. Faction colours come from the
factions file; nothing here is theatre-specific."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

UNKNOWN_COLOUR = "#f5f5f5"
CONTESTED_COLOUR = "#ff8c00"
CHANGE_COLOUR = "#1e88e5"
FRONT_COLOUR = "#111111"
OUTLINE_COLOUR = "#555555"
MARKER_RADIUS = 6
SEARCH_ZOOM = 11
PLAY_INTERVAL_MS = 700
FALLBACK_PALETTE = ("#e41a1c", "#4daf4a", "#377eb8", "#984ea3", "#ff7f00", "#ffd92f",
                    "#a65628", "#f781bf", "#666666", "#1b9e77")

# Optional online base map: the page adds it only once a probe tile loads; without network the
# outlines are the base map. Leaflet itself is inlined from the xstatic-leaflet package (--cdn:
# the same version from the CDN).
TILES_URL = "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png"
TILES_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
                     'contributors &copy; <a href="https://carto.com/attributions">CARTO</a>')
TILES_SUBDOMAINS = "abcd"
TILES_MAX_ZOOM = 18
LEAFLET_VERSION = "1.9.3"  # the version xstatic-leaflet ships (pyproject.toml)
LEAFLET_CDN = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist"
LANGUAGES = ("en", "ar")


@cache
def ui_strings(lang: str) -> dict:
    """Interface strings for ``lang`` (templates/ui.json); ValueError names the languages known."""
    table = json.loads(resources.files("mapper").joinpath("templates/ui.json").read_text("utf-8"))
    if lang not in table:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(sorted(table))}")
    return table[lang]


def tiles_config() -> dict:
    """The optional tile layer the browser code probes and adds (templates/frontline.js)."""
    return {"url": TILES_URL, "attribution": TILES_ATTRIBUTION,
            "subdomains": TILES_SUBDOMAINS, "max_zoom": TILES_MAX_ZOOM}


def js_style(lang: str) -> dict:
    """The style constants and interface strings the browser code reads."""
    return {
        **ui_strings(lang),
        "radius": MARKER_RADIUS,
        "unknown_colour": UNKNOWN_COLOUR,
        "contested_colour": CONTESTED_COLOUR,
        "change_colour": CHANGE_COLOUR,
        "front_colour": FRONT_COLOUR,
        "search_zoom": SEARCH_ZOOM,
        "play_ms": PLAY_INTERVAL_MS,
    }
