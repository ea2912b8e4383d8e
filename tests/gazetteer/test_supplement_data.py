"""Per-record checks of the curated gazetteer supplement (gazetteer/data/supplement/*.csv).

Like xyzservices' provider tests, every record is its own parametrized case, so a bad row fails
with its id in the test name. Whole-table rules (unique ids, no duplicate places, enough rows)
run once over all files.
"""

from __future__ import annotations

import csv
import math
import re
import tomllib
import unicodedata
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

import pytest

DATA = Path(str(files("gazetteer") / "data"))
SUPPLEMENT = DATA / "supplement"
HEADER = ["id", "name", "alt_names", "lat", "lon", "country", "admin1", "kind", "source"]
KINDS = frozenset(
    "city town village neighbourhood base airport crossing field dam hill region district".split()
)
MIN_ROWS = 300
DUPLICATE_KM = 1.0
ID_PATTERN = re.compile(r"local:[a-z0-9]+(?:-[a-z0-9]+)*")

# Apostrophe-like marks (ayn, hamza, quotes) vanish; Arabic articles fold away, as in the resolver.
_MARKS = str.maketrans("", "", "'`\u2018\u2019\u02bf\u02be\u00b4")
_ARTICLE = re.compile(r"\b(?:al|el|ad|ar|as|ash|at|az|an|ath|adh|ed|er|es|et|ez|en)[\s-]+")
_ARABIC_ARTICLE = re.compile(r"(?:^|\s)\u0627\u0644")
_NON_WORD = re.compile(r"[\W_]+")


def normalized(name: str) -> str:
    """A comparison key: no diacritics, case, apostrophes, articles, spaces or hyphens."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().translate(_MARKS)
    text = _ARABIC_ARTICLE.sub(" ", _ARTICLE.sub(" ", f" {text}"))
    return _NON_WORD.sub("", text)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def duplicate_places(rows: list[dict[str, str]], *, within_km: float = DUPLICATE_KM) -> list[str]:
    """Row pairs sharing a normalized name (primary or alternate) less than `within_km` apart."""
    by_key: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        names = [row["name"], *row["alt_names"].split("|")]
        for key in {normalized(n) for n in names if n.strip()} - {""}:
            by_key.setdefault(key, []).append(row)
    found = set()
    for key, group in by_key.items():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                d = haversine_km(float(a["lat"]), float(a["lon"]), float(b["lat"]), float(b["lon"]))
                if d < within_km:
                    found.add(f"{a['id']} and {b['id']} share {key!r}, {d:.2f} km apart")
    return sorted(found)


def _files() -> list[Path]:
    return sorted(SUPPLEMENT.glob("*.csv"))


def _records() -> list[tuple[str, int, dict[str, str]]]:
    out = []
    for path in _files():
        with path.open(encoding="utf-8", newline="") as fh:
            for line, row in enumerate(csv.DictReader(fh), start=2):
                out.append((path.name, line, row))
    return out


FILES = _files()
RECORDS = _records()
BBOXES = tomllib.loads((DATA / "country_bbox.toml").read_text(encoding="utf-8"))


def test_supplement_files_exist():
    names = {p.name for p in FILES}
    assert {"villages.csv", "neighbourhoods.csv", "military.csv", "crossings.csv"} <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_header_exact(path: Path):
    with path.open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == HEADER, f"{path.name}: header must be {','.join(HEADER)}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_rows_have_all_columns(path: Path):
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    bad = [n for n, row in enumerate(rows, start=1) if len(row) != len(HEADER)]
    assert not bad, f"{path.name}: lines {bad} do not have {len(HEADER)} fields"


@pytest.mark.parametrize(
    ("file", "line", "row"), RECORDS, ids=[f"{f}:{r['id'] or line}" for f, line, r in RECORDS]
)
def test_record(file: str, line: int, row: dict[str, str]):
    where = f"{file} line {line}"
    assert ID_PATTERN.fullmatch(row["id"]), f"{where}: id {row['id']!r} is not local:<ascii-slug>"
    name = row["name"]
    assert name.strip() == name != "", f"{where}: name {name!r} is empty or padded"
    if row["alt_names"]:
        alts = row["alt_names"].split("|")
        assert all(a.strip() == a != "" for a in alts), f"{where}: empty or padded alt in {alts}"
    lat, lon = float(row["lat"]), float(row["lon"])
    assert math.isfinite(lat) and math.isfinite(lon), f"{where}: lat/lon not finite"
    assert row["country"] in BBOXES, f"{where}: country {row['country']!r} not in country_bbox.toml"
    box = BBOXES[row["country"]]
    assert box["min_lat"] <= lat <= box["max_lat"] and box["min_lon"] <= lon <= box["max_lon"], (
        f"{where}: ({lat}, {lon}) is outside {box['name']}; swapped lat/lon or wrong country?"
    )
    assert row["admin1"].strip(), f"{where}: admin1 is empty"
    assert row["kind"] in KINDS, f"{where}: kind {row['kind']!r} not one of {sorted(KINDS)}"
    url = urlsplit(row["source"])
    assert url.scheme == "https" and url.netloc, f"{where}: source {row['source']!r} is not https"


def test_ids_unique():
    seen: dict[str, str] = {}
    clashes = []
    for file, line, row in RECORDS:
        if row["id"] in seen:
            clashes.append(f"{row['id']} in {seen[row['id']]} and {file} line {line}")
        seen.setdefault(row["id"], f"{file} line {line}")
    assert not clashes, clashes


def test_no_duplicate_places():
    assert duplicate_places([row for _, _, row in RECORDS]) == []


def test_enough_rows():
    assert len(RECORDS) >= MIN_ROWS, f"supplement has {len(RECORDS)} rows, needs {MIN_ROWS}"


@pytest.mark.parametrize("code", sorted(BBOXES))
def test_bbox_table(code: str):
    box = BBOXES[code]
    assert re.fullmatch(r"[A-Z]{2}", code) and box["name"]
    assert -90 <= box["min_lat"] < box["max_lat"] <= 90
    assert -180 <= box["min_lon"] < box["max_lon"] <= 180


def test_duplicate_finder_flags_near_variant_spellings():
    row = dict.fromkeys(HEADER, "") | {"lat": "33.5", "lon": "36.4"}
    a = {**row, "id": "local:a", "name": "Kafr Batna"}
    b = {**row, "id": "local:b", "name": "X", "alt_names": "al-Kafr-Batna", "lat": "33.505"}
    far = {**b, "id": "local:c", "lat": "34.5"}
    assert len(duplicate_places([a, b])) == 1
    assert duplicate_places([a, far]) == []


def test_normalized_folds_spelling_variants():
    assert normalized("al-Qusayr") == normalized("Al Qusayr") == normalized("qusayr")
    assert normalized("Jubb'adin") == normalized("Jubb\u2019adin") == "jubbadin"
    assert normalized("القصير") == normalized("قصير")
