"""Storage: models, migrations, and the one layer that knows SQLite from PostGIS."""
