"""`flask area import-places`."""
