"""Models of the monitoring app."""
