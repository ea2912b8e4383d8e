"""Matching tiers and ranking with context, on a tiny hand-made gazetteer."""

from __future__ import annotations

import pytest

from gazetteer import AmbiguousPlace, PlaceNotFound
from gazetteer.match import find
from gazetteer.normalize import keys


def test_exact_normalized_skeleton_arabic_tiers(tiny):
    assert tiny.resolve_one("Douma").id == "t:douma-sy"
    c = tiny.resolve_one("el Qusayr", country="SY")
    assert (c.id, c.how) == ("t:qusayr-homs", "normalized")
    c = tiny.resolve_one("Kfar Zeita")
    assert c.id == "t:kafr-zita" and c.how in ("skeleton", "arabic")
    c = tiny.resolve_one("كفرزيتا")
    assert c.id == "t:kafr-zita"
    assert tiny.resolve_one("Rankous").how == "exact"


def test_typo_goes_through_blocked_fuzzy(tiny):
    c = tiny.resolve_one("Rankouss")
    assert c.id == "t:rankus"
    assert c.how in ("skeleton", "fuzzy")
    c = tiny.resolve_one("Yabrod")
    assert c.id == "t:yabrud"


def test_typo_prefers_the_closest_spelling(tiny):
    assert tiny.resolve_one("Daryya").id == "t:daraya"


def test_population_breaks_a_tie_between_same_names(tiny):
    # a city of 100k against a village of the same name, no other hint
    assert tiny.resolve("Douma")[0].id == "t:douma-sy"
    assert tiny.resolve_one("Qusair").id == "t:qusayr-homs"


def test_same_names_without_context_are_ambiguous(tiny):
    with pytest.raises(AmbiguousPlace) as err:
        tiny.resolve_one("Nasib")
    assert {c.id for c in err.value.candidates} == {"t:nasib-daraa", "t:nasib-hasaka"}
    assert err.value.suggestions and isinstance(err.value, ValueError)


@pytest.mark.parametrize(("context", "expected"), [
    (["Daraa"], "t:nasib-daraa"),
    (["Al-Hasakah province"], "t:nasib-hasaka"),
    ([(36.0, 41.0)], "t:nasib-hasaka"),
])
def test_context_decides(tiny, context, expected):
    assert tiny.resolve_one("Nasib", context=context).id == expected


def test_near_decides(tiny):
    assert tiny.resolve_one("Nasib", near=(32.6, 36.1)).id == "t:nasib-daraa"
    assert tiny.resolve_one("Nasib", near=(36.1, 41.0)).id == "t:nasib-hasaka"


def test_admin_hint_beats_population(tiny):
    c = tiny.resolve_one("القصير", context=["in Idlib province"])
    assert c.id == "t:qusayr-idlib"
    assert "Idlib" in c.why


def test_country_hint(tiny):
    assert tiny.resolve_one("Douma", country="LB").id == "t:douma-lb"
    assert tiny.resolve_one("Douma", country=["SY"]).id == "t:douma-sy"


def test_arsal_al_ward_in_a_qalamoun_report_is_assal_al_ward(tiny):
    # Not a special case: the closest spelling plus the Syrian Qalamoun context decide.
    c = tiny.resolve_one("Arsal al-Ward", context=["Yabroud", "Rankous"])
    assert c.id == "t:assal"
    assert tiny.resolve_one("Arsal").id == "t:arsal"


def test_context_places_and_candidates_are_accepted(tiny):
    yabrud = tiny.get("t:yabrud")
    cand = tiny.resolve_one("Daraa")
    assert tiny.resolve_one("Nasib", context=[cand]).id == "t:nasib-daraa"
    assert tiny.resolve_one("Arsal al-Ward", context=[yabrud]).id == "t:assal"


def test_prepared_context_is_reusable(tiny):
    ctx = tiny.context(context=["Daraa"])
    assert tiny.resolve_one("Nasib", context=ctx).id == "t:nasib-daraa"


def test_not_found_has_suggestions(tiny):
    assert tiny.resolve_one("Yabrouuuudd").id == "t:yabrud"  # a typo, still found
    with pytest.raises(PlaceNotFound) as err:
        tiny.resolve_one("Rankxx Qqq")
    assert isinstance(err.value, LookupError)
    assert err.value.suggestions == [] or "Rankus" in err.value.suggestions[0]
    with pytest.raises(PlaceNotFound) as err:
        tiny.resolve_one("Zzzzqqq")
    assert err.value.suggestions == []


def test_candidates_explain_themselves(tiny):
    c = tiny.resolve_one("كفر زيتا")
    assert c.matched == "كفر زيتا" and "exact" in c.why
    assert 0 < c.score <= 1
    d = c.to_dict()
    assert d["id"] == "t:kafr-zita" and d["how"] == "exact"
    c = tiny.resolve_one("كفرزيتا")  # no space: the normalized Arabic key
    assert c.how == "arabic"


def test_get_and_unknown_id(tiny):
    assert tiny.get("t:douma-sy").name == "Dūmā"
    with pytest.raises(PlaceNotFound):
        tiny.get("t:nope")


def test_same_place_from_two_sources_is_one_candidate():
    from gazetteer.gazetteer import Gazetteer
    from gazetteer.index import NameIndex

    from .conftest import P

    gz = Gazetteer(NameIndex([P("a:1", "Kassab", 35.9264, 35.9897),
                              P("b:1", "Kessab", 35.9270, 35.9890)]))
    assert len(gz.resolve("Kasab")) == 1
    assert gz.resolve_one("Kassab").id == "a:1"


def test_fuzzy_never_scans_everything(tiny):
    # the blocked candidate set is a small subset of all names
    from gazetteer.match import blocked_names

    blocked = blocked_names(tiny.index, keys("Rankouss"))
    assert 0 < len(blocked) < len(tiny.index.name_text) / 2
    assert find(tiny.index, keys("Rankous"), fuzzy=False)


@pytest.mark.parametrize("bad", ["", "   ", "\x00", "x" * 10_000, "\u202e", "..."])
def test_bad_names_are_not_found_not_errors(tiny, bad):
    assert tiny.resolve(bad) == []
    with pytest.raises(PlaceNotFound):
        tiny.resolve_one(bad)


def test_batch_reports_bad_and_non_string_names_as_not_found(tiny):
    from gazetteer.batch import resolve_many

    names = ["Douma", None, ["x"], "", "x" * 10_000, "Douma"]
    rows = resolve_many(tiny, names)
    assert [r.error for r in rows] == ["", "not_found", "not_found", "not_found", "not_found", ""]
    assert [r.query for r in rows] == names


def test_mixed_script_name(tiny):
    # Latin + Arabic in one string must not crash; it may or may not match
    assert isinstance(tiny.resolve("Douma دوما"), list)


@pytest.mark.parametrize(("kw", "msg"), [
    ({"country": "Syria"}, "two-letter"),
    ({"near": (200, 0)}, "outside"),
    ({"near": "north"}, "lat, lon"),
])
def test_bad_hints_raise_clear_value_errors(tiny, kw, msg):
    with pytest.raises(ValueError, match=msg):
        tiny.resolve("Douma", **kw)
