"""Forms of the improvement app."""
