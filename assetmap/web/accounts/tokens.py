"""Personal API tokens: a signed-in person makes, sees once, and revokes their own.

These are cookie-authenticated forms, so unlike the API itself they keep CSRF protection.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from assetmap.domain.errors import ValidationError
from assetmap.storage import tokens as token_store
from assetmap.web import db

bp = Blueprint("tokens", __name__)


class TokenForm(FlaskForm):  # type: ignore[misc]
    name = StringField(
        _l("Token name"),
        validators=[
            DataRequired(_l("Enter a name that says what the token is for")),
            Length(
                max=token_store.NAME_MAX,
                message=_l(
                    "Token name must be %(most)s characters or fewer", most=token_store.NAME_MAX
                ),
            ),
        ],
    )


def _page(form: TokenForm, secret: str | None = None, status: int = 200) -> Response:
    tokens = token_store.list_tokens(db.session(), current_user.id)
    body = render_template("tokens/index.html", form=form, tokens=tokens, secret=secret)
    response = make_response(body, status)
    # The page may hold a new token's secret: no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/account/tokens")
@login_required
def index() -> Response:
    """List the person's tokens and offer to make one."""
    return _page(TokenForm())


@bp.post("/account/tokens")
@login_required
def create() -> Response:
    """Make a token and show it, this once."""
    form = TokenForm()
    if not form.validate():
        return _page(form, status=400)
    session = db.session()
    try:
        made = token_store.create_token(session, current_user.id, form.name.data)
    except ValidationError as exc:
        form.name.errors = [exc.errors.get("name", str(exc))]
        return _page(form, status=400)
    session.commit()
    return _page(TokenForm(formdata=None), secret=made.secret)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Response:
    """Revoke one of the person's tokens."""
    session = db.session()
    if not token_store.revoke_token(session, current_user.id, token_id):
        abort(404, _("You have no token %(id)s.", id=token_id))
    session.commit()
    flash(_("The token is revoked: it no longer works."))
    return redirect(url_for("tokens.index"))  # type: ignore[return-value]


def init_app(app: Flask) -> None:
    """Register the tokens pages, linked from everyone's account page (the menu is kept for
    what people come to do)."""
    app.register_blueprint(bp)
