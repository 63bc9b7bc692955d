"""Extension points: how a higher app adds to a lower app's pages without the lower app importing it.

The lower app declares a named hook next to the base class of what plugs in (``agreements/extensions.py``:
``target_form = Hook("agreements.target_form")``) and asks it for its extensions when it builds a page; the higher
app registers an instance from its ``AppConfig.ready()``. The arrows keep pointing down: only the higher app imports.
"""


class Hook:
    """A named, ordered set of extensions: registered once each, asked in the order they were registered."""

    def __init__(self, name):
        self.name = name
        self._extensions = []

    def __repr__(self):
        return f"<Hook {self.name}: {len(self._extensions)} registered>"

    def register(self, extension):
        """Add ``extension`` (again is a no-op, so a second ``ready()`` adds nothing); returns it."""
        if extension not in self._extensions:
            self._extensions.append(extension)
        return extension

    def __iter__(self):
        # A copy: an extension that registers another while the page is built does not disturb this loop.
        return iter(tuple(self._extensions))

    def __len__(self):
        return len(self._extensions)
