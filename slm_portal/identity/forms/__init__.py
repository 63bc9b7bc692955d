"""Forms of the identity app, one module per feature."""
