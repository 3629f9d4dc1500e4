"""What the factory page shows about the buyer organisations the factory grants access to its
follow-up summaries: who sees them now (since when, granted by whom: a name only), the form to
grant one, and every grant and end of one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectField
from wtforms.validators import DataRequired

from grievance.extensions import db
from grievance.models import ConsentGrant, Factory, Organisation, User


class GrantAccessForm(FlaskForm):
    organisation = SelectField(_l("Buyer organisation"),
                               validators=[DataRequired(message=_l("Choose an organisation."))])

    def __init__(self, *args, factory: Factory, **kwargs):
        super().__init__(*args, **kwargs)
        granted = select(ConsentGrant.organisation_id).where(ConsentGrant.factory_id == factory.id,
                                                             ConsentGrant.revoked_at.is_(None))
        self.organisation.choices = [("", "")] + [
            (str(o.id), o.name) for o in db.session.scalars(
                select(Organisation).where(Organisation.id.not_in(granted)).order_by(Organisation.name))]


@dataclass
class Step:
    """One line of the history: a grant or its end."""
    at: datetime
    granted: bool
    organisation: str
    by: str | None


@dataclass
class AccessPanel:
    factory: Factory
    current: list[tuple[ConsentGrant, str | None]]  # (grant, granted by: a name only)
    history: list[Step]
    form: GrantAccessForm


def access_panel(factory: Factory, form: GrantAccessForm | None = None) -> AccessPanel:
    """What the factory page shows about the access the factory grants: now, and every change."""
    # Every line names its organisation: loaded with the grants, not one query per line.
    grants = db.session.scalars(select(ConsentGrant).where(ConsentGrant.factory_id == factory.id)
                                .options(selectinload(ConsentGrant.organisation))
                                .order_by(ConsentGrant.granted_at.desc(), ConsentGrant.id.desc())).all()
    people = {user.id: user.name for user in db.session.scalars(select(User).where(User.id.in_(
        {g.granted_by_id for g in grants} | {g.revoked_by_id for g in grants})))}
    history = [Step(g.granted_at, True, g.organisation.name, people.get(g.granted_by_id)) for g in grants]
    history += [Step(g.revoked_at, False, g.organisation.name, people.get(g.revoked_by_id))
                for g in grants if g.revoked_at is not None]
    history.sort(key=lambda step: step.at, reverse=True)
    current = [(g, people.get(g.granted_by_id)) for g in grants if g.revoked_at is None]
    current.sort(key=lambda row: row[0].organisation.name)
    return AccessPanel(factory, current, history, form or GrantAccessForm(prefix="access", factory=factory))
