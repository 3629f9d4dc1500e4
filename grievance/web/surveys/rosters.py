"""Rosters: a factory's managers and the programme's staff upload the workers who agreed in
person to be sent surveys. The page says which columns the file needs; the result names how
many were added or updated and each bad row with its reason (never the number it held)."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import SelectField
from wtforms.validators import DataRequired

from grievance.access import current_viewer
from grievance.extensions import db
from grievance.models import Factory
from grievance.models.base import utcnow
from grievance.privacy import vault
from grievance.web.admin.audit import record
from grievance.web.surveys.blueprint import bp
from grievance.workflows.surveys.rosters import COLUMNS, MAX_ROWS, import_roster

# A roster of MAX_ROWS rows of about 80 bytes each, with room to spare.
MAX_BYTES = 4 * 1024 * 1024


class RosterForm(FlaskForm):
    factory = SelectField(_l("Factory"), validators=[DataRequired()])
    file = FileField(_l("Roster (CSV file)"), validators=[FileRequired(_l("Choose the CSV file to upload."))])


def _factories() -> list[Factory]:
    """The factories she may upload a roster for."""
    viewer = current_viewer()
    candidates = db.session.scalars(select(Factory).where(viewer.summary_factories()).order_by(Factory.code))
    return [factory for factory in candidates if viewer.may_upload_roster(factory)]


@bp.route("/rosters", methods=["GET", "POST"])
@login_required
def rosters():
    factories = _factories()
    if not factories:
        abort(404)
    form = RosterForm(prefix="roster")
    form.factory.choices = [(str(f.id), f"{f.code} {f.name}") for f in factories]
    if not form.is_submitted():
        return _render(form)
    if not form.validate():
        return _render(form, status=400)
    data = form.file.data.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        form.file.errors = [_l("The file is too large; split it into files of at most %(count)s rows.",
                               count=MAX_ROWS)]
        return _render(form, status=400)
    factory = db.session.get(Factory, int(form.factory.data))
    result = import_roster(db.session, factory=factory, data=data, vault=vault(), now=utcnow(), actor=current_user)
    if result.accepted:
        record("surveys", "roster", factory.code, imported=result.imported, updated=result.updated,
               withdrawn=result.withdrawn, bad_rows=len(result.errors))
    db.session.commit()
    nothing = result.errors and not result.accepted
    # Those who send the surveys see who was new, known or had said no (a plan shows them as
    # much); a factory's manager sees one count, or an upload would tell her who had texted.
    detailed = current_viewer().may_dispatch(factory)
    return _render(form, result=result, factory=factory, detailed=detailed, status=422 if nothing else 200)


def _render(form: RosterForm, result=None, factory: Factory | None = None, detailed: bool = False,
            status: int = 200):
    return render_template("surveys/roster.html", form=form, result=result, factory=factory, detailed=detailed,
                           columns=COLUMNS, max_rows=MAX_ROWS), status
