"""`flask area import-neighbourhoods`."""
