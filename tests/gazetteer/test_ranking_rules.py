"""Ranking rules: core-country prior, typo budget, separator-insensitive exact keys, admin hints
that exclude far lookalikes, curated aliases. Each on a small hand-made gazetteer."""

from __future__ import annotations

import pytest

from gazetteer import AmbiguousPlace, PlaceNotFound
from gazetteer.aliases import AliasRow, apply_aliases
from gazetteer.gazetteer import Gazetteer
from gazetteer.index import NameIndex

from .conftest import P


def _gz(places, core=("SY", "LB"), curated=None) -> Gazetteer:
    ix = NameIndex(list(places), curated=curated)
    ix.core_countries = frozenset(core)
    return Gazetteer(ix)


BORDER = [
    P("b:ras-tr", "Ceylanpınar", 36.84, 40.05, country="TR", kind="town", population=31488,
      names=["Ras al-Ayn"]),
    P("b:ras-sy", "Ra's al 'Ayn", 36.85, 40.07, admin1="Al-Hasakah"),
    P("b:rabba-jo", "Amman", 31.95, 35.93, country="JO", kind="city", population=1275857,
      names=["Rabbah"]),
    P("b:rabia-sy", "Rabī‘ah", 35.79, 36.04, admin1="Latakia", names=["Rabiah"]),
    P("b:sinjar-iq", "Sinjār", 36.32, 41.88, country="IQ", kind="town", population=38294),
    P("b:tibnah-jo", "Tibnah", 32.55, 35.77, country="JO", population=5000),
]


def test_core_country_place_beats_a_border_zone_one_of_similar_quality():
    gz = _gz(BORDER)
    assert gz.resolve_one("Ras al-Ayn").id == "b:ras-sy"   # normalized (TR) vs skeleton (SY)
    assert gz.resolve_one("Rabia").id == "b:rabia-sy"      # a city's population is no excuse
    assert "outside the core countries" in gz.resolve("Rabbah")[0].why


def test_border_places_still_resolve_when_only_they_match_or_hints_say_so():
    gz = _gz(BORDER)
    assert gz.resolve_one("Sinjar").id == "b:sinjar-iq"
    assert gz.resolve_one("Tibnah").id == "b:tibnah-jo"
    assert gz.resolve_one("Ras al-Ayn", country="TR").id == "b:ras-tr"
    # without a configured core (a plain index) there is no prior at all
    assert _gz(BORDER, core=()).resolve_one("Ras al-Ayn").id == "b:ras-tr"


TYPOS = [
    P("y:mardin", "Mardin", 37.31, 40.73, country="TR", kind="city", population=86948),
    P("y:qasioun", "Mount Qasioun", 33.54, 36.27, kind="hill", names=["Qasioun"]),
    P("y:jibbeh", "Jibbeh", 33.97, 36.54, admin1="Rif Dimashq"),
    P("y:daraya", "Dārayyā", 33.46, 36.23, admin1="Rif Dimashq", kind="town",
      population=71596, names=["Daraya"]),
]


@pytest.mark.parametrize("name", ["Azmarin", "Qastun"])
def test_weak_fuzzy_lookalikes_are_not_found_but_suggested(name):
    gz = _gz(TYPOS)
    with pytest.raises(PlaceNotFound) as err:
        gz.resolve_one(name)
    assert err.value.suggestions  # still offered as did-you-mean


@pytest.mark.parametrize(("name", "expected"), [("Jibbehm", "y:jibbeh"),
                                                ("Daryya", "y:daraya"), ("Jibeh", "y:jibbeh")])
def test_one_edit_typos_still_resolve(name, expected):
    assert _gz(TYPOS).resolve_one(name).id == expected


HADIR = [
    P("h:hama", "Hader", 35.10, 36.90, admin1="Hama", names=["al-Hadir"]),
    P("h:aleppo", "Al Ḩāḑir", 35.99, 37.05, admin1="Aleppo", names=["Al Hadir"]),
    P("h:other", "Hadir", 34.0, 37.0, admin1="Homs", population=10),
]


