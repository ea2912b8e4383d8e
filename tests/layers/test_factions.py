"""Factions: the bundled Syria file, alias lookup, suggestions, and any other conflict's file."""

from __future__ import annotations

import pytest

from layers.errors import FactionsFileError, UnknownFaction
from layers.factions import alias_key, load_factions

SYRIA_ALIASES = {
    "government": ["SAA", "Syrian Arab Army", "regime", "loyalist", "loyalists", "Assad forces",
                   "pro-government", "Syrian army", "Syrian troops", "government forces",
                   "Hezbollah", "NDF", "Tiger Forces"],
    "opposition": ["FSA", "Free Syrian Army", "rebels", "rebel", "insurgents",
                   "opposition fighters", "Southern Front", "Jaish al-Islam", "Ahrar al-Sham",
                   "Faylaq al-Rahman", "National Front for Liberation"],
    "hts": ["Jabhat al-Nusra", "Nusra Front", "al-Nusra", "Tahrir al-Sham", "HTS",
            "Jabhat Fateh al-Sham"],
    "isis": ["ISIL", "ISIS", "IS", "Islamic State", "Daesh"],
    "sdf": ["SDF", "YPG", "YPJ", "QSD", "Syrian Democratic Forces", "Kurdish forces"],
    "turkey_backed": ["TFSA", "SNA", "Syrian National Army", "Turkish-backed"],
}


@pytest.mark.parametrize(("faction", "alias"),
                         [(f, a) for f, aliases in SYRIA_ALIASES.items() for a in aliases])
def test_bundled_syria_aliases(faction, alias):
    factions = load_factions()
    assert factions.resolve(alias).id == faction
    assert factions.resolve(alias.upper()).id == faction
    assert factions.resolve(f"  the {alias.lower()} ").id == faction


def test_bundled_file_order_colours_and_allies():
    factions = load_factions()
    assert factions.ids == ("government", "opposition", "hts", "isis", "sdf", "turkey_backed")
    colours = factions.colours
    assert len(set(colours.values())) == len(colours)  # every side distinguishable
    assert colours["government"] == "#d7191c"  # red, as on Wikipedia's map
    assert "turkey_backed" in factions["opposition"].allies


def test_accents_and_punctuation_are_ignored():
    factions = load_factions()
    assert alias_key("Jabhat al-Nuṣra") == "jabhat al nusra"
    assert factions.resolve("Jabhat al Nuṣra").id == "hts"
    assert factions.resolve("Hay’at Tahrir al-Sham").id == "hts"


def test_unknown_controller_suggests_closest_aliases():
    factions = load_factions()
    with pytest.raises(UnknownFaction) as info:
        factions.resolve("Free Syrain Army")
    assert isinstance(info.value, LookupError)
    assert any("Free Syrian Army" in s for s in info.value.suggestions)
    with pytest.raises(UnknownFaction) as info:
        factions.resolve("martians")
    assert info.value.suggestions == []  # nothing close: no misleading "did you mean"
    with pytest.raises(UnknownFaction):
        factions.resolve("contested")  # not a faction: callers treat it as a status


OTHER_CONFLICT = """
[meta]
name = "Made-up river war"

[[faction]]
id = "north"
label = "Northern League"
colour = "#1f77b4"
aliases = ["NL", "northerners", "Blue Army"]

[[faction]]
id = "south"
label = "Southern Union"
colour = "#ff7f0e"
aliases = ["SU", "southerners", "Orange Militia"]
allies = ["islanders"]

[[faction]]
id = "islanders"
label = "Island Guard"
colour = "#9467bd"
aliases = ["IG"]
"""


def test_any_conflict_from_its_own_file(tmp_path):
    path = tmp_path / "river.toml"
    path.write_text(OTHER_CONFLICT, encoding="utf-8")
    factions = load_factions(path)
    assert factions.ids == ("north", "south", "islanders")
    assert factions.name == "Made-up river war"
    assert factions.resolve("blue army").id == "north"
    assert factions.resolve("Southern Union").id == "south"  # labels resolve too
    with pytest.raises(UnknownFaction):
        factions.resolve("SAA")  # nothing Syrian leaks into another conflict


