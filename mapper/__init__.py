"""Frontline mapper: turns layers into things people look at (HTML maps, bundles, images, CLI)."""

# The one place the version is written: pyproject.toml reads it from here (setuptools reads the
# literal without importing the package), so `frontline --version` and every command start
# without importing importlib.metadata (~25 ms).
__version__ = "0.1.0"
