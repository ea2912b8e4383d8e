"""Area-over-time chart (PNG) from an area-stats table. Deterministic: same table, same bytes
(Agg backend, fixed size and DPI, no Software/date metadata)."""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np
import pandas as pd

_FALLBACK = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
             "#7f7f7f", "#bcbd22", "#17becf")


def area_chart(
    stats: pd.DataFrame,
    *,
    colours: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    title: str = "Area held over time",
    value: str = "area_km2",
    width_px: int = 1200,
    height_px: int = 600,
) -> bytes:
    """PNG bytes of one line per controller: ``value`` (default area km²) against date.

    ``stats`` has columns date, controller and ``value`` (as from ``layers.stats.area_stats``);
    ``colours`` maps a controller to a colour (faction palette), others get a fixed cycle;
    ``labels`` maps a controller id to its legend text (the faction's label).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    for column in ("date", "controller", value):
        if column not in stats.columns:
            raise ValueError(f"stats table has no '{column}' column: {list(stats.columns)}")
    colours = dict(colours or {})
    labels = dict(labels or {})
    dpi = 100
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)
    ax = fig.add_subplot()
    dates = pd.to_datetime(stats["date"].astype(str))
    controllers = list(dict.fromkeys(stats["controller"].astype(str)))
    for i, name in enumerate(controllers):
        rows = (stats["controller"].astype(str) == name).to_numpy()
        order = np.argsort(dates[rows].to_numpy(), kind="stable")
        x = dates[rows].to_numpy()[order]
        y = stats[value].to_numpy()[rows][order]
        colour = colours.get(name, _FALLBACK[i % len(_FALLBACK)])
        ax.plot(x, y, label=labels.get(name, name), color=colour, linewidth=1.8,
                marker="o" if len(x) == 1 else None)
    ax.set_title(title)
    ax.set_ylabel("area (km²)" if value == "area_km2" else value)
    ax.grid(True, alpha=0.3)
    ax.ticklabel_format(axis="y", style="plain", useOffset=False)
    if controllers:
        ax.legend(loc="best", fontsize="small")
    fig.autofmt_xdate()
    fig.tight_layout()
    buf = io.BytesIO()
    # No Software/creation fields: the bytes depend on the data only.
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


__all__ = ["area_chart"]
