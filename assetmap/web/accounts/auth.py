"""Signing in and out, CSRF protection, secure session cookies, and role checks for views."""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Request,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from itsdangerous import URLSafeTimedSerializer
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length, ValidationError

from assetmap.domain.i18n import N_
from assetmap.domain.permissions import Actor
from assetmap.domain.users import check_email
from assetmap.domain.vocab import Role
from assetmap.storage import users as user_store
from assetmap.storage.models import User
from assetmap.web import db, nav

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()
F = TypeVar("F", bound=Callable[..., Any])
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Blueprints whose every page adds something: shown only to people with a confirmed address.
ADDING_BLUEPRINTS = frozenset({"adding"})
# What someone who has not yet confirmed their address may still do.
BEFORE_CONFIRMING = frozenset(
    {
        "auth.sign_in_post",
        "auth.sign_out",
        "accounts.sign_up",
        "confirmation.send_again",
        "accounts.reset_request",
        "accounts.reset_password",
        "accounts.delete",
    }
)


class SessionUser:
    """The signed-in user as Flask-Login sees them: a thin wrapper over the stored user."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user: User) -> None:
        self.user = user
        self.id = user.id
        self.role = user.role
        self.email = user.email
        self.display_name = user.display_name
        self.neighbourhoods = user.neighbourhoods
        self.moderates = bool(user.moderates)
        self.confirmed = user.confirmed_at is not None

    def get_id(self) -> str:
        # The id carries a fingerprint of the session epoch and password hash: signing out,
        # a new password or a new role (each raises the epoch), or deleting the account, ends
        # every session the person has, including a copy of the cookie taken before.
        return f"{self.id}:{fingerprint(self.user)}"


def fingerprint(user: User) -> str:
    """Return a short digest of the user's session epoch, password hash and address."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    material = f"{user.session_epoch or 0}|{user.password_hash or ''}|{user.email}".encode()
    return hmac.new(secret, material, hashlib.sha256).hexdigest()[:16]


def actor() -> Actor | None:
    """Return the signed-in user for permission checks, or None for a visitor."""
    return current_user if current_user.is_authenticated else None  # type: ignore[return-value]


def role_required(*roles: Role) -> Callable[[F], F]:
    """Let a view answer only users holding one of ``roles``; others get 403."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403, _("Your role does not allow this."))
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def requires(rule: Callable[[Actor | None], bool]) -> Callable[[F], F]:
    """Let a view answer only users the permission ``rule`` allows; others get 403.

    A visitor is sent to sign in first where the rule needs someone signed in.
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = actor()
            if not rule(user):
                if user is None:
                    return login_manager.unauthorized()
                abort(403, _("Your role does not allow this."))
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def email_address(form: FlaskForm, field: Any) -> None:
    """Check an email field with the domain's rule, and keep the cleaned address."""
    try:
        field.data = check_email(field.data or "")
    except ValueError:
        raise ValidationError(_("Enter an email address like name@example.org")) from None


class SignInForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Enter your email address")), email_address],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Enter your password")),
            Length(max=200, message=_l("Your password must be 200 characters or fewer")),
        ],
    )


@bp.get("/sign-in")
def sign_in() -> str:
    """Show the sign-in form."""
    return render_template("auth/sign_in.html", form=SignInForm())


@bp.post("/sign-in")
def sign_in_post() -> str | Response:
    """Sign a person in, or show the form again with what went wrong."""
    form = SignInForm()
    if form.validate():
        user = user_store.authenticate(db.session(), form.email.data, form.password.data)
        if user is not None:
            login_user(SessionUser(user))
            flash(_("You are signed in."))
            return redirect(_safe_next(request) or url_for("pages.index"))
        form.email.errors = [_("The email address or password is not right")]
    return render_template("auth/sign_in.html", form=form), 400  # type: ignore[return-value]


@bp.post("/sign-out")
def sign_out() -> Response:
    """Sign the person out, ending every session they have, here and on other devices."""
    if current_user.is_authenticated:
        user_store.end_sessions(current_user.user)
        db.session().commit()
    logout_user()
    flash(_("You are signed out."))
    return redirect(url_for("pages.index"))


def _safe_next(req: Request) -> str | None:
    target = req.args.get("next", "")
    parts = urlsplit(target)
    return target if target.startswith("/") and not parts.netloc and not parts.scheme else None


class _SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS, and build the
    cookie's signer once per set of keys rather than once per request, as Flask does.

    Paths under a stateless prefix (the token-authenticated API) get no cookie session: it is
    neither read nor written for them, so a browser's cookie never acts on the API.
    """

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer] = {}
        self.stateless_prefixes: tuple[str, ...] = ()

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(self.stateless_prefixes):
            return None  # Flask then gives the request a null session, which refuses writes
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (bool(request) and request.is_secure)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys not in self._serializers:
            serializer = super().get_signing_serializer(app)
            if serializer is None:
                return None
            self._serializers[keys] = serializer
        return self._serializers[keys]


@login_manager.user_loader
def _load_user(session_id: str) -> SessionUser | None:
    user_id, _, print_ = session_id.partition(":")
    user = user_store.get_user(db.session(), int(user_id)) if user_id.isdigit() else None
    if user is None or not hmac.compare_digest(print_, fingerprint(user)):
        return None
    return SessionUser(user)


def _confirmed_first() -> str | tuple[str, int] | None:
    """Refuse writes (and the pages that add) until a person who signed up confirms their
    address, saying so and offering to send the link again."""
    if request.method not in WRITES and request.blueprint not in ADDING_BLUEPRINTS:
        return None
    if request.endpoint in BEFORE_CONFIRMING or not current_user.is_authenticated:
        return None
    if current_user.confirmed:
        return None
    return render_template("accounts/confirm_first.html"), 403


def stateless(app: Flask, prefix: str) -> None:
    """Serve the paths under ``prefix`` without the cookie session."""
    interface = app.session_interface
    assert isinstance(interface, _SessionInterface), "call auth.init_app first"
    interface.stateless_prefixes += (prefix,)


def init_app(app: Flask) -> None:
    """Set up sessions, CSRF protection and the sign-in pages."""
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.session_interface = _SessionInterface()
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = N_("You need to sign in to see that page.")
    login_manager.localize_callback = _
    login_manager.login_message_category = "info"
    login_manager.init_app(app)
    csrf.init_app(app)
    app.before_request(_confirmed_first)
    app.register_blueprint(bp)
    nav.add_link(
        app, "auth.sign_in", _l("Sign in"), order=90, show=lambda u: not u.is_authenticated
    )
