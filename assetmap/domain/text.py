"""Cleaning loose input: text fields and lists, with the reason a value is refused."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from assetmap.domain.i18n import N_, Text, _

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(
    value: Any,
    limit: int,
    *,
    required: bool = False,
    multiline: bool = False,
    empty: str = N_("must not be empty"),
) -> str:
    """Return text with its spaces tidied, or raise ValueError saying what is wrong with it.

    One-line text has every run of whitespace made a single space; multiline text is only
    trimmed. ``empty`` is the reason given when required text is missing (a message marked
    for translation, said in the reader's language).
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError(_("must be text, got %(type)s", type=type(value).__name__))
    text = value.strip() if multiline else " ".join(value.split())
    if required and not text:
        raise ValueError(empty if isinstance(empty, Text) else _(empty))
    if len(text) > limit:
        raise ValueError(
            _("must be at most %(most)d characters, got %(got)d", most=limit, got=len(text))
        )
    if _CONTROL.search(text):
        raise ValueError(_("must not contain control characters"))
    return text


def split_items(value: Any) -> list[Any]:
    """Return a list from a list or a comma-separated string; nothing for None or ""."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, Iterable) and not isinstance(value, Mapping | bytes):
        return list(value)
    raise ValueError(_("must be a list, got %(type)s", type=type(value).__name__))
