"""Reports and moderation: what a report may say, and the reasons moderators give."""

from __future__ import annotations

import enum

REASON_MAX = 2000


class Problem(enum.StrEnum):
    """What a person reporting a strength says is wrong with it."""

    WRONG = "wrong"
    OUT_OF_DATE = "out-of-date"
    ABUSIVE = "abusive"

    @property
    def label(self) -> str:
        """Return the problem as a person reads it."""
        return {"wrong": "Wrong", "out-of-date": "Out of date", "abusive": "Abusive"}[self.value]


class Outcome(enum.StrEnum):
    """How a report was closed."""

    HIDDEN = "hidden"
    DISMISSED = "dismissed"


def check_reason(text: str | None, what: str = "reason") -> str:
    """Return a reason trimmed, or raise ValueError saying what is wrong with it."""
    text = (text or "").strip()
    if not text:
        raise ValueError(f"give a {what}")
    if len(text) > REASON_MAX:
        raise ValueError(f"must be at most {REASON_MAX} characters, got {len(text)}")
    return text
