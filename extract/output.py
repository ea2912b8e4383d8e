"""Proposals as CSV or JSON lines (pure: rows → text; the CLI writes atomically)."""

from __future__ import annotations

import csv
import io
import json

from .extract import COLUMNS, Proposal


def to_csv(proposals: list[Proposal]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
    w.writeheader()
    for p in proposals:
        w.writerow(p.to_dict())
    return buf.getvalue()


def to_jsonl(proposals: list[Proposal]) -> str:
    return "".join(json.dumps(p.to_dict(), ensure_ascii=False) + "\n" for p in proposals)


FORMATS = {"csv": to_csv, "jsonl": to_jsonl}
