"""GeoNames country dumps (XX.txt, XX.zip, .txt.gz): tab-separated, 19 columns, no header."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path

from ..admin import by_code
from ..errors import GazetteerDataError
from ..records import SourceRecord, kind_from_population, unique_names
from ..types import Place
from . import ReadReport
from ._open import open_text
from .csv_places import parse_coord

N_COLUMNS = 19


@cache
def feature_kinds() -> dict[str, str]:
    """GeoNames feature code → kind ("" = populated place, kind from population)."""
    text = (resources.files("gazetteer") / "data" / "geonames_kinds.csv").read_text("utf-8")
    return {r["feature_code"]: r["kind"] for r in csv.DictReader(io.StringIO(text))}


def read_geonames(path: str | Path, *, source: str,
                  report: ReadReport | None = None) -> Iterator[SourceRecord]:
    report = report if report is not None else ReadReport(str(path))
    kinds = feature_kinds()
    with open_text(path, member_suffix=(".txt",)) as fh:
        for line_no, line in enumerate(fh, 1):
            line = line.rstrip("\r\n")
            if not line or line.startswith("#"):
                continue
            report.rows += 1
            cols = line.split("\t")
            if len(cols) != N_COLUMNS:
                if report.kept == 0 and report.rows >= 5:
                    raise GazetteerDataError(
                        f"{path}, line {line_no}: {len(cols)} tab-separated columns, a GeoNames "
                        f"dump has {N_COLUMNS}. Is this a GeoNames XX.txt/XX.zip file? "
                        "Use --format csv or wof for other files.")
                report.problem(line_no, "columns", len(cols), f"columns; expected {N_COLUMNS}.")
                continue
            fcode = cols[7]
            if fcode not in kinds:
                continue
            lat, lon = parse_coord(cols[4], -90, 90), parse_coord(cols[5], -180, 180)
            if lat is None or lon is None:
                report.problem(line_no, "latitude/longitude", f"{cols[4]},{cols[5]}",
                               "is not a coordinate.")
                continue
            try:
                population = int(cols[14] or 0)
            except ValueError:
                population = 0
            country = cols[8]
            area = by_code(country, cols[10])
            place = Place(
                id=f"geonames:{cols[0]}", name=cols[1], lat=lat, lon=lon, country=country,
                admin1=area.name if area else "",
                kind=kinds[fcode] or kind_from_population(population),
                population=population,
                names=unique_names((cols[2],), cols[3].split(",") if cols[3] else ()),
                source=source,
            )
            report.kept += 1
            yield SourceRecord(place)
