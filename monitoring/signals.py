"""Receivers of the monitoring app."""