def test_yaml_factions_file(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("faction:\n  - id: a\n    label: A\n    colour: '#000'\n    aliases: [x]\n"
                    "  - id: b\n    colour: '#fff'\n", encoding="utf-8")
    factions = load_factions(path)
    assert factions.resolve("X").id == "a" and factions["b"].label == "b"


@pytest.mark.parametrize(("body", "expected"), [
    ('[[faction]]\nid = "a"\ncolour = "red"\n', "colour 'red'"),
    ('[[faction]]\nid = "A b"\ncolour = "#000"\n', "id 'A b'"),
    ('[[faction]]\nid = "a"\ncolour = "#000"\naliases = ["x"]\n'
     '[[faction]]\nid = "b"\ncolour = "#111"\naliases = ["X"]\n', "already names faction 'a'"),
    ('[[faction]]\nid = "a"\ncolour = "#000"\naliases = ["Contested"]\n', "reserved"),
    ('[[faction]]\nid = "a"\ncolour = "#000"\nallies = ["zz"]\n', "ally 'zz'"),
    ('[[faction]]\nid = "a"\ncolour = "#000"\n[[faction]]\nid = "a"\ncolour = "#111"\n',
     "defined twice"),
    ("title = 'no factions'\n", "no [[faction]] tables"),
    ("[[faction]\n", "not a valid factions file"),
])
def test_bad_factions_files_name_the_problem(tmp_path, body, expected):
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(FactionsFileError) as info:
        load_factions(path)
    assert expected in str(info.value) and str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(("name", "ids", "region"), [
    ("syria", ("government", "opposition", "hts", "isis", "sdf", "turkey_backed"), ""),
    ("ukraine", ("russia", "ukraine"), "ukraine"),
    ("sudan", ("saf", "rsf"), "sudan"),
])
def test_bundled_factions_load_by_name(name, ids, region):
    from layers.factions import bundled_factions

    fs = load_factions(name)
    assert fs.ids == ids
    assert fs.region == region
    assert load_factions(bundled_factions()[name]).ids == ids  # and by path


def test_the_new_theatres_resolve_their_usual_names():
    ua, sd = load_factions("ukraine"), load_factions("sudan")
    assert ua.resolve("Russian troops").id == "russia"
    assert ua.resolve("Armed Forces of Ukraine").id == "ukraine"
    assert sd.resolve("Rapid Support Forces").id == "rsf"
    assert sd.resolve("the army").id == "saf"


@pytest.mark.parametrize(("name", "text", "fid"), [
    ("syria", "النظام", "government"), ("syria", "قوات النظام", "government"),
    ("syria", "داعِش", "isis"),  # a haraka (short vowel) is ignored
    ("syria", "احرار الشام", "opposition"),  # alef without its hamza: "أحرار الشام"
    ("syria", "قوات سوريا الديمقراطية", "sdf"), ("syria", "جبهة النصرة", "hts"),
    ("syria", "الجيش الوطني السوري", "turkey_backed"),
    ("sudan", "قوات الدعم السريع", "rsf"), ("sudan", "القوات المسلحة السودانية", "saf"),
    ("ukraine", "ЗСУ", "ukraine"), ("ukraine", "российские войска", "russia")])
def test_controllers_in_the_local_script(name, text, fid):
    """Logs kept from Arabic, Ukrainian or Russian media name the sides as those media do."""
    assert load_factions(name).resolve(text).id == fid


def test_no_alias_names_two_factions():
    for name in ("syria", "sudan", "ukraine"):
        owner: dict[str, str] = {}
        for f in load_factions(name):
            for text in (f.id, f.label, *f.aliases):
                assert owner.setdefault(alias_key(text), f.id) == f.id, (name, text)


def test_an_unknown_factions_name_says_which_names_are_bundled():
    with pytest.raises(FileNotFoundError, match="syria, ukraine|sudan, syria, ukraine"):
        load_factions("narnia")
