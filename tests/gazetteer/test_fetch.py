"""`fetch` against a local http.server serving a GeoNames-format zip built here."""

from __future__ import annotations

import functools
import http.server
import threading
import zipfile

import pytest

import gazetteer
from gazetteer import ResolverUnavailable
from gazetteer.fetch import fetch

from .test_importers import GEONAMES_ROW

ROW2 = ("163808\tTadmur\tTadmur\tPalmyra,Tadmor,تدمر\t34.5624\t38.28402\tP\tPPLA2\tSY\t\t11"
        "\t\t\t\t51015\t\t410\tAsia/Damascus\t2016-01-01\n")


@pytest.fixture
def dump_server(tmp_path):
    root = tmp_path / "dump"
    root.mkdir()
    with zipfile.ZipFile(root / "XX.zip", "w") as zf:
        zf.writestr("XX.txt", GEONAMES_ROW + ROW2)
    (root / "BAD.zip").write_bytes(b"this is not a zip")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_fetch_downloads_and_imports(fresh_home, dump_server):
    results = fetch(["xx"], url=dump_server)
    assert [(r.name, r.places) for r in results] == [("geonames-XX", 2)]
    gz = gazetteer.load()
    assert gz.resolve_one("Palmyra").id == "geonames:163808"
    assert any(s.name == "import:geonames-XX" for s in gz.sources)


def test_fetch_base_url_from_env(fresh_home, dump_server, monkeypatch):
    monkeypatch.setenv("FRONTLINE_GEONAMES_URL", dump_server)
    assert fetch(["XX"])[0].places == 2


def test_fetch_errors(fresh_home, dump_server):
    with pytest.raises(ResolverUnavailable, match="HTTP 404"):
        fetch(["QQ"], url=dump_server)
    with pytest.raises(gazetteer.GazetteerDataError, match="not a readable zip"):
        fetch_bad(dump_server)
    with pytest.raises(ValueError, match="two-letter"):
        fetch(["Syria"], url=dump_server)
    with pytest.raises(ValueError, match="http"):
        fetch(["XX"], url="file:///etc")


def fetch_bad(url):
    from gazetteer.fetch import download
    from gazetteer.imports import import_file
    from gazetteer.store import downloads_dir

    target = download(f"{url}/BAD.zip", downloads_dir() / "BAD.zip")
    return import_file(target, format="geonames")
