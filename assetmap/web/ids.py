"""Ids in URLs: whole numbers no larger than the database's integer column holds.

An id beyond that range names nothing, so its route answers 404 at once rather than sending
the database a number it cannot compare (an overflow on SQLite, an error on PostgreSQL).
Every ``<int:...>`` rule uses this converter, since it replaces Werkzeug's ``int``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from assetmap.storage.database import largest_id


def at_most(largest: int) -> str:
    """Return a regular expression matching the whole numbers from 0 to ``largest``.

    The URL map then finds no route at all for a larger number, so every method gets a 404,
    where a converter that refused the value after matching would give some methods a 405.
    """
    digits = str(largest)
    shorter = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    lower = [
        rf"{digits[:i]}[0-{int(digit) - 1}]\d{{{len(digits) - i - 1}}}"
        for i, digit in enumerate(digits)
        if digit != "0"
    ]
    return "(?:" + "|".join([*shorter, *lower, digits]) + ")"


def id_converter(largest: int) -> type[IntegerConverter]:
    """Return an ``int`` converter that matches nothing above ``largest``."""
    pattern = at_most(largest)

    class IdConverter(IntegerConverter):
        def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("max", largest)
            super().__init__(url_map, *args, **kwargs)
            if not self.fixed_digits and not self.signed:
                self.regex = pattern

    return IdConverter


def init_app(app: Flask) -> None:
    """Use the bounded converter for every ``<int:...>`` rule; call before any route is added."""
    app.url_map.converters["int"] = id_converter(largest_id(app.config["DATABASE_URL"]))
