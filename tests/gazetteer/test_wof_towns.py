"""Well-known towns must not drown in homonym hamlets once the village-level gazetteer is in.

`data/towns_over_5000.csv`: 52 towns of Syria and Lebanon with more than 5,000 people (Wikipedia's
lists of cities, source column), written as news spells them. After importing Who's On First SY +
LB (tens of thousands of villages, many sharing a town's name), every one must resolve — alone and
in a batch — to a place in the named governorate, none "ambiguous".
"""

from __future__ import annotations

import csv
from pathlib import Path

import gazetteer
from gazetteer.batch import resolve_many
from gazetteer.imports import import_file
from gazetteer.normalize import exact_key

TOWNS = Path(__file__).parent / "data" / "towns_over_5000.csv"


def _towns() -> list[dict]:
    with open(TOWNS, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_town_list_is_sourced_and_big_enough():
    rows = _towns()
    assert len(rows) >= 50
    assert all(r["source"].startswith("https://") for r in rows)
    assert len({(r["name"], r["country"]) for r in rows}) == len(rows)


def test_towns_are_not_ambiguous_with_wof(fresh_home, shared_data):
    wof = shared_data / "wof_gazetteer_sy_lb"
    import_file(wof / "wof_sy_places.csv.gz")
    import_file(wof / "wof_lb_places.csv.gz")
    gz = gazetteer.load()
    rows = _towns()
    homonyms, wrong = [], []
    for r in rows:
        candidates = gz.resolve(r["name"], country=r["country"])
        if len(candidates) > 1:
            homonyms.append(f"{r['name']} ({len(candidates)})")
        best = gz.resolve_one(r["name"], country=r["country"])  # raises when ambiguous
        place = best.place
        if exact_key(place.admin1) != exact_key(r["governorate"]) or 0 < place.population < 5000:
            wrong.append(f"{r['name']} -> {place.name} {place.id} {place.admin1} "
                         f"pop {place.population}")
    print(f"{len(homonyms)} of {len(rows)} towns have several candidates: {homonyms}")
    # the list must exercise the ranking: many towns share their name with WOF places
    assert len(homonyms) >= 10
    assert not wrong, wrong
    batch = resolve_many(gz, [r["name"] for r in rows], country="SY,LB")
    assert [x.error for x in batch if x.error] == []


def test_the_example_dataset_resolves_as_well_with_wof(fresh_home, shared_data):
    """Importing the village layer must not make the example's names ambiguous (each has a
    namesake hamlet somewhere), nor move them: the embedded and curated layers list the places
    news names, and rank above a namesake only the import knows (rank.LISTED_BONUS)."""
    from gazetteer.rank import km
    from layers import read_observations

    events = Path(__file__).resolve().parents[2] / "examples" / "syria" / "observations.csv"
    before = read_observations(events, gazetteer=gazetteer.load(imports=False))
    wof = shared_data / "wof_gazetteer_sy_lb"
    import_file(wof / "wof_sy_places.csv.gz")
    import_file(wof / "wof_lb_places.csv.gz")
    after = read_observations(events, gazetteer=gazetteer.load())
    assert [p.code for p in after.problems] == [p.code for p in before.problems] == []
    assert len(after.frame) == len(before.frame) == after.rows_read

    def points(obs):
        rows = obs.frame.merge(obs.places[["place_id", "geometry"]], on="place_id")
        return {(r.row): (r.geometry.y, r.geometry.x) for r in rows.itertuples()}

    a, b = points(before), points(after)
    moved = {line: round(km(*a[line], *b[line]), 1) for line in a if km(*a[line], *b[line]) > 10}
    assert not moved, moved
