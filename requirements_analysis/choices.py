"""Choices of the requirements_analysis app."""
