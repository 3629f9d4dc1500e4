"""Per country, the working week, public holidays, where each category goes
and how long committees have. Changes apply to cases opened (or reopened) afterwards."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from babel.dates import get_day_names
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, DecimalField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from grievance.extensions import db
from grievance.models import Country, DeadlinePolicy, Holiday, RoutingRule
from grievance.models.case import ROUTE_ADVISOR, ROUTE_PICC
from grievance.models.policy import ANY_CATEGORY, CALENDAR_HOURS, UNITS, WORKING_DAYS, WORKING_HOURS
from grievance.web import ROW_ID
from grievance.web.labels import CATEGORY_LABELS, ROUTE_LABELS, UNIT_LABELS, label
from grievance.web.admin.audit import record
from grievance.web.admin.blueprint import bp
from grievance.web.forms import ActionForm
from grievance.models.base import utcnow
from grievance.workflows.public_holidays import package_holidays
from grievance.workflows.routing import ADVISOR_CATEGORIES
from grievance.workflows.working_time import amount_of

CLOCK = Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message=_l("Write the time as HH:MM, for example 08:00."))


def _route_choices():
    return [(ROUTE_PICC, label(ROUTE_PICC, ROUTE_LABELS)), (ROUTE_ADVISOR, label(ROUTE_ADVISOR, ROUTE_LABELS))]


def _weekdays():
    names = get_day_names("wide", locale=get_locale())
    return [(day, names[day]) for day in range(7)]  # Monday = 0, as in Python and Babel


def _unit_choices():
    return [(unit, label(unit, UNIT_LABELS)) for unit in UNITS]


class WeekForm(FlaskForm):
    weekend = SelectMultipleField(_l("Days off"), coerce=int, validators=[Optional()],
                                  widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    workday_start = StringField(_l("Work starts"), validators=[DataRequired(), CLOCK])
    workday_end = StringField(_l("Work ends"), validators=[DataRequired(), CLOCK])

    def validate_workday_end(self, field):
        if self.workday_start.data and field.data and field.data <= self.workday_start.data:
            raise ValidationError(_("Work must end after it starts."))

    def validate_weekend(self, field):
        if len(field.data or []) >= 7:
            raise ValidationError(_("At least one day of the week must be a working day."))


class HolidayForm(FlaskForm):
    date = DateField(_l("Date"), validators=[InputRequired(message=_l("Pick a date."))])
    every_year = SelectField(_l("Repeats"))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.every_year.choices = [("yes", _("every year on this day")), ("no", _("this year only"))]


class PolicyForm(FlaskForm):
    category = SelectField(_l("Category"), validators=[DataRequired()])
    route = SelectField(_l("Queue"), validators=[DataRequired()])
    acknowledge_amount = IntegerField(_l("Acknowledge within"), validators=[InputRequired(), NumberRange(1, 8760)])
    acknowledge_unit = SelectField(_l("Unit"))
    resolve_amount = IntegerField(_l("Resolve within"), validators=[InputRequired(), NumberRange(1, 8760)])
    resolve_unit = SelectField(_l("Unit"))
    reminder_share = DecimalField(_l("Remind when this share of the time is left (0 to 0.9)"), places=2,
                                  validators=[InputRequired(), NumberRange(0, 0.9)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [(ANY_CATEGORY, _("Every category"))] + [
            (code, label(code, CATEGORY_LABELS)) for code in CATEGORY_LABELS]
        self.route.choices = _route_choices()
        self.acknowledge_unit.choices = self.resolve_unit.choices = _unit_choices()

    def validate_route(self, field):
        if field.data == ROUTE_PICC and self.category.data in ADVISOR_CATEGORIES:
            raise ValidationError(_("This category always goes to the programme advisors."))

    def validate_acknowledge_amount(self, field):
        _within_limit(field, self.acknowledge_unit.data)

    def validate_resolve_amount(self, field):
        _within_limit(field, self.resolve_unit.data)
        if (field.data and self.acknowledge_amount.data and self.acknowledge_unit.data in UNITS
                and self.resolve_unit.data in UNITS
                and amount_of(field.data, self.resolve_unit.data)
                < amount_of(self.acknowledge_amount.data, self.acknowledge_unit.data)):
            raise ValidationError(_("The time to resolve cannot be shorter than the time to acknowledge."))


# At most a year, whatever the unit: a longer deadline is a typing error.
LIMITS = {WORKING_DAYS: 250, WORKING_HOURS: 2000, CALENDAR_HOURS: 8760}


def _within_limit(field, unit: str) -> None:
    if field.data and unit in LIMITS and field.data > LIMITS[unit]:
        raise ValidationError(_("At most %(limit)s %(unit)s.", limit=LIMITS[unit], unit=label(unit, UNIT_LABELS)))


def _country(code: str) -> Country:
    country = db.session.get(Country, code.upper())
    if country is None:
        abort(404)
    return country


def _render(country: Country, week_form=None, holiday_form=None, policy_form=None, status=200):
    week_form = week_form or WeekForm(prefix="week", data={
        "weekend": country.weekend, "workday_start": country.workday_start, "workday_end": country.workday_end})
    week_form.weekend.choices = _weekdays()
    rules = {rule.category: rule.route for rule in
             db.session.scalars(select(RoutingRule).where(RoutingRule.country_code == country.code))}
    policies = db.session.scalars(
        select(DeadlinePolicy).where(DeadlinePolicy.country_code == country.code)
        .order_by(DeadlinePolicy.route.desc(), DeadlinePolicy.category)
    ).all()
    holidays = db.session.scalars(
        select(Holiday).where(Holiday.country_code == country.code)
        .order_by(Holiday.month, Holiday.day, Holiday.year)
    ).all()
    return render_template(
        "admin/country.html", country=country, week_form=week_form, rules=rules, policies=policies,
        holidays=[h for h in holidays if not h.working], public_holidays=_public_holidays(country, holidays), holiday_form=holiday_form or HolidayForm(prefix="holiday"),
        policy_form=policy_form or PolicyForm(prefix="policy"), form=ActionForm(),
        categories=list(CATEGORY_LABELS), fixed=ADVISOR_CATEGORIES, route_choices=_route_choices(),
    ), status


def _public_holidays(country: Country, changes: list[Holiday]) -> list[tuple[date, str, Holiday | None]]:
    """The package's holidays of this year and next, each with the admin's row that makes it a
    working day, if there is one."""
    this_year = utcnow().astimezone(ZoneInfo(country.timezone)).year
    working = {h.as_date(): h for h in changes if h.working and h.year is not None}
    return [(day, name, working.get(day)) for year in (this_year, this_year + 1)
            for day, name in package_holidays(country.code, year).items()]


@bp.get("/countries/<code>")
def country(code: str):
    return _render(_country(code))


@bp.post("/countries/<code>/week")
def save_week(code: str):
    found = _country(code)
    form = WeekForm(prefix="week")
    form.weekend.choices = _weekdays()
    if not form.validate_on_submit():
        return _render(found, week_form=form, status=400)
    found.weekend = sorted(form.weekend.data or [])
    found.workday_start, found.workday_end = form.workday_start.data, form.workday_end.data
    record("countries", "week", found.code, weekend=found.weekend, start=found.workday_start, end=found.workday_end)
    db.session.commit()
    flash(_("Working week of %(country)s saved.", country=found.name))
    return redirect(url_for("admin.country", code=found.code))


@bp.post("/countries/<code>/routing")
def save_routing(code: str):
    found = _country(code)
    if not ActionForm().validate_on_submit():
        abort(400)
    for category in CATEGORY_LABELS:
        route = request.form.get(f"route-{category}", ROUTE_PICC)
        if category in ADVISOR_CATEGORIES or route not in (ROUTE_PICC, ROUTE_ADVISOR):
            route = ROUTE_ADVISOR if category in ADVISOR_CATEGORIES else ROUTE_PICC
        rule = db.session.get(RoutingRule, (found.code, category))
        if rule is None:
            db.session.add(RoutingRule(country_code=found.code, category=category, route=route))
        else:
            rule.route = route
    record("countries", "routing", found.code, routes={
        category: request.form.get(f"route-{category}", ROUTE_PICC) for category in CATEGORY_LABELS
        if category not in ADVISOR_CATEGORIES})
    db.session.commit()
    flash(_("Routing of %(country)s saved.", country=found.name))
    return redirect(url_for("admin.country", code=found.code))


@bp.post("/countries/<code>/policies")
def save_policy(code: str):
    """Add a policy, or change the one for the same queue and category."""
    found = _country(code)
    form = PolicyForm(prefix="policy")
    if not form.validate_on_submit():
        return _render(found, policy_form=form, status=400)
    policy = db.session.scalar(select(DeadlinePolicy).where(
        DeadlinePolicy.country_code == found.code, DeadlinePolicy.route == form.route.data,
        DeadlinePolicy.category == form.category.data))
    if policy is None:
        policy = DeadlinePolicy(country_code=found.code, route=form.route.data, category=form.category.data)
        db.session.add(policy)
    policy.acknowledge_amount, policy.acknowledge_unit = form.acknowledge_amount.data, form.acknowledge_unit.data
    policy.resolve_amount, policy.resolve_unit = form.resolve_amount.data, form.resolve_unit.data
    policy.reminder_share = float(form.reminder_share.data)
    record("countries", "policy", found.code, route=policy.route, category=policy.category,
           acknowledge=f"{policy.acknowledge_amount} {policy.acknowledge_unit}",
           resolve=f"{policy.resolve_amount} {policy.resolve_unit}", reminder=policy.reminder_share)
    db.session.commit()
    flash(_("Deadline policy saved. It applies to cases opened from now on."))
    return redirect(url_for("admin.country", code=found.code))


@bp.post(f"/countries/<code>/policies/<{ROW_ID}:policy_id>/delete")
def delete_policy(code: str, policy_id: int):
    return _delete(DeadlinePolicy, code, policy_id, _("Deadline policy removed."), "policy_remove")


@bp.post("/countries/<code>/holidays")
def add_holiday(code: str):
    found = _country(code)
    form = HolidayForm(prefix="holiday")
    if not form.validate_on_submit():
        return _render(found, holiday_form=form, status=400)
    day = form.date.data
    year = None if form.every_year.data == "yes" else day.year
    exists = db.session.scalar(select(Holiday).where(
        Holiday.country_code == found.code, Holiday.month == day.month, Holiday.day == day.day,
        Holiday.year.is_(None) if year is None else Holiday.year == year))
    if exists is not None:
        form.date.errors.append(_("This day is already a holiday: %(name)s.", name=exists.name))
        return _render(found, holiday_form=form, status=400)
    db.session.add(Holiday(country_code=found.code, year=year, month=day.month, day=day.day,
                           name=form.name.data.strip()))
    record("countries", "holiday_add", found.code, date=day.isoformat(), every_year=year is None,
           name=form.name.data.strip())
    db.session.commit()
    flash(_("Holiday added."))
    return redirect(url_for("admin.country", code=found.code))


@bp.post("/countries/<code>/holidays/<day>/working")
def make_working_day(code: str, day: str):
    """A public holiday the factories of this country work on after all (the admin's removal)."""
    found = _country(code)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        when = date.fromisoformat(day)
    except ValueError:
        abort(404)
    name = package_holidays(found.code, when.year).get(when)
    if name is None:
        abort(404)
    existing = db.session.scalar(select(Holiday).where(
        Holiday.country_code == found.code, Holiday.year == when.year, Holiday.month == when.month,
        Holiday.day == when.day))
    if existing is None:
        db.session.add(Holiday(country_code=found.code, year=when.year, month=when.month, day=when.day,
                               name=name[:120], working=True))
    else:
        existing.working = True
    record("countries", "working_day", found.code, date=when.isoformat(), name=name)
    db.session.commit()
    flash(_("%(day)s is a working day.", day=name))
    return redirect(url_for("admin.country", code=found.code))


@bp.post(f"/countries/<code>/holidays/<{ROW_ID}:holiday_id>/delete")
def delete_holiday(code: str, holiday_id: int):
    return _delete(Holiday, code, holiday_id, _("Holiday removed."), "holiday_remove")


def _delete(model, code: str, row_id: int, done: str, action: str):
    """Remove one row of a country's rules (a policy, a holiday) from its button."""
    found = _country(code)
    row = db.session.get(model, row_id)
    if row is None or row.country_code != found.code:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    if isinstance(row, Holiday):
        what = {"date": f"{row.year or '*'}-{row.month:02d}-{row.day:02d}", "name": row.name}
    else:
        what = {"route": row.route, "category": row.category}
    record("countries", action, found.code, **what)
    db.session.delete(row)
    db.session.commit()
    flash(done)
    return redirect(url_for("admin.country", code=found.code))