def test_separator_variants_rank_identically():
    gz = _gz(HADIR)
    ranked = [[(c.id, c.score, c.matched) for c in gz.resolve(n)]
              for n in ("Al-Hadir", "Al Hadir", "al_hadir", "AL.  HADIR", "Al–Hadir")]
    assert all(r == ranked[0] for r in ranked)
    outcomes = set()
    for n in ("Al-Hadir", "Al Hadir"):
        try:
            outcomes.add(gz.resolve_one(n).id)
        except AmbiguousPlace as exc:
            outcomes.add(tuple(c.id for c in exc.candidates))
    assert len(outcomes) == 1


ADMIN = [
    P("a:dana", "Ad Dānā", 36.21, 36.77, admin1="Idlib", kind="town", population=21987),
    P("a:aydun", "Aydūn", 32.51, 35.86, country="JO", kind="town", population=18376,
      names=["aydwn"]),
    P("a:daraa", "Dar‘ā", 32.62, 36.10, admin1="Daraa", kind="town", population=97969,
      names=["Daraa"]),
    P("a:nawa", "Nawa", 32.89, 36.04, admin1="Daraa", kind="town", population=40000),
    P("a:adwan", "`Adwan", 32.75, 35.98, admin1="Daraa"),
]


def test_far_lookalike_outside_the_hinted_governorate_is_not_found():
    gz = _gz([p for p in ADMIN if p.id != "a:adwan"])
    with pytest.raises(PlaceNotFound):
        gz.resolve_one("Adwan", country="SY", context=["Daraa"])
    with pytest.raises(PlaceNotFound):
        gz.resolve_one("Adwan", context=["Daraa province"])
    # an exact name outside the hinted area is still an answer
    assert gz.resolve_one("Ad Dana", context=["Daraa"]).id == "a:dana"


def test_far_lookalike_is_kept_when_the_documents_own_places_surround_it():
    """A document naming Daraa (a hint) and places around Idlib still means the Idlib town its
    typo resembles: the far-lookalike rule yields to the document's geography."""
    gz = _gz([p for p in ADMIN if p.id != "a:adwan"])
    context = ["Daraa", (36.20, 36.75), (36.25, 36.80)]  # resolved places beside Ad Dana
    assert gz.resolve_one("Adwan", country="SY", context=context).id == "a:dana"


def test_match_in_the_hinted_governorate_wins():
    gz = _gz(ADMIN)
    assert gz.resolve_one("Adwan", country="SY", context=["Daraa"]).id == "a:adwan"


KURDISH = [
    P("k:kobani", "‘Ayn al ‘Arab", 36.89, 38.35, admin1="Aleppo", kind="town",
      population=44821, names=["Kobanî"]),
    P("k:afrin", "‘Afrīn", 36.51, 36.87, admin1="Aleppo", kind="town", population=48693,
      names=["Kobanî"]),  # a source's wrong alternate name
    P("k:ras", "Ra’s al ‘Ayn", 36.85, 40.07, admin1="Al-Hasakah", kind="town",
      population=29347),
]


def test_aliases_attach_to_the_target_and_outrank_unsourced_alternates():
    rows = [AliasRow("Kobanî", "‘Ayn al ‘Arab", "SY", "Aleppo", "https://x.org", 2),
            AliasRow("Serêkaniyê", "Ras al Ayn", "SY", "", "https://x.org", 3),
            AliasRow("Nowhere", "Atlantis", "SY", "", "https://x.org", 4)]
    places, curated, problems = apply_aliases(KURDISH, rows)
    assert curated == {"k:kobani": ("Kobanî",), "k:ras": ("Serêkaniyê",)}
    assert len(problems) == 1 and "Atlantis" in problems[0]
    with pytest.raises(AmbiguousPlace):
        _gz(KURDISH).resolve_one("Kobanî")
    gz = _gz(places, curated=curated)
    assert gz.resolve_one("Kobanî").id == "k:kobani"
    assert gz.resolve_one("Serêkaniyê").id == "k:ras"
    assert gz.resolve_one("Serekaniye").id == "k:ras"  # diacritics fold (normalized key)


