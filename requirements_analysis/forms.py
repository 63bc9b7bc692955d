"""Forms of the requirements_analysis app."""
