"""A person's account: signing up, resetting a forgotten password, their data, and deleting it.

Mail goes once the answer has gone, and the answers to sign-up and reset are the same whether
or not an address has an account, so neither page tells anyone who has one.

A reset link is signed with the app's secret, lasts an hour, and carries a digest of the
password hash it was sent for: once the password changes, every link sent before dies.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import urlsplit

import orjson
from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response as Redirect
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, ValidationError

from assetmap import mail
from assetmap.domain import passwords
from assetmap.domain.errors import ValidationError as Refused
from assetmap.domain.users import DISPLAY_NAME_MAX
from assetmap.runtime.links import external_url
from assetmap.storage import accounts as account_store
from assetmap.storage import tokens as token_store
from assetmap.storage import users as user_store
from assetmap.storage.models import User
from assetmap.storage.neighbourhoods import neighbourhood_choices
from assetmap.web import db, i18n, nav
from assetmap.web.accounts import confirmation
from assetmap.web.accounts.auth import email_address

bp = Blueprint("accounts", __name__)
RESET_MAX_AGE_S = 3600
Page = str | tuple[str, int] | Redirect


def password_rule(form: FlaskForm, field: Any) -> None:
    """Check a new password with the storage layer's rule."""
    password = field.data or ""
    try:
        user_store.check_password(password)
    except ValueError:
        if len(password) < user_store.PASSWORD_MIN:
            message = _(
                "Your password must be at least %(least)d characters", least=user_store.PASSWORD_MIN
            )
        else:
            message = _(
                "Your password must be at most %(most)d characters", most=user_store.PASSWORD_MAX
            )
        raise ValidationError(message) from None


class SignUpForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Enter your email address")), email_address],
    )
    display_name = StringField(_l("Your name (optional)"))
    password = PasswordField(
        _l("Create a password"), validators=[DataRequired(_l("Create a password")), password_rule]
    )
    password_again = PasswordField(
        _l("Type the password again"),
        validators=[
            DataRequired(_l("Type the password again")),
            EqualTo("password", _l("The two passwords are not the same")),
        ],
    )


class ResetRequestForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Enter your email address")), email_address],
    )


class NewPasswordForm(FlaskForm):  # type: ignore[misc]
    password = PasswordField(
        _l("New password"), validators=[DataRequired(_l("Create a password")), password_rule]
    )
    password_again = PasswordField(
        _l("Type the new password again"),
        validators=[
            DataRequired(_l("Type the password again")),
            EqualTo("password", _l("The two passwords are not the same")),
        ],
    )


class DeleteForm(FlaskForm):  # type: ignore[misc]
    password = PasswordField(
        _l("Your password"), validators=[DataRequired(_l("Enter your password"))]
    )


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up() -> Page:
    """Create an account and mail a link to confirm its address, or say what is wrong beside
    the field. The answer is the same whether or not the address already has an account: its
    holder is told by mail instead, so nobody learns from this page who has one."""
    form = SignUpForm()
    if request.method == "GET" or not form.validate():
        status = 200 if request.method == "GET" else 400
        return render_template("accounts/sign_up.html", form=form), status
    session = db.session()
    password_hash = user_store.hash_password(form.password.data)
    try:
        user = user_store.create_user(
            session,
            form.email.data,
            display_name=form.display_name.data or "",
            password_hash=password_hash,
            confirmed=False,
        )
        # The page's language becomes the account's: its pages and mail speak it from now on.
        user.language = i18n.current_language().code
    except Refused as exc:
        session.rollback()
        if set(exc.errors) != {"email"}:
            for name in exc.errors:
                form[name].errors = [_field_error(name)]
            return render_template("accounts/sign_up.html", form=form), 400
        _tell_the_holder(form.email.data)
    else:
        session.commit()
        confirmation.send_link(user)
    next_page = _local(request.args.get("next", "")) or url_for("strengths.mine")
    return render_template("accounts/sign_up_sent.html", email=form.email.data, next=next_page)


def _field_error(name: str) -> str:
    """Return what is wrong with a sign-up field as one whole sentence."""
    if name == "display_name":
        return _("Your name must be at most %(most)d characters", most=DISPLAY_NAME_MAX)
    return _("Enter an email address like name@example.org")


def _tell_the_holder(email: str) -> None:
    """Mail the holder of an address that someone tried to sign up with, offering a reset."""
    user = user_store.get_user_by_email(db.session(), email)
    if user is None:
        return
    mail.send_to(
        user,
        _l("Your assetmap account"),
        "accounts/sign_up_taken_email.txt",
        acting=True,
        sign_in=external_url("auth.sign_in"),
        reset=external_url("accounts.reset_password", token=reset_token(user)),
        hours=RESET_MAX_AGE_S // 3600,
    )


def _local(target: str) -> str | None:
    parts = urlsplit(target)
    return target if target.startswith("/") and not parts.netloc and not parts.scheme else None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="assetmap.password-reset")


