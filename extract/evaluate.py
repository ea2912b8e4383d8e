"""Extract a folder of texts and score the proposals against an annotated file (the eval loop
shared by the seeds test and bench/bench_extract.py)."""

from __future__ import annotations

import re
from pathlib import Path

from .score import Score, read_rows, score


def evaluate_folder(folder: str | Path, truth_path: str | Path, *, gazetteer, factions,
                    pattern: str = "*.txt") -> Score:
    """Extract every ``pattern`` file of ``folder`` and score it against ``truth_path``.

    Each file is given the latest ``article_date`` annotated for it as its date, which is what
    a user does with ``frontline extract --date`` for a text that carries no date of its own.
    """
    from . import extract_texts, to_csv

    truth = read_rows(Path(truth_path).read_text(encoding="utf-8"))
    dates: dict[str, str] = {}
    for row in truth:
        dates[row["seed"]] = max(dates.get(row["seed"], ""), row["article_date"])
    proposals = []
    for path in sorted(Path(folder).glob(pattern)):
        found, _ = extract_texts([(path.name, path.read_text(encoding="utf-8"))],
                                 gazetteer=gazetteer, factions=factions,
                                 default_date=dates.get(path.name))
        proposals += found
    return score(read_rows(to_csv(proposals)), truth)


_DATE_LINE = re.compile(r"^DATE:\s*(\d{4}-\d{2}-\d{2})\s*$", re.M)


def evaluate_articles(folder: str | Path, truth_path: str | Path | None = None, *,
                      factions_for=None, gazetteer_for=None) -> dict[str, Score]:
    """Score the annotated articles set (``NN.txt`` with a ``DATE:`` line, ``expected.csv`` with
    ``file,theatre,date,place,controller,status,evidence``), per theatre and ``"all"``.

    Each theatre's files are extracted with its bundled factions (``factions_for(theatre)``,
    default ``load_factions(theatre)``) and the gazetteer of its region (``gazetteer_for(region)``,
    default ``gazetteer.load(region=...)``). A row matches a proposal of the same file and
    controller whose place has the row's name or lies within 5 km of where the gazetteer puts the
    row's place, and whose date is within the row's precision ±2 days.
    """
    import gazetteer as gz_pkg
    from layers.factions import load_factions

    from . import extract_texts, to_csv

    folder = Path(folder)
    truth = read_rows(Path(truth_path or folder / "expected.csv").read_text(encoding="utf-8"))
    factions_for = factions_for or load_factions
    gazetteer_for = gazetteer_for or (lambda region: gz_pkg.load(region=region))
    by_theatre: dict[str, list[dict]] = {}
    for row in truth:
        by_theatre.setdefault(row["theatre"], []).append(row)
    scores: dict[str, Score] = {}
    all_pred: list[dict] = []
    all_truth: list[dict] = []
    for theatre in sorted(by_theatre):
        rows = by_theatre[theatre]
        sides = factions_for(theatre)
        gz = gazetteer_for(getattr(sides, "region", "") or None)
        files = sorted({r["file"] for r in rows})
        proposals = []
        for name in files:
            text = (folder / name).read_text(encoding="utf-8")
            dated = _DATE_LINE.search(text)
            found, _ = extract_texts([(name, text)], gazetteer=gz, factions=sides,
                                     default_date=dated.group(1) if dated else None)
            proposals += found
        annotated = [_annotated(r, gz) for r in rows]
        predicted = read_rows(to_csv(proposals))
        scores[theatre] = score(predicted, annotated, tolerance_days=2)
        all_pred += predicted
        all_truth += annotated
    scores["all"] = score(all_pred, all_truth, tolerance_days=2)
    return scores


def _annotated(row: dict, gz) -> dict:
    """An expected.csv row in the scorer's terms: source_file, certainty, and the gazetteer's point
    for its place when it resolves (else the name alone decides)."""
    out = dict(row, source_file=row["file"], certainty=row.get("status") or "confirmed")
    try:
        hit = gz.resolve_one(row["place"])
        out["lat"], out["lon"] = hit.place.lat, hit.place.lon
    except (LookupError, ValueError):
        out["lat"] = out["lon"] = ""
    return out


def f1(s: Score) -> float:
    return 2 * s.precision * s.recall / (s.precision + s.recall) if s.precision + s.recall else 0.0
