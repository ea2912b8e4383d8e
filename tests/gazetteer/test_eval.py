"""THE eval: ../shared/eval/gazetteer_dev.csv, resolved within tol_km.

Reported and enforced: embedded default + supplement alone (≥ 90 %) and after importing the
Who's On First Syria and Lebanon files (≥ 98 %). Each name is resolved the way
`frontline gazetteer resolve --file` does (country hint SY,LB; the names that resolve clearly
are the context of the ambiguous ones). The per-name number (no document context, the row's
own country as hint, ambiguous = miss) is printed too.
"""

from __future__ import annotations

import csv

import pytest

import gazetteer
from gazetteer import AmbiguousPlace, PlaceNotFound
from gazetteer.batch import resolve_many
from gazetteer.imports import import_file
from gazetteer.rank import km


def _rows(shared_dir):
    path = shared_dir / "eval" / "gazetteer_dev.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _hit(c, row) -> bool:
    return c is not None and km(c.lat, c.lon, float(row["lat"]), float(row["lon"])) \
        <= float(row["tol_km"])


def score(gz, rows) -> tuple[float, float, list[str]]:
    res = resolve_many(gz, [r["query"] for r in rows], country="SY,LB")
    doc_ok = [_hit(x.candidate, r) for x, r in zip(res, rows, strict=True)]
    misses = [f"{r['query']} ({x.error or x.candidate.name})"
              for x, r, ok in zip(res, rows, doc_ok, strict=True) if not ok]
    single = 0
    for r in rows:
        try:
            single += _hit(gz.resolve_one(r["query"], country=r["country"]), r)
        except (AmbiguousPlace, PlaceNotFound):
            pass
    return sum(doc_ok) / len(rows), single / len(rows), misses


def test_eval_embedded_plus_supplement_then_wof(fresh_home, shared_dir, shared_data):
    rows = _rows(shared_dir)
    base_doc, base_single, base_miss = score(gazetteer.load(), rows)
    print(f"\nembedded+supplement: {base_doc:.1%} (document context), {base_single:.1%} "
          f"(per name); misses: {base_miss}")
    wof = shared_data / "wof_gazetteer_sy_lb"
    import_file(wof / "wof_sy_places.csv.gz")
    import_file(wof / "wof_lb_places.csv.gz")
    gz = gazetteer.load()
    assert sum(s.kind == "import" for s in gz.sources) == 2
    wof_doc, wof_single, wof_miss = score(gz, rows)
    print(f"after WOF SY+LB import: {wof_doc:.1%} (document context), {wof_single:.1%} "
          f"(per name); misses: {wof_miss}")
    assert base_doc >= 0.90, base_miss
    assert wof_doc >= 0.98, wof_miss
