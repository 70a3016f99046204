"""The gazetteer's files: OpenStreetMap extracts, the ONS Postcode Directory, OS Open Names and
assetmap's own ``name,kind,lon,lat`` CSV, read into the ``place`` table all or nothing.

``detect_format`` tells the format and ``read_places`` streams the file, keeping what lies
inside the area; ``services.places`` stores them.
"""

from __future__ import annotations

from assetmap.exchange.places.formats import FORMAT_NAMES, detect_format
from assetmap.exchange.places.report import PlacesReport, read_places

__all__ = ["FORMAT_NAMES", "PlacesReport", "detect_format", "read_places"]
