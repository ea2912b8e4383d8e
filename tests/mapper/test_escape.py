"""Escaping at the HTML boundary (mapper/escape.py)."""

from __future__ import annotations

import json
import re

import pytest

from mapper import escape


@pytest.mark.parametrize(("url", "ok"), [
    ("https://example.org/a?b=1&c=2", True),
    ("http://example.org", True),
    ("HTTPS://EXAMPLE.ORG/x", True),
    ("javascript:alert(1)", False),
    ("JavaScript:alert(1)", False),
    (" javascript:alert(1)", False),
    ("data:text/html,<script>alert(1)</script>", False),
    ("vbscript:msgbox", False),
    ("//example.org/protocol-relative", False),
    ("https://", False),
    ("https://exa mple.org", False),
    ("https://example.org/\nx", False),
    ("ftp://example.org/file", False),
    ("Reuters, 2014-04-14", False),
    ("", False),
    (None, False),
])
def test_only_http_urls_become_links(url, ok):
    assert (escape.safe_url(url) is not None) is ok
    html = escape.link("label", url)
    assert html.startswith("<a ") is ok
    if not ok:
        assert "<" not in html


def test_link_escapes_label_and_href():
    html = escape.link('<b onmouseover="x">', 'https://e.org/?q="><script>')
    assert "<script>" not in html and "<b " not in html
    assert 'href="https://e.org/?q=&quot;&gt;&lt;script&gt;"' in html


def test_text_escapes_markup_and_quotes():
    assert escape.text('<img src=x onerror="a()">&') == \
        "&lt;img src=x onerror=&quot;a()&quot;&gt;&amp;"
    assert escape.text(None) == ""


@pytest.mark.parametrize("value", [
    "</script><script>alert(1)</script>", "<!-- x", "</SCRIPT >", "a\u2028b\u2029c", "&amp;",
    "]]>", "<\u0000>",
])
def test_script_json_cannot_close_the_script_and_round_trips(value):
    obj = {"k": [value, {"n": value}], value: 1}
    raw = escape.script_json(obj)
    assert not re.search(r"[<>&\u2028\u2029]", raw)
    assert json.loads(raw) == obj


def test_script_json_is_compact_and_ordered():
    assert escape.script_json({"b": 1, "a": [1, 2]}) == '{"b":1,"a":[1,2]}'
    with pytest.raises(ValueError):
        escape.script_json({"x": float("nan")})
