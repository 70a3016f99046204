"""Reports and moderation: what a report may say, and the reasons moderators give."""

from __future__ import annotations

import enum

from assetmap.domain.i18n import N_, _

REASON_MAX = 2000
# Each problem as a person reads it, translated when shown.
PROBLEM_LABELS = {"wrong": N_("Wrong"), "out-of-date": N_("Out of date"), "abusive": N_("Abusive")}


class Problem(enum.StrEnum):
    """What a person reporting a strength says is wrong with it."""

    WRONG = "wrong"
    OUT_OF_DATE = "out-of-date"
    ABUSIVE = "abusive"

    @property
    def label(self) -> str:
        """Return the problem as a person reads it."""
        return _(PROBLEM_LABELS[self.value])


class Outcome(enum.StrEnum):
    """How a report was closed."""

    HIDDEN = "hidden"
    DISMISSED = "dismissed"


def check_reason(text: str | None, what: str = "reason") -> str:
    """Return a reason trimmed, or raise ValueError saying what is wrong with it."""
    text = (text or "").strip()
    if not text:
        raise ValueError(_("give a reason") if what == "reason" else _("give an answer"))
    if len(text) > REASON_MAX:
        raise ValueError(
            _("must be at most %(most)d characters, got %(got)d", most=REASON_MAX, got=len(text))
        )
    return text
