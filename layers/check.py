"""Checks over a whole events file: duplicate rows, confirmed observations that disagree, and the
report that accounts for every row (``frontline events check``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .problems import Problem

# Columns that make two rows "the same observation" (after normalisation).
DUPLICATE_KEY: tuple[str, ...] = ("date_text", "place_id", "controller", "status", "kind",
                                  "certainty", "source", "note")


def find_duplicates(frame: pd.DataFrame, *, path: str, unit: str = "line"
                    ) -> tuple[np.ndarray, list[Problem]]:
    """Rows identical to an earlier row: (mask of rows to keep, one warning per dropped copy)."""
    if frame.empty:
        return np.ones(0, dtype=bool), []
    key = frame[list(DUPLICATE_KEY)].astype("string").fillna("\0contested")
    dup = key.duplicated(keep="first").to_numpy()
    if not dup.any():
        return ~dup, []
    group = key.groupby(list(DUPLICATE_KEY), sort=False, dropna=False).ngroup().to_numpy()
    first_row = pd.Series(frame["row"].to_numpy()).groupby(group).transform("first").to_numpy()
    problems = [
        Problem(path, int(line), "", "", f"duplicate of line {int(first)}",
                "delete this row (the first copy is kept)", "warning", "duplicate", unit,
                (int(first),))
        for line, first in zip(frame["row"].to_numpy()[dup], first_row[dup], strict=True)
    ]
    return ~dup, problems


def find_conflicts(frame: pd.DataFrame, *, path: str, unit: str = "line") -> list[Problem]:
    """Confirmed observations of one place on one date naming different controllers.

    The timeline marks such a place ``contested`` on that date; this reports it, once per group,
    at the group's last row.
    """
    confirmed = frame[frame["certainty"] == "confirmed"]
    if confirmed.empty:
        return []
    ctrl = confirmed["controller"].astype("string").fillna("contested")
    keys = [confirmed["place_id"], confirmed["date"]]
    n = ctrl.groupby(keys, sort=False).transform("nunique")
    clash = confirmed[(n > 1).to_numpy()].assign(_ctrl=ctrl[(n > 1).to_numpy()])
    problems = []
    for (_pid, _date), g in clash.groupby(["place_id", "date"], sort=True):
        rows = g["row"].tolist()
        sides = ", ".join(f"line {r}: {c}" for r, c in zip(rows, g["_ctrl"], strict=True))
        problems.append(Problem(
            path, int(rows[-1]), "controller", str(g["_ctrl"].iloc[-1]),
            f"confirmed observations of {g['place'].iloc[0]} on {g['date_text'].iloc[0]} disagree "
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


def check_observations(observations) -> CheckReport:
    """Summarise an ObservationSet (all checks already ran while reading it)."""
    return CheckReport(path=observations.path, rows_read=observations.rows_read,
                       usable=len(observations.frame), dropped=len(observations.dropped_lines),
                       problems=observations.problems, places=len(observations.places))
