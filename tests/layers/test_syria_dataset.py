"""The shipped Syrian control dataset (examples/syria/observations.csv): it is complete enough to be
the demo, every row is usable offline, and its state on 2023-09-01 agrees with the "Held by"
column of Wikipedia's "Control of cities during the Syrian civil war" (2023 snapshot in
../shared/data, read straight from its tar; skipped when ../shared is absent)."""

from __future__ import annotations

import csv
import re
import tarfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import gazetteer
from gazetteer.errors import AmbiguousPlace, PlaceNotFound
from layers.check import check_observations
from layers.factions import load_factions
from layers.observations import read_observations
from layers.timeline import build_timeline, slice_at

ROOT = Path(__file__).resolve().parents[2]
SYRIA = ROOT / "examples" / "syria"
DATASET = SYRIA / "observations.csv"
SUPPLEMENT = ROOT / "gazetteer" / "data" / "supplement"
COLUMNS = ["date", "place", "controller", "status", "kind", "certainty", "source", "note"]
TABLE_MEMBER = "syria/control_of_cities_during_the_syrian_civil_war.md"
COMPARE_ON = "2023-09-01"
MATCH_KM = 5.0
MIN_AGREEMENT = 0.90
MIN_COVERAGE = 0.75   # share of the table's resolvable towns the dataset must cover


@dataclass(frozen=True)
class TableTown:
    governorate: str
    name: str              # as the table writes it ("Damascus – Barzeh")
    holder: str            # faction id
    flags: tuple[str, ...]


# ---------------------------------------------------------------- pure helpers (no I/O)

def table_rows(markdown: str) -> Iterator[tuple[str, str, str]]:
    """(governorate section, name cell, held-by cell) for every town row of the per-governorate
    tables; the rural "Outside listed towns" rows are left out."""
    section = None
    for line in markdown.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        if section is None or "Governorate" not in section or not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or cells[0] in ("Name", "---") or cells[0].startswith("Outside"):
            continue
        yield section, cells[0], cells[3]


def cell_flags(cell: str) -> tuple[str, ...]:
    """Flag file names of a "Held by" cell: "y Syria-flag 1932-58 1961-63.svgFlag of Turkey.svg"
    → ("Syria-flag 1932-58 1961-63.svg", "Flag of Turkey.svg")."""
    text = re.sub(r"^[a-z]\s+", "", cell.strip()).replace("_", " ")
    return tuple(part.strip() + ".svg" for part in text.split(".svg") if part.strip())


def holder_of(flags: tuple[str, ...], mapping: dict) -> str | None:
    """The faction a cell's flags stand for (see examples/syria/wikipedia_holders.toml)."""
    for combo in mapping.get("combination", []):
        if set(combo["flags"]) <= set(flags):
            return combo["faction"]
    return mapping["flags"].get(flags[0]) if flags else None


def parse_table(markdown: str, mapping: dict) -> list[TableTown]:
    towns = []
    for section, name, cell in table_rows(markdown):
        if "%" in cell:
            continue
        flags = cell_flags(cell)
        holder = holder_of(flags, mapping)
        if holder is None:
            continue
        towns.append(TableTown(section, re.sub(r"-\s+", "-", name), holder, flags))
    return towns


def name_variants(name: str) -> tuple[list[str], list[str]]:
    """Spellings to try for a table name and extra context: "Homs – Jobar" → (["Jobar"], ["Homs"]),
    "Ayn al-Arab (Kobanî)" → (["Ayn al-Arab (Kobanî)", "Ayn al-Arab", "Kobanî"], [])."""
    context = []
    if " – " in name:
        city, name = name.split(" – ", 1)
        context.append(city.strip())
    variants = [name]
    m = re.match(r"^(.*?)\s*\((.*)\)\s*$", name)
    if m:
        variants += [m[1], m[2]]
    return variants, context


