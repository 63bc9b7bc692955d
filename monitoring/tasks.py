"""Celery tasks of the monitoring app: thin wrappers around plain functions."""
