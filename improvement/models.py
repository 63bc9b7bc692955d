"""Models of the improvement app."""