def test_alias_file_rows_resolve_in_the_default_gazetteer():
    import gazetteer
    from gazetteer.aliases import read_aliases

    rows, problems = read_aliases()
    assert len(rows) >= 40 and problems == []
    gz = gazetteer.load(imports=False)
    assert not [p for p in gz.problems if "aliases.csv" in p]
    expected = {"Serêkaniyê": "Al-Hasakah", "Girê Spî": "Raqqa", "Tirbespî": "Al-Hasakah",
                "Kobanî": "Aleppo", "Qamişlo": "Al-Hasakah", "Efrîn": "Aleppo",
                "Dirbêsiyê": "Al-Hasakah"}
    for alias, admin1 in expected.items():
        c = gz.resolve_one(alias)
        assert (c.place.country, c.place.admin1) == ("SY", admin1), (alias, c)


def test_resolve_many_matches_per_name_resolve_and_ranks_repeats_once(tiny, monkeypatch):
    names = ["Douma", "Kfar Zeita", "Douma", "Nasib", "", "Zzzzqqq", "كفرزيتا", "Douma"]
    expected = [[c.id for c in tiny.resolve(n)] for n in names]
    calls = []
    real = tiny._rank
    monkeypatch.setattr(tiny, "_rank", lambda n, ctx, **kw: calls.append(n) or real(n, ctx, **kw))
    got = tiny.resolve_many(names)
    assert [[c.id for c in cands] for cands in got] == expected
    assert sorted(calls) == sorted(set(names))


def test_batch_rows_equal_single_name_answers(tiny):
    from gazetteer.batch import resolve_many

    names = ["Douma", "Nasib", "Qusair", "Zzzzqqq", "Daraa"]
    rows = resolve_many(tiny, names, document_context=False)
    assert [r.error for r in rows] == ["", "ambiguous", "", "not_found", ""]
    assert rows[0].candidate.id == tiny.resolve_one("Douma").id
    assert [c.id for c in rows[2].candidates] == [c.id for c in tiny.resolve("Qusair", limit=5)]


def test_batch_ranks_each_name_once_per_pass(tiny, monkeypatch):
    from gazetteer.batch import resolve_many

    names = ["Douma", "Nasib", "Qusair", "Nasib", "Daraa"]
    plain = [r.to_dict() for r in resolve_many(tiny, names, document_context=False)]
    calls = []
    real = tiny._rank
    monkeypatch.setattr(tiny, "_rank", lambda n, ctx, **kw: calls.append(n) or real(n, ctx, **kw))
    assert [r.to_dict() for r in resolve_many(tiny, names, document_context=False)] == plain
    assert sorted(calls) == sorted(set(names))
    calls.clear()
    rows = resolve_many(tiny, names)  # the ambiguous Nasib again, near the clear names
    assert sorted(calls) == sorted([*set(names), "Nasib"])
    assert [r.to_dict() for r in rows if r.query != "Nasib"] == \
        [r for r in plain if r["query"] != "Nasib"]


def test_batch_searches_each_name_once_for_both_passes(tiny, monkeypatch):
    """The hits do not depend on the context: the second pass ranks the first pass's, and a
    name found nowhere is not searched again for its row."""
    from gazetteer.batch import resolve_many

    names = ["Douma", "Nasib", "Qusair", "Nasib", "Zzzzqqq", "Daraa"]
    expected = [r.to_dict() for r in resolve_many(tiny, names)]
    searched = []
    real = tiny._hits
    monkeypatch.setattr(tiny, "_hits", lambda n, *a: searched.append(n) or real(n, *a))
    rows = resolve_many(tiny, names)
    assert [r.to_dict() for r in rows] == expected
    assert sorted(searched) == sorted(set(names))
    assert rows[4].error == "not_found" and rows[4].suggestions == tuple(
        tiny.suggestions("Zzzzqqq"))


def test_vectorized_context_distance_equals_the_scalar_one():
    import random

    from gazetteer.rank import Context, context_km, km

    rng = random.Random(3)
    pts = [(rng.uniform(32, 37), rng.uniform(35, 42)) for _ in range(40)]
    rows = [("x", "x", rng.uniform(32, 37), rng.uniform(35, 42)) for _ in range(25)]
    ctx = Context(lats=tuple(p[0] for p in pts), lons=tuple(p[1] for p in pts))
    got = context_km(rows, ctx)
    want = [min(km(r[2], r[3], la, lo) for la, lo in pts) for r in rows]
    assert got == pytest.approx(want, rel=1e-9, abs=1e-6)


