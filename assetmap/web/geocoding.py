"""The app's geocoder: the offline gazetteer unless another is configured."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from assetmap.domain.places import Geocoder
from assetmap.exchange.demo import default_folder
from assetmap.exchange.gazetteer import OfflineGazetteer

EXTENSION = "assetmap.geocoder"


def init_app(app: Flask) -> None:
    """Load the gazetteer named by ``GAZETTEER_FILE`` (the demo area's by default)."""
    path = Path(app.config["GAZETTEER_FILE"] or default_folder() / "gazetteer.csv")
    app.extensions[EXTENSION] = OfflineGazetteer.from_csv(path)


def geocoder() -> Geocoder:
    """Return the app's geocoder."""
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]
