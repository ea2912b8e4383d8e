"""Several sources for one place (layers/reconcile.py): report groups, agreement, confidence.

Property tests (Hypothesis) for the rules, then examples, the sources file and the CLI."""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from layers.check import find_conflicts
from layers.reconcile import (
    SourcesFileError,
    default_sources_path,
    group_reports,
    load_sources,
    parse_window,
)
from layers.timeline import build_timeline
from mapper.cli import app

FACTIONS = ("government", "opposition", "isis", "sdf")
SOURCES = ("https://www.syriahr.com/en/1", "https://sana.sy/en/?p=2", "Reuters", "AFP report",
           "Amaq", "https://www.example.org/a", "https://news.example.net/b", "", "ISW map")
WEIGHTS = load_sources()
COMPARED = ["place_id", "valid_from", "controller", "status", "certainty", "conflict",
            "confidence", "n_sources", "sources", "span_days"]


def frame_of(rows) -> pd.DataFrame:
    """rows: (place, day offset, controller, certainty, source) → an observations frame."""
    place, day, ctrl, cert, source = zip(*rows, strict=True) if rows else ([],) * 5
    return pd.DataFrame({
        "row": np.arange(2, len(rows) + 2, dtype=np.int64),
        "place_id": pd.array([f"p{p}" for p in place], dtype="string"),
        "date": (np.datetime64("2016-01-01", "D")
                 + np.asarray(day, dtype=np.int64).astype("timedelta64[D]")).astype(
            "datetime64[ns]"),
        "controller": pd.array(list(ctrl), dtype="string"),
        "certainty": pd.array(list(cert), dtype="string"),
        "source": pd.array(list(source), dtype="string"),
    })


def claimed_controller(place: int, day: int) -> str:
    """Claimed rows of one place and day name one controller (two claimed reports that disagree
    on one day are a file-order tie by the documented rule, which these properties avoid)."""
    return FACTIONS[(place * 7 + day * 3) % len(FACTIONS)]


@st.composite
def observations(draw, *, max_rows: int = 25):
    n = draw(st.integers(1, max_rows))
    rows = []
    for _ in range(n):
        place = draw(st.integers(0, 2))
        day = draw(st.integers(0, 12))
        cert = draw(st.sampled_from(["confirmed", "confirmed", "claimed"]))
        ctrl = draw(st.sampled_from(FACTIONS)) if cert == "confirmed" \
            else claimed_controller(place, day)
        rows.append((place, day, ctrl, cert, draw(st.sampled_from(SOURCES))))
    return rows


def timeline(rows, window: int):
    return build_timeline(frame_of(rows), controllers=FACTIONS, window_days=window,
                          place_ids=np.array(["p0", "p1", "p2"], dtype=object), sources=WEIGHTS)


def comparable(tl) -> pd.DataFrame:
    iv = tl.intervals[COMPARED].copy()
    for col in ("place_id", "controller", "status", "certainty", "sources"):
        iv[col] = iv[col].astype(object)
    return iv.reset_index(drop=True)


windows = st.sampled_from([0, 0, 1, 3, 7])
fast = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(rows=observations(), window=windows, seed=st.integers(0, 2**32 - 1))
def test_row_order_never_changes_the_result(rows, window, seed):
    shuffled = [rows[i] for i in np.random.default_rng(seed).permutation(len(rows))]
    pd.testing.assert_frame_equal(comparable(timeline(rows, window)),
                                  comparable(timeline(shuffled, window)))


