"""The site's main navigation, which each blueprint adds its own links to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask_login import current_user


@dataclass(frozen=True)
class Link:
    """One navigation link, shown to the users ``show`` accepts."""

    order: int
    endpoint: str
    label: Any  # Text, or a lazy translation read as text when shown.
    show: Callable[[Any], bool]


def everyone(_user: Any) -> bool:
    """Show a link to every visitor."""
    return True


def add_link(
    app: Flask, endpoint: str, label: Any, *, order: int, show: Callable[[Any], bool] = everyone
) -> None:
    """Add a link to the main navigation."""
    links: list[Link] = app.extensions.setdefault("assetmap.nav", [])
    links.append(Link(order, endpoint, label, show))
    links.sort(key=lambda link: link.order)


# The links about the visitor's own account: the header holds them, beside signing out, so
# the main navigation fits on one line.
ACCOUNT_ENDPOINTS = frozenset(
    {"auth.sign_in", "accounts.sign_up", "accounts.account", "tokens.index"}
)


def init_app(app: Flask) -> None:
    """Offer ``nav_links(area)`` to templates: the links of the ``main`` navigation, or of the
    ``account`` one, that the current user may see."""

    def nav_links(area: str = "main") -> list[tuple[str, str]]:
        if area not in ("main", "account"):
            raise ValueError(f"area must be main or account, got {area!r}")
        links: list[Link] = app.extensions.get("assetmap.nav", [])
        return [
            (link.endpoint, str(link.label))
            for link in links
            if (link.endpoint in ACCOUNT_ENDPOINTS) == (area == "account")
            and link.show(current_user)
        ]

    app.jinja_env.globals["nav_links"] = nav_links
