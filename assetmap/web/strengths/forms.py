"""Forms for adding and changing a strength.

Every rule about a strength lives in ``domain.assets.validate_asset``: these forms only collect
what was typed, ask the domain, and put each reason it gives beside the field it names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from assetmap.domain.area import Area
from assetmap.domain.assets import DEFAULT_LANGUAGE, KIND_FIELDS, language_tag, validate_asset
from assetmap.domain.errors import ValidationError
from assetmap.domain.fields import FIELDS, Field, names_of
from assetmap.domain.geo import check_lon_lat
from assetmap.domain.limits import THEMES_MAX
from assetmap.domain.places import Geocoder, Place
from assetmap.domain.vocab import Kind, ShareMode, Theme
from assetmap.web.i18n import current_language
from assetmap.web.wording import plain

KIND_CHOICES = (
    (
        Kind.SKILL.value,
        _l("A skill"),
        _l("Something you can teach, lend, do for others or talk about"),
    ),
    (Kind.GROUP.value, _l("A group"), _l("A club, association or informal group you run")),
    (Kind.SPACE.value, _l("A space"), _l("A hall, room, garden or park you look after")),
)
KIND_HINTS = {value: hint for value, _label, hint in KIND_CHOICES}
TITLE_LABELS = {
    Kind.SKILL: _l("What is your skill?"),
    Kind.GROUP: _l("What is the group called?"),
    Kind.SPACE: _l("What is the space called?"),
}
# A strength's name is asked, with its hint, in the words of its kind.
TITLE_HINTS = {
    Kind.SKILL: _l("For example: bike repairs, conversational Polish, sourdough baking."),
    Kind.GROUP: _l("The name people know it by."),
    Kind.SPACE: _l("The name people know it by."),
}
SHARE_MODE_LABELS = {
    ShareMode.TEACH: _l("Teach it"),
    ShareMode.LEND: _l("Lend things"),
    ShareMode.DO: _l("Do it for others"),
    ShareMode.TALK: _l("Talk about it and give advice"),
}
# The languages a strength is most often written in, in Britain, each named in itself (so a
# reader finds their own whatever language the page is in), then any other by its tag.
WRITTEN_IN = (
    ("en-GB", "English"),
    ("cy", "Cymraeg"),
    ("pl", "Polski"),
    ("ur", "اردو"),
    ("pa", "ਪੰਜਾਬੀ"),
    ("bn", "বাংলা"),
    ("gu", "ગુજરાતી"),
    ("ar", "العربية"),
    ("so", "Soomaali"),
    ("ro", "Română"),
    ("pt", "Português"),
    ("es", "Español"),
    ("fr", "Français"),
    ("lt", "Lietuvių"),
    ("zh", "中文"),
)
WRITTEN_IN_TAGS = frozenset(tag for tag, _name in WRITTEN_IN)
ANOTHER_LANGUAGE = "other"
COMMON_FIELDS = ("title", "description", "themes", "tags", "accessibility", "contact")
# Fields any kind may have that the form asks of one kind only, after that kind's own fields.
ASKED_OF = {Kind.SKILL: ("availability",)}
# Names used in error messages, where a field's label is a question.
NAMES = {field.name: _l(field.label) for field in FIELDS if field.entered} | {
    "location": _l("The place")
}
_VERBS = ("must", "is ", "does", "cannot", "can't")


def message(field: str, reason: str) -> str:
    """Return the domain's ``reason`` a field was refused as a sentence a person reads."""
    english = getattr(reason, "english", reason)
    reason = plain(reason)
    if english.startswith(_VERBS):
        name = NAMES.get(field, field.replace("_", " ").capitalize())
        return _("%(field)s %(reason)s", field=name, reason=reason)
    return reason[:1].upper() + reason[1:]


def domain_errors(
    raw: Mapping[str, Any], fields: Iterable[str], area: Area | None = None
) -> dict[str, str]:
    """Return what the domain refuses in ``raw``, for ``fields`` only (other steps ask the rest)."""
    try:
        validate_asset(raw, area=area)
    except ValidationError as exc:
        wanted = set(fields)
        return {name: reason for name, reason in exc.errors.items() if name in wanted}
    return {}


class StepForm(FlaskForm):  # type: ignore[misc]
    """A form whose fields are named as the domain names them.

    ``options`` holds the choices of checkbox and radio fields, which templates render; the
    fields themselves leave every check, the choices too, to the domain.
    """

    options: dict[str, list[tuple[str, str]]] = {}

    def reject(self, errors: Mapping[str, str], *, onto: Mapping[str, str] | None = None) -> None:
        """Put each reason beside its field; ``onto`` redirects a field's reason to another."""
        for name, reason in errors.items():
            target = (onto or {}).get(name, name)
            field = self._fields.get(target)
            if field is not None:
                field.errors = [*field.errors, message(name, reason)]


