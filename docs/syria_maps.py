"""Write the README's control-map PNGs: the bundle's map painter on examples/syria/observations.csv
at four dates, each place's Voronoi cell over the default theatre (Syria, Natural Earth 10m).

    .venv/bin/python docs/syria_maps.py            # → docs/syria-2013.png … docs/syria-2019.png
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gazetteer._io import atomic_write_bytes  # noqa: E402
from mapper.bundle import _states  # noqa: E402
from mapper.images import Frame, MapPainter, png_bytes  # noqa: E402
from mapper.pipeline import prepare  # noqa: E402

DATES = ("2013-07-01", "2015-07-01", "2017-07-01", "2019-07-01")
WIDTH_PX = 450  # drawn at 900 px, halved: small enough to commit


def main() -> int:
    prepared = prepare(ROOT / "examples" / "syria" / "observations.csv")
    days = np.array(DATES, dtype="datetime64[D]").astype(np.int64)
    codes, contested = _states(prepared, days)
    painter = MapPainter(prepared.model, title="Syria: control by the nearest observed place")
    try:
        for i, date in enumerate(DATES):
            pixels = painter.frame(Frame(codes[i], contested[i], date))
            image = Image.open(io.BytesIO(png_bytes(pixels)))
            image = image.resize((WIDTH_PX, round(image.height * WIDTH_PX / image.width)),
                                 Image.LANCZOS).convert("P", palette=Image.ADAPTIVE, colors=64)
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
            target = ROOT / "docs" / f"syria-{date[:4]}.png"
            atomic_write_bytes(target, out.getvalue())
            print(f"wrote {target.relative_to(ROOT)} ({len(out.getvalue()):,} bytes)")
    finally:
        painter.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
