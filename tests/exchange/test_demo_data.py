"""The demo neighbourhood reads as a real place would: no text a visitor would take for a
broken page. (Escaping is tested with hostile titles of the tests' own.)"""

from __future__ import annotations

import re

from tests.exchange.helpers import demo_features


def test_no_demo_text_holds_markup() -> None:
    marked = [
        (feature["properties"]["title"], name)
        for feature in demo_features()
        for name, value in feature["properties"].items()
        if isinstance(value, str) and re.search(r"<[^>]*>", value)
    ]
    assert marked == []
