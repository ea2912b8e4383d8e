"""Diff two dates of a timeline: which places each faction gained and lost, and why.

Each change carries the observation that made it: for a change of hands, the observation that
started the new holder's run of control; for a change of status only, the latest observation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .dates import check_date_range, to_datetime64
from .timeline import Timeline

CHANGE_COLUMNS: tuple[str, ...] = (
    "place_id", "place", "from_controller", "to_controller", "from_status", "to_status",
    "changed_on", "date_text", "obs_row", "certainty", "source", "note")


@dataclass(frozen=True)
class Diff:
    """``changes`` has one row per place whose controller or status differs between the dates."""

    start: np.datetime64
    end: np.datetime64
    changes: pd.DataFrame

    @property
    def hands(self) -> pd.DataFrame:
        """Changes of controller (including places first observed after ``start``)."""
        c = self.changes
        return c[c["from_controller"].fillna("") != c["to_controller"].fillna("")]

    @property
    def status_only(self) -> pd.DataFrame:
        c = self.changes
        return c[c["from_controller"].fillna("") == c["to_controller"].fillna("")]

    def by_faction(self, factions=None) -> dict[str, dict[str, pd.DataFrame]]:
        """``{faction: {"gained": rows, "lost": rows}}`` in factions order (then others sorted)."""
        hands = self.hands
        ids = list(getattr(factions, "ids", factions or ()))
        seen = set(hands["to_controller"].dropna()) | set(hands["from_controller"].dropna())
        ids += sorted(str(x) for x in seen if x not in ids)
        return {fid: {"gained": hands[hands["to_controller"] == fid],
                      "lost": hands[hands["from_controller"] == fid]}
                for fid in ids if fid in seen}

    def to_dict(self, factions=None) -> dict:
        def records(df: pd.DataFrame) -> list[dict]:
            out = df.astype(object).where(df.notna(), None)
            out["changed_on"] = df["changed_on"].dt.strftime("%Y-%m-%d")
            return out.to_dict(orient="records")

        return {
            "from": str(self.start)[:10], "to": str(self.end)[:10],
            "changed_hands": len(self.hands), "changed_status": len(self.status_only),
            "factions": {fid: {"gained": records(g["gained"]), "lost": records(g["lost"]),
                               "net": len(g["gained"]) - len(g["lost"])}
                         for fid, g in self.by_faction(factions).items()},
            "status_changes": records(self.status_only),
        }


def diff_states(timeline: Timeline, *, start, end) -> Diff:
    """Compare the state of every place on ``start`` and on ``end`` (one vectorized lookup)."""
    check_date_range(start, end)
    when = to_datetime64([start, end])
    m = timeline.state_matrix(when)
    ctrl, status, interval = m.controller, m.status, m.interval
    changed = (ctrl[0] != ctrl[1]) | (status[0] != status[1])
    pos = np.flatnonzero(changed)  # unknown on both dates never counts as a change
    iv = timeline.intervals
    end_iv = interval[1][pos]
    hands = ctrl[0][pos] != ctrl[1][pos]
    run_start = iv["run_start"].to_numpy(np.int64)
    # A change of hands is explained by the observation that began the new holder's run.
    cause = np.where(end_iv >= 0, np.where(hands, run_start[np.clip(end_iv, 0, None)], end_iv), -1)
    ok = cause >= 0
    safe = np.clip(cause, 0, None)
    lookup_c = np.array([*m.categories, None], dtype=object)
    lookup_s = np.array([*m.status_categories, None], dtype=object)
    names = _names(timeline)

    def prov(col):
        values = iv[col].to_numpy(dtype=object)[safe] if len(iv) else np.full(len(pos), None)
        return pd.array(np.where(ok, values, None), dtype="string")

    changes = pd.DataFrame({
        "place_id": pd.array(timeline.place_ids[pos].astype(object), dtype="string"),
        "place": pd.array(names[pos], dtype="string"),
        "from_controller": pd.array(lookup_c[ctrl[0][pos]], dtype="string"),
        "to_controller": pd.array(lookup_c[ctrl[1][pos]], dtype="string"),
        "from_status": pd.array(lookup_s[status[0][pos]], dtype="string"),
        "to_status": pd.array(lookup_s[status[1][pos]], dtype="string"),
        "changed_on": np.where(ok, iv["valid_from"].to_numpy("datetime64[ns]")[safe]
                               if len(iv) else np.datetime64("NaT", "ns"),
                               np.datetime64("NaT", "ns")),
        "date_text": prov("date_text"),
        "obs_row": pd.array(np.where(ok, iv["obs_row"].to_numpy(np.int64)[safe]
                                     if len(iv) else 0, 0), dtype="Int64"),
        "certainty": prov("certainty"),
        "source": prov("source"),
        "note": prov("note"),
    })
    changes.loc[~ok, "obs_row"] = pd.NA
    changes = changes.sort_values(["changed_on", "place"], kind="stable").reset_index(drop=True)
    return Diff(start=when[0], end=when[1], changes=changes[list(CHANGE_COLUMNS)])


def _names(timeline: Timeline) -> np.ndarray:
    ids = timeline.place_ids.astype(object)
    if timeline.places is None:
        return ids
    where = pd.Index(timeline.places["place_id"].astype(str)).get_indexer(ids.astype(str))
    names = timeline.places["name"].to_numpy(dtype=object)
    return np.where(where >= 0, names[np.clip(where, 0, None)], ids)