@fast
@given(rows=observations(), window=windows, data=st.data())
def test_adding_an_agreeing_source_never_lowers_confidence(rows, window, data):
    before = timeline(rows, window).intervals
    k = data.draw(st.integers(0, len(before) - 1))
    target = before.iloc[k]
    # a report on a day the group already has (the grouping depends only on the days)
    place = int(str(target["place_id"])[1:])
    days_in_group = sorted({d for p, d, *_ in rows if p == place
                            and 0 <= d - (target["valid_from"] - pd.Timestamp("2016-01-01")).days
                            <= int(target["span_days"])})
    day = data.draw(st.sampled_from(days_in_group))
    ctrl = target["controller"]
    if target["conflict"]:  # any side of a disagreement is "agreeing that it is contested"
        ctrl = data.draw(st.sampled_from([c for p, d, c, q, _ in rows
                                          if p == place and d in days_in_group
                                          and q == "confirmed"]))
    elif pd.isna(ctrl) or target["certainty"] == "claimed":
        return  # a holderless state, or a confirmed report would now outrank the claimed ones
    source = data.draw(st.sampled_from(SOURCES))
    after = timeline([*rows, (place, day, ctrl, "confirmed", source)], window).intervals
    assert len(after) == len(before)
    assert after["confidence"].iloc[k] >= before["confidence"].iloc[k]
    assert after["n_sources"].iloc[k] >= before["n_sources"].iloc[k]
    assert after["conflict"].iloc[k] == before["conflict"].iloc[k]
    if not target["conflict"]:
        assert after["controller"].astype(object).iloc[k] == ctrl


@fast
@given(rows=observations(), window=windows, data=st.data())
def test_a_claimed_source_never_overturns_a_confirmed_one(rows, window, data):
    before = timeline(rows, window).intervals
    confirmed = [(p, d) for p, d, _, q, _ in rows if q == "confirmed"]
    if not confirmed:
        return
    place, day = data.draw(st.sampled_from(confirmed))
    extra = (place, day, claimed_controller(place, day), "claimed",
             data.draw(st.sampled_from(SOURCES)))
    after = timeline([*rows, extra], window).intervals
    cols = ["place_id", "valid_from", "controller", "status", "certainty", "conflict"]
    pd.testing.assert_frame_equal(before[cols].astype(object), after[cols].astype(object))
    # a claimed report that agrees adds a little confidence; one that dissents takes none away
    gain = after["confidence"].to_numpy() - before["confidence"].to_numpy()
    assert (gain >= -1e-12).all()
    dissents = (after["controller"].astype(object) != extra[2]).to_numpy() | \
        after["conflict"].to_numpy()
    assert np.allclose(gain[dissents], 0)


@fast
@given(window=st.integers(0, 10), gap=st.integers(0, 10), a=st.sampled_from(FACTIONS),
       b=st.sampled_from(FACTIONS), first=st.sampled_from(SOURCES[:5]),
       second=st.sampled_from(SOURCES[:5]))
def test_two_confirmed_sources_that_disagree_within_the_window_make_it_contested(
        window, gap, a, b, first, second):
    rows = [(0, 0, a, "confirmed", first), (0, gap, b, "confirmed", second)]
    iv = timeline(rows, window).intervals
    label = dict(zip(SOURCES[:5], ["SOHR", "SANA", "Reuters", "AFP", "Amaq"], strict=True))
    if a != b and gap <= window:
        assert len(iv) == 1 and iv["status"].iloc[0] == "contested" and iv["conflict"].iloc[0]
        text = iv["sources"].iloc[0]
        assert text.startswith("sources disagree: ")
        for src, ctrl in ((first, a), (second, b)):
            assert f"{label[src]} says {ctrl}" in text
        assert iv["controller"].isna().all()  # no earlier holder to keep
    else:
        assert not iv["conflict"].any() and (iv["status"] == "held").all()


@fast
@given(rows=observations(), window=windows)
def test_confidence_is_the_documented_rule(rows, window):
    """1 − Π(1 − w) over the distinct agreeing sources (claimed at claimed_factor), recomputed
    here the slow way from the report groups."""
    tl = timeline(rows, window)
    frame = frame_of(rows)
    labels, weight = WEIGHTS.identify(frame["source"].fillna("").to_numpy(object))
    weight = weight * np.where(frame["certainty"] == "claimed", WEIGHTS.claimed_factor, 1.0)
    for iv in tl.intervals.itertuples():
        start = iv.valid_from
        end = start + pd.Timedelta(days=iv.span_days)
        in_group = ((frame["place_id"] == iv.place_id) & (frame["date"] >= start)
                    & (frame["date"] <= end)).to_numpy()
        if iv.conflict:
            agree = in_group & (frame["certainty"] == "confirmed").to_numpy()
        else:
            agree = in_group & (frame["controller"].astype(object) == iv.controller).to_numpy()
        best = pd.Series(weight[agree]).groupby(labels[agree]).max()
        assert iv.n_sources == len(best)
        assert iv.confidence == pytest.approx(1 - np.prod(1 - best.to_numpy()), abs=1e-4)
        assert 0 < iv.confidence < 1


