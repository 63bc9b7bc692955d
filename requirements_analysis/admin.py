"""Admin of the requirements_analysis app."""
