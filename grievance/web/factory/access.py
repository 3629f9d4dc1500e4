"""A factory manager grants a buyer organisation access to her factory's follow-up summaries,
and ends it, from her factory's page. It is the factory's decision; admins record the same on
the factory's written request from /admin (both go through grievance.web.admin.consent).

A factory she does not manage answers 404 like one that does not exist. A second press of the
same button (a stale page, a double submit) changes nothing and says so."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from grievance.access import current_viewer
from grievance.access.grants import active_grant
from grievance.extensions import db
from grievance.models import ConsentGrant, Factory, Organisation
from grievance.web import ROW_ID
from grievance.web.admin import consent
from grievance.web.factory.blueprint import bp
from grievance.web.factory.pages import render_index
from grievance.web.factory.panel import GrantAccessForm
from grievance.web.forms import ActionForm


def _managed(code: str) -> Factory:
    factory = db.session.scalar(select(Factory).where(Factory.code == code))
    viewer = current_viewer()
    if factory is None or not viewer.follows_factory or not viewer.may_grant(factory):
        abort(404)
    return factory


@bp.post("/factory/<code>/access")
@login_required
def grant_access(code: str):
    factory = _managed(code)
    form = GrantAccessForm(prefix="access", factory=factory)
    if form.validate_on_submit():
        chosen = db.session.get(Organisation, int(form.organisation.data))
        consent.record_grant(factory, chosen)
        db.session.commit()
        flash(_("%(organisation)s now sees your factory's follow-up summaries.", organisation=chosen.name))
        return redirect(url_for("factory.index", _anchor="access"))
    already = _granted_already(factory, form.organisation.data) if not form.csrf_token.errors else None
    if already is not None:  # a second press, or a page older than the grant: nothing to do
        flash(_("%(organisation)s already sees your factory's summaries.", organisation=already.name))
        return redirect(url_for("factory.index", _anchor="access"))
    return render_index(access_forms={factory.id: form}, status=400)


def _granted_already(factory: Factory, chosen: str | None) -> Organisation | None:
    if not (chosen or "").isdigit() or len(chosen) > 9:
        return None
    organisation = db.session.get(Organisation, int(chosen))
    return organisation if organisation is not None and active_grant(factory, organisation) else None


@bp.post(f"/factory/<code>/access/<{ROW_ID}:grant_id>/revoke")
@login_required
def revoke_access(code: str, grant_id: int):
    """A confirmation page first, saying what happens; the access ends once she confirms."""
    factory = _managed(code)
    existing = db.session.get(ConsentGrant, grant_id)
    if existing is None or existing.factory_id != factory.id:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if existing.revoked_at is not None:  # ended already (a second press, another tab)
        flash(_("%(organisation)s no longer sees your factory's summaries.", organisation=existing.organisation.name))
        return redirect(url_for("factory.index", _anchor="access"))
    if request.form.get("confirm") != "yes":
        return render_template("factory/revoke.html", factory=factory, grant=existing, form=form)
    consent.record_revoke(factory, existing.organisation)
    db.session.commit()
    flash(_("Access ended: %(organisation)s no longer sees your factory's summaries.",
            organisation=existing.organisation.name))
    return redirect(url_for("factory.index", _anchor="access"))
