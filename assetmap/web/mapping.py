"""The app's settings for every folium map: tiles from the configuration, scripts from the app."""

from __future__ import annotations

from flask import current_app, url_for

from assetmap.maps import MapSettings


def map_settings() -> MapSettings:
    """Return where this app's maps get their tiles, and their scripts and styles."""
    config = current_app.config
    return MapSettings(
        tiles_url=config["MAP_TILES_URL"],
        tiles_attribution=config["MAP_TILES_ATTRIBUTION"],
        static_url=lambda path: url_for("static", filename=path),
    )
