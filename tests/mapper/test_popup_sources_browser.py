"""Several sources for one place, in real headless Chromium: the popup of a place where two
confirmed sources disagree lists both (names and URLs escaped, only http(s) sources become
links), with the confidence and the sources summary; a place where sources agree says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from gazetteer._io import atomic_write_text
from mapper.pipeline import prepare
from mapper.render import RenderOptions, find_leaflet_dir, render_html

pytestmark = pytest.mark.browser

SOHR = "https://www.syriahr.com/en/123/?q=<b>x</b>&a=1"
SANA_TEXT = "SANA <img src=x onerror=\"window.__pwned=1\"> statement"
EVIL_URL = "javascript:window.__pwned=2"
EVENTS = f"""date,place,lat,lon,controller,status,kind,certainty,source,note
2016-03-01,Alpha,35.10,37.10,opposition,held,state,confirmed,https://www.reuters.com/a,
2016-03-10,Alpha,35.10,37.10,opposition,held,change,confirmed,"{SOHR}",
2016-03-10,Alpha,35.10,37.10,government,held,change,confirmed,"{SANA_TEXT.replace('"', '""')}",
2016-03-10,Alpha,35.10,37.10,government,held,change,claimed,{EVIL_URL},
2016-03-10,Beta,35.30,37.40,government,held,change,confirmed,https://www.reuters.com/b,
2016-03-11,Beta,35.30,37.40,government,held,change,confirmed,https://www.afp.com/c,
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sources")
    events = folder / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    prepared = prepare(events, window_days=2)
    html = render_html(prepared.model, RenderOptions(title="Sources", offline=True,
                                                     leaflet_dir=find_leaflet_dir()))
    out = folder / "map.html"
    atomic_write_text(out, html)
    return out


def open_popup(page, path: Path, name: str, date: str):
    blocked = []
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
        ("file:", "data:", "about:")) else (blocked.append(r.request.url), r.abort()))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append(d.message), d.dismiss()))
    page.goto(path.resolve().as_uri() + f"#date={date}")
    page.wait_for_function("window.frontline && window.frontline.ready")
    assert page.evaluate("n => frontline.openPopup(n)", name)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    return popup, errors, blocked


def test_popup_lists_two_disagreeing_sources_escaped(site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    popup, errors, blocked = open_popup(page, site, "Alpha", "2016-03-12")
    text = popup.inner_text()
    state = page.evaluate("frontline.stateOf('Alpha')")
    assert state["status"] == "contested"
    assert state["sources"].startswith("sources disagree: ")
    assert "SOHR says opposition" in state["sources"]
    assert "says government" in state["sources"]
    assert "Sources" in text and "sources disagree" in text and "Confidence" in text
    assert f"{round(state['confidence'] * 100)} %" in text
    # the group's reports, each with its side and source: every one listed, text kept as text
    items = popup.locator(".fl-group li")
    assert items.count() == 3
    listed = [items.nth(i).inner_text() for i in range(3)]
    assert any("opposition" in t.lower() and SOHR in t for t in listed), listed
    assert any("government" in t.lower() and SANA_TEXT in t for t in listed), listed
    assert any(EVIL_URL in t for t in listed), listed
    # only the http(s) source became a link, with its exact URL; the others are plain text
    hrefs = popup.locator(".fl-group a[href]").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))")
    assert hrefs == [page.evaluate("u => new URL(u).href", SOHR)]
    assert popup.locator("img, script, [onerror]").count() == 0
    assert page.evaluate("window.__pwned") is None
    # the earlier report (outside the window) is not in the group, but is in the history
    assert not any("reuters.com/a" in t for t in listed)
    assert "reuters.com/a" in text
    assert errors == [] and blocked == []
    context.close()


def test_popup_says_when_sources_agree(site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    popup, errors, blocked = open_popup(page, site, "Beta", "2016-03-12")
    text = popup.inner_text()
    assert "2 sources agree: AFP, Reuters" in text
    state = page.evaluate("frontline.stateOf('Beta')")
    assert state["controller"] == "government" and state["status"] == "held"
    assert state["confidence"] == pytest.approx(0.91)
    assert popup.locator(".fl-group li").count() == 2
    assert errors == [] and blocked == []
    context.close()
