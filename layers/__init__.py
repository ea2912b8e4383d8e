"""Frontline layers: observations → timeline → time slices (→ territory, front lines, stats).

Public verbs (one module each): ``load_factions`` (factions), ``read_observations``
(observations), ``check_observations`` (check), ``build_timeline`` / ``slice_at`` (timeline),
``diff_states`` (diff), ``write_frame`` / ``write_layers`` (io).
"""

from __future__ import annotations

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

__all__ = [
    "CONTESTED", "CheckReport", "Diff", "Faction", "Factions", "FactionsFileError", "InvalidDate",
    "LayersError", "ObservationSet", "ObservationsFileError", "OutputFormatError", "Problem",
    "StateMatrix", "Timeline", "UnknownFaction", "build_timeline", "check_observations",
    "diff_states", "load_factions", "read_observations", "slice_at", "write_frame", "write_layers",
]
