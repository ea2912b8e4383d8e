"""Escaping at the HTML boundary: text, links and JSON embedded in ``<script>``.

Every user string (place names, notes, sources, titles) passes through here on the Python side;
the browser side builds DOM text with ``textContent`` (see templates/frontline.js)."""

from __future__ import annotations

import html
import json
from urllib.parse import urlsplit

# Characters that could end a <script> element, start an HTML comment or break a JS string.
_SCRIPT_UNSAFE = str.maketrans({
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
})


def text(value: object) -> str:
    """``value`` as HTML text (``&``, ``<``, ``>``, quotes escaped)."""
    return html.escape("" if value is None else str(value), quote=True)


def safe_url(value: object) -> str | None:
    """``value`` when it is an absolute http(s) URL with a host, else None (shown as text)."""
    if not isinstance(value, str):
        return None
    candidate = value.strip()
    if any(ch.isspace() or ord(ch) < 32 for ch in candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return candidate


def link(label: object, url: object) -> str:
    """An ``<a>`` for http(s) URLs, escaped plain text for anything else."""
    href = safe_url(url)
    if href is None:
        return text(label)
    return f'<a href="{text(href)}" rel="noopener noreferrer" target="_blank">{text(label)}</a>'


def script_json(obj: object) -> str:
    """Compact, deterministic JSON that is safe inside ``<script>…</script>``."""
    raw = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=False,
                     allow_nan=False)
    return raw.translate(_SCRIPT_UNSAFE)
