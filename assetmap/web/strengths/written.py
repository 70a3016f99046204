"""What people wrote, put into the app's own sentences without being taken for its words.

A strength's title stays in the language its owner wrote it in: where a sentence of the
interface names it (a flash message, a heading), the title is marked with that language so
a page in Welsh says nothing in English outside what people wrote.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from assetmap.domain.assets import DEFAULT_LANGUAGE


def written(text: object, language: str | None = None) -> Markup:
    """Return ``text`` escaped and marked as written in ``language`` (a BCP 47 tag)."""
    return Markup('<span lang="%s">%s</span>') % (language or DEFAULT_LANGUAGE, text)


def title_of(asset: Any) -> Markup:
    """Return a strength's title, marked with the language it is written in."""
    return written(asset.title, getattr(asset, "language", None))


def sentence(text: str) -> Markup:
    """Return a translated sentence whose values were escaped (``written``) as markup.

    The catalogues are the app's own, so the sentence may be trusted; what people wrote in it
    came in escaped.
    """
    return Markup(text)
