"""Signals the monitoring app sends, for higher layers to react to without being imported here."""

from django.dispatch import Signal

# Sent after a chunk of targets has been evaluated and committed; kwargs: at (the instant evaluated), summary.
evaluation_finished = Signal()

# Sent when alerts have written notifications to send, inside the evaluation's transaction; kwargs: count.
# monitoring.receivers queues the sending task once the transaction commits: the evaluation does not import the
# tasks module, which imports the evaluation.
notifications_pending = Signal()

# Sent when ticket clocks have been written, and again once the transaction commits; kwargs: customer_ids. The
# dashboards' cache (monitoring.readout.cache) files the customers' ticket figures under a new generation.
ticket_clocks_written = Signal()
