"""Extract a folder of texts and score the proposals against an annotated file (the eval loop
shared by the seeds test and bench/bench_extract.py)."""

from __future__ import annotations

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
