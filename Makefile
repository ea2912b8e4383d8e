# Frontline — make demo | make test | make bench | make lint
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FRONTLINE := $(VENV)/bin/frontline
STAMP := $(VENV)/.installed
# Leaflet's JS/CSS come from the PyPI package xstatic-leaflet (installed with the project):
# maps work offline with no npm. Optional, for richer outlines on maps without tiles: Natural
# Earth country outlines (public domain) from the npm `world-atlas` package (`make outlines`).
WORLD_ATLAS := .cache/world-atlas/package/countries-50m.json

.PHONY: install demo test test-fast bench lint leaflet outlines clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	touch $(STAMP)

demo: install
	$(FRONTLINE) demo -o site $(if $(wildcard $(WORLD_ATLAS)),--outlines $(WORLD_ATLAS))
	@echo
	@echo "Open site/index.html in a browser (or: python3 -m http.server -d site 8000)"

test: install
	$(PY) -m pytest -q; status=$$?; if [ $$status -eq 5 ]; then echo "pytest collected no tests"; fi; exit $$status

bench: install
	$(PY) bench/run_all.py

lint: install
	$(VENV)/bin/ruff check gazetteer layers mapper extract frontline tests bench

# Leaflet is no longer fetched: the xstatic-leaflet PyPI package ships it (`make install`).
leaflet: install
	@$(PY) -c "from mapper.render import find_leaflet_dir; print('Leaflet (xstatic-leaflet):', find_leaflet_dir())"

# Optional: Natural Earth country outlines (npm `world-atlas`, TopoJSON) that `make demo` draws
# when present; without them the maps draw the theatre outline. Needs npm; nothing else does.
outlines: $(WORLD_ATLAS)

$(WORLD_ATLAS):
	mkdir -p .cache/world-atlas
	cd .cache/world-atlas && npm pack world-atlas@2.0.2 --silent >/dev/null && tar xzf world-atlas-2.0.2.tgz

clean:
	rm -rf $(VENV) site build *.egg-info .pytest_cache bench/out
