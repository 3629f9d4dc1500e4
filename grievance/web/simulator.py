"""/simulator: a phone on a web page, to text the service as a worker would.

The simulated phone has no phone number: each browser gets an identity of its own ("sim:"
and random letters) that no real number can ever hash to. So nothing the simulator answers
depends on a real number, and it can neither show a real worker's conversation nor tell
anyone whether a number has texted the service.
"""

from __future__ import annotations

import secrets
import uuid

from flask import Blueprint, abort, jsonify, redirect, render_template, session, url_for
from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from grievance.channels.base import InboundMessage
from grievance.channels.ingest import accept_inbound
from grievance.extensions import db, limiter
from grievance.models import ChannelEndpoint, Message, Worker
from grievance.privacy import vault

bp = Blueprint("simulator", __name__, url_prefix="/simulator")
IDENTITY_KEY, ENDPOINT_KEY = "simulator_identity", "simulator_endpoint"
IDENTITY_PREFIX = "sim:"  # never the start of an E.164 number, which begins with "+"


class SimulatorForm(FlaskForm):
    endpoint = SelectField(_("Factory number"), coerce=int, validators=[DataRequired()])
    body = TextAreaField(_("Message"), validators=[DataRequired(), Length(max=1600)])


class NewPhoneForm(FlaskForm):
    """A button: the form only carries the CSRF token."""


def _identity(create: bool = False) -> str | None:
    """This browser's simulated phone, kept in its session cookie."""
    identity = session.get(IDENTITY_KEY)
    if not (isinstance(identity, str) and identity.startswith(IDENTITY_PREFIX)):
        identity = None
    if identity is None and create:
        identity = session[IDENTITY_KEY] = IDENTITY_PREFIX + secrets.token_hex(16)
    return identity


def _endpoints() -> list[ChannelEndpoint]:
    return db.session.scalars(
        select(ChannelEndpoint).where(ChannelEndpoint.channel == "sms").order_by(ChannelEndpoint.id)
    ).all()


def _form() -> SimulatorForm:
    form = SimulatorForm()
    form.endpoint.choices = [
        (e.id, f"{e.address} · {e.factory.name if e.factory else e.country.name}") for e in _endpoints()
    ]
    if not form.is_submitted() and session.get(ENDPOINT_KEY):
        form.endpoint.data = session[ENDPOINT_KEY]
    return form


def _thread() -> list[dict]:
    identity = _identity()
    if identity is None:
        return []
    worker_id = db.session.scalar(select(Worker.id).where(Worker.phone_hash.in_(vault().lookup_hashes(identity))))
    if worker_id is None:
        return []
    # Only what went through the simulator (a simulated identity never texts any other way).
    messages = db.session.scalars(
        select(Message).where(Message.provider == "simulator", Message.worker_id == worker_id).order_by(Message.id)
    ).all()
    return [
        {
            "id": m.id,
            "direction": m.direction,
            "body": m.body,
            "status": m.status,
            "at": m.created_at.isoformat(),
        }
        for m in messages
        if m.direction == "inbound" or m.status in ("delivered", "sent", "read")
    ]


def _page(form: SimulatorForm, status: int = 200):
    return render_template("simulator.html", form=form, new_phone=NewPhoneForm(),
                           thread=_thread()), status


@bp.get("")
def phone():
    return _page(_form())


@bp.get("/thread")
def thread():
    return jsonify(messages=_thread())


@bp.post("")
@limiter.limit("30 per minute")
def send():
    form = _form()
    if not form.validate_on_submit():
        return _page(form, 400)
    endpoint = db.session.get(ChannelEndpoint, form.endpoint.data)
    session[ENDPOINT_KEY] = endpoint.id
    accept_inbound(
        InboundMessage(
            provider="simulator",
            provider_id="SIM" + uuid.uuid4().hex,
            channel="sms",
            from_address=_identity(create=True),
            to_address=endpoint.address,
            body=form.body.data,
        )
    )
    return redirect(url_for("simulator.phone"))


@bp.post("/new-phone")
def new_phone():
    """Start again as another worker: a new identity, an empty thread."""
    if not NewPhoneForm().validate_on_submit():
        abort(400)
    session.pop(IDENTITY_KEY, None)
    return redirect(url_for("simulator.phone"))
