"""Signals the monitoring app sends, for higher layers to react to without being imported here."""

from django.dispatch import Signal

# Sent after a chunk of targets has been evaluated and committed; kwargs: at (the instant evaluated), summary.
evaluation_finished = Signal()
