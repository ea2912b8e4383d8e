"""End to end on the 36 annotated articles of three wars (../shared/eval/articles, issue 17).

Prints precision/recall/F1/certainty per theatre and overall. The thresholds are the ones this
branch measured (issue 17's targets, 0.85, are not reached yet: see BENCHMARKS.md).
"""

import pytest

from extract.evaluate import evaluate_articles, f1


@pytest.fixture(scope="module")
def article_scores(shared_dir):
    folder = shared_dir / "eval" / "articles"
    if not (folder / "expected.csv").is_file():
        pytest.skip(f"annotated articles absent under {folder}")
    return evaluate_articles(folder)


def test_articles_score_per_theatre(article_scores, capsys):
    with capsys.disabled():
        for theatre, s in article_scores.items():
            print(f"\narticles {theatre:8} P={s.precision:.3f} R={s.recall:.3f} F1={f1(s):.3f} "
                  f"certainty={s.certainty_accuracy:.3f} ({s.matched_rows}/{s.annotated} rows)")
    assert set(article_scores) == {"syria", "ukraine", "sudan", "all"}
    s = article_scores["all"]
    assert s.annotated == 71, s.to_dict(details=False)
    # the targets (F1 ≥ 0.85, R ≥ 0.85, certainty ≥ 0.85), held at what main reaches
    assert s.precision >= 0.94, s.to_dict(details=False)
    assert s.recall >= 0.87, s.to_dict(details=False)
    assert f1(s) >= 0.90, s.to_dict(details=False)
    assert s.certainty_accuracy >= 0.93, s.to_dict(details=False)
    # every theatre yields true proposals with its own bundled factions and gazetteer region
    for theatre in ("syria", "ukraine", "sudan"):
        assert article_scores[theatre].true_positives >= 1, (theatre, article_scores[theatre])
