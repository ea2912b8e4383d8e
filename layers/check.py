"""Checks over a whole events file: duplicate rows, confirmed observations that disagree, and the
report that accounts for every row (``frontline events check``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .problems import Problem
from .reconcile import window_conflicts

# Columns that make two rows "the same observation" (after normalisation).
DUPLICATE_KEY: tuple[str, ...] = ("date_text", "place_id", "controller", "status", "kind",
                                  "certainty", "source", "note")


def _group_codes(frame: pd.DataFrame, columns) -> np.ndarray:
    """One int64 code per distinct combination of ``columns`` (NA is a value of its own), in
    order of first appearance: column codes combined pairwise and re-factorized."""
    out, bound = np.zeros(len(frame), dtype=np.int64), 1
    for col in columns:
        codes, uniq = pd.factorize(frame[col], use_na_sentinel=False)
        if bound * (len(uniq) + 1) >= 2 ** 62:  # would overflow: renumber what we have
            out, distinct = pd.factorize(out)
            bound = len(distinct)
        out, bound = out * (len(uniq) + 1) + codes, bound * (len(uniq) + 1)
    return pd.factorize(out)[0].astype(np.int64)


def _singletons(frame: pd.DataFrame) -> bool:
    """Whether no two rows share a place and a date (then nothing is a duplicate or conflict)."""
    group = _group_codes(frame, ("place_id", "date"))
    return bool(np.bincount(group).max() <= 1) if len(group) else True


def find_duplicates(frame: pd.DataFrame, *, path: str, unit: str = "line",
                    singletons: bool | None = None) -> tuple[np.ndarray, list[Problem]]:
    """Rows identical to an earlier row: (mask of rows to keep, one warning per dropped copy).
    ``singletons``: whether the caller already knows that no two rows share a place and a date
    (None: find out)."""
    if frame.empty or (_singletons(frame) if singletons is None else singletons):
        return np.ones(len(frame), dtype=bool), []
    group = _group_codes(frame, DUPLICATE_KEY)
    first = np.full(int(group.max()) + 1, -1, dtype=np.int64)
    first[group[::-1]] = np.arange(len(group))[::-1]  # each group's first row
    dup = first[group] != np.arange(len(group))
    if not dup.any():
        return ~dup, []
    lines = frame["row"].to_numpy()
    problems = [
        Problem(path, int(line), "", "", f"duplicate of line {int(first_line)}",
                "delete this row (the first copy is kept)", "warning", "duplicate", unit,
                (int(first_line),))
        for line, first_line in zip(lines[dup], lines[first[group]][dup], strict=True)
    ]
    return ~dup, problems


def find_conflicts(frame: pd.DataFrame, *, path: str, unit: str = "line",
                   window_days: int = 0, singletons: bool | None = None) -> list[Problem]:
    """Confirmed observations of one place on one date (or within ``window_days`` of the first,
    the report groups of layers/reconcile.py) naming different controllers.

    The timeline marks such a place ``contested`` for that group; this reports it, once per
    group, at the group's last row. ``singletons`` as for ``find_duplicates``.
    """
    if window_days <= 0 and singletons:  # known: no two rows share a place and a date
        return []
    if not (frame["certainty"] == "confirmed").to_numpy(dtype=bool).any():
        return []
    if window_days <= 0 and singletons is None and _singletons(frame):
        return []
    clash = window_conflicts(frame, window_days=window_days)
    if clash.empty:
        return []
    clash = clash.assign(
        _ctrl=clash["controller"].astype("string").fillna("contested"),
        _start=clash.groupby("group")["date"].transform("min"))
    problems = []
    for _key, g in clash.groupby(["place_id", "_start", "group"], sort=True):
        rows = g["row"].tolist()
        sides = ", ".join(f"line {r}: {c}" for r, c in zip(rows, g["_ctrl"], strict=True))
        when = g["date_text"].iloc[0]
        if g["date"].nunique() > 1:
            by_date = g.sort_values("date", kind="stable")["date_text"]
            when = f"{by_date.iloc[0]}…{by_date.iloc[-1]} (window {window_days} d)"
        problems.append(Problem(
            path, int(rows[-1]), "controller", str(g["_ctrl"].iloc[-1]),
            f"confirmed observations of {g['place'].iloc[0]} on {when} disagree "
            f"({sides}); the place is marked contested on that date",
            "check the sources; mark the weaker report 'claimed' or correct its date or controller",
            "warning", "conflict", unit, tuple(int(r) for r in rows[:-1])))
    return problems


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What ``frontline events check`` prints: the problems and the row accounting."""

    path: str
    rows_read: int
    usable: int
    dropped: int
    problems: tuple[Problem, ...]
    places: int

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity == "warning" for p in self.problems)

    def exit_code(self, *, strict: bool = False) -> int:
        return 1 if self.errors or (strict and self.warnings) else 0

    def summary_line(self) -> str:
        return (f"{self.path}: {self.rows_read} rows read = {self.usable} usable + {self.dropped} "
                f"dropped; {self.errors} errors, {self.warnings} warnings; {self.places} places")

    def to_dict(self) -> dict:
        return {"file": self.path, "rows_read": self.rows_read, "usable": self.usable,
                "dropped": self.dropped, "errors": self.errors, "warnings": self.warnings,
                "places": self.places, "problems": [p.to_dict() for p in self.problems]}


def check_observations(observations, *, window_days: int = 0) -> CheckReport:
    """Summarise an ObservationSet (all checks already ran while reading it). With
    ``window_days``, disagreements are those of the window's report groups (layers/reconcile.py)
    instead of the same-day ones."""
    problems = observations.problems
    if window_days > 0:
        problems = tuple(p for p in problems if p.code != "conflict") + tuple(find_conflicts(
            observations.frame, path=observations.path, window_days=window_days))
    return CheckReport(path=observations.path, rows_read=observations.rows_read,
                       usable=len(observations.frame), dropped=len(observations.dropped_lines),
                       problems=problems, places=len(observations.place_table))
