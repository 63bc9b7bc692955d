"""Views of the improvement app."""
