"""The one place that knows SQLite from PostGIS.

Each backend answers the same spatial and text questions with the same types: which published
assets lie in a box, which lie near a point (nearest first, with geodesic metres), and which
match some words. Everything else in assetmap asks through ``backend_for(session)``.
"""

from __future__ import annotations

from assetmap.storage.backends.common import SUMMARY_COLUMNS, Backend, published, summary
from assetmap.storage.backends.postgis import PostGISBackend
from assetmap.storage.backends.sqlite import SQLiteBackend
from assetmap.storage.database import ReadConnection, Reader

__all__ = ["SUMMARY_COLUMNS", "Backend", "backend_for", "published", "summary"]


_BACKENDS: dict[str, Backend] = {"sqlite": SQLiteBackend(), "postgresql": PostGISBackend()}


def backend_for(session: Reader) -> Backend:
    """Return the backend that answers for the database this session or connection is on."""
    dialect = session.dialect if isinstance(session, ReadConnection) else session.get_bind().dialect
    name = dialect.name
    try:
        return _BACKENDS[name]
    except KeyError:
        raise ValueError(f"database must be SQLite or PostgreSQL, got {name}") from None
