"""The optional geopy fallback, with a fake geocoder (tests never go online)."""

from __future__ import annotations

import pytest
from geopy.location import Location

from gazetteer import PlaceNotFound, ResolverUnavailable
from gazetteer.online import OnlineResolver


class FakeGeocoder:
    def __init__(self, answers=None, fail=False):
        self.answers = answers or {}
        self.calls = []
        self.fail = fail

    def geocode(self, query, exactly_one=False, **kw):
        self.calls.append((query, kw))
        if self.fail:
            raise OSError("network down")
        return [Location(addr, (lat, lon), {"osm_id": 7, "address": {"country_code": "sy"}})
                for addr, lat, lon in self.answers.get(query, [])]


def test_online_only_when_nothing_local_matches(tiny, tmp_path):
    fake = FakeGeocoder({"Tall Abu Hureyra": [("Tell Abu Hureyra, Raqqa, Syria", 35.87, 38.4)]})
    online = OnlineResolver(fake, service="fake", cache_dir=tmp_path, rate_limit=False)
    gz = tiny.with_online(online)
    assert gz.resolve_one("Douma").id == "t:douma-sy"
    assert fake.calls == []
    c = gz.resolve_one("Tall Abu Hureyra", country="SY")
    assert (c.how, c.place.country, c.lat) == ("online", "SY", 35.87)
    assert fake.calls[0][1] == {}  # country_codes is a Nominatim-only keyword
    # second time from the sha1-keyed on-disk cache
    gz.resolve_one("Tall Abu Hureyra", country="SY")
    assert len(fake.calls) == 1
    assert len(list(tmp_path.glob("*.json"))) == 1
    with pytest.raises(PlaceNotFound):
        gz.resolve_one("Nowhere At All")


def test_online_is_rate_limited_with_geopy(tmp_path):
    from geopy.extra.rate_limiter import RateLimiter

    online = OnlineResolver(FakeGeocoder(), service="fake", cache_dir=tmp_path)
    assert isinstance(online._geocode, RateLimiter)
    assert online._geocode.min_delay_seconds == 1.0


def test_online_failure_is_resolver_unavailable(tmp_path):
    online = OnlineResolver(FakeGeocoder(fail=True), service="fake", cache_dir=tmp_path,
                            rate_limit=False)
    with pytest.raises(ResolverUnavailable, match="network down"):
        online.resolve("X")


def test_batch_reports_an_online_failure_per_name(tiny, tmp_path):
    from gazetteer.batch import resolve_many

    online = OnlineResolver(FakeGeocoder(fail=True), service="fake", cache_dir=tmp_path,
                            rate_limit=False)
    rows = resolve_many(tiny.with_online(online), ["Douma", "Nowhere At All"])
    assert rows[0].candidate.id == "t:douma-sy"
    assert rows[1].error == "not_found" and "online lookup failed" in rows[1].suggestions[0]