@fast
@given(rows=observations(max_rows=40), window=st.integers(1, 9))
def test_report_groups_are_anchored_windows(rows, window):
    frame = frame_of(rows)
    place = pd.factorize(frame["place_id"])[0]
    day = frame["date"].to_numpy("datetime64[D]").astype(np.int64)
    cert = (frame["certainty"] == "claimed").to_numpy().astype(np.int64)
    g = group_reports(place, day, cert, np.zeros(len(rows), np.int64), window_days=window)
    assert ((g.last_day - g.first_day) <= window).all()
    gp = place[g.order][g.starts]
    same = gp[1:] == gp[:-1]
    assert (g.first_day[1:][same] > g.first_day[:-1][same] + window).all()
    # every report is in the group of its place whose window covers it
    gid = np.empty(len(rows), np.int64)
    gid[g.order] = g.gid
    assert (g.first_day[gid] <= day).all() and (day <= g.first_day[gid] + window).all()


def test_window_zero_is_the_same_day_rule():
    rows = [(0, 0, "government", "confirmed", "SOHR"), (0, 1, "opposition", "confirmed", "SANA"),
            (0, 1, "opposition", "claimed", "Amaq")]
    same_day = timeline(rows, 0).intervals
    assert same_day["controller"].astype(object).tolist() == ["government", "opposition"]
    assert same_day["sources"].astype(object).tolist() == [
        "1 source: SOHR", "2 sources agree: Amaq (claimed), SANA"]
    windowed = timeline(rows, 1).intervals
    assert windowed["status"].astype(object).tolist() == ["contested"]
    assert windowed["sources"].iloc[0] == ("sources disagree: SANA says opposition, SOHR says "
                                           "government; claimed: Amaq says opposition")


def test_agreement_summary_and_confidence_example():
    rows = [(0, 0, "government", "confirmed", "https://www.reuters.com/x"),
            (0, 0, "government", "confirmed", "AFP"),
            (0, 0, "government", "confirmed", "https://www.reuters.com/y"),  # same source again
            (0, 0, "isis", "claimed", "Amaq")]
    iv = timeline(rows, 0).intervals
    assert iv["sources"].iloc[0] == "2 sources agree: AFP, Reuters; claimed: Amaq says isis"
    assert iv["n_sources"].iloc[0] == 2
    assert iv["confidence"].iloc[0] == pytest.approx(1 - 0.3 * 0.3)  # Reuters 0.7, AFP 0.7
    assert iv["controller"].iloc[0] == "government"


