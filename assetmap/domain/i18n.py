"""Words the domain says, in the reader's language.

The domain marks what it says to people with ``_`` (now) or ``lazy`` (module constants, read
when shown), and formats dates and numbers with Babel in ``locale()``. It knows nothing of
requests: the web layer installs where translations and the locale come from
(``install``); until then, and outside a request, everything reads in British English.

Messages take named values, ``_("at most %(most)d characters", most=120)``, so a translator
can move the values about; the returned text remembers its message and values (``Text``), so
code that rewrites a message (the pages' plain words) matches on the message, not on
translated words.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal

from babel import Locale
from babel import dates as _dates
from babel import numbers as _numbers
from babel.support import LazyProxy

ENGLISH = Locale.parse("en_GB")

_translations: Callable[[], Any] = _gettext.NullTranslations
_locale: Callable[[], Locale | None] = lambda: None  # noqa: E731
# Set while writing words for files other systems read, which stay in English.
_in_english: ContextVar[bool] = ContextVar("in_english", default=False)


def install(translations: Callable[[], Any], locale: Callable[[], Locale | None]) -> None:
    """Read translations and the locale from these callables from now on."""
    global _translations, _locale
    _translations, _locale = translations, locale


def locale() -> Locale:
    """Return the reader's locale, British English when there is no reader."""
    return ENGLISH if _in_english.get() else (_locale() or ENGLISH)


@contextmanager
def english() -> Iterator[None]:
    """Say everything in British English meanwhile, whoever the reader: for words written into
    files that other systems read (HSDS), which must not depend on who asked for them."""
    token = _in_english.set(True)
    try:
        yield
    finally:
        _in_english.reset(token)


def _catalogue() -> Any:
    return _gettext.NullTranslations() if _in_english.get() else _translations()


class Text(str):
    """Translated text that remembers the English message and the values it was made from."""

    msgid: str
    values: dict[str, Any]

    def __new__(cls, text: str, msgid: str, values: dict[str, Any]) -> Text:
        made = super().__new__(cls, text)
        made.msgid = msgid
        made.values = values
        return made

    @property
    def english(self) -> str:
        """The message in English, with its values."""
        return self.msgid % self.values if self.values else self.msgid


def _(msgid: str, **values: Any) -> Text:
    """Return ``msgid`` in the reader's language, with ``values`` put in."""
    text = _catalogue().gettext(msgid)
    return Text(text % values if values else text, msgid, values)


def ngettext(singular: str, plural: str, num: int, **values: Any) -> Text:
    """Return the singular or plural message for ``num`` in the reader's language."""
    values.setdefault("num", num)
    text = _catalogue().ngettext(singular, plural, num)
    return Text(text % values, singular if num == 1 else plural, values)


def lazy(msgid: str, **values: Any) -> Any:
    """Return a message translated each time it is read as text: for module constants."""
    return LazyProxy(_, msgid, enable_cache=False, **values)


def N_(msgid: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark ``msgid`` for translation where it is used, and return it unchanged."""
    return msgid


def format_date(value: dt.date, format: str = "long") -> str:
    """Return a date as the reader writes it: "5 February 2027"."""
    return _dates.format_date(value, format=format, locale=locale())


_ENGLISH_DAYS = {False: "EEEE d MMMM", True: "EEEE d MMMM y"}
_WEEKDAY = re.compile(r"E+|c+")


def format_day(value: dt.date, *, with_year: bool = True) -> str:
    """Return a day with its weekday's and month's full names in the reader's language:
    "Friday 5 February 2027" (GOV.UK's way, with no comma), "piątek, 5 lutego 2027"."""
    reader = locale()
    if reader.language == "en":
        pattern = _ENGLISH_DAYS[with_year]
    else:
        # The locale's own order for a day and month (with the year), its weekday in full.
        found = reader.datetime_skeletons.get("yMMMMEd" if with_year else "MMMMEd")
        pattern = _WEEKDAY.sub("EEEE", found.pattern) if found else ""
        if not pattern:
            skeleton = "y" * with_year + "MMMMEEEEd"
            return str(_dates.format_skeleton(skeleton, value, locale=reader))
    return _dates.format_date(value, pattern, locale=reader)


def format_time(value: dt.time) -> str:
    """Return a time of day as the reader writes it."""
    return _dates.format_time(value, format="short", locale=locale())


def format_number(value: float) -> str:
    """Return a number with the reader's separators."""
    return _numbers.format_decimal(value, locale=locale())


def weekday_name(
    index: int, width: Literal["abbreviated", "narrow", "short", "wide"] = "wide"
) -> str:
    """Return the name of a weekday, Monday being 0."""
    return str(_dates.get_day_names(width, locale=locale())[index])


def month_name(month: int) -> str:
    """Return the name of a month, January being 1."""
    return str(_dates.get_month_names("wide", locale=locale())[month])
