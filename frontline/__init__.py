"""Frontline from Python (notebooks, scripts): the library verbs behind the CLI.

    import frontline
    events = frontline.read_events("examples/seeds.csv")    # read and check observations
    events.report                                           # rows read / mapped / problems
    events.slice_at(["2013-06-01", "2014-04-15"])           # GeoDataFrame: place × date
    events.territory(["2014-04-15"]), events.front_lines(["2014-04-15"])
    events.map(title="Seeds")                               # shows inline in Jupyter
    events.map().save("map.html")

Everything here reuses mapper.pipeline.prepare (what render/bundle/demo load) and
mapper.render (the same page the CLI writes); nothing is computed differently.
"""

from __future__ import annotations

from .notebook import Events, Map, read_events

__all__ = ["Events", "Map", "read_events"]
