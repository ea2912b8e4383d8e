"""Score an extraction against a hand-annotated file (e.g. eval/seed_events.csv).

A proposal matches an annotated row when both come from the same source file (base name), their
points lie within ``max_km`` (great-circle), the controller is the same and their dates overlap:
a proposal covers ``date_from``..``date_to`` (or its date at its precision), an annotated row its
date at its precision ("2015-03" is all of March). An annotation may widen its window in the
evidence note with ``any date YYYY-MM-DD..YYYY-MM-DD accepted``. Precision counts proposals that
match some row (an annotated row without lat/lon matches by place name instead); recall counts
rows matched by some proposal; certainty accuracy compares each
matched row with its best proposal (highest confidence, then nearest date).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import PurePath

import numpy as np

from . import dates as d

_RANGE_NOTE = re.compile(
    r"any date (\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2}) accepted", re.I
)
EARTH_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float
    certainty_accuracy: float
    predicted: int
    annotated: int
    true_positives: int
    matched_rows: int
    certainty_right: int
    false_positives: tuple[dict, ...] = field(default=())
    missed: tuple[dict, ...] = field(default=())
    wrong_certainty: tuple[dict, ...] = field(default=())

    def to_dict(self, *, details: bool = True) -> dict:
        out = {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "certainty_accuracy": round(self.certainty_accuracy, 4),
            "predicted": self.predicted,
            "annotated": self.annotated,
            "true_positives": self.true_positives,
            "matched_rows": self.matched_rows,
            "certainty_right": self.certainty_right,
        }
        if details:
            out |= {
                "false_positives": list(self.false_positives),
                "missed": list(self.missed),
                "wrong_certainty": list(self.wrong_certainty),
            }
        return out


def read_rows(text: str) -> list[dict]:
    """CSV (header row) or JSON lines, by sniffing the first character."""
    stripped = text.lstrip("\ufeff").lstrip()
    if stripped.startswith("{"):
        return [json.loads(line) for line in stripped.splitlines() if line.strip()]
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def _interval(row: dict, *, truth: bool, where: str) -> tuple[dt.date, dt.date]:
    if truth:
        note = _RANGE_NOTE.search(row.get("evidence", "") or "")
        if note:
            return dt.date.fromisoformat(note.group(1)), dt.date.fromisoformat(note.group(2))
    elif row.get("date_from") and row.get("date_to"):
        return dt.date.fromisoformat(row["date_from"]), dt.date.fromisoformat(row["date_to"])
    try:
        g = d.from_iso(str(row.get("date", "")))
    except ValueError as exc:
        raise ValueError(f"{where}: column 'date': {exc}") from None
    return g.start, g.end


def _source(row: dict) -> str:
    return PurePath(str(row.get("source_file") or row.get("seed") or row.get("source") or "")).name


def _coord(row: dict, key: str) -> float:
    text = str(row.get(key) or "").strip()
    return float(text) if text else float("nan")


def _name_key(text) -> str:
    """Case-, accent-, article- and punctuation-blind: "al-Dinder" == "Al Dinder" == "Dinder"."""
    from layers.factions import alias_key

    key = alias_key(str(text or "")).replace("’", " ")
    return re.sub(r"^(?:al|el|ad|as|ar|an|at|az)\s+", "", key)


def _km(lat1, lon1, lat2, lon2) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def score(
    predicted: list[dict],
    annotated: list[dict],
    *,
    max_km: float = 5.0,
    tolerance_days: int = 0,
    min_confidence: float = 0.0,
) -> Score:
    """Compare proposals with annotated rows (both as dicts of strings)."""
    preds = [
        p for p in predicted if p.get("date") and float(p.get("confidence") or 0) >= min_confidence
    ]
    n_p, n_t = len(preds), len(annotated)
    if n_p == 0 or n_t == 0:
        return Score(0.0, 0.0, 0.0, n_p, n_t, 0, 0, 0, tuple(preds), tuple(annotated), ())
    tol = dt.timedelta(days=tolerance_days)
    p_iv = [_interval(p, truth=False, where=f"prediction {i + 1}") for i, p in enumerate(preds)]
    t_iv = [_interval(t, truth=True, where=f"annotation {i + 2}") for i, t in enumerate(annotated)]
    p_lat = np.array([_coord(p, "lat") for p in preds])[:, None]
    p_lon = np.array([_coord(p, "lon") for p in preds])[:, None]
    t_lat = np.array([_coord(t, "lat") for t in annotated])[None, :]
    t_lon = np.array([_coord(t, "lon") for t in annotated])[None, :]
    with np.errstate(invalid="ignore"):
        near = _km(p_lat, p_lon, t_lat, t_lon) <= max_km  # NaN (no point) is never near
    # an annotated row without a point matches by name: the proposal's place or its mention
    p_names = [{_name_key(p.get("place")), _name_key(p.get("mention"))} - {""} for p in preds]
    t_names = [_name_key(t.get("place")) for t in annotated]
    near |= np.array([[bool(t) and t in names for t in t_names] for names in p_names],
                     dtype=bool).reshape(near.shape)
    same_src = np.array([[_source(p) == _source(t) for t in annotated] for p in preds])
    same_ctl = np.array([[p["controller"] == t["controller"] for t in annotated] for p in preds])
    p_s = np.array([a for a, _ in p_iv], dtype="datetime64[D]")[:, None]
    p_e = np.array([b for _, b in p_iv], dtype="datetime64[D]")[:, None]
    t_s = np.array([a - tol for a, _ in t_iv], dtype="datetime64[D]")[None, :]
    t_e = np.array([b + tol for _, b in t_iv], dtype="datetime64[D]")[None, :]
    overlap = (p_s <= t_e) & (t_s <= p_e)
    match = near & same_src & same_ctl & overlap
    tp = int(match.any(axis=1).sum())
    hit_rows = match.any(axis=0)
    right, wrong = 0, []
    for j in np.flatnonzero(hit_rows):
        cands = np.flatnonzero(match[:, j])
        mid_t = t_iv[j][0] + (t_iv[j][1] - t_iv[j][0]) / 2
        best = max(
            cands,
            key=lambda i: (
                float(preds[i].get("confidence") or 0),
                -abs((p_iv[i][0] + (p_iv[i][1] - p_iv[i][0]) / 2 - mid_t).days),
            ),
        )
        if preds[best].get("certainty", "confirmed") == annotated[j].get("certainty", "confirmed"):
            right += 1
        else:
            wrong.append({"annotated": annotated[j], "proposal": preds[best]})
    matched = int(hit_rows.sum())
    return Score(
        precision=tp / n_p,
        recall=matched / n_t,
        certainty_accuracy=right / matched if matched else 0.0,
        predicted=n_p,
        annotated=n_t,
        true_positives=tp,
        matched_rows=matched,
        certainty_right=right,
        false_positives=tuple(preds[i] for i in np.flatnonzero(~match.any(axis=1))),
        missed=tuple(annotated[j] for j in np.flatnonzero(~hit_rows)),
        wrong_certainty=tuple(wrong),
    )
