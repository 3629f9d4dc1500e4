"""Factories and the numbers (SMS) and WhatsApp senders their workers text."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

import phonenumbers
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from grievance.extensions import db
from grievance.models.base import utcnow
from grievance.models import ChannelEndpoint, Country, Factory, Message
from grievance.privacy import mask_number
from grievance.web import ROW_ID
from grievance.web.admin.audit import record
from grievance.web.admin.blueprint import bp
from grievance.web.forms import ActionForm

CHANNELS = ("sms", "whatsapp")


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _channel_names() -> list[tuple[str, str]]:
    return [("sms", _("SMS number")), ("whatsapp", _("WhatsApp sender"))]


class FactoryForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32), Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9-]*$", message=_l("Letters, digits and dashes only, for example IDN-0001."))])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    timezone = StringField(_l("Time zone (empty: the country's)"), validators=[Optional(), Length(max=64)])
    headcount = IntegerField(_l("Number of workers"), validators=[Optional(), NumberRange(1, 1_000_000)])

    def __init__(self, *args, editing: Factory | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.country.choices = [(c.code, f"{c.name} ({c.code})")
                                for c in db.session.scalars(select(Country).order_by(Country.name))]

    def validate_timezone(self, field):
        if field.data and field.data.strip() not in _zones():
            raise ValidationError(_("Unknown time zone. Write it as Region/City, for example Asia/Jakarta."))

    def validate_code(self, field):
        taken = db.session.scalar(select(Factory).where(func.lower(Factory.code) == field.data.strip().lower()))
        if taken is not None and taken is not self.editing:
            raise ValidationError(_("Another factory already has this code: %(name)s.", name=taken.name))


class NumberForm(FlaskForm):
    channel = SelectField(_l("Channel"), validators=[DataRequired()])
    number = StringField(_l("Number, in international form (+62…)"), validators=[DataRequired(), Length(max=40)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel.choices = _channel_names()

    def e164(self) -> str | None:
        raw = (self.number.data or "").strip().removeprefix("whatsapp:")
        try:
            parsed = phonenumbers.parse(raw, None)
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_valid_number(parsed):
            return None
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

    def validate_number(self, field):
        if self.e164() is None:
            raise ValidationError(_("Not a valid phone number. Write it with + and the country code, "
                                    "for example +622150000001."))


def _factory(factory_id: int) -> Factory:
    found = db.session.get(Factory, factory_id)
    if found is None:
        abort(404)
    return found


@bp.get("/factories")
def factories(form: FactoryForm | None = None, status: int = 200):
    numbers = (select(ChannelEndpoint.factory_id, func.count().label("n")).group_by(ChannelEndpoint.factory_id)
               .subquery())
    rows = db.session.execute(
        select(Factory, func.coalesce(numbers.c.n, 0)).outerjoin(numbers, numbers.c.factory_id == Factory.id)
        .order_by(Factory.country_code, Factory.code)).all()
    return render_template("admin/factories.html", rows=rows, form=form or FactoryForm(prefix="factory")), status


@bp.post("/factories")
def add_factory():
    form = FactoryForm(prefix="factory")
    if not form.validate_on_submit():
        return factories(form, 400)
    country = db.session.get(Country, form.country.data)
    made = Factory(code=form.code.data.strip().upper(), name=form.name.data.strip(), country_code=country.code,
                   timezone=(form.timezone.data or "").strip() or country.timezone, headcount=form.headcount.data)
    db.session.add(made)
    db.session.flush()
    record("factories", "add", made.code, name=made.name, country=made.country_code, timezone=made.timezone,
           headcount=made.headcount)
    db.session.commit()
    flash(_("Factory %(code)s added. Now add the numbers its workers text.", code=made.code))
    return redirect(url_for("admin.factory", factory_id=made.id))


def _render(found: Factory, form=None, number_form=None, status=200):
    form = form or FactoryForm(prefix="factory", editing=found, data={
        "code": found.code, "name": found.name, "country": found.country_code, "timezone": found.timezone,
        "headcount": found.headcount})
    endpoints = db.session.scalars(select(ChannelEndpoint).where(ChannelEndpoint.factory_id == found.id)
                                   .order_by(ChannelEndpoint.channel, ChannelEndpoint.address)).all()
    return render_template("admin/factory.html", factory=found, form=form, endpoints=endpoints,
                           number_form=number_form or NumberForm(prefix="number"), action=ActionForm(),
                           channel_names=dict(_channel_names())), status


@bp.get(f"/factories/<{ROW_ID}:factory_id>")
def factory(factory_id: int):
    return _render(_factory(factory_id))


@bp.post(f"/factories/<{ROW_ID}:factory_id>")
def save_factory(factory_id: int):
    found = _factory(factory_id)
    form = FactoryForm(prefix="factory", editing=found)
    if not form.validate_on_submit():
        return _render(found, form=form, status=400)
    before = {"code": found.code, "name": found.name, "country": found.country_code, "timezone": found.timezone,
              "headcount": found.headcount}
    found.code, found.name = form.code.data.strip().upper(), form.name.data.strip()
    found.country_code = form.country.data
    found.timezone = (form.timezone.data or "").strip() or db.session.get(Country, found.country_code).timezone
    found.headcount = form.headcount.data
    after = {"code": found.code, "name": found.name, "country": found.country_code, "timezone": found.timezone,
             "headcount": found.headcount}
    changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changed:
        record("factories", "edit", found.code, changed=changed)
    db.session.commit()
    if "timezone" in changed:
        # Its periods are cut at its own midnight: every figure of it is counted again.
        from grievance.summaries import facts

        facts.rebuild(db.session, utcnow(), [found.id])
    flash(_("Factory %(code)s saved.", code=found.code))
    return redirect(url_for("admin.factory", factory_id=found.id))


@bp.post(f"/factories/<{ROW_ID}:factory_id>/numbers")
def add_number(factory_id: int):
    found = _factory(factory_id)
    form = NumberForm(prefix="number")
    if not form.validate_on_submit():
        return _render(found, number_form=form, status=400)
    channel, address = form.channel.data, form.e164()
    existing = db.session.scalar(select(ChannelEndpoint).where(ChannelEndpoint.channel == channel,
                                                               ChannelEndpoint.address == address))
    if existing is not None and existing.factory_id == found.id:
        form.number.errors.append(_("This factory already has this number."))
        return _render(found, number_form=form, status=400)
    if existing is not None and (existing.factory_id is not None or existing.country_code != found.country_code):
        owner = existing.factory.code if existing.factory else existing.country_code
        form.number.errors.append(_("This number is already used by %(owner)s.", owner=owner))
        return _render(found, number_form=form, status=400)
    if existing is None:
        db.session.add(ChannelEndpoint(channel=channel, address=address, factory_id=found.id,
                                       country_code=found.country_code))
    else:  # a number the country kept after a factory gave it up
        existing.factory_id = found.id
    record("numbers", "add", found.code, channel=channel, number=mask_number(address))
    db.session.commit()
    flash(_("Number added."))
    return redirect(url_for("admin.factory", factory_id=found.id))


@bp.post(f"/factories/<{ROW_ID}:factory_id>/numbers/<{ROW_ID}:endpoint_id>/remove")
def remove_number(factory_id: int, endpoint_id: int):
    """Asks first; then the number stops being the factory's. One that has carried messages
    stays the country's (its messages keep their number); workers who text it reach the advisors."""
    found = _factory(factory_id)
    endpoint = db.session.get(ChannelEndpoint, endpoint_id)
    if endpoint is None or endpoint.factory_id != found.id:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    shown = f"{dict(_channel_names())[endpoint.channel]} {endpoint.address}"
    if request.form.get("confirm") != "yes":
        return render_template("admin/confirm.html", title=_("Remove this number?"), what=shown,
                               consequence=_("Workers who text it will no longer reach this factory's committee."),
                               action=url_for("admin.remove_number", factory_id=found.id, endpoint_id=endpoint.id),
                               back=url_for("admin.factory", factory_id=found.id), form=form)
    used = db.session.scalar(select(Message.id).where(Message.endpoint_id == endpoint.id).limit(1))
    if used is None:
        db.session.delete(endpoint)
    else:
        endpoint.factory_id = None
    record("numbers", "remove", found.code, channel=endpoint.channel, number=mask_number(endpoint.address))
    db.session.commit()
    flash(_("Number removed."))
    return redirect(url_for("admin.factory", factory_id=found.id))
