"""Readers turn one source format into SourceRecords. Each reads, validates and reports; none
writes. ``Problems`` collect row errors (file, line, field, value, fix) instead of tracebacks."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ReadReport:
    """Rows read and problems found while reading one file."""

    path: str
    rows: int = 0
    kept: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, line: int, field_name: str, value, message: str) -> None:
        shown = str(value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        self.problems.append(f"{self.path}, line {line}, field {field_name!r}: {shown!r} {message}")