def test_slice_has_confidence_and_sources(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text(
        "date,place,lat,lon,controller,certainty,source\n"
        "2016-01-01,Alpha,35.0,37.0,government,confirmed,https://sana.sy/en/?p=1\n"
        "2016-01-03,Alpha,35.0,37.0,opposition,confirmed,https://www.syriahr.com/en/1\n"
        "2016-02-01,Beta,35.2,37.3,government,confirmed,https://www.reuters.com/x\n"
        "2016-02-01,Beta,35.2,37.3,government,confirmed,AFP\n", encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "slice.csv"
    for window, alpha in (("0", "opposition"), ("3d", None)):
        result = runner.invoke(app, ["slice", str(events), "--at", "2016-03-01", "-o", str(out),
                                     "--window", window])
        assert result.exit_code == 0, result.output
        table = pd.read_csv(out).set_index("place")
        assert list(table.columns[-3:]) == ["confidence", "sources", "geometry"]
        assert table.loc["Beta", "sources"] == "2 sources agree: AFP, Reuters"
        assert table.loc["Beta", "confidence"] == pytest.approx(0.91)
        if alpha is None:
            assert table.loc["Alpha", "status"] == "contested"
            assert table.loc["Alpha", "sources"] == (
                "sources disagree: SANA says government, SOHR says opposition")
            assert "disagree within the window" in result.output
        else:
            assert table.loc["Alpha", "controller"] == alpha
            assert table.loc["Alpha", "sources"] == "1 source: SOHR"
    bad = runner.invoke(app, ["slice", str(events), "--at", "2016-03-01", "-o", str(out),
                              "--window", "three days"])
    assert bad.exit_code == 1 and "not a duration" in bad.output and "Traceback" not in bad.output


def test_check_reports_window_conflicts():
    frame = frame_of([(0, 0, "government", "confirmed", "SANA"),
                      (0, 2, "opposition", "confirmed", "SOHR"),
                      (1, 5, "government", "confirmed", "SANA")])
    frame["place"] = frame["place_id"]
    frame["date_text"] = frame["date"].dt.strftime("%Y-%m-%d")
    assert find_conflicts(frame, path="f.csv") == []
    (problem,) = find_conflicts(frame, path="f.csv", window_days=3)
    assert problem.line == 3 and problem.value == "opposition"
    assert "2016-01-01…2016-01-03 (window 3 d)" in problem.message
    assert "line 2: government, line 3: opposition" in problem.message


# ---- the sources file -----------------------------------------------------------------------

def test_bundled_sources_file_every_entry_is_sourced_and_sane():
    data = tomllib.loads(default_sources_path().read_text(encoding="utf-8"))
    names = [e["name"] for e in data["source"]]
    assert len(names) == len(set(names))
    domains = [d for e in data["source"] for d in e.get("domains", [])]
    assert len(domains) == len(set(domains))
    for entry in data["source"]:
        assert entry["why"].strip() and 0 < entry["weight"] < 1, entry["name"]
    monitors = {r.name: r.weight for r in WEIGHTS.rules}
    # an independent monitor or wire agency outweighs one side's media
    assert min(monitors[n] for n in ("SOHR", "ACLED", "ISW", "Reuters", "AP", "AFP")) > \
        max(monitors[n] for n in ("SANA", "Amaq", "Anadolu", "Hawar News (ANHA)"))
    assert WEIGHTS.window_days == 0 and 0 < WEIGHTS.claimed_factor < 1


@pytest.mark.parametrize(("source", "label"), [
    ("https://www.syriahr.com/en/12345/", "SOHR"),
    ("https://en.sana.sy/?p=1", "SANA"),
    ("HTTPS://WWW.REUTERS.COM/world/", "Reuters"),
    ("ACLED SYR1234: SANA; SOHR", "ACLED"),
    ("Syrian Observatory for Human Rights, via phone", "SOHR"),
    ("https://www.understandingwar.org/backgrounder/x", "ISW"),
    ("https://notsana.sy.example.com/x", "notsana.sy.example.com"),
    ("https://sub.example.org/a?b=c", "sub.example.org"),
    ("Local council statement", "Local council statement"),
    ("", "unsourced"),
    ("   ", "unsourced"),
    ("javascript:alert(1)", "javascript:alert(1)"),
])
def test_sources_are_identified_by_domain_then_pattern(source, label):
    labels, weights = WEIGHTS.identify(np.array([source], dtype=object))
    assert labels[0] == label
    if label in {r.name for r in WEIGHTS.rules}:
        assert weights[0] == next(r.weight for r in WEIGHTS.rules if r.name == label)
    else:
        assert weights[0] == WEIGHTS.default_weight


@pytest.mark.parametrize(("n_places", "span"), [(50, 30), (70_000, 30), (50, 40_000)])
def test_report_order_is_the_lexsort_order(n_places, span):
    """Two 16-bit radix sorts when the codes fit, lexsort otherwise: the same order."""
    from layers.reconcile import _report_order

    rng = np.random.default_rng(3)
    n = 5_000
    place = rng.integers(0, n_places, n)
    day = rng.integers(-span // 2, span // 2, n)
    cert = rng.integers(0, 2, n)
    expected = np.lexsort((np.arange(n), cert, day, place))
    assert (_report_order(place, day, cert) == expected).all()
    assert len(_report_order(place[:0], day[:0], cert[:0])) == 0


@pytest.mark.parametrize(("text", "message"), [
    ("[[source]]\nname = 'X'\nweight = 0.5\ndomains = ['x.org']\n", "has no 'why'"),
    ("[[source]]\nname = 'X'\nweight = 1.5\ndomains = ['x.org']\nwhy = 'w'\n",
     "field 'weight' is 1.5"),
    ("[[source]]\nname = 'X'\nweight = 0.5\npatterns = ['(']\nwhy = 'w'\n",
     "not a valid regular expression"),
    ("[[source]]\nname = 'X'\nweight = 0.5\nwhy = 'w'\n", "neither 'domains' nor 'patterns'"),
    # valid for Python's re, not for Arrow's RE2 (no lookahead): named after good entries
    ("[[source]]\nname = 'A'\nweight = 0.5\npatterns = ['^a']\nwhy = 'w'\n"
     "[[source]]\nname = 'B'\nweight = 0.5\npatterns = ['b', 'x(?=y)']\nwhy = 'w'\n",
     "#2 (B) pattern 'x(?=y)' is not a valid regular expression"),
    ("[reconcile]\nwindow_days = -1\n", "'window_days' is -1"),
    ("[reconcile\n", "not valid TOML"),
])
def test_bad_sources_file_errors_name_the_file_and_field(tmp_path, text, message):
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourcesFileError, match="sources.toml") as err:
        load_sources(path)
    assert message in str(err.value)


def test_sources_file_window_is_the_default(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text("[reconcile]\nwindow_days = 3\n", encoding="utf-8")
    rows = [(0, 0, "government", "confirmed", "SANA"), (0, 2, "opposition", "confirmed", "SOHR")]
    tl = build_timeline(frame_of(rows), controllers=FACTIONS, sources=load_sources(path))
    assert tl.intervals["status"].astype(object).tolist() == ["contested"]
    # no [[source]] entries: every source is named by its own text
    assert tl.intervals["sources"].iloc[0] == ("sources disagree: SANA says government, "
                                               "SOHR says opposition")


@pytest.mark.parametrize(("text", "days"), [("3d", 3), ("3", 3), (" 2w ", 14), ("0", 0),
                                            (None, None)])
def test_parse_window(text, days):
    assert parse_window(text) == days


def test_parse_window_rejects_nonsense():
    with pytest.raises(ValueError, match="not a duration"):
        parse_window("3 months")


def test_check_and_render_cli_take_the_window(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text(
        "date,place,lat,lon,controller,certainty,source\n"
        "2016-01-01,Alpha,35.0,37.0,government,confirmed,https://sana.sy/en/?p=1\n"
        "2016-01-03,Alpha,35.0,37.0,opposition,confirmed,https://www.syriahr.com/en/1\n"
        "2016-01-03,Beta,35.2,37.3,government,confirmed,SANA\n"
        "2016-01-03,Beta,35.2,37.3,opposition,confirmed,SOHR\n", encoding="utf-8")
    runner = CliRunner()
    same_day = runner.invoke(app, ["events", "check", str(events)])
    assert same_day.exit_code == 0 and same_day.output.count("warning[conflict]") == 1
    windowed = runner.invoke(app, ["events", "check", str(events), "--window", "3d"])
    assert windowed.exit_code == 0, windowed.output
    assert windowed.output.count("warning[conflict]") == 2  # Beta's same-day one is not repeated
    assert "2016-01-01…2016-01-03 (window 3 d)" in windowed.output
    assert "4 rows read" in windowed.output
    html = tmp_path / "map.html"
    result = runner.invoke(app, ["render", str(events), "-o", str(html), "--offline",
                                 "--window", "3d"])
    assert result.exit_code == 0, result.output
    text = html.read_text(encoding="utf-8")
    assert "sources disagree: SANA says government, SOHR says opposition" in text
    plain = runner.invoke(app, ["render", str(events), "-o", str(html), "--offline"])
    assert plain.exit_code == 0
    assert "1 source: SOHR" in html.read_text(encoding="utf-8")
