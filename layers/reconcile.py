"""Several sources for one place: report groups, agreement and confidence (issue 20).

Pure rules; the timeline (``layers/timeline.py``) calls them, ``check`` reports the conflicts.

- **Report group.** The observations of one place on one day form a group; with a window of
  ``W`` days, a group is every report of the place within ``W`` days of the group's first report
  (the next report after that starts the next group). ``W = 0`` is the plain same-day rule.
- **Winner.** In a group, confirmed beats claimed; among equals the latest day, then the last
  row of the file wins. A claimed report never overturns a confirmed one.
- **Disagreement.** Two confirmed reports in one group naming different controllers make the
  place ``contested`` for the group (every source is listed).
- **Sources.** Each source is identified by the rules of a sources file (bundled:
  ``layers/data/sources.toml``): the URL's host against ``domains``, else the text against
  ``patterns``; an unmatched source is named by its URL host (or its text) and gets the default
  weight. Reports of one named source count once (the most trusted of them).
- **Confidence** (of the state shown): ``1 − Π(1 − w_i)`` over the distinct sources that agree
  with the winner (for a contested group: the distinct confirmed sources, who agree the place is
  fought over); ``w_i`` is the source's weight, times ``claimed_factor`` for a claimed report,
  capped at ``max_weight``. Adding an agreeing source never lowers it; row order never changes it.
- **Summary** per group: ``1 source: SOHR``, ``3 sources agree: AFP, Reuters, SANA (claimed)``, or
  ``sources disagree: SANA says government, SOHR says opposition``; claimed reports that dissent
  are appended (``; claimed: Amaq says isis``).

Vectorized: groups come from one sort; sources are identified once per distinct value with
Arrow string kernels; the per-group sums are ``bincount``. The only loop (``W > 0``) steps
through groups of all places at once, as many times as the most groups one place has.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import LayersError

_HOST = r"^\s*https?://(?:www\.)?(?P<host>[^/?#:\s]+)"
_UNSOURCED = "unsourced"
_LABEL_CHARS = 60


class SourcesFileError(LayersError, ValueError):
    """A sources file is malformed (names the file, the entry and the field)."""


@dataclass(frozen=True, slots=True)
class SourceRule:
    """One named source: how to recognise it, its weight, and why that weight."""

    name: str
    kind: str
    weight: float
    domains: tuple[str, ...]
    patterns: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class SourceWeights:
    """The sources file: named sources (first match wins) and the reconciliation settings."""

    rules: tuple[SourceRule, ...]
    default_weight: float = 0.3
    claimed_factor: float = 0.5
    max_weight: float = 0.95
    window_days: int = 0
    path: str = ""

    def identify(self, sources) -> tuple[np.ndarray, np.ndarray]:
        """(label, weight) of each source text: object and float64 arrays. Meant for distinct
        values; vectorized over them (one Arrow kernel per rule), no Python loop over values."""
        text = pa.array(pd.Series(sources, dtype=object).fillna("").astype(str).to_numpy(object),
                        type=pa.string())
        text = pc.utf8_trim_whitespace(text)
        host = pc.utf8_lower(pc.fill_null(pc.struct_field(pc.extract_regex(text, _HOST), [0]),
                                          ""))
        rule = np.full(len(text), -1, dtype=np.int64)
        # one pass with every rule at once finds the candidates; each rule then runs on those
        every = _compiled_all(self.rules)
        maybe = np.zeros(len(text), dtype=bool)
        if every[0]:
            maybe |= _bool(pc.match_substring_regex(host, every[0]))
        if every[1]:
            maybe |= _bool(pc.match_substring_regex(text, every[1], ignore_case=True))
        candidates = np.flatnonzero(maybe)
        c_text, c_host = text.take(pa.array(candidates)), host.take(pa.array(candidates))
        c_rule = np.full(len(candidates), -1, dtype=np.int64)
        for i in range(len(self.rules) - 1, -1, -1) if len(candidates) else ():
            domains, patterns = _compiled(self.rules[i])  # first rule wins: apply the last first
            hit = np.zeros(len(candidates), dtype=bool)
            if domains:
                hit |= _bool(pc.match_substring_regex(c_host, domains))
            if patterns:
                hit |= _bool(pc.match_substring_regex(c_text, patterns, ignore_case=True))
            c_rule = np.where(hit, i, c_rule)
        rule[candidates] = c_rule
        fallback = pc.if_else(pc.equal(host, ""), pc.utf8_slice_codeunits(text, 0, _LABEL_CHARS),
                              host)
        fallback = np.asarray(pc.if_else(pc.equal(fallback, ""), _UNSOURCED, fallback)
                              .to_numpy(zero_copy_only=False), dtype=object)
        names = np.array([r.name for r in self.rules] + [""], dtype=object)
        weights = np.array([r.weight for r in self.rules] + [self.default_weight])
        label = np.where(rule >= 0, names[rule], fallback)
        return label, np.minimum(weights[rule], self.max_weight)


@functools.cache
def _compiled(rule: SourceRule) -> tuple[str, str]:
    """One regular expression for the rule's domains (the host or a subdomain of it) and one
    for its patterns: two kernel calls per rule, whatever the number of entries."""
    domains = "|".join(re.escape(d) for d in rule.domains)
    return (f"^(?:.*\\.)?(?:{domains})$" if domains else "",
            "|".join(f"(?:{p})" for p in rule.patterns))


@functools.cache
def _compiled_all(rules: tuple[SourceRule, ...]) -> tuple[str, str]:
    """The domains and the patterns of every rule, each as one regular expression."""
    domains = "|".join(re.escape(d) for r in rules for d in r.domains)
    return (f"^(?:.*\\.)?(?:{domains})$" if domains else "",
            "|".join(f"(?:{p})" for r in rules for p in r.patterns))


def _bool(array) -> np.ndarray:
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def default_sources_path() -> Path:
    return Path(str(resources.files("layers") / "data" / "sources.toml"))


@functools.cache
def _load(path: str) -> SourceWeights:
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourcesFileError(f"{p}: cannot read the sources file ({exc.strerror}); give an "
                               "existing TOML file with [reconcile] and [[source]] entries") \
            from None
    except tomllib.TOMLDecodeError as exc:
        raise SourcesFileError(f"{p}: not valid TOML ({exc}); fix the syntax at that line") \
            from None
    settings = data.get("reconcile", {})

    def number(table: dict, key: str, default: float, where: str, *, lo: float, hi: float,
               closed: bool = False) -> float:
        value = table.get(key, default)
        ok = isinstance(value, int | float) and not isinstance(value, bool) and (
            lo <= value <= hi if closed else lo < value < hi)
        if not ok:
            bounds = f"{lo}…{hi}" if closed else f"strictly between {lo} and {hi}"
            raise SourcesFileError(f"{p}: {where} field {key!r} is {value!r}; write a number "
                                   f"{bounds}")
        return float(value)

    window = settings.get("window_days", 0)
    if not isinstance(window, int) or isinstance(window, bool) or window < 0:
        raise SourcesFileError(f"{p}: [reconcile] field 'window_days' is {window!r}; write a "
                               "whole number of days ≥ 0")
    rules = []
    # Arrow's RE2 compiles every pattern on each call: all of them as one alternation first,
    # and one by one (to name the bad one) only when that fails
    every_ok = _re2_compiles([p for e in data.get("source", []) if isinstance(e, dict)
                              for p in (e.get("patterns") or []) if isinstance(p, str) and p])
    for n, entry in enumerate(data.get("source", []), start=1):
        where = f"[[source]] #{n} ({entry.get('name', '?')!s})"
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise SourcesFileError(f"{p}: {where} has no 'name'; give the source's short name")
        why = entry.get("why")
        if not isinstance(why, str) or not why.strip():
            raise SourcesFileError(f"{p}: {where} has no 'why'; say in a sentence why it has "
                                   "this weight")
        domains = entry.get("domains", [])
        patterns = entry.get("patterns", [])
        for key, values in (("domains", domains), ("patterns", patterns)):
            if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
                raise SourcesFileError(f"{p}: {where} field {key!r} is {values!r}; write a list "
                                       "of non-empty strings")
        if not domains and not patterns:
            raise SourcesFileError(f"{p}: {where} has neither 'domains' nor 'patterns'; give at "
                                   "least one way to recognise it")
        for pattern in patterns:
            try:
                re.compile(pattern)
                if not every_ok:
                    pc.match_substring_regex(pa.array([""]), pattern, ignore_case=True)
            except (re.error, pa.ArrowInvalid) as exc:
                raise SourcesFileError(f"{p}: {where} pattern {pattern!r} is not a valid "
                                       f"regular expression ({exc}); fix or remove it") from None
        rules.append(SourceRule(
            name=name.strip(), kind=str(entry.get("kind", "")),
            weight=number(entry, "weight", -1, where, lo=0.0, hi=1.0),
            domains=tuple(d.lower().removeprefix("www.") for d in domains),
            patterns=tuple(patterns), why=why.strip()))
    return SourceWeights(
        rules=tuple(rules),
        default_weight=number(settings, "default_weight", 0.3, "[reconcile]", lo=0.0, hi=1.0),
        claimed_factor=number(settings, "claimed_factor", 0.5, "[reconcile]", lo=0.0, hi=1.0,
                              closed=True),
        max_weight=number(settings, "max_weight", 0.95, "[reconcile]", lo=0.0, hi=1.0),
        window_days=window, path=str(p))


def _re2_compiles(patterns: list[str]) -> bool:
    """Whether Arrow (RE2) accepts every one of ``patterns`` that Python's ``re`` accepts, tried
    as one alternation (a pattern that is not valid alone, like ``a)|(b``, fails ``re``)."""
    valid = []
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error:
            return False  # reported in its entry's turn
        valid.append(f"(?:{pattern})")
    try:
        pc.match_substring_regex(pa.array([""]), "|".join(valid), ignore_case=True)
    except pa.ArrowInvalid:
        return False
    return True


def load_sources(path: str | Path | None = None) -> SourceWeights:
    """The sources file (default: the bundled ``layers/data/sources.toml``), loaded once."""
    return _load(str(Path(path) if path else default_sources_path()))


def parse_window(text: str | int | None) -> int | None:
    """``3d``, ``3``, ``2w`` or ``0`` → days (None stays None: use the sources file's)."""
    if text is None or isinstance(text, int):
        return text
    m = re.fullmatch(r"\s*(\d+)\s*([dw]?)\s*", str(text).lower())
    if not m:
        raise ValueError(f"window {text!r} is not a duration; write days as 3d (or 3) or weeks "
                         "as 1w")
    return int(m.group(1)) * (7 if m.group(2) == "w" else 1)


@dataclass(frozen=True)
class ReportGroups:
    """Observations sorted by (place, day, certainty, file order) and cut into report groups.

    ``order`` maps sorted positions to input rows; ``gid`` is the group of each sorted position;
    per group: ``starts`` (first sorted position), ``place``, ``best`` (certainty code, 0 =
    confirmed), ``winner`` (input row), ``conflict`` (confirmed reports disagree), ``first_day``
    and ``last_day``."""

    order: np.ndarray
    gid: np.ndarray
    starts: np.ndarray
    place: np.ndarray
    best: np.ndarray
    winner: np.ndarray
    conflict: np.ndarray
    first_day: np.ndarray
    last_day: np.ndarray

    def __len__(self) -> int:
        return len(self.starts)


def group_reports(place: np.ndarray, day: np.ndarray, certainty: np.ndarray,
                  controller: np.ndarray, *, window_days: int = 0) -> ReportGroups:
    """Report groups of observations given as int codes (place, day since 1970, certainty with
    0 = confirmed, controller with -1 = no holder); see the module docstring for the rules."""
    n = len(place)
    order = _report_order(place, day, certainty)
    p, d, c = place[order], day[order], certainty[order]
    if not n:
        z = np.zeros(0, np.int64)
        return ReportGroups(order, z, z, z, z, z, np.zeros(0, bool), z, z)
    if window_days <= 0:
        new = np.r_[True, (p[1:] != p[:-1]) | (d[1:] != d[:-1])]
    else:
        new = _window_starts(p, d, int(window_days))
    starts = np.flatnonzero(new)
    gid = np.cumsum(new) - 1
    last = np.r_[starts[1:], n] - 1
    # a one-report group is its report; only groups of several need the reductions
    best = c[starts]
    winner_pos = starts.copy()
    conflict = np.zeros(len(starts), dtype=bool)
    several = np.flatnonzero(last > starts)
    if len(several):
        pos, local_starts = _positions(starts[several], last[several] - starts[several] + 1)
        cs, ks = c[pos], controller[order[pos]]
        b = np.minimum.reduceat(cs, local_starts)
        keep = cs == np.repeat(b, np.diff(np.r_[local_starts, len(pos)]))
        # the last kept position: latest day, then last in file (sorted by day, certainty, row)
        winner_pos[several] = np.maximum.reduceat(np.where(keep, pos, -1), local_starts)
        big = np.iinfo(np.int32).max
        confirmed = cs == 0
        cmin = np.minimum.reduceat(np.where(confirmed, ks, big), local_starts)
        cmax = np.maximum.reduceat(np.where(confirmed, ks, -big), local_starts)
        best[several] = b
        conflict[several] = (b == 0) & (cmin != cmax)
    return ReportGroups(order=order, gid=gid, starts=starts, place=p[starts], best=best,
                        winner=order[winner_pos], conflict=conflict, first_day=d[starts],
                        last_day=d[last])


def _report_order(place: np.ndarray, day: np.ndarray, certainty: np.ndarray) -> np.ndarray:
    """The rows sorted by (place, day, certainty, row): two stable radix sorts of 16-bit keys,
    (day, certainty) then place, when the codes fit (up to 65,536 places and about 89 years of
    days), ~5x cheaper than the general ``lexsort`` used otherwise."""
    n = len(place)
    if n:
        d0, c_max = int(day.min()), int(certainty.max())
        span = (int(day.max()) - d0 + 1) * (c_max + 1)
        if int(place.min()) >= 0 and int(place.max()) <= 0xFFFF and span <= 0xFFFF \
                and int(certainty.min()) >= 0:
            inner = ((day - d0) * (c_max + 1) + certainty).astype(np.uint16)
            first = np.argsort(inner, kind="stable")  # stable 16-bit sorts are radix sorts
            return first[np.argsort(place.astype(np.uint16)[first], kind="stable")]
    return np.lexsort((np.arange(n), certainty, day, place))


def _positions(starts: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions ``starts[i] … starts[i] + sizes[i] - 1`` of every run, concatenated, and
    where each run begins in that list."""
    local_starts = np.r_[0, np.cumsum(sizes)[:-1]]
    return np.repeat(starts - local_starts, sizes) + np.arange(int(sizes.sum())), local_starts


def _window_starts(p: np.ndarray, d: np.ndarray, window: int) -> np.ndarray:
    """Group starts for sorted (place, day): each group runs from its first report to ``window``
    days after it. Steps through the groups of every place at once."""
    n = len(p)
    key = p.astype(np.int64) * (1 << 32) + (d.astype(np.int64) - int(d.min()))
    beyond = np.searchsorted(key, key + window, side="right")  # first report after the window
    is_start = np.zeros(n, dtype=bool)
    cur = np.flatnonzero(np.r_[True, p[1:] != p[:-1]])
    while len(cur):
        is_start[cur] = True
        cur = beyond[cur]
        cur = cur[cur < n]
        cur = cur[~is_start[cur]]  # the next place's first report is already a start
    return is_start


@dataclass(frozen=True)
class Agreement:
    """Per report group: ``confidence`` (0–1), ``n_sources`` (distinct sources behind the state
    shown) and ``summary`` (a Categorical of the summary texts)."""

    confidence: np.ndarray
    n_sources: np.ndarray
    summary: pd.Categorical


def factorize_sources(sources) -> tuple[np.ndarray, np.ndarray]:
    """(code per row, -1 = none; distinct source texts): what ``agreement`` takes."""
    codes, uniques = pd.factorize(sources, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def agreement(groups: ReportGroups, *, controller: np.ndarray, certainty: np.ndarray,
              sources: tuple[np.ndarray, np.ndarray], controller_names,
              weights: SourceWeights) -> Agreement:
    """Confidence and the sources summary of every group (input-row arrays: ``controller``
    codes into ``controller_names``, -1 = contested without holder; ``certainty`` codes, 0 =
    confirmed; ``sources`` as ``factorize_sources`` gives them)."""
    n, g = len(groups.order), len(groups)
    if not g:
        return Agreement(np.zeros(0), np.zeros(0, np.int64),
                         pd.Categorical.from_codes(np.zeros(0, np.int64), categories=[]))
    local, uniques = sources
    label_u, weight_u = weights.identify(np.append(uniques, ""))
    # label codes ranked by the label text, so no result depends on the order of rows
    labels, label_rank = np.unique(label_u.astype(str), return_inverse=True)
    # one code per row, (distinct source, claimed?); no source is the trailing "" (in file
    # order: sequential passes), and small tables by code for what follows from it
    code = (np.where(local < 0, len(uniques), local) * 2 + (certainty != 0)).astype(np.int32)
    of_code = np.arange(2 * (len(uniques) + 1))
    lab_of = label_rank[of_code // 2]
    w_of = weight_u[of_code // 2] * np.array([1.0, weights.claimed_factor])[of_code % 2]
    # a single-report group: its report's weight, and "1 source: LABEL" or "… (claimed)"
    winner_code = code[groups.winner]
    confidence = np.round(w_of, 4)[winner_code]
    n_sources = np.ones(g, dtype=np.int32)
    tagged = np.stack([labels.astype(object), labels.astype(object) + " (claimed)"], axis=1)
    tables = [pc.binary_join_element_wise("1 source: ", pa.array(tagged.ravel(), pa.string()),
                                          "")]
    size = np.diff(np.r_[groups.starts, n])
    where = np.flatnonzero(size > 1)  # the groups with several reports, numbered 0…m-1
    if len(where):
        sz = size[where]
        compact = np.repeat(np.arange(len(where)), sz)
        pos, _ = _positions(groups.starts[where], sz)
        rows = groups.order[pos]
        c = code[rows]
        lab, w = lab_of[c], w_of[c]
        cert, ctrl = certainty[rows], controller[rows]
        conflict = groups.conflict[where]
        win_ctrl = controller[groups.winner[where]]
        agree = np.where(conflict[compact], cert == 0, ctrl == win_ctrl[compact])
        names = np.array([*map(str, controller_names), "contested"], dtype=object)
        conf_m, count_m, text_m = _multi(compact, lab, w, ctrl, cert, agree, conflict, labels,
                                         names, len(where))
        confidence[where] = np.round(conf_m, 4)
        n_sources[where] = count_m
        tables.append(text_m)
    encoded = pa.concat_arrays(tables).dictionary_encode()
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int32)
    # final codes: by (source, claimed?) for one-report groups, one each for the others
    summary_codes = codes[2 * lab_of + of_code % 2][winner_code]
    if len(where):
        summary_codes[where] = codes[2 * len(labels):]
    summary = pd.Categorical.from_codes(
        summary_codes,
        categories=pd.Index(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object),
        validate=False)  # every index is into the table just built
    return Agreement(confidence=confidence, n_sources=n_sources, summary=summary)


def _multi(gid, lab, w, ctrl, cert, agree, conflict, labels, names, g):
    """Confidence, source count and summary text of the ``g`` groups with several reports
    (arrays of their sorted rows, ``gid`` numbering those groups 0…g-1)."""
    # agreeing: one weight per (group, source), the largest
    a = np.flatnonzero(agree)
    o = a[np.lexsort((-w[a], lab[a], gid[a]))]
    firsts = o[np.r_[True, (gid[o][1:] != gid[o][:-1]) | (lab[o][1:] != lab[o][:-1])]]
    ag, al, aw = gid[firsts], lab[firsts], w[firsts]
    log_miss = np.bincount(ag, weights=np.log1p(-aw), minlength=g)
    confidence = -np.expm1(log_miss)
    count = np.bincount(ag, minlength=g)
    tag = np.where(cert[firsts] == 0, "", " (claimed)").astype(object)
    text_labels = pa.array(labels[al].astype(object) + tag, pa.string())
    joined = _join_per_group(ag, text_labels, g, ", ")
    n_text = pc.cast(pa.array(count), pa.string())
    agree_text = pc.if_else(
        pa.array(count == 1), pc.binary_join_element_wise("1 source: ", joined, ""),
        pc.binary_join_element_wise(n_text, " sources agree: ", joined, ""))
    # the sides of a disagreement: distinct (group, source, controller), confirmed and claimed
    side_rows = np.flatnonzero(conflict[gid] | ~agree)
    o = side_rows[np.lexsort((ctrl[side_rows], lab[side_rows], cert[side_rows],
                              gid[side_rows]))]
    if len(o):
        keyed = np.c_[gid[o], cert[o], lab[o], ctrl[o]]
        o = o[np.r_[True, (keyed[1:] != keyed[:-1]).any(axis=1)]]
    says = pc.binary_join_element_wise(pa.array(labels[lab[o]].astype(object), pa.string()),
                                       pa.array(names[ctrl[o]].astype(object), pa.string()),
                                       " says ")
    confirmed_side = cert[o] == 0
    disagree = _join_per_group(gid[o][confirmed_side], says.filter(pa.array(confirmed_side)),
                               g, ", ")
    claimed = _join_per_group(gid[o][~confirmed_side], says.filter(pa.array(~confirmed_side)),
                              g, ", ")
    has_claimed = pa.array(np.bincount(gid[o][~confirmed_side], minlength=g) > 0)
    head = pc.if_else(pa.array(conflict),
                      pc.binary_join_element_wise("sources disagree: ", disagree, ""), agree_text)
    text = pc.if_else(has_claimed, pc.binary_join_element_wise(head, "; claimed: ", claimed, ""),
                      head)
    return confidence, count, text


def _join_per_group(group: np.ndarray, values: pa.Array, g: int, sep: str) -> pa.Array:
    """``values`` (sorted by ``group``) joined with ``sep`` per group 0…g-1 ("" when none)."""
    offsets = np.r_[0, np.cumsum(np.bincount(group, minlength=g))].astype(np.int32)
    return pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), values), sep)


def window_conflicts(frame: pd.DataFrame, *, window_days: int) -> pd.DataFrame:
    """Confirmed reports of one place within the window that name different controllers:
    ``frame`` rows (place_id, date, controller, certainty) with a ``group`` column, for
    ``check`` to report. ``window_days = 0`` gives the same-day conflicts."""
    confirmed = frame[(frame["certainty"] == "confirmed").to_numpy(dtype=bool)]
    if confirmed.empty:
        return confirmed.assign(group=np.zeros(0, np.int64))
    place = pd.factorize(confirmed["place_id"])[0].astype(np.int64)
    day = confirmed["date"].to_numpy("datetime64[D]").astype(np.int64)
    ctrl = pd.factorize(confirmed["controller"], use_na_sentinel=True)[0].astype(np.int64)
    groups = group_reports(place, day, np.zeros(len(place), np.int64), ctrl,
                           window_days=window_days)
    gid = np.empty(len(place), np.int64)
    gid[groups.order] = groups.gid
    hit = groups.conflict[gid]
    return confirmed[hit].assign(group=gid[hit])
