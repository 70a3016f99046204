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
    label: str
    show: Callable[[Any], bool]


def everyone(_user: Any) -> bool:
    """Show a link to every visitor."""
    return True


def add_link(
    app: Flask, endpoint: str, label: str, *, order: int, show: Callable[[Any], bool] = everyone
) -> None:
    """Add a link to the main navigation."""
    links: list[Link] = app.extensions.setdefault("assetmap.nav", [])
    links.append(Link(order, endpoint, label, show))
    links.sort(key=lambda link: link.order)


def init_app(app: Flask) -> None:
    """Offer ``nav_links()`` to templates: the links the current user may see."""

    def nav_links() -> list[tuple[str, str]]:
        links: list[Link] = app.extensions.get("assetmap.nav", [])
        return [(link.endpoint, link.label) for link in links if link.show(current_user)]

    app.jinja_env.globals["nav_links"] = nav_links
