"""Celery tasks of the requirements_analysis app: thin wrappers around plain functions."""