def haversine_km(lat, lon, lats, lons) -> np.ndarray:
    lat, lon = np.radians(lat), np.radians(lon)
    lats, lons = np.radians(np.asarray(lats, float)), np.radians(np.asarray(lons, float))
    a = np.sin((lats - lat) / 2) ** 2 + np.cos(lat) * np.cos(lats) * np.sin((lons - lon) / 2) ** 2
    return 6371.0088 * 2 * np.arcsin(np.sqrt(a))


def test_cell_flags_and_holders():
    mapping = tomllib.loads((SYRIA / "wikipedia_holders.toml").read_text(encoding="utf-8"))
    flags = cell_flags("y Syria-flag 1932-58 1961-63.svgFlag of Turkey.svg")
    assert flags == ("Syria-flag 1932-58 1961-63.svg", "Flag of Turkey.svg")
    assert holder_of(flags, mapping) == "turkey_backed"
    assert holder_of(cell_flags("y Syria-flag 1932-58 1961-63.svg"), mapping) == "opposition"
    assert holder_of(cell_flags("q Flag of Rojava.svgFlag of Syria.svg"), mapping) == "sdf"
    assert holder_of(cell_flags("n Flag_of_the_United_Arab_Republic.svg"), mapping) == "government"
    assert name_variants("Homs – Karm al-Shami") == (["Karm al-Shami"], ["Homs"])
    variants, _ = name_variants("Al-Thawrah (Tabqah)")
    assert variants == ["Al-Thawrah (Tabqah)", "Al-Thawrah", "Tabqah"]


# ---------------------------------------------------------------- the dataset itself

@pytest.fixture(scope="module")
def observations():
    return read_observations(DATASET, factions=load_factions(), gazetteer=gazetteer.load())


def test_dataset_columns_and_sources():
    with DATASET.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert reader.fieldnames == COLUMNS
    assert len(rows) >= 450
    bad = [r for r in rows if not r["source"].startswith("https://")]
    assert not bad, f"rows without an https source: {bad[:3]}"
    assert all(r["note"].strip() for r in rows), "every row carries a short note"
    years = sorted({r["date"][:4] for r in rows})
    assert years[0] == "2011" and years[-1] == "2024"


def test_dataset_resolves_offline_and_is_substantial(observations):
    problems = [f"line {p.line}: {p.column}={p.value!r}: {p.message} ({p.fix})"
                for p in observations.problems]
    # What `frontline events check --strict` would say: no errors, no warnings (conflicts,
    # duplicates), every row usable.
    assert check_observations(observations).exit_code(strict=True) == 0, "\n".join(problems)
    assert len(observations.frame) == observations.rows_read
    assert len(observations.frame) >= 450
    places = observations.places
    assert len(places) >= 220
    assert set(places["country"]) == {"SY"}
    assert places["admin1"].nunique() >= 14, sorted(places["admin1"].unique())
    # No place is resolved twice under two spellings that land on one gazetteer entry unnoticed.
    per_place = observations.frame.groupby("place_id")["place_text"].nunique()
    assert (per_place == 1).all(), per_place[per_place > 1]


def test_dataset_supplement_is_disjoint_from_other_supplements():
    path = SUPPLEMENT / "dataset_places.csv"
    if not path.exists():
        pytest.skip("no dataset_places.csv: every place resolves without it")
    mine = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    others = [r for p in sorted(SUPPLEMENT.glob("*.csv")) if p != path
              for r in csv.DictReader(p.open(encoding="utf-8", newline=""))]
    taken_ids = {r["id"] for r in others}
    assert not [r["id"] for r in mine if r["id"] in taken_ids]
    lats = [float(o["lat"]) for o in others]
    lons = [float(o["lon"]) for o in others]
    for r in mine:
        close = haversine_km(float(r["lat"]), float(r["lon"]), lats, lons) < 3.0
        names = {n.casefold() for n in [r["name"], *r["alt_names"].split("|")] if n}
        same = [o["id"] for o, c in zip(others, close, strict=True)
                if c and names & {n.casefold() for n in [o["name"], *o["alt_names"].split("|")]}]
        assert not same, f"{r['id']} duplicates {same}"


