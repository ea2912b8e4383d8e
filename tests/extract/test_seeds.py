"""End to end on the five seed compilations against the annotated eval set (issue 7 targets)."""

import pytest

from extract.evaluate import evaluate_folder
from layers.factions import load_factions


@pytest.fixture(scope="module")
def seed_score(shared_dir):
    import gazetteer

    seeds, truth_path = shared_dir / "seeds", shared_dir / "eval" / "seed_events.csv"
    if not seeds.is_dir() or not truth_path.is_file():
        pytest.skip(f"seeds or eval set absent under {shared_dir}")
    return evaluate_folder(seeds, truth_path, gazetteer=gazetteer.load(),
                           factions=load_factions())


def test_precision_recall_certainty_on_the_seeds(seed_score):
    s = seed_score
    assert s.precision >= 0.85, s.to_dict()
    assert s.recall >= 0.85, s.to_dict()
    assert s.certainty_accuracy >= 0.85, s.to_dict()
