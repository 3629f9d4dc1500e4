"""Buyers' organisations, and the factories that grant each one access to their summaries.
Grants are the factory's decision: an admin records one only on the factory's written request,
whose reference goes into the log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from grievance.access.grants import active_grant, find_organisation
from grievance.access.roles import organisation_code
from grievance.extensions import db
from grievance.models import ConsentGrant, Factory, Organisation
from grievance.web import ROW_ID
from grievance.web.admin.audit import record
from grievance.web.admin.blueprint import bp
from grievance.web.admin import consent

REQUEST_NOTE = _l("Reference of the factory's written request")


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])

    def __init__(self, *args, editing: Organisation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing

    def validate_name(self, field):
        taken = find_organisation(field.data)
        if taken is not None and taken is not self.editing:
            raise ValidationError(_("There is already an organisation of this name: %(name)s.", name=taken.name))


class GrantForm(FlaskForm):
    factory = SelectField(_l("Factory"), validators=[DataRequired()])
    note = StringField(REQUEST_NOTE, validators=[DataRequired(), Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.factory.choices = [(str(f.id), f"{f.code} {f.name}") for f in
                                db.session.scalars(select(Factory).order_by(Factory.code))]


class RevokeForm(FlaskForm):
    note = StringField(REQUEST_NOTE, validators=[DataRequired(), Length(max=200)])


def _organisation(organisation_id: int) -> Organisation:
    found = db.session.get(Organisation, organisation_id)
    if found is None:
        abort(404)
    return found


@bp.get("/organisations")
def organisations(form: OrganisationForm | None = None, status: int = 200):
    rows = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    granting = {}
    for organisation_id, code in db.session.execute(
            select(ConsentGrant.organisation_id, Factory.code).join(Factory, Factory.id == ConsentGrant.factory_id)
            .where(ConsentGrant.revoked_at.is_(None)).order_by(Factory.code)):
        granting.setdefault(organisation_id, []).append(code)
    return render_template("admin/organisations.html", organisations=rows, granting=granting,
                           form=form or OrganisationForm(prefix="organisation")), status


@bp.post("/organisations")
def add_organisation():
    form = OrganisationForm(prefix="organisation")
    if not form.validate_on_submit():
        return organisations(form, 400)
    made = Organisation(code=organisation_code(form.name.data), name=form.name.data.strip())
    db.session.add(made)
    db.session.flush()
    record("organisations", "add", made.code, name=made.name)
    db.session.commit()
    flash(_("Organisation %(name)s added.", name=made.name))
    return redirect(url_for("admin.organisation", organisation_id=made.id))


def _render(found: Organisation, form=None, grant_form=None, revoke_forms=None, status=200):
    grants = db.session.execute(
        select(ConsentGrant, Factory).join(Factory, Factory.id == ConsentGrant.factory_id)
        .where(ConsentGrant.organisation_id == found.id)
        .order_by(ConsentGrant.revoked_at.is_not(None), Factory.code, ConsentGrant.granted_at.desc())).all()
    revoke_forms = revoke_forms or {}
    return render_template(
        "admin/organisation.html", organisation=found, grants=grants,
        form=form or OrganisationForm(prefix="organisation", editing=found, data={"name": found.name}),
        grant_form=grant_form or GrantForm(prefix="grant"),
        revoke_form=lambda grant_id: revoke_forms.get(grant_id) or RevokeForm(prefix=f"revoke{grant_id}"),
    ), status


@bp.get(f"/organisations/<{ROW_ID}:organisation_id>")
def organisation(organisation_id: int):
    return _render(_organisation(organisation_id))


@bp.post(f"/organisations/<{ROW_ID}:organisation_id>")
def rename_organisation(organisation_id: int):
    """A new name; the code (what buyers' memberships and the command line use) stays."""
    found = _organisation(organisation_id)
    form = OrganisationForm(prefix="organisation", editing=found)
    if not form.validate_on_submit():
        return _render(found, form=form, status=400)
    old, found.name = found.name, form.name.data.strip()
    record("organisations", "rename", found.code, changed={"name": [old, found.name]})
    db.session.commit()
    flash(_("Organisation renamed."))
    return redirect(url_for("admin.organisation", organisation_id=found.id))


@bp.post(f"/organisations/<{ROW_ID}:organisation_id>/grants")
def add_grant(organisation_id: int):
    found = _organisation(organisation_id)
    form = GrantForm(prefix="grant")
    if not form.validate_on_submit():
        return _render(found, grant_form=form, status=400)
    factory = db.session.get(Factory, int(form.factory.data))
    if active_grant(factory, found) is not None:
        form.factory.errors.append(_("%(factory)s already grants this organisation access.", factory=factory.code))
        return _render(found, grant_form=form, status=400)
    consent.record_grant(factory, found, note=form.note.data.strip())
    db.session.commit()
    flash(_("Recorded: %(factory)s grants %(organisation)s access to its summaries.", factory=factory.code,
            organisation=found.name))
    return redirect(url_for("admin.organisation", organisation_id=found.id))


@bp.post(f"/organisations/<{ROW_ID}:organisation_id>/grants/<{ROW_ID}:grant_id>/revoke")
def revoke_grant(organisation_id: int, grant_id: int):
    found = _organisation(organisation_id)
    existing = db.session.get(ConsentGrant, grant_id)
    if existing is None or existing.organisation_id != found.id or existing.revoked_at is not None:
        abort(404)
    factory = db.session.get(Factory, existing.factory_id)
    form = RevokeForm(prefix=f"revoke{grant_id}")
    if not form.validate_on_submit():
        return _render(found, revoke_forms={grant_id: form}, status=400)
    if request.form.get("confirm") != "yes":
        return render_template(
            "admin/confirm.html", title=_("End this access?"), what=f"{factory.code} → {found.name}",
            consequence=_("The organisation's people stop seeing this factory's summaries at once."),
            action=url_for("admin.revoke_grant", organisation_id=found.id, grant_id=grant_id),
            back=url_for("admin.organisation", organisation_id=found.id), form=form,
            keep={f"revoke{grant_id}-note": form.note.data})
    consent.record_revoke(factory, found, note=form.note.data.strip())
    db.session.commit()
    flash(_("Access ended."))
    return redirect(url_for("admin.organisation", organisation_id=found.id))
