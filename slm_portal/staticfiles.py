"""plotly.js is served by the portal itself, from the pinned plotly Python package (no CDN, works offline)."""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_PATH = "vendor/plotly/plotly.min.js"
PLOTLY_FILE = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


class PlotlyStorage(FileSystemStorage):
    def __init__(self):
        super().__init__(location=str(PLOTLY_FILE.parent))
        self.prefix = "vendor/plotly"

    def path(self, name):
        return str(PLOTLY_FILE) if name.endswith("plotly.min.js") else super().path(name)


class PlotlyFinder(BaseFinder):
    """Finds ``vendor/plotly/plotly.min.js`` (and nothing else) in the plotly package."""

    def __init__(self, *args, **kwargs):
        self.storage = PlotlyStorage()

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path == PLOTLY_PATH:
            return [str(PLOTLY_FILE)] if find_all else str(PLOTLY_FILE)
        return [] if find_all else None

    def list(self, ignore_patterns):
        yield "plotly.min.js", self.storage
