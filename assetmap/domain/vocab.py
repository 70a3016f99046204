"""The controlled vocabularies assetmap speaks: kinds, themes, roles and statuses.

Each value's label is how a person reads it, in their language (``lazy``: a label is
translated each time it is read); the values themselves stay English and technical.
"""

from __future__ import annotations

import enum
from typing import Any

from assetmap.domain.i18n import lazy


class Kind(enum.StrEnum):
    """What sort of strength an asset is."""

    SKILL = "skill"
    GROUP = "group"
    SPACE = "space"

    @property
    def label(self) -> str:
        """Return the kind as a person reads it: "Skill"."""
        return str(KIND_LABELS[self])

    @property
    def plural_label(self) -> str:
        """Return the kind's plural as a person reads it: "Skills"."""
        return str(KIND_PLURALS[self])


class Theme(enum.StrEnum):
    """The small set of themes every asset is filed under (free tags add the rest)."""

    FOOD = "food"
    SPORT = "sport"
    ARTS = "arts"
    LEARNING = "learning"
    CARE = "care"
    ENVIRONMENT = "environment"
    DIGITAL = "digital"
    LANGUAGES = "languages"
    FAITH = "faith"
    CHILDREN_YOUNG_PEOPLE = "children-young-people"
    OLDER_PEOPLE = "older-people"
    HEALTH = "health"

    @property
    def label(self) -> str:
        """Return the theme as a person reads it, in their language."""
        return str(THEME_LABELS[self])

    @property
    def english(self) -> str:
        """Return the theme's label in English, as files and other registers name it."""
        return str(THEME_LABELS[self].english)


KIND_LABELS: dict[Kind, Any] = {
    Kind.SKILL: lazy("Skill"),
    Kind.GROUP: lazy("Group"),
    Kind.SPACE: lazy("Space"),
}
KIND_PLURALS: dict[Kind, Any] = {
    Kind.SKILL: lazy("Skills"),
    Kind.GROUP: lazy("Groups"),
    Kind.SPACE: lazy("Spaces"),
}
THEME_LABELS: dict[Theme, Any] = {
    Theme.FOOD: lazy("Food"),
    Theme.SPORT: lazy("Sport"),
    Theme.ARTS: lazy("Arts"),
    Theme.LEARNING: lazy("Learning"),
    Theme.CARE: lazy("Care"),
    Theme.ENVIRONMENT: lazy("Environment"),
    Theme.DIGITAL: lazy("Digital"),
    Theme.LANGUAGES: lazy("Languages"),
    Theme.FAITH: lazy("Faith"),
    Theme.CHILDREN_YOUNG_PEOPLE: lazy("Children and young people"),
    Theme.OLDER_PEOPLE: lazy("Older people"),
    Theme.HEALTH: lazy("Health and wellbeing"),
}


class ShareMode(enum.StrEnum):
    """How a person shares a skill."""

    TEACH = "teach"
    LEND = "lend"
    DO = "do"
    TALK = "talk"

    @property
    def label(self) -> str:
        """Return how a person shares the skill, as they read it: "Teach it"."""
        return str(SHARE_MODE_LABELS[self])


SHARE_MODE_LABELS: dict[ShareMode, Any] = {
    ShareMode.TEACH: lazy("Teach it"),
    ShareMode.LEND: lazy("Lend things"),
    ShareMode.DO: lazy("Do it for others"),
    ShareMode.TALK: lazy("Talk about it and give advice"),
}


class Status(enum.StrEnum):
    """Where an asset stands: public, hidden by a moderator, or withdrawn by its owner."""

    PUBLISHED = "published"
    HIDDEN = "hidden"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        """Return where the strength stands, as a person reads it: "Published"."""
        return str(STATUS_LABELS[self])


STATUS_LABELS: dict[Status, Any] = {
    Status.PUBLISHED: lazy("Published"),
    Status.HIDDEN: lazy("Hidden"),
    Status.WITHDRAWN: lazy("Withdrawn"),
}


class Role(enum.StrEnum):
    """What a user does in assetmap."""

    RESIDENT = "resident"
    COACH = "coach"
    PLANNER = "planner"
    ADMIN = "admin"


class Action(enum.StrEnum):
    """What a revision records."""

    CREATE = "create"
    UPDATE = "update"
    CONFIRM = "confirm"
    WITHDRAW = "withdraw"
    HIDE = "hide"
    RESTORE = "restore"

    @property
    def label(self) -> str:
        """Return what a revision did, as a strength's history says it: "Added"."""
        return str(ACTION_LABELS[self])


ACTION_LABELS: dict[Action, Any] = {
    Action.CREATE: lazy("Added"),
    Action.UPDATE: lazy("Changed"),
    Action.CONFIRM: lazy("Confirmed as current"),
    Action.HIDE: lazy("Hidden"),
    Action.RESTORE: lazy("Shown again"),
    Action.WITHDRAW: lazy("Withdrawn"),
}
