"""What the framework says itself, in the page's language: error pages (each with a way back to
the person's start page), WTForms' validation messages and CSRF refusals.

WTForms ships catalogs for few of our languages (none for Indonesian, Khmer, Bengali...), so its
messages are kept in our own catalog (FRAMEWORK_TEXTS, extracted like every page string) and
looked up there first; WTForms' catalog is the fallback for a message we do not carry.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import get_translations, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException, NotFound

# WTForms' messages for the validators and fields these pages use (wtforms/validators.py,
# wtforms/fields/*.py), word for word: the catalog is keyed on them.
FRAMEWORK_TEXTS = (
    _l("This field is required."),
    _l("Invalid email address."),
    _l("Invalid input."),
    _l("Not a valid choice."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid date value."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
)
# Length's two plural messages, with the plural forms WTForms asks for.
PLURAL_TEXTS = (
    ("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long."),
    ("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters."),
)
_PLURAL_MARKERS = (
    _l("Field must be at least %(min)d characters long."),
    _l("Field cannot be longer than %(max)d characters."),
)
_PLURAL_BY_SINGULAR = dict(PLURAL_TEXTS)


class PageTranslations:
    """The `translations` object WTForms asks: ours first, then WTForms' own catalog.

    Our catalog holds each plural message once, by its plural form (it reads well for every
    count in languages without plural forms, and after "at least"/"longer than" in the others)."""

    def gettext(self, string: str) -> str:
        from flask_wtf.i18n import translations as wtforms_own

        translated = get_translations().ugettext(string)
        return translated if translated != string else wtforms_own.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        from flask_wtf.i18n import translations as wtforms_own

        if _PLURAL_BY_SINGULAR.get(singular) == plural:
            translated = get_translations().ugettext(plural)
            if translated != plural:
                return translated
        return wtforms_own.ngettext(singular, plural, n)


PAGE_TRANSLATIONS = PageTranslations()


def _forms_speak_the_page_language() -> None:
    from flask_wtf import FlaskForm

    FlaskForm.Meta.get_translations = lambda self, form: PAGE_TRANSLATIONS


def _not_a_page() -> bool:
    """Webhooks and JSON answer for themselves; an error page is for people."""
    return request.path.startswith(("/webhooks/", "/api/", "/healthz", "/readyz"))


class NulCharacter(BadRequest):
    """A NUL character in a page's address, query or form: no person types one, and PostgreSQL
    can neither hold nor compare one (it would be a 500 there). The API's own schemas refuse it
    by name."""

    description = _l("A NUL character (U+0000) is not accepted in an address, a query or a form: "
                     "remove it and send it again.")


def _refuse_nul_characters(app: Flask) -> None:
    """Before any view reads the request; the webhooks read their own payloads (their schemas
    answer for what Twilio may send)."""
    @app.before_request
    def _no_nul() -> None:
        if request.path.startswith("/webhooks/"):
            return
        if request.path.startswith("/api/"):  # its schemas refuse a NUL by name (422)
            if "\x00" in request.path:  # no row's key holds one: there is nothing there
                raise NotFound()
            return
        values = [request.path, *request.args.keys(), *request.args.values()]
        if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            values += [*request.form.keys(), *request.form.values()]
        if any("\x00" in value for value in values):
            raise NulCharacter()

    @app.errorhandler(NulCharacter)
    def _refused(error: NulCharacter):
        return error_page(gettext("The request could not be read"), str(error.description), 400)


def error_page(title: str, text: str, status: int):
    return render_template("error.html", title=title, text=text), status


def register(app: Flask) -> None:
    _forms_speak_the_page_language()
    _refuse_nul_characters(app)
    pages = {
        400: (_l("The request could not be read"), _l("Something in what was sent is not right. Go back, "
                                                       "reload the page and try again.")),
        404: (_l("Not found"), _l("There is nothing here, or you may not see it.")),
        405: (_l("Not possible here"), _l("This address does not take that kind of request. Go back and use "
                                           "the page's own buttons.")),
        429: (_l("Too many attempts"), _l("Please wait a minute and try again.")),
        500: (_l("Something went wrong"), _l("The page could not be made. Nothing is lost of what was already "
                                              "saved; please try again in a moment.")),
    }

    def handler(status: int):
        def handle(error):
            api_error = current_app.extensions.get("grievance.api.json_error")  # grievance/api/errors.py
            if api_error is not None and request.path.startswith("/api/"):
                return api_error(error)
            if _not_a_page() and isinstance(error, HTTPException):
                return error
            title, text = pages[status]
            if status < 500:
                return error_page(str(title), str(text), status)
            from grievance.extensions import db

            db.session.rollback()
            try:
                return error_page(str(title), str(text), status)
            except Exception:  # the page itself needs the database that may be what failed
                return f"{title}. {text}", status, {"Content-Type": "text/plain; charset=utf-8"}
        return handle

    for status in pages:
        app.register_error_handler(status, handler(status))

    @app.errorhandler(CSRFError)
    def refused_form(_error):
        if _not_a_page():
            return _error
        # Her typing is not kept here (the form was refused before any page read it): say how to
        # get it back rather than pretend it was sent.
        return error_page(gettext("The form had expired"),
                          gettext("The page was open too long or was sent from elsewhere, so nothing was saved. "
                                  "Go back, reload the page and send it again."), 400)