@pytest.mark.parametrize("lat0", [33.0, 62.0])  # (a degree of longitude shrinks northwards)
def test_context_distance_with_thousands_of_points_is_the_full_one(lat0):
    import random

    import numpy as np

    from gazetteer.rank import TREE_POINTS, Context, _haversine_km, context_km

    rng = random.Random(5)
    pts = [(rng.uniform(lat0, lat0 + 4), rng.uniform(35, 41)) for _ in range(3_000)]
    # rows among the points, near their edge, and far from every point
    rows = [("x", "x", rng.uniform(lat0 - 3, lat0 + 7), rng.uniform(30, 46)) for _ in range(400)]
    ctx = Context(lats=tuple(p[0] for p in pts), lons=tuple(p[1] for p in pts))
    assert len(pts) > TREE_POINTS
    got = context_km(rows, ctx)
    lat = np.radians([r[2] for r in rows])[:, None]
    lon = np.radians([r[3] for r in rows])[:, None]
    full = _haversine_km(lat, lon, *ctx.points.radians).min(axis=1).tolist()
    assert "tree" in ctx.points.__dict__  # (measured through the tree)
    assert got == full  # the same nearest point, the same float
    assert min(got) < 5 and max(got) > 300
    # a context asked once about a few rows measures them directly; asked again, by the tree
    few = Context(lats=ctx.lats, lons=ctx.lons)
    assert context_km(rows[:10], few) == full[:10] and "tree" not in few.points.__dict__
    assert context_km(rows[:10], few) == full[:10] and "tree" in few.points.__dict__


def test_context_distance_across_the_antimeridian():
    from gazetteer.rank import TREE_POINTS, Context, context_km, km

    # Chukotka-like points just east of 180°; rows just west of it (and one far away)
    points = [(65.0 + i * 0.01, 179.5 + (i % 5) * 0.1) for i in range(TREE_POINTS + 36)]
    rows = [("x", "x", 65.3, -179.9), ("x", "x", 65.1, -179.5), ("x", "x", 64.0, 170.0)]
    ctx = Context(lats=tuple(p[0] for p in points), lons=tuple(p[1] for p in points))
    want = [min(km(r[2], r[3], la, lo) for la, lo in points) for r in rows]
    context_km(rows, ctx)  # (the first call measures directly; the second asks the tree)
    assert context_km(rows, ctx) == pytest.approx(want, rel=1e-9)
    assert max(want[:2]) < 30


def test_a_batch_under_a_large_context_ranks_like_one_name_at_a_time(tiny):
    from gazetteer.rank import TREE_POINTS

    # an events file's context: many resolved places (measured for the batch in one call,
    # memoized on the context) and a country named in a hint
    points = [(32.5 + i * 0.04, 36.0 + (i % 10) * 0.1) for i in range(TREE_POINTS + 40)]
    hints = [*points, "Syria"]
    names = ["Nasib", "Douma", "Qusair", "Arsal al-Ward", "Nasib", "Zzzzqqq"]
    ctx = tiny.context(context=hints)
    got = tiny.rank_many(names, context=ctx)
    for name, ranked in zip(names, got, strict=True):
        alone = tiny.resolve(name, context=hints)  # a fresh context: nothing memoized
        assert [(c.id, c.score, c.why) for c in ranked.candidates] == \
            [(c.id, c.score, c.why) for c in alone]
    assert ctx.voted() is ctx.voted() and ctx.voted().countries == {"SY"}
    # the batch's distances, kept for the next names and for contexts derived from this one
    assert ctx.voted().points is ctx.points and ctx.points.km_memo
    assert tiny.context(country="SY", context=ctx).points is ctx.points


def test_many_context_places_rank_like_few(tiny):
    # five or more context points take the vectorized path; the answer must not change
    yabrud = tiny.get("t:yabrud")
    desert = [(34.5 + i * 0.1, 38.5) for i in range(6)]  # far from every candidate
    hasaka = [(36.0 + i * 0.01, 41.0) for i in range(6)]
    assert tiny.resolve_one("Nasib", context=[(32.6, 36.1), *desert]).id == "t:nasib-daraa"
    assert tiny.resolve_one("Nasib", context=hasaka).id == "t:nasib-hasaka"
    assert tiny.resolve_one("Arsal al-Ward", context=[yabrud, *desert]).id == "t:assal"
