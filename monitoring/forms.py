"""Forms of the monitoring app."""
