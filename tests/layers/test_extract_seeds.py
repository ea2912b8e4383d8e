"""End to end on the five seed compilations against the annotated eval set (issue 7 targets)."""

from pathlib import Path

import pytest

from layers.extract import extract_texts, read_rows, score, to_csv
from layers.factions import load_factions


@pytest.fixture(scope="module")
def seed_score(shared_dir):
    import gazetteer

    seeds, truth_path = shared_dir / "seeds", shared_dir / "eval" / "seed_events.csv"
    if not seeds.is_dir() or not truth_path.is_file():
        pytest.skip(f"seeds or eval set absent under {shared_dir}")
    truth = read_rows(truth_path.read_text(encoding="utf-8"))
    # the date a user would give with --date: the (latest) article date annotated for each file
    dates: dict[str, str] = {}
    for row in truth:
        dates[row["seed"]] = max(dates.get(row["seed"], ""), row["article_date"])
    gz, factions = gazetteer.load(), load_factions()
    proposals = []
    for path in sorted(Path(seeds).glob("*.txt")):
        props, _ = extract_texts(
            [(path.name, path.read_text(encoding="utf-8"))],
            gazetteer=gz,
            factions=factions,
            default_date=dates.get(path.name),
        )
        proposals += props
    return score(read_rows(to_csv(proposals)), truth)


def test_precision_recall_certainty_on_the_seeds(seed_score):
    s = seed_score
    assert s.precision >= 0.85, s.to_dict()
    assert s.recall >= 0.85, s.to_dict()
    assert s.certainty_accuracy >= 0.85, s.to_dict()