def _fingerprint(user: User) -> str:
    """Return a digest of the user's password hash, which changes whenever the password does."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:32]


def reset_token(user: User) -> str:
    """Return a token that resets this user's password until the password next changes."""
    return str(_serializer().dumps({"user": user.id, "password": _fingerprint(user)}))


def user_for_token(token: str, max_age_s: int = RESET_MAX_AGE_S) -> User | None:
    """Return the user a reset token is for, or None if it is changed, old or already used."""
    try:
        payload = _serializer().loads(token, max_age=max_age_s)
    except BadSignature:
        return None
    user = user_store.get_user(db.session(), int(payload.get("user", 0)))
    if user is None or not hmac.compare_digest(str(payload.get("password")), _fingerprint(user)):
        return None
    return user


@bp.route("/reset-password", methods=["GET", "POST"])
def reset_request() -> Page:
    """Send a reset link to an address that has an account; say the same either way."""
    form = ResetRequestForm()
    if request.method == "GET" or not form.validate():
        status = 200 if request.method == "GET" else 400
        return render_template("accounts/reset_request.html", form=form), status
    user = user_store.get_user_by_email(db.session(), form.email.data)
    if user is not None:
        link = external_url("accounts.reset_password", token=reset_token(user))
        mail.send_to(
            user,
            _l("Reset your assetmap password"),
            "accounts/reset_email.txt",
            acting=True,
            link=link,
            hours=RESET_MAX_AGE_S // 3600,
        )
    return render_template("accounts/reset_sent.html", email=form.email.data)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Page:
    """Set a new password from a reset link that is still good, ending every session and
    revoking every API token the person had: whoever knew the old password loses access."""
    user = user_for_token(token)
    if user is None:
        return render_template("accounts/reset_invalid.html"), 400
    form = NewPasswordForm()
    if request.method == "GET" or not form.validate():
        status = 200 if request.method == "GET" else 400
        return render_template("accounts/reset_password.html", form=form), status
    session = db.session()
    user_store.set_password(user, form.password.data)
    user_store.confirm_email(user)  # the link came to the address, so it is theirs
    revoked = token_store.revoke_all(session, user.id)
    session.commit()
    flash(_("Your password is changed. Sign in with it now."))
    if revoked:
        flash(_("Your API tokens no longer work: make new ones on your account's API tokens page."))
    return redirect(url_for("auth.sign_in"))


@bp.get("/account")
@login_required
def account() -> str:
    """Show the person's account and what they can do with it."""
    return _account_page()


def _account_page(error: str | None = None) -> str:
    return render_template(
        "accounts/account.html",
        neighbourhoods=neighbourhood_choices(db.session()),
        home=current_user.user.home_neighbourhood_id,
        home_error=error,
    )


@bp.post("/account/where-you-live")
@login_required
def where_you_live() -> Page:
    """Keep the neighbourhood the person says they live in, or forget it ("not saying"): it
    lets them vote in their area's community fund, and is shown to nobody."""
    chosen = request.form.get("home", "")
    known = {str(key): key for key, _code, _name in neighbourhood_choices(db.session())}
    if chosen and chosen not in known:
        error = _("Choose the neighbourhood you live in from the list, or “Not saying”")
        return _account_page(error), 400
    current_user.user.home_neighbourhood_id = known.get(chosen)
    db.session().commit()
    flash(_("Where you live is saved."))
    return redirect(url_for("accounts.account") + "#where-you-live")


@bp.get("/account/my-data")
@login_required
def my_data() -> Response:
    """Download every record held about the person, as JSON."""
    data = account_store.personal_data(db.session(), current_user.user)
    response = Response(orjson.dumps(data, option=orjson.OPT_INDENT_2), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="assetmap-my-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete() -> Page:
    """Delete the account once the person confirms with their password."""
    form = DeleteForm()
    if request.method == "GET" or not form.validate():
        status = 200 if request.method == "GET" else 400
        return render_template("accounts/delete.html", form=form), status
    user = current_user.user
    if not passwords.password_matches(user.password_hash or "", form.password.data):
        form.password.errors = [_("The password is not right")]
        return render_template("accounts/delete.html", form=form), 400
    session = db.session()
    account_store.delete_account(session, user.id)
    session.commit()
    logout_user()
    flash(_("Your account is deleted, and your strengths are withdrawn."))
    return redirect(url_for("pages.index"))


def init_app(app: Flask) -> None:
    """Register the account pages and their navigation links."""
    app.register_blueprint(bp)
    nav.add_link(app, "accounts.sign_up", _l("Sign up"), order=95, show=_visitor)
    nav.add_link(app, "accounts.account", _l("My account"), order=85, show=_signed_in)


def _visitor(user: Any) -> bool:
    return not user.is_authenticated


def _signed_in(user: Any) -> bool:
    return bool(user.is_authenticated)
