# Frontline — make demo | make test | make bench | make lint
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FRONTLINE := $(VENV)/bin/frontline
STAMP := $(VENV)/.installed
LEAFLET_CACHE := .cache/leaflet
# Natural Earth country outlines (public domain) from the npm `world-atlas` package.
WORLD_ATLAS := .cache/world-atlas/package/countries-50m.json

.PHONY: install demo test test-fast bench lint leaflet clean

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
	$(VENV)/bin/ruff check gazetteer layers mapper extract tests bench

# Leaflet's JS/CSS from the npm registry, for `frontline bundle --offline`, and Natural Earth
# country outlines (npm `world-atlas`, TopoJSON) so maps without tiles still show borders.
leaflet: $(LEAFLET_CACHE)/package/dist/leaflet.js $(WORLD_ATLAS)

$(LEAFLET_CACHE)/package/dist/leaflet.js:
	mkdir -p $(LEAFLET_CACHE)
	cd $(LEAFLET_CACHE) && npm pack leaflet@1.9.4 --silent >/dev/null && tar xzf leaflet-1.9.4.tgz

$(WORLD_ATLAS):
	mkdir -p .cache/world-atlas
	cd .cache/world-atlas && npm pack world-atlas@2.0.2 --silent >/dev/null && tar xzf world-atlas-2.0.2.tgz

clean:
	rm -rf $(VENV) site build *.egg-info .pytest_cache bench/out
