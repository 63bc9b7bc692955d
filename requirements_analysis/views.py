"""Views of the requirements_analysis app."""
