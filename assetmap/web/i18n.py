"""The languages pages speak: which one a visitor reads, and the switcher that changes it.

A visitor reads the language they chose with the switcher (kept in their account when signed
in, and in a cookie either way), else the best their browser asks for (``Accept-Language``),
else British English. What people write is never translated: it keeps the language it was
written in, which pages mark with ``lang``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from babel import Locale
from flask import Blueprint, Flask, has_request_context, redirect, request
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user
from werkzeug.wrappers import Response

from assetmap.domain import i18n as domain_i18n
from assetmap.web import db

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
COOKIE = "assetmap_language"
COOKIE_MAX_AGE_S = 365 * 24 * 3600


@dataclass(frozen=True)
class Language:
    """A language the pages are offered in."""

    code: str  # The catalogue's name and the switcher's value: "cy".
    tag: str  # The BCP 47 tag pages carry in ``lang``: "en-GB".
    name: str  # The language's name in itself: "Cymraeg".
    rtl: bool = False

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.tag, sep="-")


LANGUAGES: dict[str, Language] = {
    language.code: language
    for language in (
        Language("en", "en-GB", "English"),
        Language("cy", "cy", "Cymraeg"),
        Language("pl", "pl", "Polski"),
        Language("ur", "ur", "اردو", rtl=True),
    )
}
DEFAULT = "en"

bp = Blueprint("language", __name__)


def language_code(value: object) -> str | None:
    """Return the code of a shipped language from a code or tag ("en-GB", "cy"), else None."""
    if not isinstance(value, str):
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


def chosen_code() -> str:
    """Return the code of the language this request reads: the person's choice, kept in their
    account or a cookie, else their browser's best match, else English."""
    if current_user and current_user.is_authenticated:
        kept = language_code(current_user.user.language)
        if kept:
            return kept
    kept = language_code(request.cookies.get(COOKIE))
    if kept:
        return kept
    tags = [language.tag for language in LANGUAGES.values()] + list(LANGUAGES)
    best = request.accept_languages.best_match(tags)
    return language_code(best) or DEFAULT


def current_language() -> Language:
    """Return the language the current page is in."""
    locale = get_locale()
    return LANGUAGES.get(locale.language if locale else DEFAULT, LANGUAGES[DEFAULT])


def _select_locale() -> str:
    # Outside a request (a command, a job, a test's app context) there is no reader: English.
    code = chosen_code() if has_request_context() else DEFAULT
    return str(LANGUAGES[code].locale)


def _local(target: str | None) -> str:
    if not target:
        return "/"
    parts = urlsplit(target)
    return target if target.startswith("/") and not parts.netloc and not parts.scheme else "/"


@bp.post("/language")
def choose() -> Response:
    """Remember the language chosen with the switcher, then go back to the page it was on."""
    code = language_code(request.form.get("language"))
    response = redirect(_local(request.form.get("next")), code=303)
    if code is None:
        return response
    response.set_cookie(
        COOKIE,
        code,
        max_age=COOKIE_MAX_AGE_S,
        samesite="Lax",
        secure=request.is_secure,
        httponly=True,
    )
    if current_user.is_authenticated:
        current_user.user.language = code
        db.session().commit()
    return response


def init_app(app: Flask) -> None:
    """Translate pages into the visitor's language, and offer the switcher."""
    Babel(
        app,
        locale_selector=_select_locale,
        default_translation_directories=str(TRANSLATIONS),
        default_locale="en_GB",
        default_timezone="Europe/London",
    )
    domain_i18n.install(get_translations, get_locale)
    app.register_blueprint(bp)

    @app.context_processor
    def languages() -> dict[str, object]:
        return {"languages": LANGUAGES.values(), "page_language": current_language()}
