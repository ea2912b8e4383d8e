"""Optional online fallback through geopy (Nominatim, GeoNames API): rate-limited with geopy's
RateLimiter, answers cached on disk as ``{sha1(service|query|country)}.json``. Off by default."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ._io import atomic_write_text
from .errors import ResolverUnavailable
from .store import online_cache_dir
from .types import Candidate, Place

USER_AGENT = "frontline-gazetteer/0.1 (front-line mapper; contact via project README)"


class OnlineResolver:
    """Wrap any geopy-style geocoder (``geocode(query, exactly_one=False, ...)``)."""

    def __init__(self, geocoder, *, service: str, min_delay_seconds: float = 1.0,
                 cache_dir: Path | None = None, rate_limit: bool = True):
        self.geocoder = geocoder
        self.service = service
        self.cache_dir = cache_dir or online_cache_dir()
        if rate_limit:
            from geopy.extra.rate_limiter import RateLimiter

            self._geocode = RateLimiter(geocoder.geocode, min_delay_seconds=min_delay_seconds,
                                        max_retries=1, swallow_exceptions=False)
        else:
            self._geocode = geocoder.geocode

    @classmethod
    def nominatim(cls, *, user_agent: str = USER_AGENT, **kw) -> OnlineResolver:
        from geopy.geocoders import Nominatim

        return cls(Nominatim(user_agent=user_agent, timeout=10), service="nominatim", **kw)

    @classmethod
    def geonames(cls, username: str, **kw) -> OnlineResolver:
        from geopy.geocoders import GeoNames

        return cls(GeoNames(username=username, timeout=10), service="geonames", **kw)

    def _cache_path(self, query: str, country: list[str]) -> Path:
        key = f"{self.service}|{query}|{','.join(country)}"
        return self.cache_dir / f"{hashlib.sha1(key.encode('utf-8')).hexdigest()}.json"

    def resolve(self, query: str, *, country=()) -> list[Candidate]:
        country = sorted(country or ())
        path = self._cache_path(query, country)
        if path.exists():
            try:
                rows = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                rows = None
            if rows is not None:
                return [_candidate(self.service, query, r) for r in rows]
        kwargs = {"exactly_one": False}
        if country and self.service == "nominatim":
            kwargs["country_codes"] = [c.lower() for c in country]
        try:
            found = self._geocode(query, **kwargs) or []
        except Exception as exc:  # noqa: BLE001 - geopy raises many kinds; all mean "unavailable"
            raise ResolverUnavailable(f"{self.service}: {exc}") from exc
        rows = [{"address": loc.address, "lat": loc.latitude, "lon": loc.longitude,
                 "raw": getattr(loc, "raw", {})} for loc in found]
        atomic_write_text(path, json.dumps(rows, ensure_ascii=False, sort_keys=True))
        return [_candidate(self.service, query, r) for r in rows]


def _country(raw: dict) -> str:
    """ISO2 from a Nominatim (``address.country_code``) or GeoNames (``countryCode``) reply."""
    address = raw.get("address")
    code = address.get("country_code", "") if isinstance(address, dict) else ""
    return str(code or raw.get("countryCode") or "").upper()[:2]


def _candidate(service: str, query: str, row: dict) -> Candidate:
    raw = row.get("raw") or {}
    pid = raw.get("osm_id") or raw.get("geonameId") or f"{row['lat']:.5f},{row['lon']:.5f}"
    address = str(row.get("address") or query)
    place = Place(id=f"{service}:{pid}", name=address.split(",")[0].strip() or query,
                  lat=float(row["lat"]), lon=float(row["lon"]), country=_country(raw),
                  source=service, names=(address,))
    return Candidate(place=place, score=0.5, matched=address, how="online",
                     why=f"{service} geocoder answer (not in the local gazetteer)", raw=raw)
