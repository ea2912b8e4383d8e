"""Admin areas: source admin-1 texts and context hints map to the right area ids."""

from __future__ import annotations

import pytest

from gazetteer.admin import admin_hints, canonical_admin


@pytest.mark.parametrize(("country", "text", "want"), [
    ("LB", "North Lebanon", "LB.09"),   # not South Lebanon: only the direction tells them apart
    ("LB", "South Lebanon", "LB.06"),
    ("LB", "Liban-Nord", "LB.09"),
    ("LB", "Mount Lebanon", "LB.05"),
    ("LB", "Nort Lebanon", "LB.09"),    # a misspelling, by the close-spelling fallback
    ("LB", "North", "LB.09"),           # the country given, a bare direction is an alias
    ("LB", "South", "LB.06"),
    ("SY", "North", ""),
    ("SY", "Hamah", "SY.10"),
    ("SY", "Homs (Hims)", "SY.11"),
    ("SY", "Damascus Countryside", "SY.08"),
    ("SY", "Days Az Zawr", "SY.07"),
])
def test_source_admin_texts_map_to_their_area(country, text, want):
    assert canonical_admin(country, text) == want


@pytest.mark.parametrize(("hint", "want"), [
    ("North Lebanon", ("LB.09",)),
    ("northern Lebanon", ("LB.09",)),
    ("southern Lebanon", ("LB.06",)),
    ("in South Lebanon governorate", ("LB.06",)),
    ("northern Hama countryside", ("SY.10",)),  # a direction inside an area: the area
    ("western Aleppo", ("SY.09",)),
    ("eastern Damascus countryside", ("SY.08",)),
    ("Hama province", ("SY.10",)),
    # a country, or a direction whose area is not one area, is no admin hint
    ("Lebanon", ()),
    ("eastern Lebanon", ()),
    ("South", ()),
    ("the north", ()),
])
def test_hints_name_the_area_meant(hint, want):
    assert admin_hints(hint) == want


def test_north_lebanon_places_carry_their_own_admin_area():
    from gazetteer.gazetteer import Gazetteer
    from gazetteer.index import NameIndex

    from .conftest import P

    gz = Gazetteer(NameIndex([P("a:1", "Douma", 34.203, 35.841, country="LB",
                                admin1="North Lebanon"),
                              P("a:2", "Douma", 33.27, 35.40, country="LB",
                                admin1="South Lebanon")]))
    assert gz.get("a:1").admin1 == "North Lebanon"
    assert gz.resolve_one("Douma", context=["North Lebanon"]).id == "a:1"
    assert gz.resolve_one("Douma", context=["southern Lebanon"]).id == "a:2"
