"""Freshness: when a strength's owner is reminded, and when it counts as unconfirmed or stale.

All three are a number of days since the strength was last confirmed as still current.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from assetmap.domain.i18n import _, format_date


@dataclass(frozen=True)
class Freshness:
    """The intervals, in days: remind the owner, show as unconfirmed, hide."""

    remind_days: int
    unconfirmed_days: int
    hide_days: int

    @classmethod
    def from_config(cls, config: Any) -> Freshness:
        """Return the intervals from the app's configuration, checked."""
        values = {
            name: config[option]
            for name, option in (
                ("remind_days", "CONFIRM_REMIND_DAYS"),
                ("unconfirmed_days", "UNCONFIRMED_AFTER_DAYS"),
                ("hide_days", "HIDE_UNCONFIRMED_AFTER_DAYS"),
            )
        }
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    _(
                        "%(name)s must be a whole number of days of 1 or more, got %(got)r",
                        name=name,
                        got=value,
                    )
                )
        return cls(**values)

    def unconfirmed_before(self, today: dt.date) -> dt.date:
        """Return the date a strength confirmed before counts as unconfirmed."""
        return today - dt.timedelta(days=self.unconfirmed_days)

    def remind_before(self, today: dt.date) -> dt.date:
        """Return the date a strength confirmed (or reminded) before is due a reminder."""
        return today - dt.timedelta(days=self.remind_days)

    def hide_before(self, today: dt.date) -> dt.date:
        """Return the date a strength confirmed before is hidden."""
        return today - dt.timedelta(days=self.hide_days)

    def is_unconfirmed(self, last_confirmed: dt.date | str | None, today: dt.date) -> bool:
        """Return whether a strength last confirmed then is shown as unconfirmed today."""
        if last_confirmed is None:
            return True
        if isinstance(last_confirmed, str):
            last_confirmed = dt.date.fromisoformat(last_confirmed[:10])
        return last_confirmed < self.unconfirmed_before(today)


def stale_reason(last_confirmed: dt.date, days: int) -> str:
    """Return the reason a strength hidden for not being confirmed is given.

    It is kept with the revision that hides it, so it reads in the language of whoever (or
    whatever: the daily job reads British English) hid it.
    """
    return _(
        "Not confirmed as still current since %(date)s (over %(days)d days). "
        "Mark it as still current and it is shown again.",
        date=format_date(last_confirmed),
        days=days,
    )
