"""Confirming an email address: the link mailed at sign-up, and sending it again.

Someone who signs up can sign in at once, but adds nothing until they follow the link, which
shows the address is theirs. The link is signed with the app's secret, names the account and
the address, and lasts three days.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from assetmap import mail
from assetmap.runtime.links import external_url
from assetmap.storage import users as user_store
from assetmap.storage.models import User
from assetmap.web import db

bp = Blueprint("confirmation", __name__)
CONFIRM_MAX_AGE_S = 3 * 24 * 3600
Page = str | tuple[str, int] | Response


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="assetmap.confirm-email")


def confirmation_token(user: User) -> str:
    """Return a token that confirms this user's address for as long as it stays theirs."""
    return str(_serializer().dumps({"user": user.id, "email": user.email}))


def user_for_token(token: str, max_age_s: int = CONFIRM_MAX_AGE_S) -> User | None:
    """Return the user a confirmation token is for, or None if it is changed or old."""
    try:
        payload = _serializer().loads(token, max_age=max_age_s)
    except BadSignature:
        return None
    user_id = payload.get("user") if isinstance(payload, dict) else None
    user = user_store.get_user(db.session(), user_id) if isinstance(user_id, int) else None
    if user is None or user.email != payload.get("email"):
        return None
    return user


def send_link(user: User) -> None:
    """Mail the person a link that confirms their address, once this answer has gone."""
    link = external_url("confirmation.confirm", token=confirmation_token(user))
    mail.send_to(
        user,
        _l("Confirm your email address for assetmap"),
        "accounts/confirm_email.txt",
        acting=True,
        link=link,
        days=CONFIRM_MAX_AGE_S // 86400,
    )


@bp.get("/confirm-email/<token>")
def confirm(token: str) -> Page:
    """Confirm the address a link was mailed to, and go on to sign in or to the person's
    strengths."""
    user = user_for_token(token)
    if user is None:
        return render_template("accounts/confirm_invalid.html"), 400
    user_store.confirm_email(user)
    db.session().commit()
    if current_user.is_authenticated and current_user.id == user.id:
        flash(_("Your email address is confirmed. You can add your strengths now."))
        return redirect(url_for("strengths.mine"))
    flash(_("Your email address is confirmed. Sign in to add your strengths."))
    return redirect(url_for("auth.sign_in", next=url_for("strengths.mine")))


@bp.post("/confirm-email/send-again")
@login_required
def send_again() -> Response:
    """Mail the signed-in person a new confirmation link."""
    user: User = current_user.user
    if user.confirmed_at is not None:
        flash(_("Your email address is already confirmed."))
    else:
        send_link(user)
        flash(_("We have sent a new link to %(email)s. It works for 3 days.", email=user.email))
    return redirect(url_for("accounts.account"))


def init_app(app: Flask) -> None:
    """Register the confirmation pages."""
    app.register_blueprint(bp)
