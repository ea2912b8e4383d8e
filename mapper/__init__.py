"""Frontline mapper: turns layers into things people look at (HTML maps, bundles, images, CLI)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("frontline-mapper")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"
