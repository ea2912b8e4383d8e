"""Frontline layers: observations → timeline → time slices (→ territory, front lines, stats).

Public verbs (one module each): ``load_factions`` (factions), ``read_observations``
(observations), ``check_observations`` (check), ``build_timeline`` / ``slice_at`` (timeline),
``diff_states`` (diff), ``write_frame`` / ``write_layers`` (io).

``import layers`` imports none of them: each name below is imported from its module on first
use (PEP 562), so a command pays only for the modules it uses.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

# public name → the module that defines it
_HOME = {
    "CheckReport": "check", "check_observations": "check",
    "Diff": "diff", "diff_states": "diff",
    "FactionsFileError": "errors", "InvalidDate": "errors", "LayersError": "errors",
    "ObservationsFileError": "errors", "OutputFormatError": "errors", "UnknownFaction": "errors",
    "CONTESTED": "factions", "Faction": "factions", "Factions": "factions",
    "load_factions": "factions",
    "write_frame": "io", "write_layers": "io",
    "ObservationSet": "observations", "read_observations": "observations",
    "Problem": "problems",
    "StateMatrix": "timeline", "Timeline": "timeline", "build_timeline": "timeline",
    "slice_at": "timeline",
}
# the submodules ``import layers`` used to import (``layers.io.write_frame`` after a bare
# ``import layers`` kept working): they still load on first attribute access
_SUBMODULES = frozenset({"check", "dates", "diff", "errors", "factions", "io", "observations",
                         "problems", "readers", "reconcile", "timeline"})

__all__ = [
    "CONTESTED", "CheckReport", "Diff", "Faction", "Factions", "FactionsFileError", "InvalidDate",
    "LayersError", "ObservationSet", "ObservationsFileError", "OutputFormatError", "Problem",
    "StateMatrix", "Timeline", "UnknownFaction", "build_timeline", "check_observations",
    "diff_states", "load_factions", "read_observations", "slice_at", "write_frame", "write_layers",
]

if TYPE_CHECKING:  # what type checkers and editors see; at run time, __getattr__ below
    from .check import CheckReport, check_observations
    from .diff import Diff, diff_states
    from .errors import (
        FactionsFileError,
        InvalidDate,
        LayersError,
        ObservationsFileError,
        OutputFormatError,
        UnknownFaction,
    )
    from .factions import CONTESTED, Faction, Factions, load_factions
    from .io import write_frame, write_layers
    from .observations import ObservationSet, read_observations
    from .problems import Problem
    from .timeline import StateMatrix, Timeline, build_timeline, slice_at


def __getattr__(name: str):
    if name in _HOME:
        value = getattr(import_module(f".{_HOME[name]}", __name__), name)
    elif name in _SUBMODULES:
        value = import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # once: later lookups are plain module attributes
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME, *_SUBMODULES})