class KindForm(StepForm):
    options = {"kind": [(value, label) for value, label, _ in KIND_CHOICES]}
    kind = RadioField(_l("What would you like to add?"), validate_choice=False)

    def validate(self, extra_validators: Any = None) -> bool:
        """Check the CSRF token, then ask the domain whether this is a kind of strength."""
        valid = super().validate(extra_validators)
        chosen = self.kind.data or ""
        errors = domain_errors({"kind": chosen}, ["kind"])
        if not chosen:
            errors = {"kind": _("Choose a skill, a group or a space")}
        self.reject(errors)
        return valid and not errors


class StrengthForm(StepForm):
    """What a person says of a strength, for the fields its kind has."""

    # Another language than those listed, by its tag.
    language_other = StringField(
        _l("If you chose another language: its language tag"),
        description=_l("For example: sco for Scots, ti for Tigrinya or pt-BR."),
    )

    def __init__(self, kind: Kind, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        # Choices are named in the reader's language, so each form makes its own.
        self.options = {
            "themes": [(theme.value, theme.label) for theme in Theme],
            "share_modes": [(mode.value, label) for mode, label in SHARE_MODE_LABELS.items()],
            "welcomes_new_members": [("yes", _l("Yes")), ("no", _l("Not at the moment"))],
        }
        self.title.label.text = TITLE_LABELS[kind]
        self.title.description = TITLE_HINTS[kind]
        self.language.choices = [
            *WRITTEN_IN,
            (ANOTHER_LANGUAGE, _("Another language")),
        ]
        if not self.language.data:
            # A new strength is most likely written in the language the page is in.
            self.language.data = current_language().tag

    @classmethod
    def filled(cls, kind: Kind, values: Mapping[str, Any]) -> StrengthForm:
        """Return the form showing ``values`` (as stored, or as typed earlier), not the request."""
        return cls(kind, formdata=None, data=form_data(values))

    def names(self) -> tuple[str, ...]:
        """Return the domain fields this kind's form asks for, in the order it asks."""
        own = (*sorted(KIND_FIELDS[self.kind]), *ASKED_OF.get(self.kind, ()))
        return (*COMMON_FIELDS[:4], *own, *COMMON_FIELDS[4:], "contact_via_coach", "language")

    def values(self) -> dict[str, Any]:
        """Return what was typed, as loose domain values, for this kind's fields only."""
        values = {name: self[name].data for name in self.names()}
        if values.get("language") == ANOTHER_LANGUAGE:
            values["language"] = (self.language_other.data or "").strip()
        if "welcomes_new_members" in values:
            values["welcomes_new_members"] = values["welcomes_new_members"] or ""
        return {name: "" if value is None else value for name, value in values.items()}

    def validate(self, extra_validators: Any = None) -> bool:
        """Check the CSRF token, then ask the domain about every field on this form."""
        valid = super().validate(extra_validators)
        errors = domain_errors({"kind": self.kind.value, **self.values()}, self.names())
        other = self.language.data == ANOTHER_LANGUAGE
        if other and not (self.language_other.data or "").strip():
            errors["language"] = _("Type the tag of the language it is written in, such as sco")
        self.reject(errors, onto={"language": "language_other"} if other else None)
        return valid and not errors


def form_data(values: Mapping[str, Any]) -> dict[str, Any]:
    """Turn domain values (lists, flags, numbers) into what the form's fields show."""
    data = dict(values)
    for name in _TYPED_LISTS:
        if isinstance(data.get(name), list | tuple):
            data[name] = ", ".join(data[name])
    for name in _NUMBERS & data.keys():
        data[name] = "" if data[name] is None else str(data[name])
    welcome = data.get("welcomes_new_members")
    if isinstance(welcome, bool):
        data["welcomes_new_members"] = "yes" if welcome else "no"
    language = data.get("language")
    if isinstance(language, str) and language:
        data["language"] = _listed(language)
        if data["language"] == ANOTHER_LANGUAGE:
            data["language_other"] = language
    return data


def _listed(tag: str) -> str:
    """Return the listed language a tag is shown as ("en" as English), else another."""
    try:
        tag = language_tag(tag)
    except ValueError:
        return ANOTHER_LANGUAGE
    if tag in WRITTEN_IN_TAGS:
        return tag
    if tag.split("-")[0] == "en" and tag.count("-") <= 1:
        return DEFAULT_LANGUAGE if tag in ("en", DEFAULT_LANGUAGE) else ANOTHER_LANGUAGE
    return ANOTHER_LANGUAGE


def _form_field(field: Field) -> Any:
    """Return the form field asking the table's question of ``field``, its hint beside it."""
    make = _ASKED_WITH.get(field.name, StringField)
    extra: dict[str, Any] = {}
    if make in (SelectMultipleField, RadioField):
        extra = {"validate_choice": False}
    if make is SelectField:
        extra = {"validate_choice": False, "choices": []}
    hint = _l(field.hint, most=THEMES_MAX) if field.hint else ""
    return make(_l(field.question), description=hint, **extra)


# How the form asks a field, where it is not a line of text: lists of choices, yes or no, and
# free text of more than a line.
_ASKED_WITH: dict[str, Any] = {
    "description": TextAreaField,
    "accessibility": TextAreaField,
    "themes": SelectMultipleField,
    "share_modes": SelectMultipleField,
    "welcomes_new_members": RadioField,
    "contact_via_coach": BooleanField,
    "language": SelectField,
}
# Lists typed as text, separated by commas, and whole numbers typed as text.
_TYPED_LISTS = tuple(
    f.name for f in FIELDS if f.type == "list" and f.question and f.name not in _ASKED_WITH
)
_NUMBERS = names_of("int")
for _field in FIELDS:
    if _field.question:
        setattr(StrengthForm, _field.name, _form_field(_field))


class PlaceForm(StepForm):
    """Where a strength is: a pin put on the map, or a place name looked up in the gazetteer."""

    lon = StringField(_l("Longitude"))
    lat = StringField(_l("Latitude"))
    place = StringField(_l("Postcode, street or place name"))
    choice = RadioField(_l("Which place do you mean?"), validate_choice=False)
    looked_up = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = {"choice": []}

    def shown_point(self) -> tuple[float, float] | None:
        """Return the point the form shows, if it is one, to put the pin at."""
        try:
            return check_lon_lat(self.lon.data, self.lat.data)
        except ValueError:
            return None

    def pin(self, kind: Kind, area: Area | None) -> tuple[float, float] | None:
        """Return the pin's point if the domain accepts it, else put its reasons on the form."""
        if not (self.lon.data or "").strip() and not (self.lat.data or "").strip():
            self.lon.errors = [
                _("Put the pin on the map, or type a postcode, street or place name below")
            ]
            return None
        raw = {"kind": kind.value, "lon": self.lon.data, "lat": self.lat.data}
        return self._accepted(raw, area, onto={"location": "lon"})

    def find(
        self, kind: Kind, area: Area | None, geocoder: Geocoder
    ) -> tuple[Place | None, list[Place]]:
        """Look the typed place up: the one place found, or the places to choose between."""
        text = self.place.data or ""
        try:
            places = geocoder.lookup(text)
        except ValueError as exc:
            self.place.errors = [message("place", str(exc))]
            return None, []
        if not places:
            self.place.errors = [
                _(
                    "We could not find “%(place)s”. Check the spelling, "
                    "or try a postcode or a street name",
                    place=text.strip(),
                )
            ]
            return None, []
        if len(places) > 1:
            self.looked_up.data = text
            self.options["choice"] = choices(places)
            return None, places
        return self._place(kind, area, places[0]), []

    def choose(
        self, kind: Kind, area: Area | None, geocoder: Geocoder
    ) -> tuple[Place | None, list[Place]]:
        """Return the place chosen among those the earlier look-up found."""
        try:
            places = geocoder.lookup(self.looked_up.data or "")
        except ValueError:
            places = []
        self.options["choice"] = choices(places)
        index = self.choice.data or ""
        if not index.isdigit() or int(index) >= len(places):
            self.choice.errors = [_("Choose the place you mean")]
            return None, places
        return self._place(kind, area, places[int(index)], "choice"), places

    def _place(
        self, kind: Kind, area: Area | None, place: Place, field: str = "place"
    ) -> Place | None:
        raw = {"kind": kind.value, "lon": place.lon, "lat": place.lat}
        if self._accepted(raw, area, onto=dict.fromkeys(("lon", "lat", "location"), field)):
            return place
        return None

    def _accepted(
        self, raw: Mapping[str, Any], area: Area | None, *, onto: Mapping[str, str]
    ) -> tuple[float, float] | None:
        errors = domain_errors(raw, ("lon", "lat", "location"), area)
        self.reject(errors, onto=onto)
        return None if errors else (float(raw["lon"]), float(raw["lat"]))


def choices(places: Sequence[Place]) -> list[tuple[str, str]]:
    """Return radio choices for places found: the index, and the name and kind shown."""
    return [(str(i), f"{place.name} ({place.kind})") for i, place in enumerate(places)]
