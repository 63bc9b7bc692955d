"""Celery tasks of the improvement app: thin wrappers around plain functions."""
