"""The gazetteer's files: OpenStreetMap extracts, the ONS Postcode Directory, OS Open Names and
assetmap's own ``name,kind,lon,lat`` CSV, read into the ``place`` table all or nothing.

``import_places`` detects the format, streams the file, keeps what lies inside the area, and
replaces the held places of each kind the file brings (or, asked to add, adds those not held).
"""

from __future__ import annotations

from assetmap.exchange.places.formats import FORMAT_NAMES, detect_format
from assetmap.exchange.places.load import PlacesReport, import_places

__all__ = ["FORMAT_NAMES", "PlacesReport", "detect_format", "import_places"]
