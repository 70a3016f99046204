"""The controlled vocabularies assetmap speaks: kinds, themes, roles and statuses."""

from __future__ import annotations

import enum


class Kind(enum.StrEnum):
    """What sort of strength an asset is."""

    SKILL = "skill"
    GROUP = "group"
    SPACE = "space"


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
        """Return the theme as a person reads it."""
        return THEME_LABELS[self]


THEME_LABELS: dict[Theme, str] = {
    Theme.FOOD: "Food",
    Theme.SPORT: "Sport",
    Theme.ARTS: "Arts",
    Theme.LEARNING: "Learning",
    Theme.CARE: "Care",
    Theme.ENVIRONMENT: "Environment",
    Theme.DIGITAL: "Digital",
    Theme.LANGUAGES: "Languages",
    Theme.FAITH: "Faith",
    Theme.CHILDREN_YOUNG_PEOPLE: "Children and young people",
    Theme.OLDER_PEOPLE: "Older people",
    Theme.HEALTH: "Health and wellbeing",
}


class ShareMode(enum.StrEnum):
    """How a person shares a skill."""

    TEACH = "teach"
    LEND = "lend"
    DO = "do"
    TALK = "talk"


class Status(enum.StrEnum):
    """Where an asset stands: public, hidden by a moderator, or withdrawn by its owner."""

    PUBLISHED = "published"
    HIDDEN = "hidden"
    WITHDRAWN = "withdrawn"


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
