"""Choices of the monitoring app."""
