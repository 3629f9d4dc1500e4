"""People who sign in: their memberships, deactivation, and one-time links to set a password."""

from __future__ import annotations

import smtplib

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from grievance.access.memberships import add_membership as add_membership_of
from grievance.access.resets import RESET_LIFETIME, issue_reset
from grievance.access.roles import BUYER, COUNTRY_ROLES, FACTORY_ROLES, scope_problem
from grievance.extensions import db
from grievance.i18n.pages import LANGUAGE_NAMES, UI_LOCALES
from grievance.mail import mailer
from grievance.models import Country, Factory, Membership, Organisation, User
from grievance.models.user import ROLES
from grievance.web import ROW_ID
from grievance.web.admin.audit import record
from grievance.web.admin.blueprint import bp
from grievance.web.forms import ActionForm
from grievance.web.sessions import end_sessions

ROLE_LABELS = {"picc": _l("PICC member"), "factory_manager": _l("Factory manager"), "advisor": _l("Advisor"),
               "programme_manager": _l("Programme manager"), "buyer": _l("Buyer"), "admin": _l("Administrator")}
# An account made here has no password until she sets one through her link.
NO_PASSWORD = "!"


class PersonForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    language = SelectField(_l("Language of her pages"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [(code, LANGUAGE_NAMES[code]) for code in UI_LOCALES]

    def validate_email(self, field):
        email = field.data.strip().lower()
        if db.session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
            raise ValidationError(_("Someone already signs in with this email."))


class MembershipForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[DataRequired()])
    factory = SelectField(_l("Factory"))
    country = SelectField(_l("Country"))
    organisation = SelectField(_l("Buyer organisation"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        none = [("", "—")]
        self.role.choices = [(role, ROLE_LABELS[role]) for role in ROLES]
        self.factory.choices = none + [(str(f.id), f"{f.code} {f.name}") for f in
                                       db.session.scalars(select(Factory).order_by(Factory.code))]
        self.country.choices = none + [(c.code, c.name) for c in
                                       db.session.scalars(select(Country).order_by(Country.name))]
        self.organisation.choices = none + [(str(o.id), o.name) for o in
                                            db.session.scalars(select(Organisation).order_by(Organisation.name))]

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        problem = scope_problem(self.role.data, factory=bool(self.factory.data), country=bool(self.country.data),
                                organisation=bool(self.organisation.data))
        if problem is None:
            return True
        if self.role.data in FACTORY_ROLES:
            self.factory.errors.append(_("This role needs a factory."))
        elif self.role.data in COUNTRY_ROLES:
            self.country.errors.append(_("This role needs a country, or a factory."))
        elif self.role.data == BUYER:
            self.organisation.errors.append(_("This role needs a buyer organisation."))
        else:
            self.role.errors.append(problem)
        return False


class ResetForm(FlaskForm):
    mail = BooleanField(_l("Also send the link to her by email"))


def _person(user_id: int) -> User:
    found = db.session.get(User, user_id)
    if found is None:
        abort(404)
    return found


def _scope_text(membership: Membership) -> str:
    parts = []
    if membership.factory_id:
        factory = db.session.get(Factory, membership.factory_id)
        parts.append(f"{factory.code} {factory.name}")
    if membership.country_code:
        parts.append(membership.country_code)
    if membership.organisation:
        parts.append(membership.organisation.name)
    return " · ".join(parts)


@bp.get("/people")
def people(form: PersonForm | None = None, status: int = 200):
    everyone = db.session.scalars(select(User).order_by(User.active.desc(), User.name, User.id)).all()
    return render_template("admin/people.html", people=everyone, form=form or PersonForm(prefix="person"),
                           role_labels=ROLE_LABELS), status


def _link_page(user: User, raw: str, mailed: bool):
    base = (current_app.config.get("PUBLIC_BASE_URL") or request.url_root).rstrip("/")
    link = base + url_for("password.reset_link", token=raw)
    if mailed:
        language = user.language or "en"
        with force_locale(language):
            subject = _("Set your password")
            body = _("Open this link to set your password for the grievance service. It works once, "
                     "for %(hours)s hours:\n\n%(link)s", hours=int(RESET_LIFETIME.total_seconds() // 3600),
                     link=link)
        return link, (subject, body, language)
    return link, None


def _send_after_commit(user: User, mail) -> bool:
    """Whether the mail went; the link stands either way, and the admin sees it."""
    if mail is None:
        return False
    subject, body, language = mail
    try:
        mailer().send(user.email, subject, body, language)
    except (OSError, smtplib.SMTPException):
        current_app.logger.warning("password link mail to user %s failed", user.id)
        return False
    return True


def _issue_and_show(user: User, mailed: bool, status: int = 200):
    raw = issue_reset(db.session, user, by=current_user)
    record("people", "reset_link", user.email, mailed=mailed)
    link, mail = _link_page(user, raw, mailed)
    db.session.commit()
    # Only once the link is stored: a mailed link that does not work helps nobody.
    sent = _send_after_commit(user, mail)
    if mailed and not sent:
        flash(_("The mail could not be sent: pass the link on yourself."))
    return render_template("admin/reset_link.html", person=user, link=link, mailed=sent,
                           hours=int(RESET_LIFETIME.total_seconds() // 3600)), status


@bp.post("/people")
def add_person():
    form = PersonForm(prefix="person")
    if not form.validate_on_submit():
        return people(form, 400)
    made = User(email=form.email.data.strip().lower(), name=form.name.data.strip(), password_hash=NO_PASSWORD,
                language=form.language.data)
    db.session.add(made)
    db.session.flush()
    record("people", "add", made.email, name=made.name, language=made.language)
    return _issue_and_show(made, mailed=False)


def _render(found: User, membership_form=None, status=200):
    memberships = [(m, _scope_text(m)) for m in sorted(found.memberships, key=lambda m: m.id)]
    return render_template("admin/person.html", person=found, memberships=memberships, role_labels=ROLE_LABELS,
                           membership_form=membership_form or MembershipForm(prefix="membership"),
                           reset_form=ResetForm(prefix="reset"), action=ActionForm(),
                           no_password=found.password_hash == NO_PASSWORD), status


@bp.get(f"/people/<{ROW_ID}:user_id>")
def person(user_id: int):
    return _render(_person(user_id))


@bp.post(f"/people/<{ROW_ID}:user_id>/memberships")
def add_membership(user_id: int):
    found = _person(user_id)
    form = MembershipForm(prefix="membership")
    if not form.validate_on_submit():
        return _render(found, membership_form=form, status=400)
    factory = db.session.get(Factory, int(form.factory.data)) if form.factory.data else None
    organisation = db.session.get(Organisation, int(form.organisation.data)) if form.organisation.data else None
    made = add_membership_of(db.session, found, form.role.data, factory=factory,
                             country_code=form.country.data or None, organisation=organisation)
    if made is None:
        form.role.errors.append(_("She already holds this role here."))
        return _render(found, membership_form=form, status=400)
    db.session.flush()
    record("memberships", "add", found.email, role=made.role, factory=factory.code if factory else None,
           country=made.country_code, organisation=organisation.code if organisation else None)
    end_sessions(found)  # what she may see changed: her pages are rebuilt from a fresh sign-in
    db.session.commit()
    flash(_("Role added: %(role)s.", role=ROLE_LABELS[made.role]))
    return redirect(url_for("admin.person", user_id=found.id))


def _confirm(title: str, what: str, consequence: str, action: str, back: str):
    return render_template("admin/confirm.html", title=title, what=what, consequence=consequence, action=action,
                           back=back, form=ActionForm())


@bp.post(f"/people/<{ROW_ID}:user_id>/memberships/<{ROW_ID}:membership_id>/remove")
def remove_membership(user_id: int, membership_id: int):
    found = _person(user_id)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.user_id != found.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    if found.id == current_user.id and membership.role == "admin":
        flash(_("You cannot remove your own administrator role: ask another administrator."))
        return redirect(url_for("admin.person", user_id=found.id))
    what = f"{ROLE_LABELS[membership.role]} {_scope_text(membership)}".strip()
    if request.form.get("confirm") != "yes":
        return _confirm(_("Remove this role?"), what, _("She will no longer see what this role shows."),
                        url_for("admin.remove_membership", user_id=found.id, membership_id=membership.id),
                        url_for("admin.person", user_id=found.id))
    record("memberships", "remove", found.email, role=membership.role, scope=_scope_text(membership))
    db.session.delete(membership)
    end_sessions(found)
    db.session.commit()
    flash(_("Role removed."))
    return redirect(url_for("admin.person", user_id=found.id))


@bp.post(f"/people/<{ROW_ID}:user_id>/deactivate")
def deactivate_person(user_id: int):
    found = _person(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if found.id == current_user.id:
        flash(_("You cannot deactivate yourself: ask another administrator."))
        return redirect(url_for("admin.person", user_id=found.id))
    if request.form.get("confirm") != "yes":
        return _confirm(_("Deactivate %(name)s?", name=found.name), found.email,
                        _("She is signed out everywhere at once and cannot sign in until reactivated."),
                        url_for("admin.deactivate_person", user_id=found.id), url_for("admin.person", user_id=found.id))
    found.active = False
    end_sessions(found)
    record("people", "deactivate", found.email)
    db.session.commit()
    flash(_("%(name)s is deactivated and signed out.", name=found.name))
    return redirect(url_for("admin.person", user_id=found.id))


@bp.post(f"/people/<{ROW_ID}:user_id>/reactivate")
def reactivate_person(user_id: int):
    found = _person(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    found.active = True
    record("people", "reactivate", found.email)
    db.session.commit()
    flash(_("%(name)s can sign in again.", name=found.name))
    return redirect(url_for("admin.person", user_id=found.id))


@bp.post(f"/people/<{ROW_ID}:user_id>/reset")
def issue_reset_link(user_id: int):
    found = _person(user_id)
    form = ResetForm(prefix="reset")
    if not form.validate_on_submit():
        abort(400)
    if not found.active:
        flash(_("Reactivate her first: a deactivated person cannot set a password."))
        return redirect(url_for("admin.person", user_id=found.id))
    return _issue_and_show(found, mailed=bool(form.mail.data))
