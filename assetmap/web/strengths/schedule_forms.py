"""The form for one session of a group, or one set of a space's opening hours.

Every rule about a schedule lives in ``domain.schedules.validate_schedule``: this form collects
what was typed, asks the domain, and puts each reason beside the field it names, in the words
GOV.UK forms use ("Enter a start time, such as 19:30").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from assetmap.domain.schedules import WEEKS_OF_MONTH, Frequency, Schedule, Weekday
from assetmap.domain.text import clean_text


def frequencies() -> list[tuple[str, str]]:
    """Return how often a session may come round, in the reader's language."""
    return [(frequency.value, frequency.label) for frequency in Frequency]


def weekdays() -> list[tuple[str, str]]:
    """Return the days of the week, named by Babel in the reader's language."""
    return [(day.value, day.label) for day in Weekday]


def weeks() -> list[tuple[str, str]]:
    """Return the weeks of the month, in the reader's language."""
    return [(str(week), str(label)) for week, label in WEEKS_OF_MONTH.items()]


# What each field is called where a reason needs its name: "The last date must be ...".
NAMES = {
    "frequency": _l("How often"),
    "weekdays": _l("The days"),
    "weekday": _l("The day"),
    "week_of_month": _l("The week of the month"),
    "day_of_month": _l("The day of the month"),
    "start_time": _l("The start time"),
    "end_time": _l("The end time"),
    "starts_on": _l("The first date"),
    "ends_on": _l("The last date"),
    "cancelled": _l("The cancelled dates"),
    "note": _l("The note"),
}
# A date typed the British way, "25/12/2026", read as the ISO date the domain reads.
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def _choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def reworded(field: str, reason: str) -> str:
    """Return the domain's reason a field was refused as GOV.UK's error messages say it."""
    english = str(getattr(reason, "english", reason))
    reason = re.sub(r"(?<!,) such as ", ", such as ", reason.strip())
    if english.startswith(("must", "is ", "can")):
        name = NAMES.get(field, field.replace("_", " ").capitalize())
        return _("%(field)s %(reason)s", field=name, reason=reason)
    return reason[:1].upper() + reason[1:]


def iso_date(text: str) -> str:
    """Return a typed date as ISO where it was typed day first ("25/12/2026"), else as typed."""
    found = _DAY_MONTH_YEAR.match(text.strip())
    if found is None:
        return text.strip()
    day, month, year = found.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


class SessionForm(FlaskForm):  # type: ignore[misc]
    """When one session happens: how often, which days, what time, from and until when."""

    frequency = RadioField(_l("How often does it happen?"), validate_choice=False)
    weekdays = SelectMultipleField(
        _l("Which days?"),
        validate_choice=False,
        description=_l("Choose every day it happens."),
    )
    week_of_month = SelectField(_l("Which week of the month?"), validate_choice=False)
    weekday = SelectField(_l("Which day of the week?"), validate_choice=False)
    day_of_month = StringField(
        _l("Which day of the month?"),
        description=_l("A number from 1 to 31. In a month without that day, there is no session."),
    )
    start_time = StringField(_l("Start time"), description=_l("For example, 19:30"))
    end_time = StringField(_l("End time (optional)"), description=_l("For example, 21:00"))
    starts_on = StringField(
        _l("First date (optional)"),
        description=_l(
            "Leave it empty to start today. Every other week counts from the first "
            "session on or after this date."
        ),
    )
    ends_on = StringField(
        _l("Last date (optional)"), description=_l("Leave it empty if it carries on.")
    )
    cancelled = TextAreaField(
        _l("Dates it is not happening (optional)"),
        description=_l("One date on each line, such as 2026-12-25 or 25/12/2026."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices are named in the reader's language, so each form makes its own.
        self.options = {"frequency": frequencies(), "weekdays": weekdays()}
        self.week_of_month.choices = _choices([("", _("Choose a week")), *weeks()])
        self.weekday.choices = _choices([("", _("Choose a day")), *weekdays()])

    @classmethod
    def filled(cls, schedule: Schedule) -> SessionForm:
        """Return the form showing a stored schedule."""
        values = schedule.as_dict()
        monthly = schedule.frequency is Frequency.MONTHLY_BY_WEEKDAY
        data = {
            "frequency": values["frequency"],
            "weekdays": [] if monthly else values["weekdays"],
            "weekday": values["weekdays"][0] if monthly else "",
            "week_of_month": str(values["week_of_month"] or ""),
            "day_of_month": str(values["day_of_month"] or ""),
            "start_time": values["start_time"],
            "end_time": values["end_time"] or "",
            "starts_on": values["starts_on"],
            "ends_on": values["ends_on"] or "",
            "cancelled": "\n".join(values["cancelled"]),
        }
        return cls(formdata=None, data=data)

    def raw(self) -> dict[str, Any]:
        """Return what was typed as the loose values ``validate_schedule`` reads."""
        monthly = self.frequency.data == Frequency.MONTHLY_BY_WEEKDAY.value
        return {
            "frequency": self.frequency.data or "",
            "weekdays": self._days(monthly),
            "week_of_month": self.week_of_month.data or "",
            "day_of_month": self.day_of_month.data or "",
            "start_time": self.start_time.data or "",
            "end_time": self.end_time.data or "",
            "starts_on": iso_date(self.starts_on.data or ""),
            "ends_on": iso_date(self.ends_on.data or ""),
            "cancelled": [iso_date(line) for line in self.cancelled_lines()],
        }

    def _days(self, monthly: bool) -> list[str]:
        if monthly:
            return [self.weekday.data] if self.weekday.data else []
        return list(self.weekdays.data or [])

    def cancelled_lines(self) -> list[str]:
        """Return the cancelled dates typed, one a line, commas taken as line breaks."""
        text = (self.cancelled.data or "").replace(",", "\n")
        return [line.strip() for line in text.splitlines() if line.strip()]

    def reject(self, errors: Mapping[str, str]) -> None:
        """Put each of the domain's reasons beside the field it names, in GOV.UK's words."""
        monthly = self.frequency.data == Frequency.MONTHLY_BY_WEEKDAY.value
        for name, reason in errors.items():
            target = "weekday" if name == "weekdays" and monthly else name
            message = reworded(target, reason)
            if target == "weekday":
                message = _("Choose which day of the week")
            if name == "cancelled":
                message = self._cancelled_message(message)
            field = self._fields.get(target) or self.frequency
            field.errors = [*field.errors, message]

    def _cancelled_message(self, message: str) -> str:
        """Name the first cancelled date that is not a date, where one is not."""
        for line in self.cancelled_lines():
            try:
                dt.date.fromisoformat(iso_date(line))
            except ValueError:
                return _(
                    "“%(line)s” is not a date: enter each date like 2026-12-25", line=line[:40]
                )
        return message


class NoteForm(FlaskForm):  # type: ignore[misc]
    """The free-text note beside the sessions: what a schedule cannot say."""

    note = TextAreaField(
        _l("Anything else people should know about times (optional)"),
        description=_l("For example: term time only, or ring ahead in the school holidays."),
    )

    def cleaned(self, limit: int) -> str | None:
        """Return the note tidied, or None after putting the reason beside it."""
        try:
            return clean_text(self.note.data or "", limit)
        except ValueError as exc:
            self.note.errors = [*self.note.errors, reworded("note", str(exc))]
            return None
