"""Admins manage roles: each user's role, neighbourhoods and moderation, every change recorded."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import BooleanField, RadioField, SelectChoice, SelectMultipleField

from assetmap.domain.errors import ValidationError
from assetmap.domain.permissions import can_manage_roles
from assetmap.domain.vocab import Role
from assetmap.storage import roles as role_store
from assetmap.storage import users as user_store
from assetmap.storage.models import User
from assetmap.web import db, nav
from assetmap.web.accounts.auth import actor, requires

bp = Blueprint("roles", __name__)
ROLE_LABELS = {
    Role.RESIDENT: _l("Resident"),
    Role.COACH: _l("Coach"),
    Role.PLANNER: _l("Planner"),
    Role.ADMIN: _l("Admin"),
}


class RoleForm(FlaskForm):  # type: ignore[misc]
    role = RadioField(
        _l("Role"), choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]
    )
    neighbourhoods = SelectMultipleField(_l("Limited to these neighbourhoods"), coerce=int)
    moderates = BooleanField(_l("Moderates reports (coaches; admins always do)"))


def _names() -> dict[int, str]:
    return role_store.neighbourhood_names(db.session())


def _neighbourhoods() -> list[SelectChoice]:
    # A neighbourhood's name is data, never translated.
    return [
        SelectChoice(n, Markup('<span translate="no">{}</span>').format(name))
        for n, name in _names().items()
    ]


def area(ids: Iterable[int], names: dict[int, str]) -> str:
    """Return where a user acts, in words: their neighbourhoods by name, or everywhere."""
    listed = sorted(names.get(n) or _("neighbourhood %(id)s", id=n) for n in ids)
    return ", ".join(listed) or _("All")


def describe(changes: dict[str, Any], names: dict[int, str]) -> list[str]:
    """Return a role change as sentences a person reads: each field, from what to what."""
    shown = {
        "role": lambda value: str(ROLE_LABELS[Role(value)]),
        "neighbourhoods": lambda ids: area(ids, names),
        "moderates": lambda value: _("Yes") if value else _("No"),
    }
    said = {
        "role": lambda before, after: _(
            "Role: %(before)s to %(after)s", before=before, after=after
        ),
        "neighbourhoods": lambda before, after: _(
            "Neighbourhoods: %(before)s to %(after)s", before=before, after=after
        ),
        "moderates": lambda before, after: _(
            "Moderates: %(before)s to %(after)s", before=before, after=after
        ),
    }
    return [
        said[name](shown[name](before), shown[name](after))
        for name, (before, after) in changes.items()
        if name in shown
    ]


def _user(user_id: int) -> User:
    user = user_store.get_user(db.session(), user_id)
    if user is None:
        abort(404, _("User %(id)s doesn't exist.", id=user_id))
    return user


@bp.get("/admin/users")
@requires(can_manage_roles)
def index() -> str:
    """List users with their roles, and the latest role changes."""
    session = db.session()
    names = _names()
    changes = [
        (change, describe(change.changes, names)) for change in role_store.role_changes(session)
    ]
    users = role_store.list_users(session)
    return render_template(
        "roles/index.html",
        users=users,
        areas={user.id: area(user.neighbourhoods, names) for user in users},
        changes=changes,
        labels=ROLE_LABELS,
    )


def _form(user: User, formdata: bool) -> RoleForm:
    data = {
        "role": user.role.value,
        "neighbourhoods": sorted(user.neighbourhoods),
        "moderates": bool(user.moderates),
    }
    form = RoleForm(data=data) if formdata else RoleForm(formdata=None, data=data)
    form.neighbourhoods.choices = _neighbourhoods()
    return form


@bp.get("/admin/users/<int:user_id>")
@requires(can_manage_roles)
def edit(user_id: int) -> str:
    """Show the form to change a user's role."""
    user = _user(user_id)
    return render_template("roles/edit.html", user=user, form=_form(user, formdata=False))


@bp.post("/admin/users/<int:user_id>")
@requires(can_manage_roles)
def edit_post(user_id: int) -> Response | tuple[str, int]:
    """Change a user's role, neighbourhoods and moderation, recording the change."""
    user = _user(user_id)
    form = _form(user, formdata=True)
    session = db.session()
    me = actor()
    if form.validate():
        try:
            change = role_store.change_role(
                session,
                user.id,
                role=form.role.data,
                neighbourhoods=form.neighbourhoods.data or [],
                moderates=bool(form.moderates.data),
                by=me.id if me else None,
            )
        except ValidationError as exc:
            session.rollback()
            for name, reason in exc.errors.items():
                target = form._fields.get(name, form.role)
                target.errors = [
                    *target.errors,
                    _("%(field)s: %(reason)s", field=target.label.text, reason=reason),
                ]
        else:
            session.commit()
            if change:
                flash(_("%(email)s: saved.", email=user.email))
            else:
                flash(_("%(email)s: nothing changed.", email=user.email))
            return redirect(url_for(".index"))
    return render_template("roles/edit.html", user=user, form=form), 400


def init_app(app: Flask) -> None:
    """Register the roles pages and their navigation link."""
    app.register_blueprint(bp)
    nav.add_link(
        app,
        "roles.index",
        _l("Users"),
        order=80,
        show=lambda u: bool(u.is_authenticated) and can_manage_roles(u),
    )
