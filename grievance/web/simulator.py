"""/simulator: a phone on a web page, to text the service as a worker would."""

from __future__ import annotations

import uuid

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from grievance.channels.base import InboundMessage
from grievance.channels.ingest import accept_inbound
from grievance.extensions import db, limiter
from grievance.models import ChannelEndpoint, Message, Worker
from grievance.privacy import InvalidPhoneNumber, normalize_phone, vault

bp = Blueprint("simulator", __name__, url_prefix="/simulator")
PHONE_KEY, PENDING_KEY, ENDPOINT_KEY = "simulator_phone", "simulator_pending", "simulator_endpoint"
DEFAULT_PHONE = "+6281234567890"


class SimulatorForm(FlaskForm):
    endpoint = SelectField(_("Factory number"), coerce=int, validators=[DataRequired()])
    phone = StringField(_("Your phone number"), validators=[DataRequired(), Length(max=32)])
    body = TextAreaField(_("Message"), validators=[DataRequired(), Length(max=1600)])

    def validate_phone(self, field):
        try:
            field.data = normalize_phone(field.data)
        except InvalidPhoneNumber:
            raise ValidationError(_("Write the number with its country code, like +62 812 3456 7890.")) from None
        if _real_worker(field.data):
            # The simulator must never become a window onto a real worker's conversation.
            raise ValidationError(_("This number belongs to a real worker. Use another number."))


def _worker(phone: str) -> Worker | None:
    return db.session.scalar(select(Worker).where(Worker.phone_hash == vault().hash(phone)))


def _real_worker(phone: str) -> bool:
    worker = _worker(phone)
    return worker is not None and db.session.scalar(
        select(Message.id).where(Message.worker_id == worker.id, Message.provider != "simulator").limit(1)
    ) is not None


def _session_phone() -> str | None:
    """The simulated phone's number, kept encrypted in the session cookie."""
    token = session.get(PHONE_KEY)
    if not token:
        return None
    try:
        return vault().decrypt(token)
    except Exception:
        return None


def _endpoints() -> list[ChannelEndpoint]:
    return db.session.scalars(
        select(ChannelEndpoint).where(ChannelEndpoint.channel == "sms").order_by(ChannelEndpoint.id)
    ).all()


def _form() -> SimulatorForm:
    form = SimulatorForm()
    form.endpoint.choices = [
        (e.id, f"{e.address} · {e.factory.name if e.factory else e.country.name}") for e in _endpoints()
    ]
    if not form.phone.data:
        form.phone.data = _session_phone() or DEFAULT_PHONE
    if request.method == "GET" and session.get(ENDPOINT_KEY):
        form.endpoint.data = session[ENDPOINT_KEY]
    return form


def _thread() -> list[dict]:
    phone = _session_phone()
    if not phone:
        return []
    worker = _worker(phone)
    pending = session.get(PENDING_KEY, [])
    conditions = [Message.provider_id.in_(pending)]
    if worker is not None:
        conditions.append(Message.worker_id == worker.id)
    # Only what went through the simulator: never a real conversation of the same number.
    messages = db.session.scalars(
        select(Message).where(Message.provider == "simulator", or_(*conditions)).order_by(Message.id)
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


@bp.get("")
def phone():
    return render_template("simulator.html", form=_form(), thread=_thread())


@bp.get("/thread")
def thread():
    return jsonify(messages=_thread())


@bp.post("")
@limiter.limit("30 per minute")
def send():
    form = _form()
    if not form.validate_on_submit():
        return render_template("simulator.html", form=form, thread=_thread()), 400
    endpoint = db.session.get(ChannelEndpoint, form.endpoint.data)
    if _session_phone() != form.phone.data:
        session[PHONE_KEY], session[PENDING_KEY] = vault().encrypt(form.phone.data), []
    session[ENDPOINT_KEY] = endpoint.id
    provider_id = "SIM" + uuid.uuid4().hex
    session[PENDING_KEY] = (session.get(PENDING_KEY, []) + [provider_id])[-20:]
    accept_inbound(
        InboundMessage(
            provider="simulator",
            provider_id=provider_id,
            channel="sms",
            from_address=form.phone.data,
            to_address=endpoint.address,
            body=form.body.data,
        )
    )
    return redirect(url_for("simulator.phone"))
