"""Problem: one finding about an events file, located to file, line and column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]  # info: how the file was read (kept)


@dataclass(frozen=True, slots=True)
class Problem:
    """``line`` is the physical line (CSV header = 1) or, when ``unit == "feature"``, the GeoJSON
    feature index; ``column`` names the field. Errors drop the row; warnings keep it (except
    ``duplicate``, whose row is dropped because an identical row is kept)."""

    file: str
    line: int
    column: str
    value: str
    message: str
    fix: str
    severity: Severity = "error"
    code: str = ""
    unit: str = "line"
    related: tuple[int, ...] = ()  # other lines involved (duplicates, conflicts)

    @property
    def location(self) -> str:
        where = f"{self.line}" if self.unit == "line" else f"{self.unit} {self.line}"
        return f"{self.file}:{where}:{self.column}" if self.column else f"{self.file}:{where}"

    def __str__(self) -> str:
        value = f" {self.value!r}" if self.value else ""
        return f"{self.location}: {self.severity}[{self.code}]:{value} {self.message} → {self.fix}"

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "unit": self.unit, "column": self.column,
                "value": self.value, "severity": self.severity, "code": self.code,
                "message": self.message, "fix": self.fix, "related": list(self.related)}
