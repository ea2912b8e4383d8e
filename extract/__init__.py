"""Extraction of proposed control observations from report text (DESIGN.md §5).

>>> from extract import extract_texts
>>> proposals, report = extract_texts([("report.txt", text)], gazetteer=gz, factions=factions)

Proposals are for review: nothing here writes an events file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .dates import DateGuess, from_iso
from .extract import COLUMNS, Extractor, Proposal, Report
from .output import FORMATS, to_csv, to_jsonl
from .score import Score, read_rows, score

__all__ = [
    "COLUMNS",
    "DateGuess",
    "Extractor",
    "FORMATS",
    "Proposal",
    "Report",
    "Score",
    "extract_texts",
    "from_iso",
    "read_rows",
    "score",
    "to_csv",
    "to_jsonl",
]


def extract_texts(
    documents: Iterable[tuple[str, str]],
    *,
    gazetteer,
    factions,
    default_date: DateGuess | str | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[Proposal], Report]:
    """Proposals for every ``(source_name, text)``; ``default_date`` dates pieces the text leaves
    undated.
    """
    if isinstance(default_date, str):
        default_date = from_iso(default_date)
    ex = Extractor(gazetteer=gazetteer, factions=factions)
    out: list[Proposal] = []
    report = Report()
    for source, text in documents:
        props, rep = ex.extract(text, source=source, default_date=default_date)
        out.extend(props)
        report.merge(rep)
        if progress:
            progress(source)
    return out, report
