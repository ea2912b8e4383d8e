"""What `frontline gazetteer info` reports: sources, counts, store path, caches."""

from __future__ import annotations

from .cache import cache_files
from .gazetteer import Gazetteer
from .store import gazetteer_dir


def summary(gz: Gazetteer) -> dict:
    return {
        "places": len(gz),
        "names": len(gz.index.name_text),
        "store": str(gazetteer_dir()),
        "sources": [{"name": s.name, "kind": s.kind, "path": s.path, "places": s.places,
                     "problems": s.problems} for s in gz.sources],
        "cache": [{"path": str(p), "bytes": p.stat().st_size} for p in cache_files()],
        "problems": list(gz.problems),
    }
