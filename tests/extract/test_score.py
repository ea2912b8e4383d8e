"""Scoring proposals against annotated rows."""

from extract import read_rows, score

TRUTH = (
    """seed,article_date,date,place,lat,lon,controller,kind,certainty,evidence
a.txt,2014-04-14,2014-04-14,Sarkha,33.885,36.564,government,change,confirmed,x
a.txt,2015-05-08,2015-03,Jisr,35.81,36.32,opposition,change,confirmed,y
a.txt,2014-04-14,2014-04-09,Rankous,33.756,36.388,government,change,confirmed,"""
    "z (any date 2014-04-09..2014-04-13 accepted)\n"
)


def pred(**kw):
    row = {
        "source_file": "dir/a.txt",
        "date": "2014-04-14",
        "date_from": "",
        "date_to": "",
        "lat": "33.886",
        "lon": "36.565",
        "controller": "government",
        "certainty": "confirmed",
        "confidence": "0.8",
    }
    return row | kw


def test_match_rules():
    truth = read_rows(TRUTH)
    preds = [
        pred(),  # Sarkha: right
        pred(
            date="2015-03-28",
            lat="35.80",
            lon="36.31",
            controller="opposition",
            certainty="claimed",
        ),  # Jisr
        pred(date="2014-04-13", lat="33.757", lon="36.389"),  # Rankous, inside the noted window
        pred(controller="opposition"),  # wrong controller
        pred(lat="34.0"),  # 13 km away
        pred(source_file="b.txt"),
    ]  # other source
    s = score(preds, truth)
    assert (s.true_positives, s.predicted, s.matched_rows, s.annotated) == (3, 6, 3, 3)
    assert s.precision == 0.5 and s.recall == 1.0
    assert s.certainty_right == 2 and len(s.wrong_certainty) == 1


def test_ranges_and_precision_overlap():
    truth = read_rows(TRUTH)[1:2]  # 2015-03, month precision
    assert (
        score(
            [
                pred(
                    date="2015-04",
                    date_from="2015-03-01",
                    date_to="2015-05-31",
                    lat="35.81",
                    lon="36.32",
                    controller="opposition",
                )
            ],
            truth,
        ).recall
        == 1.0
    )
    assert (
        score(
            [pred(date="2015-04-02", lat="35.81", lon="36.32", controller="opposition")], truth
        ).recall
        == 0.0
    )
    assert (
        score(
            [pred(date="2015-04-02", lat="35.81", lon="36.32", controller="opposition")],
            truth,
            tolerance_days=3,
        ).recall
        == 1.0
    )


def test_jsonl_predictions_and_empty_inputs():
    rows = read_rows(
        '{"source_file": "a.txt", "date": "2014-04-14", "lat": 33.885, "lon": 36.564, '
        '"controller": "government", "certainty": "confirmed", "confidence": 0.9}\n'
    )
    assert score(rows, read_rows(TRUTH)).true_positives == 1
    assert score([], read_rows(TRUTH)).recall == 0.0


def test_an_annotated_row_without_a_point_matches_by_place_name():
    pred = [{"source_file": "a.txt", "date": "2024-06-20", "place": "Al Fūlah",
             "mention": "el-Fula",
             "lat": "11.7", "lon": "28.4", "controller": "rsf", "certainty": "confirmed",
             "confidence": "0.6"},
            {"source_file": "a.txt", "date": "2024-06-20", "place": "Babanusa", "mention": "",
             "lat": "11.3", "lon": "27.8", "controller": "rsf", "certainty": "confirmed",
             "confidence": "0.6"}]
    truth = [{"source_file": "a.txt", "date": "2024-06-20", "place": "El Fula", "lat": "",
              "lon": "", "controller": "rsf", "certainty": "confirmed"},
             {"source_file": "a.txt", "date": "2024-06-20", "place": "Babanusa", "lat": "",
              "lon": "", "controller": "saf", "certainty": "confirmed"}]
    s = score(pred, truth)
    assert (s.true_positives, s.matched_rows) == (1, 1)  # the wrong controller never matches
    assert s.missed[0]["place"] == "Babanusa"
