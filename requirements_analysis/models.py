"""Models of the requirements_analysis app."""
