"""Django admin for the identity app's models."""
