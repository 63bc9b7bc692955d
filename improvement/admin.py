"""Admin of the improvement app."""
