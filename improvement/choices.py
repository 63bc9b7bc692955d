"""Choices of the improvement app."""