# ---------------------------------------------------------------- comparison with the 2023 table

def _squash(text: str) -> str:
    """Consonant skeleton, so "Rif Damashq" (the table's spelling) still names "Rif Dimashq"."""
    return re.sub(r"[^a-z]|[aeiouy]", "", text.casefold())


def _resolve_table_town(gz, town: TableTown):
    """The gazetteer place of a table town, or None. A resolution outside the governorate whose
    table lists the town is a wrong guess of the resolver, not a match, and is refused."""
    variants, context = name_variants(town.name)
    for variant in variants:
        try:
            hints = [*context, town.governorate]
            place = gz.resolve_one(variant, country="SY", context=hints).place
        except (PlaceNotFound, AmbiguousPlace):
            continue
        if place.admin1 and _squash(place.admin1) in _squash(town.governorate):
            return place
    return None


def test_state_2023_agrees_with_wikipedia_table(shared_data, observations):
    archive = shared_data / "wikipedia_syria_articles_2023" / "syria_articles_md.tar.gz"
    with tarfile.open(archive) as tar:
        markdown = tar.extractfile(TABLE_MEMBER).read().decode("utf-8")
    mapping = tomllib.loads((SYRIA / "wikipedia_holders.toml").read_text(encoding="utf-8"))
    known = tomllib.loads((SYRIA / "disagreements.toml").read_text(encoding="utf-8"))
    explained = {d["town"]: d for d in known["disagreement"]}
    towns = parse_table(markdown, mapping)
    assert len(towns) >= 120, "the table parser lost rows"

    timeline = build_timeline(observations)
    state = slice_at(timeline, observations.places, [COMPARE_ON])
    held = dict(zip(state["place_id"].astype(str), state["controller"].astype(str), strict=True))
    places = observations.places
    gz = gazetteer.load()

    unresolved, uncovered, agree, disagree = [], [], [], []
    for town in towns:
        place = _resolve_table_town(gz, town)
        if place is None:
            unresolved.append(town.name)
            continue
        dist = haversine_km(place.lat, place.lon, places["lat"], places["lon"])
        same = (places["place_id"] == place.id).to_numpy()
        pos = int(np.argmax(same)) if same.any() else int(np.argmin(dist))
        pid = str(places["place_id"].iloc[pos])
        if dist[pos] > MATCH_KM or pid not in held:
            uncovered.append(town.name)
            continue
        ours = held[pid]
        row = (town.name, town.holder, ours, str(places["name"].iloc[pos]), float(dist[pos]))
        (agree if ours == town.holder else disagree).append(row)

    compared = len(agree) + len(disagree)
    print(f"\n{len(towns)} table towns; {len(unresolved)} unresolved by the gazetteer "
          f"{unresolved}; {len(uncovered)} not covered by the dataset {uncovered}")
    print(f"compared {compared}: {len(agree)} agree, {len(disagree)} disagree "
          f"({len(agree) / max(compared, 1):.1%})")
    unexplained = []
    for name, table, ours, matched, km in disagree:
        reason = explained.get(name, {}).get("reason")
        print(f"  {name}: table {table}, dataset {ours} (matched {matched}, {km:.1f} km) — "
              f"{reason or 'UNEXPLAINED'}")
        entry = explained.get(name, {})
        if reason is None or (entry.get("table"), entry.get("dataset")) != (table, ours):
            unexplained.append(name)
    stale = sorted(set(explained) - {d[0] for d in disagree})
    if stale:
        print(f"  listed in disagreements.toml but agreeing or not compared now: {stale}")

    resolvable = len(towns) - len(unresolved)
    assert compared / resolvable >= MIN_COVERAGE, f"covers {compared}/{resolvable} table towns"
    # Known disagreements are listed with their reason but still count against the score.
    assert len(agree) / compared >= MIN_AGREEMENT
    assert not unexplained, f"not explained in disagreements.toml: {unexplained}"
